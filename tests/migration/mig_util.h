/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the migration kselftests (mig_test.c) and benchmark
 * (bench/migration/mig_bench.c): the VFIO migration uAPI on a device fd, a
 * "guest" workload driven through libacc, and a "VMM" that moves the guest
 * from one VF to another: device state through the data fd, guest memory by
 * copying every DMA buffer into the destination's own IOAS at the same IOVA.
 *
 * The guest's jobs live in one DMA arena, one 4 KiB slot per job; their
 * expected outputs are computed up front with OpenSSL (tests/lib/accref.c).
 */
#ifndef MIG_UTIL_H
#define MIG_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <linux/vfio.h>

#include "accdev.h"

#define MS(x)	VFIO_DEVICE_STATE_##x

static inline uint64_t mig_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The path of acc_vfio_pci's debugfs file NAME for the VF at BDF
 * (/sys/kernel/debug/acc_vfio/BDF/NAME), debugfs mounted if it was not.
 */
static inline void mig_debugfs_path(char *path, size_t len, const char *bdf,
				    const char *name)
{
	if (access("/sys/kernel/debug/acc_vfio", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	snprintf(path, len, "/sys/kernel/debug/acc_vfio/%s/%s", bdf, name);
}

/* ------------------------------------------------------ VFIO migration */
/* Set the state; returns the data fd, -2 if none, or -1 with errno set. */
static inline int mig_set(int fd, uint32_t state)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} a = {
		.f.argsz = sizeof(a),
		.f.flags = VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		.s.device_state = state,
		.s.data_fd = -2,
	};

	if (ioctl(fd, VFIO_DEVICE_FEATURE, &a))
		return -1;
	return a.s.data_fd >= 0 ? a.s.data_fd : -2;
}

static inline uint32_t mig_get(int fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} a = {
		.f.argsz = sizeof(a),
		.f.flags = VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
	};

	if (ioctl(fd, VFIO_DEVICE_FEATURE, &a))
		return ~0U;
	return a.s.device_state;
}

static inline long mig_data_size(int fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_data_size s;
	} a = {
		.f.argsz = sizeof(a),
		.f.flags = VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_MIG_DATA_SIZE,
	};

	if (ioctl(fd, VFIO_DEVICE_FEATURE, &a))
		return -errno;
	return (long)a.s.stop_copy_length;
}

/* Read until EOF (0) or, with stop_enomsg, the end of PRE_COPY data. */
static inline ssize_t mig_read(int dfd, uint8_t *buf, size_t max,
			       bool stop_enomsg)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		if (n == max)
			return -ENOSPC;
		r = read(dfd, buf + n, max - n);
		if (r > 0) {
			n += r;
			continue;
		}
		if (!r)
			return n;
		if (errno == ENOMSG && stop_enomsg)
			return n;
		return -errno;
	}
}

/* Write len bytes in pieces of chunk; returns 0 or -errno of the write. */
static inline int mig_write(int dfd, const uint8_t *buf, size_t len,
			    size_t chunk)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w = write(dfd, buf + off, n);

		if (w < 0)
			return -errno;
		if (!w)
			return -EIO;
		off += w;
	}
	return 0;
}

/* A whole stream of a device in STOP: STOP -> STOP_COPY -> STOP. */
static inline ssize_t mig_save(int fd, uint8_t *buf, size_t max)
{
	int dfd = mig_set(fd, MS(STOP_COPY));
	ssize_t n;

	if (dfd < 0)
		return -errno;
	n = mig_read(dfd, buf, max, false);
	close(dfd);
	if (mig_set(fd, MS(STOP)) != -2)
		return -errno;
	return n;
}

/*
 * Load a stream into a device in STOP, in pieces of chunk. Returns 0 (the
 * device is in STOP with the new state) or the negative errno of the write
 * (*where = 1) or of RESUMING -> STOP (*where = 2).
 */
