// SPDX-License-Identifier: GPL-2.0
/*
 * libacc: the QM protocol of docs/hw-spec.rst from userspace: mailbox,
 * context tables, event queue, queue pairs, MSI-X, jobs.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "accdev.h"

#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define READ_ONCE_U8(x) (*(volatile uint8_t *)&(x))

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Back off gently while polling: spin a little, then sleep a little. */
static void relax(unsigned int *spins)
{
	if (++*spins < 200)
		sched_yield();
	else
		usleep(20);
}

/* ---------------------------------------------------------- mailbox */
static int mb_errno(int st)
{
	switch (st) {
	case ACC_MB_OK:
		return 0;
	case ACC_MB_EINVAL:
		return -EINVAL;
	case ACC_MB_EPERM:
		return -EPERM;
	case ACC_MB_EFAULT:
		return -EFAULT;
	case ACC_MB_EBUSY:
		return -EBUSY;
	case ACC_MB_ECORRUPT:
		return -EBADMSG;
	default:
		return st < 0 ? st : -EIO;
	}
}

int acc_mb(struct acc_vf *vf, uint32_t cmd, uint32_t qn, uint64_t addr)
{
	int64_t deadline = now_us() + ACC_MB_TIMEOUT_MS * 1000LL;
	unsigned int spins = 0;
	uint32_t st;

	while (acc_rd(vf, ACC_REG_MB_STATUS) & ACC_MB_BUSY) {
		if (now_us() > deadline)
			return -EBUSY;
		relax(&spins);
	}
	mb();	/* contexts in memory before the command */
	acc_wr(vf, ACC_REG_MB_ADDR_LO, (uint32_t)addr);
	acc_wr(vf, ACC_REG_MB_ADDR_HI, (uint32_t)(addr >> 32));
	acc_wr(vf, ACC_REG_MB_QN, qn);
	acc_wr(vf, ACC_REG_MB_CMD, cmd);
	spins = 0;
	while ((st = acc_rd(vf, ACC_REG_MB_STATUS)) & ACC_MB_BUSY) {
		if (now_us() > deadline) {
			acc_log("%s: mailbox cmd 0x%x qn %u timed out",
				vf->bdf, cmd, qn);
			return -ETIMEDOUT;
		}
		relax(&spins);
	}
	mb();
	if (!vf->irq_on)
		acc_wr(vf, ACC_REG_INT_STATUS, ACC_INT_MB);
	st &= ACC_MB_STATUS_MASK;
	if (st != ACC_MB_OK)
		acc_log("%s: mailbox cmd 0x%x qn %u: status %u", vf->bdf, cmd,
			qn, st);
	return (int)st;
}

int acc_soft_reset(struct acc_vf *vf)
{
	acc_wr(vf, ACC_REG_FUNC_CTRL, ACC_FUNC_CTRL_SOFT_RESET);
	/* a read flushes the posted write; the reset leaves MB not busy */
	if (acc_rd(vf, ACC_REG_ID) != ACC_ID_MAGIC)
		return -EIO;
	vf->qm_ready = false;
	if (vf->irq_on)
		acc_wr(vf, ACC_REG_INT_MASK, ACC_INT_ALL);
	vf->irq_on = false;
	return 0;
}

/* -------------------------------------------------------- contexts */
void acc_qm_fini(struct acc_vf *vf)
{
	acc_dma_free(vf, &vf->ctx);
	vf->sqc = NULL;
	vf->cqc = NULL;
	vf->eqc = NULL;
	vf->eq = NULL;
	vf->qm_ready = false;
}

