// SPDX-License-Identifier: GPL-2.0
/*
 * Tier 1 (host, no L1): the pure logic of libacc. Ring, phase and
 * doorbell arithmetic, the CTR counter and SGL split, the uapi layouts,
 * and the OpenSSL reference against published known answers, including
 * the IV-out contract that the device and the kernel driver share.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kselftest_harness.h>

#include "accdev.h"

static void unhex(const char *s, uint8_t *out)
{
	while (s[0] && s[1]) {
		unsigned int v;

		sscanf(s, "%2x", &v);
		*out++ = (uint8_t)v;
		s += 2;
	}
}

TEST(layouts)
{
	ASSERT_EQ(64, sizeof(struct acc_sqe));
	ASSERT_EQ(16, sizeof(struct acc_cqe));
	ASSERT_EQ(8, sizeof(struct acc_eqe));
	ASSERT_EQ(32, sizeof(struct acc_sqc));
	ASSERT_EQ(32, sizeof(struct acc_cqc));
	ASSERT_EQ(32, sizeof(struct acc_eqc));
	ASSERT_EQ(16, sizeof(struct acc_sge));
	ASSERT_EQ(48, sizeof(struct acc_hash_state));
	ASSERT_EQ(64, sizeof(struct acc_qp_state));
	ASSERT_EQ(0, sizeof(struct acc_vf_state) % 8);
	ASSERT_EQ(8, offsetof(struct acc_sqe, tag));
	ASSERT_EQ(48, offsetof(struct acc_sqe, src_nents));
	ASSERT_EQ(12, offsetof(struct acc_cqe, status));
	ASSERT_EQ(13, offsetof(struct acc_cqe, flags));
	ASSERT_EQ(3, offsetof(struct acc_eqe, flags));
	ASSERT_EQ(13, offsetof(struct acc_sqc, flags));
	ASSERT_EQ(14, offsetof(struct acc_sqc, cqn));
	ASSERT_EQ(ACC_VF_STATE_SIZE(2),
		  sizeof(struct acc_vf_state) + 2 * sizeof(struct acc_qp_state));
}

TEST(ring_wrap_and_phase)
{
	unsigned int d;

	for (d = ACC_DEPTH_LOG2_MIN; d <= 6; d++) {
		uint16_t idx = 0;
		uint8_t phase = 1;
		uint32_t i, n = acc_ring_size(d);

		/* two laps: the phase flips exactly at each wrap to 0 */
		for (i = 1; i <= 2 * n; i++) {
			idx = acc_ring_next(idx, d, &phase);
			ASSERT_EQ(i % n, idx);
			ASSERT_EQ(((i / n) & 1) ? 0 : 1, phase);
		}
	}
}

TEST(ring_used_full_empty)
{
	ASSERT_TRUE(acc_ring_empty(3, 3));
	ASSERT_EQ(0, acc_ring_used(5, 5, 3));
	ASSERT_EQ(1, acc_ring_used(7, 0, 3));
	ASSERT_EQ(7, acc_ring_used(1, 0, 3));
	ASSERT_TRUE(acc_ring_full(1, 0, 3));
	ASSERT_TRUE(acc_ring_full(0, 7, 3));
	ASSERT_FALSE(acc_ring_full(0, 6, 3));
	ASSERT_TRUE(acc_ring_full(0, 1, 1));
	ASSERT_FALSE(acc_ring_full(0, 0, 1));
	ASSERT_EQ(4095, acc_ring_used(1, 0, 12));
}

/*
 * A producer (the device) and a consumer (libacc) sharing a CQ ring with
 * the phase scheme: whatever the interleaving, the consumer takes exactly
 * the entries produced, in order, and never one twice.
 */
TEST(phase_producer_consumer)
{
	const unsigned int d = 3;
	struct acc_cqe ring[8];
	uint16_t ptail = 0, chead = 0, pcount = 0, ccount = 0;
	uint8_t pphase = 1, cphase = 1;
	uint64_t rng = 12345;
	int step;

	memset(ring, 0, sizeof(ring));
	for (step = 0; step < 10000; step++) {
		if (acc_rand64(&rng) & 1) {
			/* produce unless full (tail + 1 == head) */
			if (acc_ring_full(chead, ptail, d))
				continue;
			ring[ptail].tag = pcount++;
			ring[ptail].flags = pphase;
			ptail = acc_ring_next(ptail, d, &pphase);
		} else {
			if (!acc_phase_match(ring[chead].flags, cphase)) {
				ASSERT_EQ(pcount, ccount);
				continue;
			}
			ASSERT_EQ(ccount, (uint16_t)ring[chead].tag);
			ccount++;
			chead = acc_ring_next(chead, d, &cphase);
		}
		ASSERT_EQ(acc_ring_used(chead, ptail, d),
			  (uint16_t)(pcount - ccount));
	}
	ASSERT_GT(ccount, 1000);
}