static inline int mig_load(int fd, const uint8_t *buf, size_t len,
			   size_t chunk, int *where)
{
	int dfd = mig_set(fd, MS(RESUMING));
	int ret;

	*where = 0;
	if (dfd < 0)
		return -errno;
	ret = mig_write(dfd, buf, len, chunk);
	if (ret) {
		*where = 1;
	} else if (mig_set(fd, MS(STOP)) != -2) {
		ret = -errno;
		*where = 2;
	}
	close(dfd);
	return ret;
}

/* --------------------------------------------------------- the guest */
#define MIG_SLOT	4096
#define MIG_KEY		0
#define MIG_IV		64
#define MIG_SRC		256
#define MIG_DST		2048
#define MIG_MAX_LEN	1536
#define MIG_MAX_QPS	64

struct mig_job {
	uint8_t op;
	uint16_t key_len;
	uint32_t len;
	uint16_t qi;		/* index in guest.qp */
	bool done;
	int status;
	uint8_t exp[MIG_MAX_LEN];
	uint8_t exp_iv[16];
};

struct mig_guest {
	struct acc_vf *vf;	/* the VF the guest runs on now */
	int nqp;
	unsigned int depth_log2;
	struct acc_qp qp[MIG_MAX_QPS];
	struct acc_dma arena;
	struct mig_job *jobs;
	int njobs, nsub, ndone;
	uint64_t rng;
	/* the source's copy after a move, released once the destination runs */
	struct acc_vf *old_vf;
	struct acc_qp old_qp[MIG_MAX_QPS];
	struct acc_dma old_arena;
};

static inline uint32_t mig_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

static inline uint8_t *mig_slot(struct mig_guest *g, int i)
{
	return (uint8_t *)g->arena.va + (size_t)i * MIG_SLOT;
}

/* Draw job i: operation, sizes, data; compute what it must produce. */
static inline int mig_job_make(struct mig_guest *g, int i)
{
	static const uint8_t ops[] = {
		ACC_OP_COPY, ACC_OP_AES_CBC_ENC, ACC_OP_AES_CBC_DEC,
		ACC_OP_AES_CTR, ACC_OP_SHA256, ACC_OP_HMAC_SHA256,
	};
	static const uint16_t aes_keys[] = { 16, 24, 32 };
	struct mig_job *j = &g->jobs[i];
	uint8_t *s = mig_slot(g, i), iv[16];
	unsigned int k;
	int ret = 0;

	memset(j, 0, sizeof(*j));
	j->op = ops[mig_rand(&g->rng) % sizeof(ops)];
	j->len = 16 * (1 + mig_rand(&g->rng) % (MIG_MAX_LEN / 16));
	j->qi = i % g->nqp;
	for (k = 0; k < 64; k++)
		s[MIG_KEY + k] = mig_rand(&g->rng);
	for (k = 0; k < 16; k++)
		s[MIG_IV + k] = mig_rand(&g->rng);
	for (k = 0; k < j->len; k++)
		s[MIG_SRC + k] = mig_rand(&g->rng);
	memcpy(iv, s + MIG_IV, 16);
	switch (j->op) {
	case ACC_OP_COPY:
		memcpy(j->exp, s + MIG_SRC, j->len);
		break;
	case ACC_OP_AES_CBC_ENC:
	case ACC_OP_AES_CBC_DEC:
	case ACC_OP_AES_CTR:
		j->key_len = aes_keys[mig_rand(&g->rng) % 3];
		ret = acc_ref_aes(j->op, s + MIG_KEY, j->key_len, iv,
				  s + MIG_SRC, j->exp, j->len);
		memcpy(j->exp_iv, iv, 16);
		break;
	case ACC_OP_SHA256:
		memset(s + MIG_IV, 0, sizeof(struct acc_hash_state));
		ret = acc_ref_sha256(s + MIG_SRC, j->len, j->exp);
		break;
	case ACC_OP_HMAC_SHA256:
		j->key_len = 1 + mig_rand(&g->rng) % 64;
		memset(s + MIG_IV, 0, sizeof(struct acc_hash_state));
		ret = acc_ref_hmac_sha256(s + MIG_KEY, j->key_len,
					  s + MIG_SRC, j->len, j->exp);
		break;
	}
	memset(s + MIG_DST, 0x5a, MIG_MAX_LEN);
	return ret;
}

