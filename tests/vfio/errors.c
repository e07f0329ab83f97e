// SPDX-License-Identifier: GPL-2.0
/*
 * An acc VF driven from userspace through vfio-pci, the VFIO cdev and
 * iommufd (tests/lib): the device against docs/hw-spec.rst.
 *
 *  func.*       every op against OpenSSL, polling and by MSI-X: sizes,
 *               keys, IV chaining, split hashes, SGLs, in place, ring
 *               wrap-around, every queue pair of the VF
 *  bad_sqe.*    a malformed SQE, or one whose data/key/IV/SGL IOVA is not
 *               mapped, completes with the documented status and the next
 *               job on the same queue is bit-exact
 *  vf.*         queue faults (SQ or CQ ring unmapped: ACC_EQE_ERROR, the
 *               queue stops, others go on; restart, soft reset, FLR),
 *               the EQ write fault, mailbox checks, context caching
 *
 * The kernel logs DMAR faults for the unmapped IOVAs: expected.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kselftest_harness.h>

#include "accdev.h"
#include "vfio_fixture.h"

#define MIB (1U << 20)

static bool op_is_cipher(uint8_t op)
{
	return op == ACC_OP_AES_CBC_ENC || op == ACC_OP_AES_CBC_DEC ||
	       op == ACC_OP_AES_CTR;
}

static bool op_is_hash(uint8_t op)
{
	return op == ACC_OP_SHA256 || op == ACC_OP_HMAC_SHA256;
}

struct job_opts {
	unsigned int src_nents, dst_nents;
	bool in_place;
	bool irq;
};

/*
 * One job with random data (and key, IV) through the device, checked
 * against OpenSSL: output, next IV. Returns 0 if it all matched.
 */
static int check_job(struct __test_metadata *_metadata, struct acc_qp *qp,
		     uint64_t *rng, uint8_t op, uint32_t len,
		     unsigned int key_len, const struct job_opts *o)
{
	uint8_t key[ACC_HMAC_KEY_MAX], iv[48] = { 0 }, ref_iv[16];
	uint32_t olen = op_is_hash(op) ? ACC_SHA256_DIGEST : len;
	uint8_t *src = malloc(len + 1), *dst = malloc(olen + 1);
	uint8_t *ref = malloc(olen + 1);
	struct acc_req r = {
		.op = op, .key_len = key_len, .iv = iv, .src = src, .dst = dst,
		.len = len,
	};
	long diff;
	int st, bad = 0;

	ASSERT_TRUE(src && dst && ref);
	acc_rand_fill(rng, src, len);
	acc_rand_fill(rng, key, sizeof(key));
	memset(dst, 0x5a, olen);
	if (o) {
		r.src_nents = o->src_nents;
		r.dst_nents = o->dst_nents;
		r.in_place = o->in_place;
		r.use_irq = o->irq;
	}
	if (key_len)
		r.key = key;
	if (op_is_cipher(op)) {
		r.flags = ACC_SQE_F_IV_OUT;
		acc_rand_fill(rng, iv, 16);
		memcpy(ref_iv, iv, 16);
		ASSERT_EQ(0, acc_ref_aes(op, key, key_len, ref_iv, src, ref, len));
	} else if (op == ACC_OP_SHA256) {
		r.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;
		ASSERT_EQ(0, acc_ref_sha256(src, len, ref));
	} else if (op == ACC_OP_HMAC_SHA256) {
		r.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;
		ASSERT_EQ(0, acc_ref_hmac_sha256(key, key_len, src, len, ref));
	} else {
		memcpy(ref, src, len);
	}

	st = acc_run(qp, &r);
	if (st != ACC_ST_OK) {
		TH_LOG("%s len %u key %u nents %u/%u%s: %s", acc_op_name(op),
		       len, key_len, r.src_nents, r.dst_nents,
		       r.in_place ? " in place" : "", acc_status_name(st));
		bad = 1;
		goto out;
	}
	diff = acc_first_diff(dst, ref, olen);
	if (diff >= 0) {
		TH_LOG("%s len %u key %u nents %u/%u%s: output differs at %ld",
		       acc_op_name(op), len, key_len, r.src_nents, r.dst_nents,
		       r.in_place ? " in place" : "", diff);
		bad = 1;
	}
	if (op_is_cipher(op) && memcmp(iv, ref_iv, 16)) {
		TH_LOG("%s len %u: wrong IV out", acc_op_name(op), len);
		bad = 1;
	}
out:
	free(src);
	free(dst);
	free(ref);
	EXPECT_EQ(0, bad);
	return bad;
}

/* ================================================================ func */
FIXTURE(func) {
	struct acc_vf vf;
	struct acc_qp qp;
	struct job_opts o;
	uint64_t rng;
};

FIXTURE_VARIANT(func) {
	bool irq;
};

FIXTURE_VARIANT_ADD(func, poll) {
	.irq = false,
};

FIXTURE_VARIANT_ADD(func, msix) {
	.irq = true,
};

FIXTURE_SETUP(func)
{
	ACC_REQUIRE_VFS(1);
	ASSERT_EQ(0, acc_vf_open(&self->vf, acc_g.bdf[0], NULL));
	ASSERT_EQ(0, acc_qm_init(&self->vf, 0));
	if (variant->irq)
		ASSERT_EQ(0, acc_irq_enable(&self->vf, false));
	ASSERT_EQ(0, acc_qp_create(&self->vf, &self->qp, 0, 6, variant->irq));
	self->qp.wait_irq = variant->irq;
	self->o.irq = variant->irq;
	self->rng = acc_test_rng(_metadata->name);
}

FIXTURE_TEARDOWN(func)
{
	if (variant->irq && self->vf.devfd >= 0) {
		/* every job was waited for by interrupt */
		EXPECT_LT(0, self->vf.n_irq);
	}
	if (!variant->irq)
		EXPECT_EQ(0, self->vf.n_irq);
	EXPECT_EQ(0, self->vf.n_errs);
	acc_qp_destroy(&self->qp);
	acc_vf_close(&self->vf);
}

TEST_F(func, copy)
{
	static const uint32_t lens[] = { 0, 1, 3, 64, 4095, 4096, 4097,
					 65543, MIB, 3 * MIB + 5 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_job(_metadata, &self->qp, &self->rng, ACC_OP_COPY,
			  lens[i], 0, &self->o);
}

TEST_F(func, aes_cbc)
{
	static const uint32_t lens[] = { 0, 16, 32, 4096, 65536 + 48, MIB };
	static const unsigned int keys[] = { 16, 24, 32 };
	unsigned int i, k;

	for (k = 0; k < 3; k++)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			check_job(_metadata, &self->qp, &self->rng,
				  ACC_OP_AES_CBC_ENC, lens[i], keys[k], &self->o);
			check_job(_metadata, &self->qp, &self->rng,
				  ACC_OP_AES_CBC_DEC, lens[i], keys[k], &self->o);
		}
}

TEST_F(func, aes_ctr)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 4096 + 5,
					 65536, MIB + 3 };
	static const unsigned int keys[] = { 16, 24, 32 };
	unsigned int i, k;

	for (k = 0; k < 3; k++)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			check_job(_metadata, &self->qp, &self->rng,
				  ACC_OP_AES_CTR, lens[i], keys[k], &self->o);
}

/* The 128-bit counter carries through all bytes and wraps at 2^128. */
TEST_F(func, aes_ctr_wrap)
{
	uint8_t key[32], iv[16], ref_iv[16], src[100], dst[100], ref[100];
	unsigned int k;

	for (k = 16; k <= 32; k += 8) {
		acc_rand_fill(&self->rng, key, sizeof(key));
		acc_rand_fill(&self->rng, src, sizeof(src));
		memset(iv, 0xff, 16);
		iv[15] = 0xfd;
		memcpy(ref_iv, iv, 16);
		ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, k, ref_iv, src, ref,
					 sizeof(src)));
		ASSERT_EQ(ACC_ST_OK, acc_aes(&self->qp, ACC_OP_AES_CTR, key, k,
					     iv, src, dst, sizeof(src)));
		EXPECT_EQ(0, memcmp(dst, ref, sizeof(src)));
		EXPECT_EQ(0, memcmp(iv, ref_iv, 16));
	}
}