TEST(doorbell)
{
	ASSERT_EQ(0x00030005U, acc_db_val(3, 5));
	ASSERT_EQ(0xffff0fffU, acc_db_val(0xffff, 0x0fff));
	ASSERT_EQ(0x00010000U, acc_db_val(1, 0));
}

TEST(ctr_counter)
{
	uint8_t c[16], e[16];

	memset(c, 0, 16);
	acc_ctr_add(c, 1);
	memset(e, 0, 16);
	e[15] = 1;
	ASSERT_EQ(0, memcmp(c, e, 16));

	memset(c, 0xff, 16);
	acc_ctr_add(c, 1);
	memset(e, 0, 16);
	ASSERT_EQ(0, memcmp(c, e, 16));	/* wraps modulo 2^128 */

	memset(c, 0, 16);
	c[15] = 0xff;
	c[14] = 0xff;
	acc_ctr_add(c, 0x10002);
	memset(e, 0, 16);
	e[13] = 0x02;
	e[15] = 0x01;
	ASSERT_EQ(0, memcmp(c, e, 16));

	/* 0xff00..00 + 0xffff..ff = 0x1_feff..ff: carry into byte 7 */
	memset(c, 0, 16);
	c[8] = 0xff;
	acc_ctr_add(c, 0xffffffffffffffffULL);
	memset(e, 0, 16);
	e[7] = 0x01;
	e[8] = 0xfe;
	memset(e + 9, 0xff, 7);
	ASSERT_EQ(0, memcmp(c, e, 16));

	ASSERT_EQ(0, acc_ctr_blocks(0));
	ASSERT_EQ(1, acc_ctr_blocks(1));
	ASSERT_EQ(1, acc_ctr_blocks(16));
	ASSERT_EQ(2, acc_ctr_blocks(17));
}

TEST(sgl_split)
{
	uint32_t lens[] = { 0, 1, 15, 16, 4096, 65537, 1 << 20 };
	unsigned int nents[] = { 1, 2, 3, 7, 256 };
	unsigned int a, b, i;

	for (a = 0; a < sizeof(lens) / sizeof(lens[0]); a++) {
		for (b = 0; b < sizeof(nents) / sizeof(nents[0]); b++) {
			uint64_t sum = 0;
			uint32_t prev = ~0U;

			for (i = 0; i < nents[b]; i++) {
				uint32_t n = acc_sgl_chunk(lens[a], nents[b], i);

				ASSERT_LE(n, prev);	/* non-increasing */
				prev = n;
				sum += n;
			}
			ASSERT_EQ(lens[a], sum);
		}
	}
}

TEST(depth_valid)
{
	ASSERT_FALSE(acc_depth_valid(0, 12));
	ASSERT_TRUE(acc_depth_valid(1, 12));
	ASSERT_TRUE(acc_depth_valid(12, 12));
	ASSERT_FALSE(acc_depth_valid(13, 13));
	ASSERT_FALSE(acc_depth_valid(9, 8));
}

TEST(prng_reproducible)
{
	uint64_t a = 42, b = 42, c = 43;
	uint8_t x[37], y[37];

	acc_rand_fill(&a, x, sizeof(x));
	acc_rand_fill(&b, y, sizeof(y));
	ASSERT_EQ(0, memcmp(x, y, sizeof(x)));
	acc_rand_fill(&c, y, sizeof(y));
	ASSERT_NE(0, memcmp(x, y, sizeof(x)));
	for (int i = 0; i < 1000; i++) {
		uint64_t v = acc_rand_range(&a, 5, 9);

		ASSERT_GE(v, 5);
		ASSERT_LE(v, 9);
	}
}

/* NIST SP 800-38A F.2.1/F.2.2 (CBC-AES128) and F.5.1 (CTR-AES128). */
static const char *kat_key = "2b7e151628aed2a6abf7158809cf4f3c";
static const char *kat_pt =
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char *kat_cbc_iv = "000102030405060708090a0b0c0d0e0f";
static const char *kat_cbc_ct =
	"7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	"73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7";
static const char *kat_ctr_iv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char *kat_ctr_ct =
	"874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
	"5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee";