int acc_qm_init(struct acc_vf *vf, unsigned int eq_depth_log2)
{
	size_t tbl, size;
	uint8_t *base;
	int st;

	if (!vf->qp_num || !(acc_rd(vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_READY))
		return -ENODEV;
	if (!eq_depth_log2)
		eq_depth_log2 = ACC_EQ_DEPTH_LOG2;
	if (eq_depth_log2 > vf->depth_max_log2)
		eq_depth_log2 = vf->depth_max_log2;
	if (!acc_depth_valid(eq_depth_log2, vf->depth_max_log2))
		return -EINVAL;

	acc_qm_fini(vf);
	tbl = ((size_t)vf->qp_num * 32 + 4095) & ~(size_t)4095;
	size = 2 * tbl + 4096 + ((size_t)sizeof(struct acc_eqe) << eq_depth_log2);
	st = acc_dma_alloc(vf, &vf->ctx, size, acc_iova_ctx(vf));
	if (st)
		return st;
	base = vf->ctx.va;
	vf->sqc = (void *)base;
	vf->cqc = (void *)(base + tbl);
	vf->eqc = (void *)(base + 2 * tbl);
	vf->eq = (void *)(base + 2 * tbl + 4096);
	vf->sqc_iova = vf->ctx.iova;
	vf->cqc_iova = vf->ctx.iova + tbl;
	vf->eqc_iova = vf->ctx.iova + 2 * tbl;
	vf->eq_iova = vf->ctx.iova + 2 * tbl + 4096;
	vf->eq_depth_log2 = eq_depth_log2;
	vf->eq_head = 0;
	vf->eq_phase = 1;
	vf->n_errs = 0;
	free(vf->cq_events);
	vf->cq_events = calloc(vf->qp_num, sizeof(*vf->cq_events));
	if (!vf->cq_events)
		return -ENOMEM;

	vf->eqc->base = htole64(vf->eq_iova);
	vf->eqc->depth_log2 = eq_depth_log2;
	vf->eqc->flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE;

	st = acc_mb(vf, ACC_MB_CMD_SQC_BT, 0, vf->sqc_iova);
	if (!st)
		st = acc_mb(vf, ACC_MB_CMD_CQC_BT, 0, vf->cqc_iova);
	if (!st)
		st = acc_mb(vf, ACC_MB_CMD_EQC, 0, vf->eqc_iova);
	if (st)
		return mb_errno(st);
	vf->qm_ready = true;
	return 0;
}

int acc_qm_adopt(struct acc_vf *vf, const struct acc_vf *src)
{
	uint8_t *base;
	size_t tbl;
	int ret;

	if (!src->qm_ready || vf->qp_num != src->qp_num ||
	    vf->iova_off != src->iova_off)
		return -EINVAL;
	acc_qm_fini(vf);
	ret = acc_dma_clone(vf, &vf->ctx, &src->ctx);
	if (ret)
		return ret;
	tbl = src->cqc_iova - src->sqc_iova;
	base = vf->ctx.va;
	vf->sqc = (void *)base;
	vf->cqc = (void *)(base + tbl);
	vf->eqc = (void *)(base + 2 * tbl);
	vf->eq = (void *)(base + 2 * tbl + 4096);
	vf->sqc_iova = src->sqc_iova;
	vf->cqc_iova = src->cqc_iova;
	vf->eqc_iova = src->eqc_iova;
	vf->eq_iova = src->eq_iova;
	vf->eq_depth_log2 = src->eq_depth_log2;
	vf->eq_head = src->eq_head;
	vf->eq_phase = src->eq_phase;
	vf->n_errs = 0;
	if (vf->next_iova < src->next_iova)
		vf->next_iova = src->next_iova;
	free(vf->cq_events);
	vf->cq_events = calloc(vf->qp_num, sizeof(*vf->cq_events));
	if (!vf->cq_events)
		return -ENOMEM;
	memcpy(vf->cq_events, src->cq_events,
	       vf->qp_num * sizeof(*vf->cq_events));
	vf->qm_ready = true;
	return 0;
}

/* ---------------------------------------------------------- MSI-X */
static int set_irqs(struct acc_vf *vf, bool on)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t) * ACC_MSIX_VECTORS];
	struct vfio_irq_set *s = (void *)buf;
	int i;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(buf);
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->start = 0;
	if (on) {
		s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		s->count = ACC_MSIX_VECTORS;
		for (i = 0; i < ACC_MSIX_VECTORS; i++)
			((int32_t *)s->data)[i] = vf->irq_fd[i];
	} else {
		s->argsz = sizeof(*s);
		s->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		s->count = 0;
	}
	if (ioctl(vf->devfd, VFIO_DEVICE_SET_IRQS, s))
		return -errno;
	return 0;
}