TEST_F(func, sha256)
{
	static const uint32_t lens[] = { 0, 1, 55, 56, 63, 64, 65, 1000,
					 65536, MIB + 1 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_job(_metadata, &self->qp, &self->rng, ACC_OP_SHA256,
			  lens[i], 0, &self->o);
}

TEST_F(func, hmac_sha256)
{
	static const uint32_t lens[] = { 0, 1, 64, 1000, 100000 };
	static const unsigned int keys[] = { 0, 1, 20, 32, 63, 64 };
	unsigned int i, k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			check_job(_metadata, &self->qp, &self->rng,
				  ACC_OP_HMAC_SHA256, lens[i], keys[k], &self->o);
}

/* CBC and CTR split into chained pieces with ACC_SQE_F_IV_OUT. */
TEST_F(func, iv_chaining)
{
	static const uint8_t ops[] = { ACC_OP_AES_CBC_ENC, ACC_OP_AES_CBC_DEC,
				       ACC_OP_AES_CTR };
	const uint32_t len = 16 * 1000;
	uint8_t *src = malloc(len), *dst = malloc(len), *ref = malloc(len);
	uint8_t key[32], iv[16], ref_iv[16];
	unsigned int i;

	ASSERT_TRUE(src && dst && ref);
	for (i = 0; i < 3; i++) {
		uint32_t done = 0;

		acc_rand_fill(&self->rng, src, len);
		acc_rand_fill(&self->rng, key, sizeof(key));
		acc_rand_fill(&self->rng, iv, sizeof(iv));
		memcpy(ref_iv, iv, 16);
		ASSERT_EQ(0, acc_ref_aes(ops[i], key, 32, ref_iv, src, ref, len));
		while (done < len) {
			uint32_t n = 16 * (uint32_t)acc_rand_range(&self->rng, 0, 40);
			struct acc_req r = {
				.op = ops[i], .flags = ACC_SQE_F_IV_OUT,
				.key = key, .key_len = 32, .iv = iv,
				.src = src + done, .dst = dst + done,
				.use_irq = self->o.irq,
			};

			if (n > len - done)
				n = len - done;
			r.len = n;
			ASSERT_EQ(ACC_ST_OK, acc_run(&self->qp, &r));
			done += n;
		}
		EXPECT_EQ(-1, acc_first_diff(dst, ref, len))
			TH_LOG("%s", acc_op_name(ops[i]));
		EXPECT_EQ(0, memcmp(iv, ref_iv, 16));
	}
	free(src);
	free(dst);
	free(ref);
}

/* Without ACC_SQE_F_IV_OUT the device leaves the IV alone. */
TEST_F(func, no_iv_out)
{
	uint8_t key[16] = { 1 }, iv[16], iv0[16], src[64] = { 2 }, dst[64];
	struct acc_req r = {
		.op = ACC_OP_AES_CBC_ENC, .key = key, .key_len = 16, .iv = iv,
		.src = src, .dst = dst, .len = 64, .use_irq = self->o.irq,
	};

	acc_rand_fill(&self->rng, iv, 16);
	memcpy(iv0, iv, 16);
	ASSERT_EQ(ACC_ST_OK, acc_run(&self->qp, &r));
	EXPECT_EQ(0, memcmp(iv, iv0, 16));
}

/*
 * A hash in pieces: INIT without FINAL, then pieces that load and store
 * the state, then FINAL; equals the one-shot digest; count is the bytes.
 */
TEST_F(func, hash_split)
{
	const uint32_t len = 64 * 300 + 7;
	uint8_t *src = malloc(len), key[64], digest[32], ref[32];
	unsigned int pass;

	ASSERT_NE(NULL, src);
	for (pass = 0; pass < 4; pass++) {
		bool hmac = pass & 1;
		unsigned int key_len = hmac ? 1 + pass * 20 : 0;
		struct acc_hash_state hs = { 0 };
		uint32_t done = 0;
		bool first = true;

		acc_rand_fill(&self->rng, src, len);
		acc_rand_fill(&self->rng, key, sizeof(key));
		if (hmac) {
			ASSERT_EQ(0, acc_ref_hmac_sha256(key, key_len, src, len, ref));
		} else {
			ASSERT_EQ(0, acc_ref_sha256(src, len, ref));
		}
		for (;;) {
			uint32_t n = 64 * (uint32_t)acc_rand_range(&self->rng,
								   pass >= 2 ? 0 : 1, 70);
			bool last = n >= len - done;
			struct acc_req r = {
				.op = hmac ? ACC_OP_HMAC_SHA256 : ACC_OP_SHA256,
				.key = hmac ? key : NULL, .key_len = key_len,
				.iv = &hs, .src = src + done, .dst = digest,
				.use_irq = self->o.irq,
			};

			if (last)
				n = len - done;
			r.len = n;
			r.flags = (first ? ACC_SQE_F_HASH_INIT : 0) |
				  (last ? ACC_SQE_F_HASH_FINAL : 0);
			ASSERT_EQ(ACC_ST_OK, acc_run(&self->qp, &r));
			done += n;
			if (last)
				break;
			EXPECT_EQ(done, le64toh(hs.count));
			first = false;
		}
		EXPECT_EQ(0, memcmp(digest, ref, 32))
			TH_LOG("%s pass %u", hmac ? "hmac" : "sha256", pass);
	}
	free(src);
}

TEST_F(func, sgl)
{
	static const uint8_t ops[] = { ACC_OP_COPY, ACC_OP_AES_CBC_ENC,
				       ACC_OP_AES_CBC_DEC, ACC_OP_AES_CTR,
				       ACC_OP_SHA256, ACC_OP_HMAC_SHA256 };
	static const unsigned int nents[][2] = {
		{ 1, 0 }, { 0, 1 }, { 2, 3 }, { 7, 7 }, { 256, 1 }, { 3, 256 },
	};
	unsigned int i, j;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		for (j = 0; j < sizeof(nents) / sizeof(nents[0]); j++) {
			struct job_opts o = self->o;
			uint32_t len = 16 * 777;

			o.src_nents = nents[j][0];
			/* a digest is contiguous: DST_SGL is invalid for hashes */
			o.dst_nents = op_is_hash(ops[i]) ? 0 : nents[j][1];
			check_job(_metadata, &self->qp, &self->rng, ops[i],
				  len, op_is_cipher(ops[i]) ? 16 + 8 * (j % 3) :
				  ops[i] == ACC_OP_HMAC_SHA256 ? 33 : 0, &o);
		}
	}
}

TEST_F(func, in_place)
{
	static const uint8_t ops[] = { ACC_OP_COPY, ACC_OP_AES_CBC_ENC,
				       ACC_OP_AES_CBC_DEC, ACC_OP_AES_CTR };
	unsigned int i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct job_opts o = self->o;

		o.in_place = true;
		check_job(_metadata, &self->qp, &self->rng, ops[i], 4096 * 3,
			  op_is_cipher(ops[i]) ? 32 : 0, &o);
		o.src_nents = 5;
		check_job(_metadata, &self->qp, &self->rng, ops[i], 4096 * 3,
			  op_is_cipher(ops[i]) ? 24 : 0, &o);
	}
}

/*
 * A small ring kept full: many laps around SQ and CQ, so the phase flips
 * many times. Every CQE comes in order with its tag and a correct copy.
 */
