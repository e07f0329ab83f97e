// SPDX-License-Identifier: GPL-2.0
/*
 * acc: request dispatch. Crypto requests go round-robin over every queue
 * pair of every bound VF; a request that finds no room waits in a backlog
 * if the caller allows it (CRYPTO_TFM_REQ_MAY_BACKLOG, -EBUSY), else fails
 * with -ENOSPC. With no VF bound, requests fail with -ENODEV.
 *
 * The list of functions is RCU-protected; a submitter maps its data and
 * builds its SQEs under the lock of the queue pair it chose, so once a
 * function has left the list (acc_dispatch_remove() waits for an RCU grace
 * period) and its queues are stopped, no submitter can post to it.
 *
 * Locking order: acc_backlog_lock -> acc_qp.lock.
 */

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>

#include "acc.h"

static DEFINE_SPINLOCK(acc_disp_lock);	/* writers of acc_devs */
static LIST_HEAD(acc_devs);		/* of struct acc_qm by node; RCU */
static atomic_t acc_rr = ATOMIC_INIT(0);

static DEFINE_SPINLOCK(acc_backlog_lock);
static LIST_HEAD(acc_backlog);		/* of struct acc_req, by backlog */
static atomic_t acc_backlog_len = ATOMIC_INIT(0);

static DEFINE_MUTEX(acc_alg_lock);
static bool acc_skcipher_registered;
static bool acc_hash_registered;

/**
 * acc_dispatch_add() - let requests use the queue pairs of a function
 * @qm: QM with started queues, not in the dispatcher
 */
void acc_dispatch_add(struct acc_qm *qm)
{
	spin_lock_bh(&acc_disp_lock);
	list_add_tail_rcu(&qm->node, &acc_devs);
	spin_unlock_bh(&acc_disp_lock);
	acc_dispatch_kick();
}

/**
 * acc_dispatch_remove() - stop handing new requests to a function
 * @qm: QM previously added
 *
 * Sleeps until no submitter can still be looking at @qm. Requests already
 * posted are not affected. If no function is left, the backlog is failed
 * with -ENODEV.
 */
void acc_dispatch_remove(struct acc_qm *qm)
{
	spin_lock_bh(&acc_disp_lock);
	list_del_rcu(&qm->node);
	spin_unlock_bh(&acc_disp_lock);
	synchronize_rcu();
	acc_dispatch_kick();
}

/* The k-th queue pair of all functions, or NULL; RCU read lock held. */
static struct acc_qp *acc_nth_qp(unsigned int k)
{
	struct acc_qm *qm;

	list_for_each_entry_rcu(qm, &acc_devs, node) {
		if (k < qm->nr_qps)
			return &qm->qps[k];
		k -= qm->nr_qps;
	}
	return NULL;
}

static void acc_req_unmap(struct acc_req *req)
{
	struct device *dev = req->dev;
	struct acc_qm *qm;

	if (!dev)
		return;
	qm = req->job.qp->qm;
	while (req->nr_sgl) {
		req->nr_sgl--;
		dma_pool_free(qm->sgl_pool, req->sgl[req->nr_sgl],
			      req->sgl_dma[req->nr_sgl]);
	}
	if (req->dst_nents && req->dst != req->src)
		dma_unmap_sg(dev, req->dst, req->dst_sg_nents, DMA_FROM_DEVICE);
	if (req->src_nents)
		dma_unmap_sg(dev, req->src, req->src_sg_nents,
			     req->dst == req->src && req->dst_len ?
			     DMA_BIDIRECTIONAL : DMA_TO_DEVICE);
	if (req->dma)
		dma_pool_free(qm->ctx_pool, req->dma, req->dma_addr);
	req->dma = NULL;
	req->src_nents = 0;
	req->dst_nents = 0;
	req->dev = NULL;
}

static int acc_map_one(struct device *dev, struct scatterlist *sg,
		       unsigned int len, enum dma_data_direction dir,
		       int *sg_nents, int *nents)
{
	*sg_nents = sg_nents_for_len(sg, len);
	if (*sg_nents < 0)
		return -EINVAL;
	*nents = dma_map_sg(dev, sg, *sg_nents, dir);
	return *nents ? 0 : -ENOMEM;
}