/*
 * A guest on vf: the QM, nqp queue pairs of depth 1 << depth_log2 (polled,
 * no interrupts) and njobs prepared jobs.
 */
static inline int mig_guest_init(struct mig_guest *g, struct acc_vf *vf,
				 int nqp, unsigned int depth_log2, int njobs,
				 uint64_t seed)
{
	int i, ret;

	memset(g, 0, sizeof(*g));
	g->vf = vf;
	g->nqp = nqp;
	g->depth_log2 = depth_log2;
	g->njobs = njobs;
	g->rng = seed | 1;
	if (nqp < 1 || nqp > MIG_MAX_QPS || (uint32_t)nqp > vf->qp_num)
		return -EINVAL;
	ret = acc_qm_init(vf, 0);
	if (ret)
		return ret;
	for (i = 0; i < nqp; i++) {
		ret = acc_qp_create(vf, &g->qp[i], i, depth_log2, false);
		if (ret)
			return ret;
	}
	ret = acc_dma_alloc(vf, &g->arena, (size_t)njobs * MIG_SLOT, 0);
	if (ret)
		return ret;
	g->jobs = calloc(njobs, sizeof(*g->jobs));
	if (!g->jobs)
		return -ENOMEM;
	for (i = 0; i < njobs; i++) {
		ret = mig_job_make(g, i);
		if (ret)
			return ret;
	}
	return 0;
}

static inline void mig_guest_release(struct mig_guest *g);

static inline void mig_guest_fini(struct mig_guest *g)
{
	int i;

	mig_guest_release(g);
	if (!g->vf)
		return;
	for (i = 0; i < g->nqp; i++)
		acc_qp_destroy(&g->qp[i]);
	acc_dma_free(g->vf, &g->arena);
	free(g->jobs);
	g->jobs = NULL;
	g->vf = NULL;
}

/* Submit the next n jobs (doorbells only; nothing waits). */
static inline int mig_guest_submit(struct mig_guest *g, int n)
{
	while (n-- > 0 && g->nsub < g->njobs) {
		int i = g->nsub;
		struct mig_job *j = &g->jobs[i];
		uint64_t base = g->arena.iova + (uint64_t)i * MIG_SLOT;
		struct acc_sqe sqe = {
			.op = j->op,
			.key_len = htole16(j->key_len),
			.len = htole32(j->len),
			.tag = htole64(i + 1),
			.src = htole64(base + MIG_SRC),
			.dst = htole64(base + MIG_DST),
		};
		int ret;

		if (j->op >= ACC_OP_AES_CBC_ENC && j->op <= ACC_OP_AES_CTR) {
			sqe.flags = ACC_SQE_F_IV_OUT;
			sqe.key = htole64(base + MIG_KEY);
			sqe.iv = htole64(base + MIG_IV);
		} else if (j->op != ACC_OP_COPY) {
			sqe.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;
			sqe.iv = htole64(base + MIG_IV);
			if (j->op == ACC_OP_HMAC_SHA256)
				sqe.key = htole64(base + MIG_KEY);
		}
		ret = acc_qp_submit(&g->qp[j->qi], &sqe, true);
		if (ret)
			return ret;
		g->nsub++;
	}
	return 0;
}

/* Take every CQE present; -EPROTO on a CQE that matches no pending job. */
static inline int mig_guest_poll(struct mig_guest *g)
{
	struct acc_cqe cqe;
	int q;

	for (q = 0; q < g->nqp; q++) {
		while (acc_qp_poll(&g->qp[q], &cqe)) {
			uint64_t tag = le64toh(cqe.tag);
			struct mig_job *j;

			if (!tag || tag > (uint64_t)g->nsub)
				return -EPROTO;
			j = &g->jobs[tag - 1];
			if (j->done || j->qi != q ||
			    le16toh(cqe.sqn) != g->qp[q].qn)
				return -EPROTO;
			j->done = true;
			j->status = cqe.status;
			g->ndone++;
		}
	}
	return 0;
}