TEST_F(func, ring_wraparound)
{
	const unsigned int depth_log2 = 2, slots = 3, jobs = 100;
	const uint32_t len = 1000;
	struct acc_dma src, dst;
	struct acc_qp qp;
	unsigned int sent = 0, done = 0;
	uint64_t first_tag = 0;
	uint16_t qn = self->vf.qp_num > 1 ? 1 : 0;

	if (!qn)
		acc_qp_destroy(&self->qp);
	ASSERT_EQ(0, acc_qp_create(&self->vf, &qp, qn, depth_log2,
				   variant->irq));
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &src, jobs * len, 0));
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &dst, jobs * len, 0));
	acc_rand_fill(&self->rng, src.va, jobs * len);

	while (done < jobs) {
		struct acc_cqe cqe;

		while (sent < jobs && sent - done < slots) {
			struct acc_sqe sqe = {
				.op = ACC_OP_COPY,
				.len = htole32(len),
				.src = htole64(src.iova + sent * len),
				.dst = htole64(dst.iova + sent * len),
			};

			ASSERT_EQ(0, acc_qp_submit(&qp, &sqe, false));
			if (!sent)
				first_tag = le64toh(sqe.tag);
			sent++;
		}
		/* the ring is full now: one more does not fit */
		if (sent < jobs) {
			struct acc_sqe sqe = { .op = ACC_OP_COPY };

			ASSERT_EQ(-EAGAIN, acc_qp_submit(&qp, &sqe, false));
		}
		ASSERT_EQ(0, variant->irq ?
			  acc_qp_wait_irq(&qp, &cqe, ACC_JOB_TIMEOUT_MS) :
			  acc_qp_wait(&qp, &cqe, ACC_JOB_TIMEOUT_MS));
		ASSERT_EQ(ACC_ST_OK, cqe.status);
		ASSERT_EQ(first_tag + done, le64toh(cqe.tag));
		ASSERT_EQ(qn, le16toh(cqe.sqn));
		ASSERT_EQ((done + 1) % 4, le16toh(cqe.sq_head));
		done++;
	}
	EXPECT_EQ(0, memcmp(src.va, dst.va, jobs * len));
	acc_qp_destroy(&qp);
	acc_dma_free(&self->vf, &src);
	acc_dma_free(&self->vf, &dst);
}

/* Every QP of the VF at once: jobs on all queues, completions per queue. */
TEST_F(func, all_queue_pairs)
{
	unsigned int n = self->vf.qp_num, i, round;
	struct acc_qp *qps = calloc(n, sizeof(*qps));
	struct acc_dma *bufs = calloc(n, sizeof(*bufs));
	const uint32_t len = 4096;

	ASSERT_TRUE(qps && bufs);
	acc_qp_destroy(&self->qp);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, acc_qp_create(&self->vf, &qps[i], i, 3, variant->irq));
		ASSERT_EQ(0, acc_dma_alloc(&self->vf, &bufs[i], 2 * len, 0));
	}
	for (round = 0; round < 4; round++) {
		for (i = 0; i < n; i++) {
			struct acc_sqe sqe = {
				.op = ACC_OP_COPY,
				.len = htole32(len),
				.src = htole64(bufs[i].iova),
				.dst = htole64(bufs[i].iova + len),
			};

			acc_rand_fill(&self->rng, bufs[i].va, len);
			memset((uint8_t *)bufs[i].va + len, 0, len);
			ASSERT_EQ(0, acc_qp_submit(&qps[i], &sqe, false));
		}
		for (i = 0; i < n; i++) {
			struct acc_cqe cqe;

			ASSERT_EQ(0, variant->irq ?
				  acc_qp_wait_irq(&qps[i], &cqe, ACC_JOB_TIMEOUT_MS) :
				  acc_qp_wait(&qps[i], &cqe, ACC_JOB_TIMEOUT_MS));
			EXPECT_EQ(ACC_ST_OK, cqe.status);
			EXPECT_EQ(i, le16toh(cqe.sqn));
			EXPECT_EQ(0, memcmp(bufs[i].va, (uint8_t *)bufs[i].va + len, len));
		}
	}
	for (i = 0; i < n; i++) {
		acc_qp_destroy(&qps[i]);
		acc_dma_free(&self->vf, &bufs[i]);
	}
	free(qps);
	free(bufs);
}

/* ============================================================= bad_sqe */
/*
 * A valid job of op base_op is prepared, then mutate() breaks it. The
 * CQE must carry status; then a good job on the same queue must work.
 */
struct bad_ctx {
	struct acc_qp *qp;
	struct acc_sqe *sqe;
};

FIXTURE(bad_sqe) {
	struct acc_vf vf;
	struct acc_qp qp;
	uint64_t rng;
};

FIXTURE_VARIANT(bad_sqe) {
	uint8_t base_op;
	unsigned int src_nents, dst_nents;
	bool partial_hash;	/* base job is a hash without INIT/FINAL */
	void (*mutate)(struct bad_ctx *c);
	uint8_t status;
};

FIXTURE_SETUP(bad_sqe)
{
	ACC_REQUIRE_VFS(1);
	ASSERT_EQ(0, acc_vf_open(&self->vf, acc_g.bdf[0], NULL));
	ASSERT_EQ(0, acc_qm_init(&self->vf, 0));
	ASSERT_EQ(0, acc_qp_create(&self->vf, &self->qp, 0, 4, false));
	self->rng = acc_test_rng(_metadata->name);
}

FIXTURE_TEARDOWN(bad_sqe)
{
	acc_qp_destroy(&self->qp);
	acc_vf_close(&self->vf);
}

static struct acc_sge *sgl_of(struct bad_ctx *c, uint64_t iova_le)
{
	return acc_dma_va(&c->qp->scratch, le64toh(iova_le));
}