int acc_irq_enable(struct acc_vf *vf, bool mb_irq)
{
	uint32_t mask = ACC_INT_ALL & ~ACC_INT_EQ;
	int i, ret;

	for (i = 0; i < ACC_MSIX_VECTORS; i++) {
		if (vf->irq_fd[i] >= 0)
			continue;
		vf->irq_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vf->irq_fd[i] < 0)
			return -errno;
	}
	ret = set_irqs(vf, true);
	if (ret)
		return ret;
	if (mb_irq)
		mask &= ~ACC_INT_MB;
	acc_wr(vf, ACC_REG_INT_STATUS, ACC_INT_ALL);
	acc_wr(vf, ACC_REG_INT_MASK, mask);
	vf->irq_on = true;
	return 0;
}

void acc_irq_disable(struct acc_vf *vf)
{
	int i;

	if (vf->devfd >= 0 && vf->irq_fd[0] >= 0) {
		acc_wr(vf, ACC_REG_INT_MASK, ACC_INT_ALL);
		set_irqs(vf, false);
	}
	for (i = 0; i < ACC_MSIX_VECTORS; i++) {
		if (vf->irq_fd[i] >= 0)
			close(vf->irq_fd[i]);
		vf->irq_fd[i] = -1;
	}
	vf->irq_on = false;
}