/* Map the data and allocate the DMA block on @qp's function. */
static int acc_req_map(struct acc_req *req, struct acc_qp *qp)
{
	struct acc_qm *qm = qp->qm;
	bool inplace = req->dst == req->src && req->dst_len;
	int ret;

	req->dev = qm->dev;
	req->job.qp = qp;
	req->nr_sgl = 0;
	req->dma = dma_pool_zalloc(qm->ctx_pool, GFP_ATOMIC, &req->dma_addr);
	if (!req->dma)
		return -ENOMEM;
	if (req->src_len) {
		ret = acc_map_one(qm->dev, req->src, req->src_len,
				  inplace ? DMA_BIDIRECTIONAL : DMA_TO_DEVICE,
				  &req->src_sg_nents, &req->src_nents);
		if (ret)
			return ret;
	}
	if (inplace) {
		req->dst_nents = req->src_nents;
		req->dst_sg_nents = req->src_sg_nents;
	} else if (req->dst_len) {
		ret = acc_map_one(qm->dev, req->dst, req->dst_len,
				  DMA_FROM_DEVICE, &req->dst_sg_nents,
				  &req->dst_nents);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * A cursor over the data of one side of a request: an optional prefix
 * (hash: buffered bytes in the DMA block), then mapped sg entries.
 */
struct acc_cur {
	struct scatterlist *sg;
	int left;		/* mapped entries from sg on */
	u32 off;		/* bytes of sg already used */
	dma_addr_t pre;
	u32 pre_len;
	u32 rem;		/* bytes still to hand out */
};

/* Step over used-up and empty entries. */
static void acc_cur_settle(struct acc_cur *c)
{
	while (c->left > 0 && c->off >= sg_dma_len(c->sg)) {
		c->off = 0;
		if (--c->left > 0)
			c->sg = sg_next(c->sg);
	}
}

static void acc_cur_init(struct acc_cur *c, struct scatterlist *sg, int nents,
			 dma_addr_t pre, u32 pre_len, u32 total)
{
	c->sg = sg;
	c->left = nents;
	c->off = 0;
	c->pre = pre;
	c->pre_len = pre_len;
	c->rem = total;
	acc_cur_settle(c);
}

/* Current segment, at most @max bytes; false when the data ends. */
static bool acc_cur_seg(const struct acc_cur *c, u32 max, dma_addr_t *addr,
			u32 *len)
{
	if (!c->rem || !max)
		return false;
	if (c->pre_len) {
		*addr = c->pre;
		*len = min3(c->pre_len, c->rem, max);
		return true;
	}
	if (c->left <= 0)
		return false;
	*addr = sg_dma_address(c->sg) + c->off;
	*len = min3(sg_dma_len(c->sg) - c->off, c->rem, max);
	return *len != 0;
}

static void acc_cur_advance(struct acc_cur *c, u32 n)
{
	c->rem -= n;
	if (c->pre_len) {
		c->pre += n;
		c->pre_len -= n;
		return;
	}
	c->off += n;
	acc_cur_settle(c);
}

static void acc_cur_skip(struct acc_cur *c, u32 len)
{
	dma_addr_t addr;
	u32 seg;

	while (len && acc_cur_seg(c, len, &addr, &seg)) {
		len -= seg;
		acc_cur_advance(c, seg);
	}
}

/* Bytes the next SGL of at most ACC_SGL_MAX_ENTRIES entries can cover. */
static u32 acc_cur_span(struct acc_cur c, u32 max)
{
	u32 total = 0, len;
	dma_addr_t addr;
	int n;

	for (n = 0; n < ACC_SGL_MAX_ENTRIES; n++) {
		if (!acc_cur_seg(&c, max - total, &addr, &len))
			break;
		total += len;
		acc_cur_advance(&c, len);
	}
	return total;
}

/* Entries needed for the next @len bytes. */
static u32 acc_cur_count(struct acc_cur c, u32 len)
{
	dma_addr_t addr;
	u32 n = 0, seg;

	while (len && acc_cur_seg(&c, len, &addr, &seg)) {
		len -= seg;
		acc_cur_advance(&c, seg);
		n++;
	}
	return n;
}

/*
 * Describe the next @len bytes as one address (*sgl false) or an SGL table
 * (*sgl true) and advance. Returns the entry count or -ENOMEM.
 */
static int acc_cur_emit(struct acc_req *req, struct acc_cur *c, u32 len,
			dma_addr_t *out, bool *sgl)
{
	struct acc_qm *qm = req->job.qp->qm;
	u32 n = acc_cur_count(*c, len), i, seg;
	struct acc_sge *t;
	dma_addr_t addr;

	*sgl = n > 1;
	if (n <= 1) {
		if (!n || !acc_cur_seg(c, len, out, &seg))
			*out = req->dma_addr + offsetof(struct acc_req_dma, hbuf);
		else
			acc_cur_advance(c, seg);
		return n;
	}
	if (req->nr_sgl >= ARRAY_SIZE(req->sgl))
		return -E2BIG;
	t = dma_pool_alloc(qm->sgl_pool, GFP_ATOMIC, out);
	if (!t)
		return -ENOMEM;
	req->sgl[req->nr_sgl] = t;
	req->sgl_dma[req->nr_sgl++] = *out;
	for (i = 0; i < n; i++) {
		acc_cur_seg(c, len, &addr, &seg);
		t[i].addr = cpu_to_le64(addr);
		t[i].len = cpu_to_le32(seg);
		t[i].rsvd = 0;
		len -= seg;
		acc_cur_advance(c, seg);
	}
	return n;
}

/* Length of the next SQE: as much as its SGLs can carry. */
static u32 acc_chunk_len(const struct acc_cur *s, const struct acc_cur *d,
			 bool has_dst, u32 gran)
{
	u32 len = min(s->rem, ACC_MAX_LEN);

	len = min(len, acc_cur_span(*s, len));
	if (has_dst)
		len = min(len, acc_cur_span(*d, len));
	if (len < s->rem)
		len = round_down(len, gran);
	return len;
}

/**
 * acc_req_build_sqes() - split a mapped request into SQEs on @qp
 * @req: request mapped on @qp's function
 * @qp: queue pair, lock held
 * @max: free slots on @qp
 * @t: the fields common to the SQEs
 *
 * Every SQE but the last covers a multiple of @t->gran bytes, at most
 * ACC_MAX_LEN and at most ACC_SGL_MAX_ENTRIES entries on each side.
 *
 * Return: the number of SQEs filled, -ENOSPC if more than @max are needed
 * (then nothing is filled), -E2BIG beyond ACC_REQ_MAX_SQE, or -ENOMEM.
 */
int acc_req_build_sqes(struct acc_req *req, struct acc_qp *qp,
		       unsigned int max, const struct acc_sqe_tmpl *t)
{
	dma_addr_t pre = req->dma_addr + offsetof(struct acc_req_dma, hbuf);
	u32 total = req->prefix_len + req->src_len;
	bool has_dst = req->dst_len != 0;
	struct acc_cur s, d, ps, pd;
	unsigned int nr = 0;
	u32 len;

	if (req->prefix_len > ACC_SHA256_BLOCK ||
	    (has_dst && req->prefix_len))
		return -EINVAL;

	acc_cur_init(&s, req->src, req->src_nents, pre, req->prefix_len, total);
	acc_cur_init(&d, req->dst, req->dst_nents, 0, 0, has_dst ? total : 0);

	/* Dry run: count the SQEs. */
	ps = s;
	pd = d;
	do {
		len = acc_chunk_len(&ps, &pd, has_dst, t->gran);
		if (WARN_ON_ONCE(!len && ps.rem))
			return -EINVAL;
		acc_cur_skip(&ps, len);
		if (has_dst)
			acc_cur_skip(&pd, len);
		if (++nr > ACC_REQ_MAX_SQE)
			return -E2BIG;
	} while (ps.rem);
	if (nr >= acc_qp_depth(qp))
		return -E2BIG;
	req->need = nr;
	if (nr > max)
		return -ENOSPC;

	nr = 0;
	do {
		struct acc_sqe *sqe = acc_qp_sqe(qp, nr);
		dma_addr_t src, dst = 0;
		u8 flags = t->flags;
		bool sgl;
		int n;

		len = acc_chunk_len(&s, &d, has_dst, t->gran);
		n = acc_cur_emit(req, &s, len, &src, &sgl);
		if (n < 0)
			return n;
		if (sgl) {
			flags |= ACC_SQE_F_SRC_SGL;
			sqe->src_nents = cpu_to_le16(n);
		}
		if (has_dst) {
			n = acc_cur_emit(req, &d, len, &dst, &sgl);
			if (n < 0)
				return n;
			if (sgl) {
				flags |= ACC_SQE_F_DST_SGL;
				sqe->dst_nents = cpu_to_le16(n);
			}
		}
		if (!nr)
			flags |= t->first_flags;
		if (!s.rem) {
			flags |= t->last_flags;
			if (!has_dst)
				dst = t->last_dst;
		}
		sqe->op = t->op;
		sqe->flags = flags;
		sqe->key_len = cpu_to_le16(t->key_len);
		sqe->len = cpu_to_le32(len);
		sqe->src = cpu_to_le64(src);
		sqe->dst = cpu_to_le64(dst);
		sqe->key = cpu_to_le64(t->key);
		sqe->iv = cpu_to_le64(t->iv);
		nr++;
	} while (s.rem);
	return nr;
}

/*
 * Post @req on the next queue pair, round-robin, with room for it. Returns
 * -EINPROGRESS once posted, -ENOSPC if no queue pair has room, -ENODEV
 * without any, or another errno. On failure nothing stays mapped.
 */
static int acc_req_try(struct acc_req *req)
{
	unsigned int need = 1, total = 0, start, i;
	struct acc_qm *qm;
	int ret = -ENODEV;

	rcu_read_lock();
	list_for_each_entry_rcu(qm, &acc_devs, node)
		total += qm->nr_qps;
	if (total)
		ret = -ENOSPC;
	start = atomic_inc_return(&acc_rr);
	for (i = 0; i < total && ret == -ENOSPC; i++) {
		struct acc_qp *qp = acc_nth_qp((start + i) % total);

		if (!qp)
			break;
		spin_lock_bh(&qp->lock);
		if (acc_qp_free_slots(qp) >= need) {
			ret = acc_req_map(req, qp);
			if (!ret)
				ret = req->ops->build(req, qp,
						      acc_qp_free_slots(qp));
			if (ret > 0) {
				acc_qp_post(qp, &req->job, ret);
				ret = -EINPROGRESS;
			} else {
				acc_req_unmap(req);
				/* Look for as many slots as it needs. */
				if (ret == -ENOSPC)
					need = max(need + 1, req->need);
			}
		}
		spin_unlock_bh(&qp->lock);
	}
	rcu_read_unlock();
	return ret;
}

static void acc_req_done(struct acc_job *job, int err)
{
	struct acc_req *req = container_of(job, struct acc_req, job);
	struct crypto_async_request *areq = req->areq;

	req->ops->finish(req, err);
	acc_req_unmap(req);
	if (req->backlogged)
		crypto_request_complete(areq, -EINPROGRESS);
	crypto_request_complete(areq, err);
	acc_dispatch_kick();
}

/**
 * acc_req_init() - prepare the driver part of a request context
 * @req: driver part of the request context
 * @areq: the crypto request
 * @ops: request kind
 *
 * The caller then sets the data fields (src, dst, lengths).
 */
void acc_req_init(struct acc_req *req, struct crypto_async_request *areq,
		  const struct acc_req_ops *ops)
{
	memset(req, 0, sizeof(*req));
	req->areq = areq;
	req->ops = ops;
	req->job.done = acc_req_done;
	INIT_LIST_HEAD(&req->backlog);
}

/**
 * acc_dispatch_kick() - move backlogged requests to the hardware
 *
 * Moves them while there is room, in order. The user
 * of a backlogged request gets -EINPROGRESS just before its completion:
 * once posted, a request may complete (and be freed) at any time, so it
 * cannot be notified here.
 */
void acc_dispatch_kick(void)
{
	struct acc_req *req, *tmp;
	LIST_HEAD(failed);
	int ret;

	if (!atomic_read(&acc_backlog_len))
		return;
	spin_lock_bh(&acc_backlog_lock);
	while (!list_empty(&acc_backlog)) {
		req = list_first_entry(&acc_backlog, struct acc_req, backlog);
		list_del_init(&req->backlog);
		ret = acc_req_try(req);
		if (ret == -ENOSPC) {
			list_add(&req->backlog, &acc_backlog);
			break;
		}
		atomic_dec(&acc_backlog_len);
		if (ret != -EINPROGRESS) {
			req->job.err = ret;
			list_add_tail(&req->backlog, &failed);
		}
	}
	spin_unlock_bh(&acc_backlog_lock);

	local_bh_disable();
	list_for_each_entry_safe(req, tmp, &failed, backlog) {
		list_del(&req->backlog);
		crypto_request_complete(req->areq, -EINPROGRESS);
		crypto_request_complete(req->areq, req->job.err);
	}
	local_bh_enable();
}

/**
 * acc_req_submit() - start a request
 * @req: request prepared with acc_req_init() and its data fields
 *
 * Return: -EINPROGRESS, -EBUSY if backlogged (CRYPTO_TFM_REQ_MAY_BACKLOG),
 * -ENOSPC if the queues are full and backlog is not allowed, -ENODEV if no
 * VF is bound, or another negative errno.
 */
int acc_req_submit(struct acc_req *req)
{
	bool may_backlog = req->areq->flags & CRYPTO_TFM_REQ_MAY_BACKLOG;
	int ret;

	/* Keep the backlog in order: queue behind it if there is one. */
	if (!may_backlog || !atomic_read(&acc_backlog_len)) {
		ret = acc_req_try(req);
		if (ret != -ENOSPC || !may_backlog)
			return ret;
	}
	spin_lock_bh(&acc_backlog_lock);
	req->backlogged = true;
	list_add_tail(&req->backlog, &acc_backlog);
	atomic_inc(&acc_backlog_len);
	spin_unlock_bh(&acc_backlog_lock);
	/* Room may have appeared meanwhile; no completion would notice. */
	acc_dispatch_kick();
	return -EBUSY;
}

/*
 * crypto_register_*() only schedules the self-tests. Wait for their result
 * by looking the algorithms up: the lookup waits for the test larval. The
 * VF that registered stays bound meanwhile (its probe has not returned),
 * so the tests do not see it vanish.
 */
static void acc_algs_wait_tested(void)
{
	static const char * const names[] = {
		"cbc-aes-acc", "ctr-aes-acc", "sha256-acc", "hmac-sha256-acc",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct crypto_skcipher *sk;
		struct crypto_ahash *ah;
		int err;

		if (i < 2) {
			sk = crypto_alloc_skcipher(names[i], 0, 0);
			err = PTR_ERR_OR_ZERO(sk);
			if (!err)
				crypto_free_skcipher(sk);
		} else {
			ah = crypto_alloc_ahash(names[i], 0, 0);
			err = PTR_ERR_OR_ZERO(ah);
			if (!err)
				crypto_free_ahash(ah);
		}
		if (err)
			pr_err("acc: %s is unusable (self-test failed?): %d\n",
			       names[i], err);
	}
}

/**
 * acc_algs_register() - register the algorithms not registered yet
 *
 * Called when a VF comes up. Sleeps until the crypto self-tests of newly
 * registered algorithms have finished.
 *
 * Return: 0 if all are registered, else the first error.
 */
int acc_algs_register(void)
{
	bool fresh = false;
	int ret = 0, err;

	mutex_lock(&acc_alg_lock);
	if (!acc_skcipher_registered) {
		err = acc_skcipher_register();
		if (err)
			ret = err;
		else
			acc_skcipher_registered = true;
		fresh |= !err;
	}
	if (!acc_hash_registered) {
		err = acc_hash_register();
		if (err)
			ret = ret ?: err;
		else
			acc_hash_registered = true;
		fresh |= !err;
	}
	if (fresh)
		acc_algs_wait_tested();
	mutex_unlock(&acc_alg_lock);
	return ret;
}

/* Unregister the algorithms; module exit only, when no tfm exists. */
void acc_algs_unregister(void)
{
	mutex_lock(&acc_alg_lock);
	if (acc_hash_registered)
		acc_hash_unregister();
	if (acc_skcipher_registered)
		acc_skcipher_unregister();
	acc_hash_registered = false;
	acc_skcipher_registered = false;
	mutex_unlock(&acc_alg_lock);
}