static void m_op_max1(struct bad_ctx *c) { c->sqe->op = ACC_OP_MAX + 1; }
static void m_op_ff(struct bad_ctx *c) { c->sqe->op = 0xff; }
static void m_key0(struct bad_ctx *c) { c->sqe->key_len = htole16(0); }
static void m_key17(struct bad_ctx *c) { c->sqe->key_len = htole16(17); }
static void m_key33(struct bad_ctx *c) { c->sqe->key_len = htole16(33); }
static void m_key64(struct bad_ctx *c) { c->sqe->key_len = htole16(64); }
static void m_key65(struct bad_ctx *c) { c->sqe->key_len = htole16(65); }
static void m_key1(struct bad_ctx *c) { c->sqe->key_len = htole16(1); }
static void m_rsvd0(struct bad_ctx *c) { c->sqe->rsvd0 = htole32(1); }
static void m_rsvd0_hi(struct bad_ctx *c) { c->sqe->rsvd0 = htole32(1U << 31); }
static void m_rsvd1(struct bad_ctx *c) { c->sqe->rsvd1 = htole64(1ULL << 40); }
static void m_flag20(struct bad_ctx *c) { c->sqe->flags |= 0x20; }
static void m_flag80(struct bad_ctx *c) { c->sqe->flags |= 0x80; }
static void m_dst_sgl(struct bad_ctx *c)
{
	c->sqe->flags |= ACC_SQE_F_DST_SGL;
	c->sqe->dst_nents = htole16(1);
}
static void m_len15(struct bad_ctx *c) { c->sqe->len = htole32(15); }
static void m_len17(struct bad_ctx *c) { c->sqe->len = htole32(17); }
static void m_len_max1(struct bad_ctx *c) { c->sqe->len = htole32(ACC_MAX_LEN + 1); }
static void m_len_huge(struct bad_ctx *c) { c->sqe->len = htole32(0xffffffff); }
static void m_len65(struct bad_ctx *c) { c->sqe->len = htole32(65); }
static void m_src_nents0(struct bad_ctx *c) { c->sqe->src_nents = 0; }
static void m_src_nents257(struct bad_ctx *c) { c->sqe->src_nents = htole16(257); }
static void m_dst_nents0(struct bad_ctx *c) { c->sqe->dst_nents = 0; }
static void m_dst_nents_ffff(struct bad_ctx *c) { c->sqe->dst_nents = htole16(0xffff); }
static void m_sgl_short(struct bad_ctx *c)
{
	/* the entries cover one byte less than len */
	struct acc_sge *t = sgl_of(c, c->sqe->src);

	t[0].len = htole32(le32toh(t[0].len) - 1);
}
static void m_sge_rsvd(struct bad_ctx *c)
{
	struct acc_sge *t = sgl_of(c, c->sqe->src);

	t[1].rsvd = htole32(0x100);
}
static void m_src_hole(struct bad_ctx *c) { c->sqe->src = htole64(ACC_IOVA_HOLE); }
static void m_dst_hole(struct bad_ctx *c) { c->sqe->dst = htole64(ACC_IOVA_HOLE); }
static void m_key_hole(struct bad_ctx *c) { c->sqe->key = htole64(ACC_IOVA_HOLE); }
static void m_iv_hole(struct bad_ctx *c) { c->sqe->iv = htole64(ACC_IOVA_HOLE); }
static void m_src_end_hole(struct bad_ctx *c)
{
	/* starts mapped, runs into the unmapped guard page after the buffer */
	c->sqe->src = htole64(c->qp->scratch.iova + c->qp->scratch.size - 100);
}
static void m_src_sgl_hole(struct bad_ctx *c) { c->sqe->src = htole64(ACC_IOVA_HOLE); }
static void m_src_sge_hole(struct bad_ctx *c)
{
	struct acc_sge *t = sgl_of(c, c->sqe->src);

	t[2].addr = htole64(ACC_IOVA_HOLE + 4096);
}
static void m_dst_sge_hole(struct bad_ctx *c)
{
	struct acc_sge *t = sgl_of(c, c->sqe->dst);

	t[3].addr = htole64(ACC_IOVA_HOLE);
}

#define BAD(name, op, fn, st) \
	FIXTURE_VARIANT_ADD(bad_sqe, name) { \
		.base_op = op, .mutate = fn, .status = st, \
	}
#define BAD_SGL(name, op, sn, dn, fn, st) \
	FIXTURE_VARIANT_ADD(bad_sqe, name) { \
		.base_op = op, .src_nents = sn, .dst_nents = dn, \
		.mutate = fn, .status = st, \
	}
#define BAD_PART(name, op, fn, st) \
	FIXTURE_VARIANT_ADD(bad_sqe, name) { \
		.base_op = op, .partial_hash = true, .mutate = fn, \
		.status = st, \
	}

BAD(op_max_plus_1, ACC_OP_COPY, m_op_max1, ACC_ST_BAD_OP);
BAD(op_ff, ACC_OP_AES_CBC_ENC, m_op_ff, ACC_ST_BAD_OP);
BAD(cbc_key_0, ACC_OP_AES_CBC_ENC, m_key0, ACC_ST_BAD_KEY);
BAD(cbc_key_17, ACC_OP_AES_CBC_DEC, m_key17, ACC_ST_BAD_KEY);
BAD(ctr_key_33, ACC_OP_AES_CTR, m_key33, ACC_ST_BAD_KEY);
BAD(ctr_key_64, ACC_OP_AES_CTR, m_key64, ACC_ST_BAD_KEY);
BAD(hmac_key_65, ACC_OP_HMAC_SHA256, m_key65, ACC_ST_BAD_KEY);
BAD(copy_key_1, ACC_OP_COPY, m_key1, ACC_ST_BAD_KEY);
BAD(sha_key_1, ACC_OP_SHA256, m_key1, ACC_ST_BAD_KEY);
BAD(rsvd0, ACC_OP_COPY, m_rsvd0, ACC_ST_BAD_FLAGS);
BAD(rsvd0_high, ACC_OP_AES_CTR, m_rsvd0_hi, ACC_ST_BAD_FLAGS);
BAD(rsvd1, ACC_OP_SHA256, m_rsvd1, ACC_ST_BAD_FLAGS);
BAD(flag_0x20, ACC_OP_AES_CBC_ENC, m_flag20, ACC_ST_BAD_FLAGS);
BAD(flag_0x80, ACC_OP_COPY, m_flag80, ACC_ST_BAD_FLAGS);
BAD(hash_dst_sgl, ACC_OP_SHA256, m_dst_sgl, ACC_ST_BAD_FLAGS);
BAD(cbc_len_15, ACC_OP_AES_CBC_ENC, m_len15, ACC_ST_BAD_LEN);
BAD(cbc_dec_len_17, ACC_OP_AES_CBC_DEC, m_len17, ACC_ST_BAD_LEN);
BAD(copy_len_max_plus_1, ACC_OP_COPY, m_len_max1, ACC_ST_BAD_LEN);
BAD(ctr_len_4g, ACC_OP_AES_CTR, m_len_huge, ACC_ST_BAD_LEN);
BAD_PART(sha_partial_len_65, ACC_OP_SHA256, m_len65, ACC_ST_BAD_LEN);
BAD_PART(hmac_partial_len_65, ACC_OP_HMAC_SHA256, m_len65, ACC_ST_BAD_LEN);
BAD_SGL(src_nents_0, ACC_OP_COPY, 4, 0, m_src_nents0, ACC_ST_BAD_SGL);
BAD_SGL(src_nents_257, ACC_OP_AES_CTR, 4, 0, m_src_nents257, ACC_ST_BAD_SGL);
BAD_SGL(dst_nents_0, ACC_OP_AES_CBC_ENC, 0, 4, m_dst_nents0, ACC_ST_BAD_SGL);
BAD_SGL(dst_nents_ffff, ACC_OP_COPY, 0, 4, m_dst_nents_ffff, ACC_ST_BAD_SGL);
BAD_SGL(sgl_too_short, ACC_OP_COPY, 4, 0, m_sgl_short, ACC_ST_BAD_SGL);
BAD_SGL(sge_rsvd, ACC_OP_SHA256, 4, 0, m_sge_rsvd, ACC_ST_BAD_SGL);
BAD(src_unmapped, ACC_OP_COPY, m_src_hole, ACC_ST_DMA_FAULT);
BAD(src_runs_off_mapping, ACC_OP_COPY, m_src_end_hole, ACC_ST_DMA_FAULT);
BAD(dst_unmapped, ACC_OP_AES_CBC_ENC, m_dst_hole, ACC_ST_DMA_FAULT);
BAD(digest_unmapped, ACC_OP_HMAC_SHA256, m_dst_hole, ACC_ST_DMA_FAULT);
BAD(key_unmapped, ACC_OP_AES_CTR, m_key_hole, ACC_ST_DMA_FAULT);
BAD(hmac_key_unmapped, ACC_OP_HMAC_SHA256, m_key_hole, ACC_ST_DMA_FAULT);
BAD(iv_unmapped, ACC_OP_AES_CBC_DEC, m_iv_hole, ACC_ST_DMA_FAULT);
BAD_PART(hash_state_unmapped, ACC_OP_SHA256, m_iv_hole, ACC_ST_DMA_FAULT);
BAD_SGL(src_sgl_table_unmapped, ACC_OP_COPY, 4, 0, m_src_sgl_hole,
	ACC_ST_DMA_FAULT);
BAD_SGL(src_sge_unmapped, ACC_OP_AES_CTR, 4, 4, m_src_sge_hole,
	ACC_ST_DMA_FAULT);
BAD_SGL(dst_sge_unmapped, ACC_OP_COPY, 4, 4, m_dst_sge_hole,
	ACC_ST_DMA_FAULT);