TEST(ref_aes_kat)
{
	uint8_t key[16], pt[64], ct[64], out[64], iv[16], iv0[16];

	unhex(kat_key, key);
	unhex(kat_pt, pt);

	unhex(kat_cbc_ct, ct);
	unhex(kat_cbc_iv, iv);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CBC_ENC, key, 16, iv, pt, out, 64));
	ASSERT_EQ(0, memcmp(out, ct, 64));
	ASSERT_EQ(0, memcmp(iv, ct + 48, 16));	/* IV out: last ct block */
	unhex(kat_cbc_iv, iv);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CBC_DEC, key, 16, iv, ct, out, 64));
	ASSERT_EQ(0, memcmp(out, pt, 64));
	ASSERT_EQ(0, memcmp(iv, ct + 48, 16));

	/* in place, in two chained halves */
	unhex(kat_cbc_iv, iv);
	memcpy(out, pt, 64);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CBC_ENC, key, 16, iv, out, out, 32));
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CBC_ENC, key, 16, iv, out + 32,
				 out + 32, 32));
	ASSERT_EQ(0, memcmp(out, ct, 64));
	unhex(kat_cbc_iv, iv);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CBC_DEC, key, 16, iv, out, out, 16));
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CBC_DEC, key, 16, iv, out + 16,
				 out + 16, 48));
	ASSERT_EQ(0, memcmp(out, pt, 64));

	unhex(kat_ctr_ct, ct);
	unhex(kat_ctr_iv, iv);
	memcpy(iv0, iv, 16);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, 16, iv, pt, out, 64));
	ASSERT_EQ(0, memcmp(out, ct, 64));
	acc_ctr_add(iv0, 4);
	ASSERT_EQ(0, memcmp(iv, iv0, 16));
	/* chained: 16 + 48 bytes */
	unhex(kat_ctr_iv, iv);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, 16, iv, pt, out, 16));
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, 16, iv, pt + 16,
				 out + 16, 48));
	ASSERT_EQ(0, memcmp(out, ct, 64));
	/* a partial block consumes a whole counter */
	unhex(kat_ctr_iv, iv);
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, 16, iv, pt, out, 5));
	memcpy(iv0, iv, 16);
	unhex(kat_ctr_iv, iv);
	acc_ctr_add(iv, 1);
	ASSERT_EQ(0, memcmp(iv, iv0, 16));
	/* bad lengths and keys */
	ASSERT_EQ(-EINVAL, acc_ref_aes(ACC_OP_AES_CBC_ENC, key, 16, iv, pt,
				       out, 15));
	ASSERT_EQ(-EINVAL, acc_ref_aes(ACC_OP_AES_CTR, key, 17, iv, pt, out,
				       16));
}

/* CTR across the 2^128 wrap: chaining by acc_ctr_add matches one shot. */
TEST(ref_ctr_wrap)
{
	uint8_t key[32], iv[16], pt[80], a[80], b[80];
	uint64_t rng = 7;
	int i;

	acc_rand_fill(&rng, key, sizeof(key));
	acc_rand_fill(&rng, pt, sizeof(pt));
	memset(iv, 0xff, 16);
	iv[15] = 0xfe;
	ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, 32, iv, pt, a, 80));
	memset(iv, 0xff, 16);
	iv[15] = 0xfe;
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, acc_ref_aes(ACC_OP_AES_CTR, key, 32, iv, pt + 16 * i,
					 b + 16 * i, 16));
	ASSERT_EQ(0, memcmp(a, b, 80));
	memset(b, 0, 16);
	b[15] = 3;
	ASSERT_EQ(0, memcmp(iv, b, 16));
}

TEST(ref_sha256_kat)
{
	uint8_t d[32], e[32];

	ASSERT_EQ(0, acc_ref_sha256("abc", 3, d));
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", e);
	ASSERT_EQ(0, memcmp(d, e, 32));
	ASSERT_EQ(0, acc_ref_sha256("", 0, d));
	unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", e);
	ASSERT_EQ(0, memcmp(d, e, 32));
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
TEST(ref_hmac_kat)
{
	uint8_t key[131], d[32], e[32];

	memset(key, 0x0b, 20);
	ASSERT_EQ(0, acc_ref_hmac_sha256(key, 20, "Hi There", 8, d));
	unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", e);
	ASSERT_EQ(0, memcmp(d, e, 32));

	ASSERT_EQ(0, acc_ref_hmac_sha256("Jefe", 4,
					 "what do ya want for nothing?", 28, d));
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", e);
	ASSERT_EQ(0, memcmp(d, e, 32));

	memset(key, 0xaa, 131);
	ASSERT_EQ(0, acc_ref_hmac_sha256(key, 131,
		"Test Using Larger Than Block-Size Key - Hash Key First", 54, d));
	unhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", e);
	ASSERT_EQ(0, memcmp(d, e, 32));
}

TEST(names)
{
	ASSERT_STREQ("ctr", acc_op_name(ACC_OP_AES_CTR));
	ASSERT_STREQ("unknown-op", acc_op_name(200));
	ASSERT_STREQ("DMA_FAULT", acc_status_name(ACC_ST_DMA_FAULT));
	ASSERT_STREQ("unknown-status", acc_status_name(77));
}

TEST_HARNESS_MAIN