int acc_irq_wait(struct acc_vf *vf, unsigned int vec, int timeout_ms)
{
	struct pollfd p = { .events = POLLIN };
	uint64_t cnt;
	int ret;

	if (vec >= ACC_MSIX_VECTORS || vf->irq_fd[vec] < 0)
		return -EINVAL;
	p.fd = vf->irq_fd[vec];
	ret = poll(&p, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	if (read(p.fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	vf->n_irq += cnt;
	return cnt > 0x7fffffff ? 0x7fffffff : (int)cnt;
}

/* -------------------------------------------------------- event queue */
int acc_eq_drain(struct acc_vf *vf)
{
	int n = 0;

	if (!vf->eq)
		return 0;
	/* clear the status first: an event after this raises it again */
	if (vf->irq_on)
		acc_wr(vf, ACC_REG_INT_STATUS, ACC_INT_EQ);
	for (;;) {
		struct acc_eqe *e = &vf->eq[vf->eq_head];
		uint16_t qn;

		if (!acc_phase_match(READ_ONCE_U8(e->flags), vf->eq_phase))
			break;
		rmb();
		qn = le16toh(e->qn);
		vf->n_eqe++;
		if (e->type == ACC_EQE_CQ) {
			vf->n_eqe_cq++;
			if (qn < vf->qp_num)
				vf->cq_events[qn]++;
		} else {
			if (vf->n_errs < ACC_MAX_ERR_EVENTS) {
				struct acc_event *ev = &vf->errs[vf->n_errs];

				ev->qn = qn;
				ev->type = e->type;
				ev->info = le32toh(e->info);
			}
			vf->n_errs++;
			acc_log("%s: EQE type %u qn %u info %u", vf->bdf,
				e->type, qn, le32toh(e->info));
		}
		vf->eq_head = acc_ring_next(vf->eq_head, vf->eq_depth_log2,
					    &vf->eq_phase);
		n++;
	}
	if (n) {
		mb();
		acc_wr(vf, ACC_REG_DB_EQ, vf->eq_head);
	}
	return n;
}

int acc_eq_wait_error(struct acc_vf *vf, uint16_t qn, struct acc_event *ev,
		      int timeout_ms)
{
	int64_t deadline = now_us() + timeout_ms * 1000LL;
	unsigned int spins = 0, seen = 0;

	for (;;) {
		unsigned int i, n;

		acc_eq_drain(vf);
		n = vf->n_errs < ACC_MAX_ERR_EVENTS ? vf->n_errs :
						      ACC_MAX_ERR_EVENTS;
		for (i = seen; i < n; i++) {
			if (vf->errs[i].qn == qn) {
				*ev = vf->errs[i];
				return 0;
			}
		}
		seen = n;
		if (now_us() > deadline)
			return -ETIMEDOUT;
		relax(&spins);
	}
}

/* --------------------------------------------------------- queue pairs */
int acc_qp_start(struct acc_qp *qp)
{
	struct acc_vf *vf = qp->vf;
	struct acc_sqc *sqc = &vf->sqc[qp->qn];
	struct acc_cqc *cqc = &vf->cqc[qp->qn];
	int st;

	memset(qp->sq.va, 0, qp->sq.size);
	memset(qp->cq.va, 0, qp->cq.size);
	qp->sq_tail = 0;
	qp->sq_head = 0;
	qp->cq_head = 0;
	qp->cq_phase = 1;
	qp->inflight = 0;
	vf->cq_events[qp->qn] = 0;

	memset(cqc, 0, sizeof(*cqc));
	cqc->base = htole64(qp->cq.iova);
	cqc->depth_log2 = qp->depth_log2;
	cqc->flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE |
		     (qp->irq ? ACC_CTX_F_IRQ : 0);
	memset(sqc, 0, sizeof(*sqc));
	sqc->base = htole64(qp->sq.iova);
	sqc->depth_log2 = qp->depth_log2;
	sqc->flags = ACC_CTX_F_ENABLE;
	sqc->cqn = htole16(qp->qn);

	st = acc_mb(vf, ACC_MB_CMD_CQC, qp->qn, 0);
	if (!st)
		st = acc_mb(vf, ACC_MB_CMD_SQC, qp->qn, 0);
	return mb_errno(st);
}

int acc_qp_create(struct acc_vf *vf, struct acc_qp *qp, uint16_t qn,
		  unsigned int depth_log2, bool irq)
{
	size_t n = acc_ring_size(depth_log2);
	int ret;

	memset(qp, 0, sizeof(*qp));
	if (!vf->qm_ready)
		return -ENODEV;
	if (qn >= vf->qp_num)
		return -EINVAL;
	if (!acc_depth_valid(depth_log2, vf->depth_max_log2))
		return -EINVAL;
	qp->vf = vf;
	qp->qn = qn;
	qp->depth_log2 = depth_log2;
	qp->irq = irq;
	ret = acc_dma_alloc(vf, &qp->sq, n * sizeof(struct acc_sqe),
			    acc_iova_sq(vf, qn));
	if (ret)
		return ret;
	ret = acc_dma_alloc(vf, &qp->cq, n * sizeof(struct acc_cqe),
			    acc_iova_cq(vf, qn));
	if (ret)
		goto err;
	ret = acc_qp_start(qp);
	if (ret)
		goto err;
	return 0;
err:
	acc_dma_free(vf, &qp->sq);
	acc_dma_free(vf, &qp->cq);
	qp->vf = NULL;
	return ret;
}

int acc_qp_adopt(struct acc_vf *vf, struct acc_qp *qp,
		 const struct acc_qp *src)
{
	int ret;

	memset(qp, 0, sizeof(*qp));
	if (!vf->qm_ready || src->qn >= vf->qp_num)
		return -EINVAL;
	*qp = *src;
	qp->vf = vf;
	memset(&qp->sq, 0, sizeof(qp->sq));
	memset(&qp->cq, 0, sizeof(qp->cq));
	memset(&qp->scratch, 0, sizeof(qp->scratch));
	ret = acc_dma_clone(vf, &qp->sq, &src->sq);
	if (!ret)
		ret = acc_dma_clone(vf, &qp->cq, &src->cq);
	if (!ret)
		ret = acc_dma_clone(vf, &qp->scratch, &src->scratch);
	if (ret) {
		acc_dma_free(vf, &qp->sq);
		acc_dma_free(vf, &qp->cq);
		acc_dma_free(vf, &qp->scratch);
		qp->vf = NULL;
	}
	return ret;
}

int acc_qp_stop(struct acc_qp *qp)
{
	return mb_errno(acc_mb(qp->vf, ACC_MB_CMD_QP_STOP, qp->qn, 0));
}

int acc_qp_restart(struct acc_qp *qp)
{
	int ret = acc_qp_stop(qp);

	if (ret)
		return ret;
	return acc_qp_start(qp);
}

void acc_qp_destroy(struct acc_qp *qp)
{
	if (!qp->vf)
		return;
	if (qp->vf->qm_ready)
		acc_qp_stop(qp);
	acc_dma_free(qp->vf, &qp->sq);
	acc_dma_free(qp->vf, &qp->cq);
	acc_dma_free(qp->vf, &qp->scratch);
	qp->vf = NULL;
}

int acc_qp_submit(struct acc_qp *qp, struct acc_sqe *sqe, bool keep_tag)
{
	struct acc_sqe *ring = qp->sq.va;

	if (acc_ring_full(qp->sq_head, qp->sq_tail, qp->depth_log2) ||
	    qp->inflight >= acc_ring_size(qp->depth_log2) - 1)
		return -EAGAIN;
	if (!keep_tag)
		sqe->tag = htole64(((uint64_t)qp->qn << 48) | ++qp->next_tag);
	memcpy(&ring[qp->sq_tail], sqe, sizeof(*sqe));
	qp->sq_tail = acc_ring_next(qp->sq_tail, qp->depth_log2, NULL);
	qp->inflight++;
	mb();	/* the SQE before the doorbell */
	acc_wr(qp->vf, ACC_REG_DB_SQ, acc_db_val(qp->qn, qp->sq_tail));
	return 0;
}

int acc_qp_poll(struct acc_qp *qp, struct acc_cqe *cqe)
{
	struct acc_cqe *c = &((struct acc_cqe *)qp->cq.va)[qp->cq_head];

	if (!acc_phase_match(READ_ONCE_U8(c->flags), qp->cq_phase))
		return 0;
	rmb();
	memcpy(cqe, c, sizeof(*cqe));
	qp->sq_head = le16toh(cqe->sq_head);
	qp->cq_head = acc_ring_next(qp->cq_head, qp->depth_log2,
				    &qp->cq_phase);
	if (qp->inflight)
		qp->inflight--;
	mb();
	acc_wr(qp->vf, ACC_REG_DB_CQ, acc_db_val(qp->qn, qp->cq_head));
	return 1;
}

int acc_qp_wait(struct acc_qp *qp, struct acc_cqe *cqe, int timeout_ms)
{
	int64_t deadline = now_us() + timeout_ms * 1000LL;
	unsigned int spins = 0;

	for (;;) {
		if (qp->irq)
			acc_eq_drain(qp->vf);	/* keep the EQ from filling */
		if (acc_qp_poll(qp, cqe)) {
			if (qp->irq && qp->vf->cq_events[qp->qn])
				qp->vf->cq_events[qp->qn]--;
			return 0;
		}
		if (now_us() > deadline)
			return -ETIMEDOUT;
		relax(&spins);
	}
}

int acc_qp_wait_irq(struct acc_qp *qp, struct acc_cqe *cqe, int timeout_ms)
{
	struct acc_vf *vf = qp->vf;
	int64_t deadline = now_us() + timeout_ms * 1000LL;

	if (!qp->irq || !vf->irq_on)
		return -EINVAL;
	for (;;) {
		int64_t left;

		if (vf->cq_events[qp->qn] && acc_qp_poll(qp, cqe)) {
			vf->cq_events[qp->qn]--;
			return 0;
		}
		left = (deadline - now_us()) / 1000;
		if (left <= 0) {
			struct acc_cqe *c = qp->cq.va;

			/* a CQE without event or interrupt is a protocol error */
			if (acc_phase_match(READ_ONCE_U8(c[qp->cq_head].flags),
					    qp->cq_phase))
				return -EPROTO;
			return -ETIMEDOUT;
		}
		if (acc_irq_wait(vf, ACC_VEC_EQ, (int)left) > 0)
			acc_eq_drain(vf);
	}
}

/* --------------------------------------------------------------- jobs */
/* Scratch layout: key, IV/state, SGL tables, then src and dst data. */
#define SCR_KEY		0
#define SCR_IV		256
#define SCR_SRC_SGL	4096
#define SCR_DST_SGL	8192
#define SCR_DATA	12288
#define SGL_GAP		64	/* bytes between SGL chunks */

static size_t data_area(uint32_t len, unsigned int nents)
{
	return ((size_t)len + (size_t)nents * SGL_GAP + 64 + 4095) &
	       ~(size_t)4095;
}

static bool is_hash(uint8_t op)
{
	return op == ACC_OP_SHA256 || op == ACC_OP_HMAC_SHA256;
}

static uint32_t out_len(const struct acc_req *req)
{
	if (is_hash(req->op))
		return (req->flags & ACC_SQE_F_HASH_FINAL) ? ACC_SHA256_DIGEST : 0;
	return req->len;
}

static size_t iv_len(const struct acc_req *req)
{
	return is_hash(req->op) ? sizeof(struct acc_hash_state) : ACC_AES_BLOCK;
}

static uint64_t place(struct acc_qp *qp, size_t area, uint64_t sgl_off,
		      unsigned int nents, uint32_t len, const void *data,
		      bool fill)
{
	uint8_t *va = qp->scratch.va;
	uint64_t iova = qp->scratch.iova;
	struct acc_sge *sge = (void *)(va + sgl_off);
	size_t pos = area;
	unsigned int i;

	if (!nents) {
		if (data)
			memcpy(va + area, data, len);
		else if (fill)
			memset(va + area, 0xa5, len);
		return iova + area;
	}
	for (i = 0; i < nents; i++) {
		uint32_t n = acc_sgl_chunk(len, nents, i);

		sge[i].addr = htole64(iova + pos);
		sge[i].len = htole32(n);
		sge[i].rsvd = 0;
		if (data)
			memcpy(va + pos, (const uint8_t *)data +
			       (pos - area - i * SGL_GAP), n);
		else if (fill)
			memset(va + pos, 0xa5, n);
		pos += n + SGL_GAP;
	}
	return iova + sgl_off;
}

static void gather(struct acc_qp *qp, size_t area, unsigned int nents,
		   uint32_t len, void *out)
{
	const uint8_t *va = qp->scratch.va;
	size_t pos = area, done = 0;
	unsigned int i;

	if (!nents) {
		memcpy(out, va + area, len);
		return;
	}
	for (i = 0; i < nents; i++) {
		uint32_t n = acc_sgl_chunk(len, nents, i);

		memcpy((uint8_t *)out + done, va + pos, n);
		done += n;
		pos += n + SGL_GAP;
	}
}

static size_t src_area(void)
{
	return SCR_DATA;
}

static size_t dst_area(const struct acc_req *req)
{
	return SCR_DATA + data_area(req->len, req->src_nents);
}

int acc_req_prepare(struct acc_qp *qp, struct acc_req *req,
		    struct acc_sqe *sqe)
{
	struct acc_vf *vf = qp->vf;
	uint32_t olen = out_len(req);
	size_t need;
	int ret;

	if (req->src_nents > ACC_SGL_MAX_ENTRIES ||
	    req->dst_nents > ACC_SGL_MAX_ENTRIES || req->key_len > 256)
		return -EINVAL;
	need = dst_area(req) + data_area(olen, req->dst_nents);
	if (qp->scratch.size < need) {
		acc_dma_free(vf, &qp->scratch);
		if (vf->next_iova + need > ACC_IOVA_HOLE)
			return -ENOSPC;
		ret = acc_dma_alloc(vf, &qp->scratch, need, 0);
		if (ret)
			return ret;
	}

	memset(sqe, 0, sizeof(*sqe));
	sqe->op = req->op;
	sqe->flags = req->flags;
	sqe->key_len = htole16(req->key_len);
	sqe->len = htole32(req->len);
	if (req->key) {
		memcpy((uint8_t *)qp->scratch.va + SCR_KEY, req->key,
		       req->key_len);
		sqe->key = htole64(qp->scratch.iova + SCR_KEY);
	}
	if (req->iv) {
		memcpy((uint8_t *)qp->scratch.va + SCR_IV, req->iv, iv_len(req));
		sqe->iv = htole64(qp->scratch.iova + SCR_IV);
	}
	sqe->src = htole64(place(qp, src_area(), SCR_SRC_SGL, req->src_nents,
				 req->len, req->src, false));
	if (req->in_place)
		sqe->dst = sqe->src;
	else
		sqe->dst = htole64(place(qp, dst_area(req), SCR_DST_SGL,
					 req->dst_nents, olen, NULL, true));
	if (req->src_nents) {
		sqe->flags |= ACC_SQE_F_SRC_SGL;
		sqe->src_nents = htole16(req->src_nents);
	}
	if (req->in_place && req->src_nents) {
		sqe->flags |= ACC_SQE_F_DST_SGL;
		sqe->dst_nents = htole16(req->src_nents);
	} else if (req->dst_nents && !req->in_place) {
		sqe->flags |= ACC_SQE_F_DST_SGL;
		sqe->dst_nents = htole16(req->dst_nents);
	}
	return 0;
}

void acc_req_finish(struct acc_qp *qp, struct acc_req *req)
{
	uint32_t olen = out_len(req);

	if (req->dst && olen && req->in_place)
		gather(qp, src_area(), req->src_nents, olen, req->dst);
	else if (req->dst && olen)
		gather(qp, dst_area(req), req->dst_nents, olen, req->dst);
	if (req->iv)
		memcpy(req->iv, (uint8_t *)qp->scratch.va + SCR_IV, iv_len(req));
}

void *acc_dma_va(const struct acc_dma *d, uint64_t iova)
{
	if (!d->va || iova < d->iova || iova - d->iova >= d->size)
		return NULL;
	return (uint8_t *)d->va + (iova - d->iova);
}

int acc_run(struct acc_qp *qp, struct acc_req *req)
{
	int timeout = req->timeout_ms ? req->timeout_ms : ACC_JOB_TIMEOUT_MS;
	struct acc_sqe sqe;
	int ret;

	ret = acc_req_prepare(qp, req, &sqe);
	if (ret)
		return ret;
	ret = acc_qp_submit(qp, &sqe, false);
	if (ret)
		return ret;
	if (req->use_irq || qp->wait_irq)
		ret = acc_qp_wait_irq(qp, &req->cqe, timeout);
	else
		ret = acc_qp_wait(qp, &req->cqe, timeout);
	if (ret)
		return ret;
	if (req->cqe.tag != sqe.tag || le16toh(req->cqe.sqn) != qp->qn) {
		acc_log("%s: CQE tag 0x%llx sqn %u, expected 0x%llx sqn %u",
			qp->vf->bdf, (unsigned long long)le64toh(req->cqe.tag),
			le16toh(req->cqe.sqn),
			(unsigned long long)le64toh(sqe.tag), qp->qn);
		return -EPROTO;
	}
	acc_req_finish(qp, req);
	return req->cqe.status;
}

int acc_copy(struct acc_qp *qp, const void *src, void *dst, uint32_t len)
{
	struct acc_req r = {
		.op = ACC_OP_COPY, .src = src, .dst = dst, .len = len,
	};

	return acc_run(qp, &r);
}

int acc_aes(struct acc_qp *qp, uint8_t op, const void *key,
	    unsigned int key_len, uint8_t iv[16], const void *src, void *dst,
	    uint32_t len)
{
	struct acc_req r = {
		.op = op, .flags = ACC_SQE_F_IV_OUT, .key = key,
		.key_len = key_len, .iv = iv, .src = src, .dst = dst,
		.len = len,
	};

	return acc_run(qp, &r);
}

int acc_sha256(struct acc_qp *qp, const void *src, uint32_t len,
	       uint8_t digest[32])
{
	struct acc_hash_state hs = { 0 };
	struct acc_req r = {
		.op = ACC_OP_SHA256,
		.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL,
		.iv = &hs, .src = src, .dst = digest, .len = len,
	};

	return acc_run(qp, &r);
}

int acc_hmac_sha256(struct acc_qp *qp, const void *key, unsigned int key_len,
		    const void *src, uint32_t len, uint8_t digest[32])
{
	struct acc_hash_state hs = { 0 };
	struct acc_req r = {
		.op = ACC_OP_HMAC_SHA256,
		.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL,
		.key = key, .key_len = key_len, .iv = &hs, .src = src,
		.dst = digest, .len = len,
	};

	return acc_run(qp, &r);
}