TEST_F(bad_sqe, then_good_job)
{
	const uint32_t len = 4096 + 64;
	uint8_t *src = malloc(len), *dst = malloc(len), key[64], iv[48] = { 0 };
	unsigned int key_len = 0;
	struct acc_req r = {
		.op = variant->base_op, .src = src, .dst = dst, .len = len,
		.src_nents = variant->src_nents, .dst_nents = variant->dst_nents,
		.iv = iv,
	};
	struct bad_ctx c = { .qp = &self->qp };
	struct acc_sqe sqe;
	struct acc_cqe cqe;
	unsigned int i;

	ASSERT_TRUE(src && dst);
	acc_rand_fill(&self->rng, src, len);
	acc_rand_fill(&self->rng, key, sizeof(key));
	if (op_is_cipher(r.op))
		key_len = 16;
	else if (r.op == ACC_OP_HMAC_SHA256)
		key_len = 32;
	r.key = key;
	r.key_len = key_len;
	if (op_is_cipher(r.op))
		r.flags = ACC_SQE_F_IV_OUT;
	else if (op_is_hash(r.op) && !variant->partial_hash)
		r.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;

	ASSERT_EQ(0, acc_req_prepare(&self->qp, &r, &sqe));
	c.sqe = &sqe;
	variant->mutate(&c);
	ASSERT_EQ(0, acc_qp_submit(&self->qp, &sqe, false));
	ASSERT_EQ(0, acc_qp_wait(&self->qp, &cqe, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(sqe.tag, cqe.tag);
	EXPECT_EQ(0, le16toh(cqe.sqn));
	EXPECT_EQ(variant->status, cqe.status)
		TH_LOG("got %s, expected %s", acc_status_name(cqe.status),
		       acc_status_name(variant->status));

	/* the queue goes on: good jobs are bit-exact */
	for (i = 0; i < 3; i++) {
		static const uint8_t ops[] = { ACC_OP_AES_CBC_ENC, ACC_OP_COPY,
					       ACC_OP_HMAC_SHA256 };

		check_job(_metadata, &self->qp, &self->rng, ops[i], 4096 * 2,
			  ops[i] == ACC_OP_COPY ? 0 : 32, NULL);
	}
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
	/* a malformed entry is not a queue fault */
	acc_eq_drain(&self->vf);
	EXPECT_EQ(0, self->vf.n_errs);
	free(src);
	free(dst);
}

/* ================================================================== vf */
FIXTURE(vf) {
	struct acc_vf vf;
	struct acc_qp qp;
	uint64_t rng;
};

FIXTURE_SETUP(vf)
{
	ACC_REQUIRE_VFS(1);
	ASSERT_EQ(0, acc_vf_open(&self->vf, acc_g.bdf[0], NULL));
	ASSERT_EQ(0, acc_qm_init(&self->vf, 0));
	ASSERT_EQ(0, acc_qp_create(&self->vf, &self->qp, 0, 4, false));
	self->rng = acc_test_rng(_metadata->name);
}

FIXTURE_TEARDOWN(vf)
{
	acc_qp_destroy(&self->qp);
	acc_vf_close(&self->vf);
}

static void good_jobs(struct __test_metadata *_metadata, struct acc_qp *qp,
		      uint64_t *rng)
{
	check_job(_metadata, qp, rng, ACC_OP_AES_CTR, 5000, 24, NULL);
	check_job(_metadata, qp, rng, ACC_OP_SHA256, 3000, 0, NULL);
}

/* Submit a copy job; returns its tag. */
static uint64_t submit_copy(struct __test_metadata *_metadata,
			    struct acc_qp *qp, struct acc_dma *buf,
			    uint32_t len)
{
	struct acc_sqe sqe = {
		.op = ACC_OP_COPY,
		.len = htole32(len),
		.src = htole64(buf->iova),
		.dst = htole64(buf->iova + len),
	};

	ASSERT_EQ(0, acc_qp_submit(qp, &sqe, false));
	return le64toh(sqe.tag);
}

/* No CQE shows up on qp within ms. */
static bool no_cqe(struct acc_qp *qp, int ms)
{
	struct acc_cqe cqe;

	return acc_qp_wait(qp, &cqe, ms) == -ETIMEDOUT;
}

TEST_F(vf, identity)
{
	EXPECT_EQ(ACC_ID_MAGIC, acc_rd(&self->vf, ACC_REG_ID));
	EXPECT_EQ(ACC_HW_VERSION, acc_rd(&self->vf, ACC_REG_VERSION));
	EXPECT_NE(0, self->vf.qp_num);
	EXPECT_GE(self->vf.depth_max_log2, 4);
	EXPECT_LE(self->vf.depth_max_log2, ACC_DEPTH_LOG2_MAX);
	EXPECT_EQ(ACC_FEAT_CIPHER | ACC_FEAT_HASH | ACC_FEAT_SGL,
		  self->vf.features & (ACC_FEAT_CIPHER | ACC_FEAT_HASH |
				       ACC_FEAT_SGL));
	EXPECT_TRUE(acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_READY);
	/* undefined offsets read as zero */
	EXPECT_EQ(0, acc_rd(&self->vf, 0x3ffc));
	/* registers are 32-bit wide: the migration window is RO for us */
	if (self->vf.bar_size > ACC_MIG_WINDOW) {
		uint32_t v = acc_rd(&self->vf, ACC_MIG_MAGIC);

		EXPECT_EQ(ACC_MIG_MAGIC_VALUE, v);
		acc_wr(&self->vf, ACC_MIG_MAGIC, 0);
		EXPECT_EQ(ACC_MIG_MAGIC_VALUE, acc_rd(&self->vf, ACC_MIG_MAGIC));
		EXPECT_EQ(self->vf.qp_num, acc_rd(&self->vf, ACC_MIG_QP_NUM));
	}
}

/* Fetching from an unmapped SQ ring stops the SQ with ACC_QERR_SQ_FETCH. */
TEST_F(vf, sq_ring_unmapped)
{
	struct acc_event ev;
	struct acc_dma buf;

	good_jobs(_metadata, &self->qp, &self->rng);
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	ASSERT_EQ(0, acc_dma_unmap(&self->vf, &self->qp.sq));
	submit_copy(_metadata, &self->qp, &buf, 4096);
	ASSERT_EQ(0, acc_eq_wait_error(&self->vf, 0, &ev, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_EQE_ERROR, ev.type);
	EXPECT_EQ(ACC_QERR_SQ_FETCH, ev.info);
	EXPECT_TRUE(no_cqe(&self->qp, 200));
	/* the function itself is fine */
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);

	/* stopped: even with the ring back, a doorbell does nothing */
	ASSERT_EQ(0, acc_dma_remap(&self->vf, &self->qp.sq));
	submit_copy(_metadata, &self->qp, &buf, 4096);
	EXPECT_TRUE(no_cqe(&self->qp, 300));

	/* the SQC written back on stop carries the error */
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_WRITEBACK, 0, 0));
	EXPECT_TRUE(self->vf.sqc[0].flags & ACC_CTX_F_ERROR);

	ASSERT_EQ(0, acc_qp_restart(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	acc_dma_free(&self->vf, &buf);
}

/* Writing into an unmapped CQ ring stops the CQ with ACC_QERR_CQ_WRITE. */
TEST_F(vf, cq_ring_unmapped)
{
	struct acc_event ev;
	struct acc_dma buf;

	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	ASSERT_EQ(0, acc_dma_unmap(&self->vf, &self->qp.cq));
	submit_copy(_metadata, &self->qp, &buf, 4096);
	ASSERT_EQ(0, acc_eq_wait_error(&self->vf, 0, &ev, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_EQE_ERROR, ev.type);
	EXPECT_EQ(ACC_QERR_CQ_WRITE, ev.info);
	ASSERT_EQ(0, acc_dma_remap(&self->vf, &self->qp.cq));
	EXPECT_TRUE(no_cqe(&self->qp, 200));

	ASSERT_EQ(0, acc_qp_restart(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	acc_dma_free(&self->vf, &buf);
}

/* A stopped queue does not stop the others. */
TEST_F(vf, fault_is_per_queue)
{
	struct acc_event ev;
	struct acc_qp qp1;
	struct acc_dma buf;

	if (self->vf.qp_num < 2)
		SKIP(return, "VF has a single QP");
	ASSERT_EQ(0, acc_qp_create(&self->vf, &qp1, 1, 4, false));
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	ASSERT_EQ(0, acc_dma_unmap(&self->vf, &self->qp.sq));
	submit_copy(_metadata, &self->qp, &buf, 4096);
	ASSERT_EQ(0, acc_eq_wait_error(&self->vf, 0, &ev, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_QERR_SQ_FETCH, ev.info);
	good_jobs(_metadata, &qp1, &self->rng);
	ASSERT_EQ(0, acc_dma_remap(&self->vf, &self->qp.sq));
	ASSERT_EQ(0, acc_qp_restart(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	good_jobs(_metadata, &qp1, &self->rng);
	acc_qp_destroy(&qp1);
	acc_dma_free(&self->vf, &buf);
}

/* After a queue fault, VFIO_DEVICE_RESET (FLR) and a fresh setup work. */
TEST_F(vf, fault_then_flr)
{
	struct acc_event ev;
	struct acc_dma buf;

	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	ASSERT_EQ(0, acc_dma_unmap(&self->vf, &self->qp.cq));
	submit_copy(_metadata, &self->qp, &buf, 4096);
	ASSERT_EQ(0, acc_eq_wait_error(&self->vf, 0, &ev, ACC_JOB_TIMEOUT_MS));
	ASSERT_EQ(0, acc_dma_remap(&self->vf, &self->qp.cq));

	ASSERT_EQ(0, acc_vf_reset(&self->vf));
	EXPECT_EQ(ACC_ID_MAGIC, acc_rd(&self->vf, ACC_REG_ID));
	EXPECT_EQ(self->vf.qp_num, acc_rd(&self->vf, ACC_REG_QP_NUM));
	EXPECT_EQ(ACC_FUNC_ST_READY, acc_rd(&self->vf, ACC_REG_FUNC_STATUS));
	EXPECT_EQ(ACC_INT_ALL, acc_rd(&self->vf, ACC_REG_INT_MASK));
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_MB_STATUS) & ACC_MB_BUSY);
	/* the reset dropped the queue: a doorbell does nothing */
	submit_copy(_metadata, &self->qp, &buf, 4096);
	EXPECT_TRUE(no_cqe(&self->qp, 300));

	ASSERT_EQ(0, acc_qm_init(&self->vf, 0));
	ASSERT_EQ(0, acc_qp_start(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	acc_dma_free(&self->vf, &buf);
}

/* The same with the function's soft reset; it also clears FUNC_ST_ERROR. */
TEST_F(vf, eq_fault_then_soft_reset)
{
	struct acc_qp qp;
	struct acc_dma buf;
	struct acc_cqe cqe;
	uint16_t qn = self->vf.qp_num > 1 ? 1 : 0;

	if (!qn)
		acc_qp_destroy(&self->qp);
	/* an EQ at an unmapped IOVA, and a queue that posts events */
	memset(self->vf.eqc, 0, sizeof(*self->vf.eqc));
	self->vf.eqc->base = htole64(ACC_IOVA_HOLE);
	self->vf.eqc->depth_log2 = 4;
	self->vf.eqc->flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE;
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_EQC, 0,
				    self->vf.eqc_iova));
	ASSERT_EQ(0, acc_qp_create(&self->vf, &qp, qn, 4, true));
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	acc_rand_fill(&self->rng, buf.va, 4096);
	submit_copy(_metadata, &qp, &buf, 4096);
	/* the job completes (CQE), its event cannot be written */
	ASSERT_EQ(0, acc_qp_wait(&qp, &cqe, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_ST_OK, cqe.status);
	EXPECT_EQ(0, memcmp(buf.va, (uint8_t *)buf.va + 4096, 4096));
	usleep(100000);
	EXPECT_TRUE(acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
	/* the queues still work, without events */
	submit_copy(_metadata, &qp, &buf, 4096);
	ASSERT_EQ(0, acc_qp_wait(&qp, &cqe, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_ST_OK, cqe.status);

	ASSERT_EQ(0, acc_soft_reset(&self->vf));
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
	EXPECT_TRUE(acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_READY);
	submit_copy(_metadata, &qp, &buf, 4096);
	EXPECT_TRUE(no_cqe(&qp, 300));
	ASSERT_EQ(0, acc_qm_init(&self->vf, 0));
	ASSERT_EQ(0, acc_qp_start(&qp));
	good_jobs(_metadata, &qp, &self->rng);
	acc_qp_destroy(&qp);
	acc_dma_free(&self->vf, &buf);
}

/* An SQ whose CQ is not loaded stops with ACC_QERR_BAD_CTX. */
TEST_F(vf, sq_without_cq)
{
	struct acc_event ev;
	struct acc_dma buf;
	struct acc_cqc off = { 0 };

	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	/* a CQC without ACC_CTX_F_ENABLE disables the CQ */
	self->vf.cqc[0] = off;
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_CQC, 0, 0));
	submit_copy(_metadata, &self->qp, &buf, 4096);
	ASSERT_EQ(0, acc_eq_wait_error(&self->vf, 0, &ev, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_QERR_BAD_CTX, ev.info);
	ASSERT_EQ(0, acc_qp_restart(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	acc_dma_free(&self->vf, &buf);
}

/* Wait until ACC_MIG_INFLIGHT reads n, then make sure it stays there. */
static uint32_t inflight_settles(struct acc_vf *vf, uint32_t n)
{
	int i;

	for (i = 0; i < 500 && acc_rd(vf, ACC_MIG_INFLIGHT) != n; i++)
		usleep(10000);
	usleep(200000);
	return acc_rd(vf, ACC_MIG_INFLIGHT);
}

/*
 * A full CQ (tail + 1 == head) holds the device back, the SQEs stay
 * unconsumed (ACC_MIG_INFLIGHT counts them), until a CQ doorbell.
 */
TEST_F(vf, cq_full_waits)
{
	struct acc_cqe *cq = self->qp.cq.va;
	uint64_t tags[8];
	struct acc_dma buf;
	unsigned int i;

	if (self->vf.bar_size <= ACC_MIG_WINDOW)
		SKIP(return, "no migration window in BAR0");
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	/* the SQ has 16 entries, its CQ only 4 (3 usable) */
	self->vf.cqc[0].depth_log2 = 2;
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_CQC, 0, 0));
	for (i = 0; i < 8; i++)
		tags[i] = submit_copy(_metadata, &self->qp, &buf, 64);
	EXPECT_EQ(5, inflight_settles(&self->vf, 5));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(ACC_CQE_F_PHASE, cq[i].flags & ACC_CQE_F_PHASE);
		EXPECT_EQ(tags[i], le64toh(cq[i].tag));
	}
	EXPECT_EQ(0, cq[3].flags & ACC_CQE_F_PHASE);
	/* free 3 entries: 3 more complete (tail wraps, phase flips) */
	acc_wr(&self->vf, ACC_REG_DB_CQ, acc_db_val(0, 3));
	EXPECT_EQ(2, inflight_settles(&self->vf, 2));
	EXPECT_EQ(tags[3], le64toh(cq[3].tag));
	EXPECT_EQ(ACC_CQE_F_PHASE, cq[3].flags & ACC_CQE_F_PHASE);
	EXPECT_EQ(tags[4], le64toh(cq[0].tag));
	EXPECT_EQ(0, cq[0].flags & ACC_CQE_F_PHASE);
	EXPECT_EQ(tags[5], le64toh(cq[1].tag));
	acc_wr(&self->vf, ACC_REG_DB_CQ, acc_db_val(0, 2));
	EXPECT_EQ(0, inflight_settles(&self->vf, 0));
	EXPECT_EQ(tags[6], le64toh(cq[2].tag));
	EXPECT_EQ(tags[7], le64toh(cq[3].tag));
	EXPECT_EQ(0, cq[3].flags & ACC_CQE_F_PHASE);
	ASSERT_EQ(0, acc_qp_restart(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	acc_dma_free(&self->vf, &buf);
}

/* A full EQ drops events and sets ACC_FUNC_ST_ERROR; jobs go on. */
TEST_F(vf, eq_overflow)
{
	struct acc_dma buf;
	struct acc_cqe cqe;
	struct acc_qp qp;
	unsigned int i, got = 0;

	acc_qp_destroy(&self->qp);
	ASSERT_EQ(0, acc_qm_init(&self->vf, 1));	/* 2 entries, 1 usable */
	ASSERT_EQ(0, acc_qp_create(&self->vf, &qp, 0, 4, true));
	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	for (i = 0; i < 3; i++)
		submit_copy(_metadata, &qp, &buf, 64);
	/* take the CQEs without draining the EQ */
	for (i = 0; i < 1000 && got < 3; i++) {
		got += acc_qp_poll(&qp, &cqe);
		usleep(1000);
	}
	EXPECT_EQ(3, got);
	EXPECT_TRUE(acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
	EXPECT_EQ(1, acc_eq_drain(&self->vf));
	ASSERT_EQ(0, acc_soft_reset(&self->vf));
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
	ASSERT_EQ(0, acc_qm_init(&self->vf, 0));
	ASSERT_EQ(0, acc_qp_start(&qp));
	good_jobs(_metadata, &qp, &self->rng);
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
	acc_qp_destroy(&qp);
	acc_dma_free(&self->vf, &buf);
}

/* Contexts are cached; WRITEBACK and QP_STOP write head/tail back. */
TEST_F(vf, context_writeback)
{
	struct acc_dma buf;
	struct acc_cqe cqe;
	unsigned int i;

	ASSERT_EQ(0, acc_dma_alloc(&self->vf, &buf, 8192, 0));
	for (i = 0; i < 21; i++) {
		submit_copy(_metadata, &self->qp, &buf, 64);
		ASSERT_EQ(0, acc_qp_wait(&self->qp, &cqe, ACC_JOB_TIMEOUT_MS));
	}
	/* the tables in memory still hold what was loaded */
	EXPECT_EQ(0, le16toh(self->vf.sqc[0].tail));
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_WRITEBACK, 0, 0));
	EXPECT_EQ(21 % 16, le16toh(self->vf.sqc[0].head));
	EXPECT_EQ(21 % 16, le16toh(self->vf.sqc[0].tail));
	EXPECT_EQ(21 % 16, le16toh(self->vf.cqc[0].tail));
	EXPECT_EQ(21 % 16, le16toh(self->vf.cqc[0].head));
	/* one wrap: the producer phase flipped from 1 to 0 */
	EXPECT_EQ(0, self->vf.cqc[0].flags & ACC_CTX_F_PHASE);
	EXPECT_TRUE(self->vf.cqc[0].flags & ACC_CTX_F_ENABLE);
	EXPECT_EQ(self->qp.sq.iova, le64toh(self->vf.sqc[0].base));

	/* after QP_STOP a doorbell does nothing */
	ASSERT_EQ(0, acc_qp_stop(&self->qp));
	EXPECT_EQ(21 % 16, le16toh(self->vf.sqc[0].tail));
	submit_copy(_metadata, &self->qp, &buf, 64);
	EXPECT_TRUE(no_cqe(&self->qp, 300));
	ASSERT_EQ(0, acc_qp_start(&self->qp));
	good_jobs(_metadata, &self->qp, &self->rng);
	acc_dma_free(&self->vf, &buf);
}

/* The mailbox refuses what the spec says it refuses. */
TEST_F(vf, mailbox_rejects)
{
	struct acc_vf *vf = &self->vf;
	uint16_t qn = vf->qp_num > 1 ? 1 : 0;
	struct acc_sqc *sqc = &vf->sqc[qn];
	struct acc_cqc *cqc = &vf->cqc[qn];
	struct acc_sqc good_sqc;
	struct acc_cqc good_cqc;

	memset(&good_sqc, 0, sizeof(good_sqc));
	good_sqc.base = htole64(acc_iova_sq(vf, qn));
	good_sqc.depth_log2 = 4;
	good_sqc.flags = ACC_CTX_F_ENABLE;
	good_sqc.cqn = htole16(qn);
	memset(&good_cqc, 0, sizeof(good_cqc));
	good_cqc.base = htole64(acc_iova_cq(vf, qn));
	good_cqc.depth_log2 = 4;
	good_cqc.flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE;

	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, 0x3f, 0, 0));
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, 0, 0, 0));
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, vf->qp_num, 0));
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_QP_STOP, 0xffff, 0));
	EXPECT_EQ(ACC_MB_EPERM, acc_mb(vf, ACC_MB_CMD_VF_PAUSE, 0, 0));
	EXPECT_EQ(ACC_MB_EPERM, acc_mb(vf, ACC_MB_CMD_VF_SAVE, 0,
				       ACC_IOVA_DATA));
	EXPECT_EQ(ACC_MB_EPERM, acc_mb(vf, ACC_MB_CMD_VF_LOAD, 0,
				       ACC_IOVA_DATA));
	/* the EQC itself at an unmapped address: the command's DMA faults */
	EXPECT_EQ(ACC_MB_EFAULT, acc_mb(vf, ACC_MB_CMD_EQC, 0, ACC_IOVA_HOLE));

	*sqc = good_sqc;
	sqc->depth_log2 = 0;
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, qn, 0));
	*sqc = good_sqc;
	sqc->depth_log2 = vf->depth_max_log2 + 1;
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, qn, 0));
	*sqc = good_sqc;
	sqc->tail = htole16(16);
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, qn, 0));
	*sqc = good_sqc;
	sqc->head = htole16(17);
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, qn, 0));
	*sqc = good_sqc;
	sqc->base = htole64(acc_iova_sq(vf, qn) + 32);
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, qn, 0));
	*sqc = good_sqc;
	sqc->cqn = htole16(vf->qp_num);
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_SQC, qn, 0));
	*cqc = good_cqc;
	cqc->base = htole64(acc_iova_cq(vf, qn) + 8);
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_CQC, qn, 0));
	*cqc = good_cqc;
	cqc->depth_log2 = 13;
	EXPECT_EQ(ACC_MB_EINVAL, acc_mb(vf, ACC_MB_CMD_CQC, qn, 0));

	/* nothing broke: QP 0 still runs */
	good_jobs(_metadata, &self->qp, &self->rng);
	EXPECT_EQ(0, acc_rd(vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_ERROR);
}