/* Wait until every submitted job has completed. */
static inline int mig_guest_wait(struct mig_guest *g, int timeout_ms)
{
	uint64_t end = mig_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int ret;

	for (;;) {
		ret = mig_guest_poll(g);
		if (ret)
			return ret;
		if (g->ndone == g->nsub)
			return 0;
		if (mig_now_ns() > end)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/* Bit-exact check of every completed job; returns how many are wrong. */
static inline int mig_guest_check(struct mig_guest *g)
{
	int i, bad = 0;

	for (i = 0; i < g->nsub; i++) {
		struct mig_job *j = &g->jobs[i];
		const uint8_t *s = mig_slot(g, i);
		uint32_t olen = j->len;
		bool ok;

		if (j->op == ACC_OP_SHA256 || j->op == ACC_OP_HMAC_SHA256)
			olen = 32;
		ok = j->done && j->status == ACC_ST_OK &&
		     !memcmp(s + MIG_DST, j->exp, olen);
		if (ok && j->op >= ACC_OP_AES_CBC_ENC && j->op <= ACC_OP_AES_CTR)
			ok = !memcmp(s + MIG_IV, j->exp_iv, 16);
		if (!ok) {
			if (bad < 5)
				fprintf(stderr, "# job %d (%s, %u bytes, qp %u): done %d status %s%s\n",
					i, acc_op_name(j->op), j->len, j->qi,
					j->done, acc_status_name(j->status),
					j->done && j->status == ACC_ST_OK ?
					", wrong output" : "");
			bad++;
		}
	}
	return bad;
}

/*
 * The VMM's copy of guest memory: every DMA buffer of the guest (contexts,
 * rings, job arena) is cloned into dst's IOAS at the same IOVA (or taken
 * over from acc_dma_shadow() by a live migration); the guest's software
 * state moves with it. The source's buffers stay mapped until
 * mig_guest_release(), as a VMM tears the source down only once the
 * destination runs.
 */
static inline int mig_guest_move(struct mig_guest *g, struct acc_vf *dst)
{
	struct acc_vf *src = g->vf;
	struct acc_dma arena;
	int i, ret;

	ret = acc_qm_adopt(dst, src);
	if (ret)
		return ret;
	for (i = 0; i < g->nqp; i++) {
		g->old_qp[i] = g->qp[i];
		ret = acc_qp_adopt(dst, &g->qp[i], &g->old_qp[i]);
		if (ret)
			return ret;
	}
	ret = acc_dma_clone(dst, &arena, &g->arena);
	if (ret)
		return ret;
	g->old_arena = g->arena;
	g->arena = arena;
	g->old_vf = src;
	g->vf = dst;
	return 0;
}

/*
 * Free the source's buffers after a move, without a mailbox command (the
 * source is stopped).
 */
static inline void mig_guest_release(struct mig_guest *g)
{
	struct acc_vf *src = g->old_vf;
	int i;

	if (!src)
		return;
	src->qm_ready = false;
	for (i = 0; i < g->nqp; i++)
		acc_qp_destroy(&g->old_qp[i]);
	acc_dma_free(src, &g->old_arena);
	acc_qm_fini(src);
	g->old_vf = NULL;
}

struct mig_opts {
	bool precopy;		/* go through PRE_COPY, send its data early */
	int submit_paused;	/* jobs submitted after the source paused */
	size_t chunk;		/* write size on the destination (0: 4096) */
	/*
	 * Called once the source is in STOP after STOP_COPY, before guest
	 * memory moves: a live migration's last copy of dirty memory.
	 */
	int (*stopped)(void *arg);
	void *arg;
};

struct mig_result {
	uint8_t stream[65536];
	size_t len;
	uint32_t inflight;	/* SRC_INFO: SQEs not consumed at save */
	uint64_t save_ns;	/* -> STOP_COPY until EOF */
	uint64_t load_ns;	/* first byte written until RUNNING */
	/* mig_now_ns() when: the source left RUNNING or PRE_COPY, ... */
	uint64_t paused_at;
	uint64_t save_at;	/* ... it was told STOP_COPY, ... */
	uint64_t load_at;	/* ... the destination got its first byte, ... */
	uint64_t running_at;	/* ... and was RUNNING */
	const char *step;	/* where it failed */
};

/*
 * Migrate guest g from its VF to dst (any state but ERROR): the source
 * ends in STOP without guest memory, dst RUNNING with the guest.
 */
static inline int mig_guest_migrate(struct mig_guest *g, struct acc_vf *dst,
				    const struct mig_opts *o,
				    struct mig_result *r)
{
	int sfd = g->vf->devfd, dfd_src, dfd_dst, ret;
	size_t chunk = o->chunk ? o->chunk : 4096, pre = 0, sent = 0;
	ssize_t n;

	r->len = 0;
	r->inflight = 0;
#define FAIL(s) do { r->step = s; ret = -errno; goto out; } while (0)
	dfd_src = dfd_dst = -1;
	dfd_dst = mig_set(dst->devfd, MS(RESUMING));
	if (dfd_dst < 0)
		FAIL("dst -> RESUMING");
	if (o->precopy) {
		dfd_src = mig_set(sfd, MS(PRE_COPY));
		if (dfd_src < 0)
			FAIL("src -> PRE_COPY");
		n = mig_read(dfd_src, r->stream, sizeof(r->stream), true);
		if (n < 0) {
			errno = -n;
			FAIL("read PRE_COPY data");
		}
		pre = n;
		ret = mig_write(dfd_dst, r->stream, pre, chunk);
		if (ret) {
			errno = -ret;
			FAIL("write PRE_COPY data");
		}
		sent = pre;
		r->paused_at = mig_now_ns();
		if (mig_set(sfd, MS(PRE_COPY_P2P)) != -2)
			FAIL("src -> PRE_COPY_P2P");
	} else {
		r->paused_at = mig_now_ns();
		if (mig_set(sfd, MS(RUNNING_P2P)) != -2)
			FAIL("src -> RUNNING_P2P");
	}
	/* Doorbells now are recorded and must run on the destination. */
	ret = mig_guest_submit(g, o->submit_paused);
	if (ret) {
		errno = -ret;
		FAIL("submit while paused");
	}
	if (!o->precopy && mig_set(sfd, MS(STOP)) != -2)
		FAIL("src -> STOP");
	r->save_at = mig_now_ns();
	ret = mig_set(sfd, MS(STOP_COPY));
	if (o->precopy ? ret != -2 : ret < 0)
		FAIL("src -> STOP_COPY");
	if (!o->precopy)
		dfd_src = ret;
	n = mig_read(dfd_src, r->stream + pre, sizeof(r->stream) - pre, false);
	r->save_ns = mig_now_ns() - r->save_at;
	if (n < 0) {
		errno = -n;
		FAIL("read STOP_COPY data");
	}
	r->len = pre + n;
	if (mig_set(sfd, MS(STOP)) != -2)
		FAIL("src -> STOP");
	if (r->len >= 96 + 12)
		memcpy(&r->inflight, r->stream + 80 + 16 + 8, 4);
	r->inflight = le32toh(r->inflight);
	if (o->stopped) {
		ret = o->stopped(o->arg);
		if (ret) {
			errno = -ret;
			FAIL("copy dirty memory");
		}
	}

	ret = mig_guest_move(g, dst);
	if (ret) {
		errno = -ret;
		FAIL("copy guest memory");
	}
	r->load_at = mig_now_ns();
	ret = mig_write(dfd_dst, r->stream + sent, r->len - sent, chunk);
	if (ret) {
		errno = -ret;
		FAIL("write STOP_COPY data");
	}
	if (mig_set(dst->devfd, MS(STOP)) != -2)
		FAIL("dst RESUMING -> STOP");
	if (mig_set(dst->devfd, MS(RUNNING)) != -2)
		FAIL("dst -> RUNNING");
	r->running_at = mig_now_ns();
	r->load_ns = r->running_at - r->load_at;
	ret = 0;
out:
#undef FAIL
	mig_guest_release(g);
	if (dfd_src >= 0)
		close(dfd_src);
	if (dfd_dst >= 0)
		close(dfd_dst);
	return ret;
}

#endif /* MIG_UTIL_H */