/* ACC_VEC_MB fires on mailbox completion when ACC_INT_MB is unmasked. */
TEST_F(vf, mailbox_msix)
{
	int n;

	ASSERT_EQ(0, acc_irq_enable(&self->vf, true));
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_WRITEBACK, 0, 0));
	n = acc_irq_wait(&self->vf, ACC_VEC_MB, 2000);
	EXPECT_LT(0, n);
	EXPECT_TRUE(acc_rd(&self->vf, ACC_REG_INT_STATUS) & ACC_INT_MB);
	acc_wr(&self->vf, ACC_REG_INT_STATUS, ACC_INT_MB);
	EXPECT_EQ(0, acc_rd(&self->vf, ACC_REG_INT_STATUS) & ACC_INT_MB);
	/* masked: no interrupt, the status bit still set */
	acc_wr(&self->vf, ACC_REG_INT_MASK, ACC_INT_ALL);
	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->vf, ACC_MB_CMD_WRITEBACK, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, acc_irq_wait(&self->vf, ACC_VEC_MB, 300));
	EXPECT_TRUE(acc_rd(&self->vf, ACC_REG_INT_STATUS) & ACC_INT_MB);
	EXPECT_EQ(-ETIMEDOUT, acc_irq_wait(&self->vf, ACC_VEC_EQ, 10));
}

/* ============================================ IOMMU setups and two VFs */
/* The device attached to an explicitly allocated HWPT, not the IOAS. */
TEST(hwpt_attach)
{
	struct acc_vf_opts o = { .iommufd = -1, .alloc_hwpt = true };
	uint64_t rng = acc_test_rng("hwpt_attach");
	struct acc_vf vf;
	struct acc_qp qp;

	ACC_REQUIRE_VFS(1);
	ASSERT_EQ(0, acc_vf_open(&vf, acc_g.bdf[0], &o));
	EXPECT_NE(0, vf.hwpt_id);
	EXPECT_EQ(vf.hwpt_id, vf.pt_id);
	ASSERT_EQ(0, acc_qm_init(&vf, 0));
	ASSERT_EQ(0, acc_qp_create(&vf, &qp, 0, 4, false));
	/* buffers mapped after the attach reach the HWPT as well */
	good_jobs(_metadata, &qp, &rng);
	check_job(_metadata, &qp, &rng, ACC_OP_COPY, 300000, 0, NULL);
	acc_qp_destroy(&qp);
	acc_vf_close(&vf);
}

/* Two VFs, each with its own iommufd and IOAS: both work, each sees only
 * its own mappings. */
TEST(two_vfs_isolated)
{
	const uint64_t only_a = 0x700000000ULL;
	uint64_t rng = acc_test_rng("two_vfs_isolated");
	struct acc_vf a, b;
	struct acc_qp qa, qb;
	struct acc_dma ba, bb, xa;
	struct acc_cqe ca, cb;
	unsigned int i;

	ACC_REQUIRE_VFS(2);
	ASSERT_EQ(0, acc_vf_open(&a, acc_g.bdf[0], NULL));
	ASSERT_EQ(0, acc_vf_open(&b, acc_g.bdf[1], NULL));
	ASSERT_EQ(0, acc_qm_init(&a, 0));
	ASSERT_EQ(0, acc_qm_init(&b, 0));
	ASSERT_EQ(0, acc_qp_create(&a, &qa, 0, 4, false));
	ASSERT_EQ(0, acc_qp_create(&b, &qb, 0, 4, false));
	ASSERT_EQ(0, acc_dma_alloc(&a, &ba, 8192, 0));
	ASSERT_EQ(0, acc_dma_alloc(&b, &bb, 8192, 0));
	/* the same IOVAs in both address spaces, different memory */
	EXPECT_EQ(ba.iova, bb.iova);
	for (i = 0; i < 20; i++) {
		acc_rand_fill(&rng, ba.va, 4096);
		acc_rand_fill(&rng, bb.va, 4096);
		submit_copy(_metadata, &qa, &ba, 4096);
		submit_copy(_metadata, &qb, &bb, 4096);
		ASSERT_EQ(0, acc_qp_wait(&qa, &ca, ACC_JOB_TIMEOUT_MS));
		ASSERT_EQ(0, acc_qp_wait(&qb, &cb, ACC_JOB_TIMEOUT_MS));
		ASSERT_EQ(ACC_ST_OK, ca.status);
		ASSERT_EQ(ACC_ST_OK, cb.status);
		ASSERT_EQ(0, memcmp(ba.va, (uint8_t *)ba.va + 4096, 4096));
		ASSERT_EQ(0, memcmp(bb.va, (uint8_t *)bb.va + 4096, 4096));
	}
	/* memory only A mapped: A can read it, B faults */
	ASSERT_EQ(0, acc_dma_alloc(&a, &xa, 4096, only_a));
	{
		struct acc_sqe sqe = {
			.op = ACC_OP_COPY, .len = htole32(4096),
			.src = htole64(only_a), .dst = htole64(ba.iova + 4096),
		};

		ASSERT_EQ(0, acc_qp_submit(&qa, &sqe, false));
		ASSERT_EQ(0, acc_qp_wait(&qa, &ca, ACC_JOB_TIMEOUT_MS));
		EXPECT_EQ(ACC_ST_OK, ca.status);
		sqe.dst = htole64(bb.iova + 4096);
		ASSERT_EQ(0, acc_qp_submit(&qb, &sqe, false));
		ASSERT_EQ(0, acc_qp_wait(&qb, &cb, ACC_JOB_TIMEOUT_MS));
		EXPECT_EQ(ACC_ST_DMA_FAULT, cb.status);
	}
	acc_dma_free(&a, &xa);
	acc_dma_free(&a, &ba);
	acc_dma_free(&b, &bb);
	acc_qp_destroy(&qa);
	acc_qp_destroy(&qb);
	acc_vf_close(&b);
	acc_vf_close(&a);
}

/*
 * Two VFs in one iommufd and IOAS (as in one VM), B's layout shifted by
 * iova_off: B's jobs read A's buffers; closing B leaves A working.
 */
TEST(two_vfs_shared_ioas)
{
	uint64_t rng = acc_test_rng("two_vfs_shared_ioas");
	struct acc_vf a, b;
	struct acc_vf_opts ob = { .iova_off = 0x100000000ULL };
	struct acc_qp qa, qb;
	struct acc_dma ba, bb;
	struct acc_cqe c;
	struct acc_sqe sqe = { .op = ACC_OP_COPY, .len = htole32(4096) };

	ACC_REQUIRE_VFS(2);
	ASSERT_EQ(0, acc_vf_open(&a, acc_g.bdf[0], NULL));
	ob.iommufd = a.iommufd;
	ob.ioas_id = a.ioas_id;
	ASSERT_EQ(0, acc_vf_open(&b, acc_g.bdf[1], &ob));
	EXPECT_EQ(a.ioas_id, b.ioas_id);
	ASSERT_EQ(0, acc_qm_init(&a, 0));
	ASSERT_EQ(0, acc_qm_init(&b, 0));
	ASSERT_EQ(0, acc_qp_create(&a, &qa, 0, 4, false));
	ASSERT_EQ(0, acc_qp_create(&b, &qb, 0, 4, false));
	ASSERT_EQ(0, acc_dma_alloc(&a, &ba, 4096, 0));
	ASSERT_EQ(0, acc_dma_alloc(&b, &bb, 4096, 0));
	EXPECT_NE(ba.iova, bb.iova);
	acc_rand_fill(&rng, ba.va, 4096);
	sqe.src = htole64(ba.iova);
	sqe.dst = htole64(bb.iova);
	ASSERT_EQ(0, acc_qp_submit(&qb, &sqe, false));
	ASSERT_EQ(0, acc_qp_wait(&qb, &c, ACC_JOB_TIMEOUT_MS));
	EXPECT_EQ(ACC_ST_OK, c.status);
	EXPECT_EQ(0, memcmp(ba.va, bb.va, 4096));

	acc_dma_free(&b, &bb);
	acc_qp_destroy(&qb);
	acc_vf_close(&b);
	good_jobs(_metadata, &qa, &rng);
	acc_dma_free(&a, &ba);
	acc_qp_destroy(&qa);
	acc_vf_close(&a);
}

ACC_VFIO_MAIN(2)
