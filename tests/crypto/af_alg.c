// SPDX-License-Identifier: GPL-2.0
/*
 * The acc crypto algorithms through AF_ALG, bound by driver name
 * (cbc-aes-acc, ctr-aes-acc, sha256-acc, hmac-sha256-acc), against
 * OpenSSL's libcrypto. Every test also runs on the kernel's generic
 * implementation (the *_generic variants): the same checks must pass
 * there, which keeps the reference and the test honest.
 *
 * Random data, keys and IVs come from a seeded PRNG: the seed is printed
 * first; ACC_SEED=N replays a run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <kselftest_harness.h>

#include "accdev.h"
#include "afalg_util.h"

#define KIB 1024U
#define MIB (1024U * 1024U)

static uint64_t g_seed;

static uint64_t test_rng(const char *salt)
{
	uint64_t s = g_seed;

	while (*salt)
		s = s * 131 + (uint8_t)*salt++;
	return s;
}

/* A buffer with room for an offset and a guard pattern behind it. */
static uint8_t *xalloc(size_t len)
{
	void *p = mmap(NULL, len + 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void xfree(void *p, size_t len)
{
	if (p)
		munmap(p, len + 8192);
}

static const unsigned int aes_keys[] = { 16, 24, 32 };

/* ============================================================ skcipher */
FIXTURE(skcipher) {
	uint64_t rng;
	uint8_t *in, *out, *ref;
	size_t cap;
};

FIXTURE_VARIANT(skcipher) {
	enum afalg_kind kind;
	bool generic;
};

FIXTURE_VARIANT_ADD(skcipher, cbc_acc) { .kind = AK_CBC };
FIXTURE_VARIANT_ADD(skcipher, ctr_acc) { .kind = AK_CTR };
FIXTURE_VARIANT_ADD(skcipher, cbc_generic) { .kind = AK_CBC, .generic = true };
FIXTURE_VARIANT_ADD(skcipher, ctr_generic) { .kind = AK_CTR, .generic = true };

static const char *drv_name(enum afalg_kind kind, bool generic)
{
	unsigned int i;

	for (i = 0; i < AFALG_NALGS; i++)
		if (afalg_algs[i].kind == kind)
			return generic ? afalg_algs[i].generic : afalg_algs[i].acc;
	return "?";
}

FIXTURE_SETUP(skcipher)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	int fd = afalg_tfm(variant->kind, drv, NULL, -1);

	ASSERT_LE(0, fd) TH_LOG("bind %s: %s", drv, strerror(-fd));
	close(fd);
	self->cap = 5 * MIB;
	self->in = xalloc(self->cap);
	self->out = xalloc(self->cap);
	self->ref = xalloc(self->cap);
	ASSERT_TRUE(self->in && self->out && self->ref);
	self->rng = test_rng(_metadata->name);
}

FIXTURE_TEARDOWN(skcipher)
{
	xfree(self->in, self->cap);
	xfree(self->out, self->cap);
	xfree(self->ref, self->cap);
}

struct sk_req {
	size_t len;
	unsigned int key_len;
	size_t in_off, out_off;	/* misalignment of the buffers */
	enum afalg_mode mode;
	size_t chunk;
	bool dec;
};

/*
 * One request with random key, IV and data, on a fresh transform: the
 * kernel's answer must equal OpenSSL's. Returns 0 if so.
 */
static int sk_check(struct __test_metadata *_metadata,
		    FIXTURE_DATA(skcipher) *self,
		    const FIXTURE_VARIANT(skcipher) *variant,
		    const struct sk_req *r)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	uint8_t key[32], iv[16], *in = self->in + r->in_off;
	uint8_t *out = self->out + r->out_off;
	int tfm, op, ret;
	long diff;

	ASSERT_LE(r->len + 64, self->cap);
	acc_rand_fill(&self->rng, key, sizeof(key));
	acc_rand_fill(&self->rng, iv, sizeof(iv));
	acc_rand_fill(&self->rng, in, r->len);
	memset(out, 0xa5, r->len + 16);

	tfm = afalg_tfm(variant->kind, drv, key, (int)r->key_len);
	ASSERT_LE(0, tfm) TH_LOG("%s: %s", drv, strerror(-tfm));
	op = afalg_op(tfm);
	ASSERT_LE(0, op);
	ret = afalg_skcipher(op, !r->dec, iv, in, r->len, out, r->mode,
			     r->chunk);
	close(op);
	close(tfm);
	if (ret) {
		TH_LOG("%s %s len %zu key %u mode %d: %s", drv,
		       r->dec ? "dec" : "enc", r->len, r->key_len, r->mode,
		       strerror(-ret));
		EXPECT_EQ(0, ret);
		return 1;
	}
	ASSERT_EQ(0, afalg_ref(variant->kind, !r->dec, key, (int)r->key_len,
			       iv, in, r->len, self->ref));
	diff = acc_first_diff(out, self->ref, r->len);
	if (diff >= 0)
		TH_LOG("%s %s len %zu key %u offs %zu/%zu mode %d chunk %zu: differs at %ld",
		       drv, r->dec ? "dec" : "enc", r->len, r->key_len,
		       r->in_off, r->out_off, r->mode, r->chunk, diff);
	EXPECT_EQ(-1, diff);
	/* nothing written past the end */
	EXPECT_EQ(0xa5, out[r->len]);
	return diff >= 0;
}

static size_t sk_len(const FIXTURE_VARIANT(skcipher) *variant, size_t len)
{
	return variant->kind == AK_CBC ? len & ~(size_t)15 : len;
}

TEST_F(skcipher, zero_length)
{
	unsigned int k;

	for (k = 0; k < 3; k++) {
		struct sk_req r = { .len = 0, .key_len = aes_keys[k] };

		sk_check(_metadata, self, variant, &r);
		r.dec = true;
		sk_check(_metadata, self, variant, &r);
	}
}

TEST_F(skcipher, sizes)
{
	static const size_t lens[] = { 1, 15, 16, 17, 31, 32, 48, 64, 240,
				       4080, 4095, 4096, 4097, 4112, 8192,
				       12288 + 7, 32768, 65520, 65536 };
	unsigned int i, k;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			struct sk_req r = {
				.len = sk_len(variant, lens[i]),
				.key_len = aes_keys[k],
			};

			if (!r.len)
				continue;
			sk_check(_metadata, self, variant, &r);
			r.dec = true;
			sk_check(_metadata, self, variant, &r);
		}
	}
}

TEST_F(skcipher, unaligned)
{
	static const size_t offs[][2] = {
		{ 1, 0 }, { 0, 1 }, { 3, 7 }, { 15, 15 }, { 16, 33 },
		{ 63, 4095 }, { 4095, 2 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct sk_req r = {
			.len = sk_len(variant, 3 * 4096 + 123),
			.key_len = aes_keys[i % 3],
			.in_off = offs[i][0], .out_off = offs[i][1],
			.dec = i & 1,
		};

		sk_check(_metadata, self, variant, &r);
		r.len = sk_len(variant, 100);
		sk_check(_metadata, self, variant, &r);
	}
}

/* Around ALG_MAX_PAGES (16 pages per SG piece) and the socket buffer. */
TEST_F(skcipher, multi_page)
{
	static const size_t lens[] = { 16 * 4096 - 16, 16 * 4096 + 16,
				       17 * 4096 + 5, 32 * 4096, 150000 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct sk_req r = {
			.len = sk_len(variant, lens[i]),
			.key_len = aes_keys[i % 3],
			.in_off = i * 5, .out_off = i * 3,
		};

		sk_check(_metadata, self, variant, &r);
		r.dec = true;
		sk_check(_metadata, self, variant, &r);
	}
}

/*
 * 1 MiB and more. The TX buffer of a socket (sk_sndbuf, ~208 KiB) bounds
 * what one sendmsg may queue before a read: stream it in pieces with
 * MSG_MORE (the kernel chains the IV across them), or splice it, or
 * raise the buffer with SO_SNDBUFFORCE (root) for a single request.
 */
TEST_F_TIMEOUT(skcipher, large_streamed, 300)
{
	static const size_t chunks[] = { 64 * KIB, 4096, 16 * 1000, 192 * KIB };
	unsigned int i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct sk_req r = {
			.len = sk_len(variant, MIB + 13 * i),
			.key_len = aes_keys[i % 3],
			.in_off = i, .out_off = 2 * i,
			.mode = AM_STREAM, .chunk = chunks[i], .dec = i & 1,
		};

		sk_check(_metadata, self, variant, &r);
	}
}

TEST_F_TIMEOUT(skcipher, large_spliced, 300)
{
	struct sk_req r = {
		.len = sk_len(variant, MIB + 77),
		.key_len = 32,
		.mode = AM_SPLICE, .chunk = 64 * KIB,
	};

	sk_check(_metadata, self, variant, &r);
	r.dec = true;
	r.chunk = 16 * KIB;
	r.in_off = 1;
	sk_check(_metadata, self, variant, &r);
}

TEST_F_TIMEOUT(skcipher, large_one_request, 300)
{
	static const size_t lens[] = { MIB, MIB + 4096 + 48 + 9, 4 * MIB };
	const char *drv = drv_name(variant->kind, variant->generic);
	uint8_t key[32], iv[16];
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = sk_len(variant, lens[i]);
		int sz = 2 * (int)len + 65536;
		uint8_t *in = self->in + i, *out = self->out + 3 * i;
		int tfm, op;
		ssize_t n;

		acc_rand_fill(&self->rng, key, sizeof(key));
		acc_rand_fill(&self->rng, iv, sizeof(iv));
		acc_rand_fill(&self->rng, in, len);
		tfm = afalg_tfm(variant->kind, drv, key, 16 + 8 * (int)i);
		ASSERT_LE(0, tfm);
		op = afalg_op(tfm);
		ASSERT_LE(0, op);
		/* TX and RX limits both, or the kernel splits the request */
		ASSERT_EQ(0, setsockopt(op, SOL_SOCKET, SO_SNDBUFFORCE, &sz,
					sizeof(sz)))
			TH_LOG("SO_SNDBUFFORCE: %s", strerror(errno));
		ASSERT_EQ(0, setsockopt(op, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
					sizeof(sz)))
			TH_LOG("SO_RCVBUFFORCE: %s", strerror(errno));
		n = afalg_send_op(op, true, iv, in, len, 0);
		ASSERT_EQ((ssize_t)len, n) TH_LOG("sendmsg: %s",
						  n < 0 ? strerror((int)-n) : "short");
		ASSERT_EQ(0, afalg_read_all(op, out, len));
		close(op);
		close(tfm);
		ASSERT_EQ(0, afalg_ref(variant->kind, true, key, 16 + 8 * (int)i,
				       iv, in, len, self->ref));
		EXPECT_EQ(-1, acc_first_diff(out, self->ref, len))
			TH_LOG("len %zu", len);
	}
}

/*
 * IV chaining across requests: the caller passes the next IV itself (the
 * last ciphertext block for CBC, counter + blocks for CTR); pieces on one
 * op socket equal one request.
 */
TEST_F(skcipher, iv_chaining)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	const size_t len = 64 * KIB;
	uint8_t key[32], iv[16], iv0[16], *in = self->in, *out = self->out;
	unsigned int pass;

	for (pass = 0; pass < 4; pass++) {
		bool dec = pass & 1;
		size_t done = 0;
		int tfm, op;

		acc_rand_fill(&self->rng, key, sizeof(key));
		acc_rand_fill(&self->rng, iv0, sizeof(iv0));
		acc_rand_fill(&self->rng, in, len);
		memcpy(iv, iv0, 16);
		tfm = afalg_tfm(variant->kind, drv, key, 24);
		ASSERT_LE(0, tfm);
		op = afalg_op(tfm);
		ASSERT_LE(0, op);
		while (done < len) {
			size_t n = 16 * (size_t)acc_rand_range(&self->rng, 1, 300);

			if (n > len - done)
				n = len - done;
			ASSERT_EQ(0, afalg_skcipher(op, !dec, iv, in + done, n,
						    out + done, AM_ONESHOT, 0));
			if (variant->kind == AK_CTR)
				acc_ctr_add(iv, n / 16);
			else
				memcpy(iv, (dec ? in : out) + done + n - 16, 16);
			done += n;
		}
		close(op);
		close(tfm);
		ASSERT_EQ(0, afalg_ref(variant->kind, !dec, key, 24, iv0, in, len,
				       self->ref));
		EXPECT_EQ(-1, acc_first_diff(out, self->ref, len))
			TH_LOG("pass %u", pass);
	}
}

TEST_F_TIMEOUT(skcipher, random, 300)
{
	unsigned int i;

	for (i = 0; i < 150; i++) {
		struct sk_req r = {
			.key_len = aes_keys[acc_rand64(&self->rng) % 3],
			.in_off = acc_rand_range(&self->rng, 0, 64),
			.out_off = acc_rand_range(&self->rng, 0, 64),
			.dec = acc_rand64(&self->rng) & 1,
		};
		uint64_t shape = acc_rand64(&self->rng) % 8;

		r.len = shape < 5 ? acc_rand_range(&self->rng, 0, 5000) :
			acc_rand_range(&self->rng, 0, 200000);
		r.len = sk_len(variant, r.len);
		if (shape == 7 && r.len) {
			r.mode = (acc_rand64(&self->rng) & 1) ? AM_STREAM : AM_SPLICE;
			r.chunk = 16 * acc_rand_range(&self->rng, 1, 4096);
		}
		if (sk_check(_metadata, self, variant, &r))
			break;
	}
}

/* Many requests at once: threads with their own or a shared transform. */
struct sk_worker {
	pthread_t th;
	const FIXTURE_VARIANT(skcipher) *variant;
	int shared_tfm;		/* -1: own transform per request */
	const uint8_t *shared_key;
	uint64_t rng;
	unsigned int reqs, done, bad, err;
	int first_err;
};

static void *sk_work(void *arg)
{
	struct sk_worker *w = arg;
	const char *drv = drv_name(w->variant->kind, w->variant->generic);
	uint8_t *in = malloc(70000), *out = malloc(70000), *ref = malloc(70000);
	uint8_t key[32], iv[16];
	unsigned int i;

	if (!in || !out || !ref) {
		w->err++;
		goto out;
	}
	for (i = 0; i < w->reqs; i++) {
		size_t len = sk_len(w->variant, acc_rand_range(&w->rng, 16, 66000));
		unsigned int kl = w->shared_tfm >= 0 ? 32 : aes_keys[i % 3];
		bool dec = acc_rand64(&w->rng) & 1;
		int tfm = w->shared_tfm, op, ret;

		acc_rand_fill(&w->rng, iv, sizeof(iv));
		acc_rand_fill(&w->rng, in, len);
		if (tfm < 0) {
			acc_rand_fill(&w->rng, key, sizeof(key));
			tfm = afalg_tfm(w->variant->kind, drv, key, (int)kl);
		} else {
			memcpy(key, w->shared_key, 32);
		}
		op = tfm < 0 ? tfm : afalg_op(tfm);
		ret = op < 0 ? op : afalg_skcipher(op, !dec, iv, in, len, out,
						   AM_ONESHOT, 0);
		if (op >= 0)
			close(op);
		if (w->shared_tfm < 0 && tfm >= 0)
			close(tfm);
		if (ret) {
			if (!w->err++)
				w->first_err = -ret;
			continue;
		}
		afalg_ref(w->variant->kind, !dec, key, (int)kl, iv, in, len, ref);
		if (memcmp(out, ref, len))
			w->bad++;
		w->done++;
	}
out:
	free(in);
	free(out);
	free(ref);
	return NULL;
}

TEST_F_TIMEOUT(skcipher, parallel, 300)
{
	const unsigned int nthreads = 8;
	struct sk_worker w[8];
	uint8_t key[32];
	unsigned int i;
	int shared;

	acc_rand_fill(&self->rng, key, sizeof(key));
	shared = afalg_tfm(variant->kind, drv_name(variant->kind, variant->generic),
			   key, 32);
	ASSERT_LE(0, shared);
	for (i = 0; i < nthreads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].variant = variant;
		w[i].shared_tfm = i & 1 ? shared : -1;
		w[i].shared_key = key;
		w[i].rng = self->rng + i * 7777;
		w[i].reqs = 25;
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, sk_work, &w[i]));
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		EXPECT_EQ(0, w[i].bad) TH_LOG("thread %u: wrong results", i);
		EXPECT_EQ(0, w[i].err) TH_LOG("thread %u: %u errors, first %s",
					      i, w[i].err, strerror(w[i].first_err));
		EXPECT_EQ(w[i].reqs, w[i].done);
	}
	close(shared);
}

/* Bad keys and lengths are refused, as by the generic driver. */
TEST_F(skcipher, refusals)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	static const int bad_keys[] = { 0, 1, 15, 17, 31, 33, 64 };
	uint8_t key[64] = { 0 }, iv[16] = { 0 };
	unsigned int i;
	int tfm, op;

	for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		tfm = afalg_tfm(variant->kind, drv, key, bad_keys[i]);
		EXPECT_EQ(-EINVAL, tfm) TH_LOG("key length %d", bad_keys[i]);
		if (tfm >= 0)
			close(tfm);
	}
	if (variant->kind != AK_CBC)
		return;
	/* CBC: a length that is not a multiple of the block is EINVAL */
	tfm = afalg_tfm(variant->kind, drv, key, 16);
	ASSERT_LE(0, tfm);
	op = afalg_op(tfm);
	ASSERT_LE(0, op);
	EXPECT_EQ(-EINVAL, afalg_skcipher(op, true, iv, self->in, 17, self->out,
					  AM_ONESHOT, 0));
	/* the op socket is still usable afterwards */
	close(op);
	op = afalg_op(tfm);
	ASSERT_LE(0, op);
	EXPECT_EQ(0, afalg_skcipher(op, true, iv, self->in, 32, self->out,
				    AM_ONESHOT, 0));
	close(op);
	close(tfm);
}

/* ================================================================ hash */
FIXTURE(hash) {
	uint64_t rng;
	uint8_t *in;
	size_t cap;
};

FIXTURE_VARIANT(hash) {
	enum afalg_kind kind;
	bool generic;
};

FIXTURE_VARIANT_ADD(hash, sha256_acc) { .kind = AK_SHA256 };
FIXTURE_VARIANT_ADD(hash, hmac_acc) { .kind = AK_HMAC };
FIXTURE_VARIANT_ADD(hash, sha256_generic) { .kind = AK_SHA256, .generic = true };
FIXTURE_VARIANT_ADD(hash, hmac_generic) { .kind = AK_HMAC, .generic = true };

FIXTURE_SETUP(hash)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	int fd = afalg_tfm(variant->kind, drv, NULL, -1);

	ASSERT_LE(0, fd) TH_LOG("bind %s: %s", drv, strerror(-fd));
	close(fd);
	self->cap = 5 * MIB;
	self->in = xalloc(self->cap);
	ASSERT_NE(NULL, self->in);
	self->rng = test_rng(_metadata->name);
}

FIXTURE_TEARDOWN(hash)
{
	xfree(self->in, self->cap);
}

struct h_req {
	size_t len;
	int key_len;		/* HMAC */
	size_t off;
	enum afalg_mode mode;
	size_t chunk;
	bool final_send;
};

static int h_check(struct __test_metadata *_metadata,
		   FIXTURE_DATA(hash) *self, const FIXTURE_VARIANT(hash) *variant,
		   const struct h_req *r)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	bool hmac = variant->kind == AK_HMAC;
	uint8_t key[256], digest[32], ref[32], *in = self->in + r->off;
	int tfm, op, ret;

	ASSERT_LE(r->len + r->off, self->cap);
	acc_rand_fill(&self->rng, key, sizeof(key));
	acc_rand_fill(&self->rng, in, r->len);
	tfm = afalg_tfm(variant->kind, drv, key, hmac ? r->key_len : -1);
	ASSERT_LE(0, tfm) TH_LOG("%s key %d: %s", drv, r->key_len,
				 strerror(-tfm));
	op = afalg_op(tfm);
	ASSERT_LE(0, op);
	ret = afalg_hash(op, in, r->len, digest, r->mode, r->chunk,
			 r->final_send);
	close(op);
	close(tfm);
	if (ret) {
		TH_LOG("%s len %zu key %d mode %d: %s", drv, r->len, r->key_len,
		       r->mode, strerror(-ret));
		EXPECT_EQ(0, ret);
		return 1;
	}
	ASSERT_EQ(0, afalg_ref(variant->kind, true, key, r->key_len, NULL, in,
			       r->len, ref));
	if (memcmp(digest, ref, 32))
		TH_LOG("%s len %zu key %d off %zu mode %d chunk %zu%s: wrong digest",
		       drv, r->len, r->key_len, r->off, r->mode, r->chunk,
		       r->final_send ? " final-send" : "");
	EXPECT_EQ(0, memcmp(digest, ref, 32));
	return memcmp(digest, ref, 32) != 0;
}

TEST_F(hash, zero_length)
{
	struct h_req r = { .len = 0, .key_len = 32 };

	/* digest read with nothing sent: init + final */
	h_check(_metadata, self, variant, &r);
	/* an empty send that finalises */
	r.mode = AM_STREAM;
	r.chunk = 64;
	r.final_send = true;
	h_check(_metadata, self, variant, &r);
}

TEST_F(hash, sizes)
{
	static const size_t lens[] = { 1, 3, 55, 56, 57, 63, 64, 65, 127, 128,
				       129, 1000, 4095, 4096, 4097, 8191,
				       65535, 65536, 65537 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct h_req r = { .len = lens[i], .key_len = (int)(i * 7 % 80) };

		h_check(_metadata, self, variant, &r);
	}
}

TEST_F(hash, unaligned)
{
	static const size_t offs[] = { 1, 2, 3, 7, 15, 33, 63, 4095 };
	unsigned int i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct h_req r = { .len = 3 * 4096 + 100, .off = offs[i],
				   .key_len = 40 };

		h_check(_metadata, self, variant, &r);
		r.len = 61;
		h_check(_metadata, self, variant, &r);
	}
}

/* Sends of pieces with MSG_MORE: init, update..., final or finup. */
TEST_F(hash, streamed)
{
	static const size_t chunks[] = { 1, 13, 64, 100, 4096, 4097, 65536 };
	unsigned int i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct h_req r = {
			.len = chunks[i] < 64 ? 2000 : 200000 + i,
			.key_len = 64, .off = i,
			.mode = AM_STREAM, .chunk = chunks[i],
			.final_send = i & 1,
		};

		h_check(_metadata, self, variant, &r);
	}
}

TEST_F_TIMEOUT(hash, large, 300)
{
	static const size_t lens[] = { MIB, MIB + 1, 4 * MIB + 63 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct h_req r = { .len = lens[i], .key_len = 20, .off = i };

		h_check(_metadata, self, variant, &r);
		r.mode = AM_STREAM;
		r.chunk = 256 * KIB + 64;
		h_check(_metadata, self, variant, &r);
	}
}

TEST_F_TIMEOUT(hash, spliced, 300)
{
	struct h_req r = { .len = MIB + 3, .key_len = 48, .mode = AM_SPLICE,
			   .chunk = 64 * KIB };

	h_check(_metadata, self, variant, &r);
	r.chunk = 1000;
	r.len = 100000;
	r.off = 5;
	h_check(_metadata, self, variant, &r);
}

/*
 * accept() on an op socket clones the partial hash (export + import):
 * both copies then finish with different data.
 */
TEST_F(hash, accept_clones_state)
{
	const char *drv = drv_name(variant->kind, variant->generic);
	bool hmac = variant->kind == AK_HMAC;
	uint8_t key[32], d1[32], d2[32], r1[32], r2[32];
	uint8_t *a = self->in, *b = self->in + 10000, *c = self->in + 20000;
	uint8_t *msg = self->in + 40000;
	int tfm, op, op2;

	acc_rand_fill(&self->rng, key, sizeof(key));
	acc_rand_fill(&self->rng, self->in, 30000);
	tfm = afalg_tfm(variant->kind, drv, key, hmac ? 32 : -1);
	ASSERT_LE(0, tfm);
	op = afalg_op(tfm);
	ASSERT_LE(0, op);
	ASSERT_EQ(5000, afalg_send(op, a, 5000, MSG_MORE));
	op2 = afalg_op(op);
	ASSERT_LE(0, op2) TH_LOG("accept on op socket: %s", strerror(-op2));
	ASSERT_EQ(3000, afalg_send(op, b, 3000, MSG_MORE));
	ASSERT_EQ(7000, afalg_send(op2, c, 7000, 0));
	ASSERT_EQ(0, afalg_read_all(op, d1, 32));
	ASSERT_EQ(0, afalg_read_all(op2, d2, 32));
	close(op2);
	close(op);
	close(tfm);

	memcpy(msg, a, 5000);
	memcpy(msg + 5000, b, 3000);
	ASSERT_EQ(0, afalg_ref(variant->kind, true, key, 32, NULL, msg, 8000, r1));
	memcpy(msg + 5000, c, 7000);
	ASSERT_EQ(0, afalg_ref(variant->kind, true, key, 32, NULL, msg, 12000, r2));
	EXPECT_EQ(0, memcmp(d1, r1, 32));
	EXPECT_EQ(0, memcmp(d2, r2, 32));
}

TEST_F_TIMEOUT(hash, random, 300)
{
	unsigned int i;

	for (i = 0; i < 150; i++) {
		struct h_req r = {
			.key_len = (int)acc_rand_range(&self->rng, 0, 130),
			.off = acc_rand_range(&self->rng, 0, 64),
		};
		uint64_t shape = acc_rand64(&self->rng) % 8;

		r.len = shape < 5 ? acc_rand_range(&self->rng, 0, 5000) :
			acc_rand_range(&self->rng, 0, 300000);
		if (shape == 7) {
			r.mode = (acc_rand64(&self->rng) & 1) ? AM_STREAM : AM_SPLICE;
			r.chunk = acc_rand_range(&self->rng, 1, 70000);
			r.final_send = acc_rand64(&self->rng) & 1;
		}
		if (h_check(_metadata, self, variant, &r))
			break;
	}
}

struct h_worker {
	pthread_t th;
	const FIXTURE_VARIANT(hash) *variant;
	uint64_t rng;
	unsigned int reqs, done, bad, err;
	int first_err;
};

static void *h_work(void *arg)
{
	struct h_worker *w = arg;
	const char *drv = drv_name(w->variant->kind, w->variant->generic);
	bool hmac = w->variant->kind == AK_HMAC;
	uint8_t *in = malloc(100000), key[100], d[32], ref[32];
	unsigned int i;

	if (!in) {
		w->err++;
		return NULL;
	}
	for (i = 0; i < w->reqs; i++) {
		size_t len = acc_rand_range(&w->rng, 0, 100000);
		int kl = (int)acc_rand_range(&w->rng, 0, 100);
		int tfm, op, ret;

		acc_rand_fill(&w->rng, key, sizeof(key));
		acc_rand_fill(&w->rng, in, len);
		tfm = afalg_tfm(w->variant->kind, drv, key, hmac ? kl : -1);
		op = tfm < 0 ? tfm : afalg_op(tfm);
		ret = op < 0 ? op : afalg_hash(op, in, len, d,
					       (i & 1) ? AM_STREAM : AM_ONESHOT,
					       4096 + i, false);
		if (op >= 0)
			close(op);
		if (tfm >= 0)
			close(tfm);
		if (ret) {
			if (!w->err++)
				w->first_err = -ret;
			continue;
		}
		afalg_ref(w->variant->kind, true, key, kl, NULL, in, len, ref);
		if (memcmp(d, ref, 32))
			w->bad++;
		w->done++;
	}
	free(in);
	return NULL;
}

TEST_F_TIMEOUT(hash, parallel, 300)
{
	struct h_worker w[8];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].variant = variant;
		w[i].rng = self->rng + i * 31337;
		w[i].reqs = 25;
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, h_work, &w[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(w[i].th, NULL);
		EXPECT_EQ(0, w[i].bad) TH_LOG("thread %u: wrong digests", i);
		EXPECT_EQ(0, w[i].err) TH_LOG("thread %u: %u errors, first %s",
					      i, w[i].err, strerror(w[i].first_err));
		EXPECT_EQ(w[i].reqs, w[i].done);
	}
}

/* ======================================================== acc = generic */
/*
 * The acc driver and the generic one side by side on the same random
 * requests, without OpenSSL in between.
 */
TEST(acc_matches_generic)
{
	uint64_t rng = test_rng("acc_matches_generic");
	uint8_t *in = malloc(70000), *o1 = malloc(70000), *o2 = malloc(70000);
	unsigned int a, i;

	ASSERT_TRUE(in && o1 && o2);
	for (a = 0; a < AFALG_NALGS; a++) {
		const struct afalg_alg *alg = &afalg_algs[a];

		for (i = 0; i < 20; i++) {
			size_t len = acc_rand_range(&rng, 0, 66000);
			int kl = afalg_is_cipher(alg->kind) ? 16 + 8 * (int)(i % 3) :
				 alg->kind == AK_HMAC ? (int)(i * 9) : -1;
			uint8_t key[256], iv[16];
			size_t olen;
			int t1, t2, p1, p2;

			if (alg->kind == AK_CBC)
				len &= ~(size_t)15;
			olen = afalg_is_cipher(alg->kind) ? len : 32;
			acc_rand_fill(&rng, key, sizeof(key));
			acc_rand_fill(&rng, iv, sizeof(iv));
			acc_rand_fill(&rng, in, len);
			t1 = afalg_tfm(alg->kind, alg->acc, key, kl);
			t2 = afalg_tfm(alg->kind, alg->generic, key, kl);
			ASSERT_LE(0, t1) TH_LOG("%s: %s", alg->acc, strerror(-t1));
			ASSERT_LE(0, t2) TH_LOG("%s: %s", alg->generic, strerror(-t2));
			p1 = afalg_op(t1);
			p2 = afalg_op(t2);
			ASSERT_LE(0, p1);
			ASSERT_LE(0, p2);
			if (afalg_is_cipher(alg->kind)) {
				ASSERT_EQ(0, afalg_skcipher(p1, i & 1, iv, in, len, o1,
							    AM_ONESHOT, 0));
				ASSERT_EQ(0, afalg_skcipher(p2, i & 1, iv, in, len, o2,
							    AM_ONESHOT, 0));
			} else {
				ASSERT_EQ(0, afalg_hash(p1, in, len, o1, AM_ONESHOT, 0,
							false));
				ASSERT_EQ(0, afalg_hash(p2, in, len, o2, AM_ONESHOT, 0,
							false));
			}
			EXPECT_EQ(0, memcmp(o1, o2, olen))
				TH_LOG("%s len %zu", alg->name, len);
			close(p1);
			close(p2);
			close(t1);
			close(t2);
		}
	}
	free(in);
	free(o1);
	free(o2);
}

/* CTR: the counter is 128 bits wide, big endian, and wraps. */
TEST(ctr_counter_wrap)
{
	static const char *const drivers[] = { "ctr-aes-acc", "ctr(aes-generic)" };
	uint64_t rng = test_rng("ctr_counter_wrap");
	const size_t len = 16 * 10 + 5;
	uint8_t key[16], iv[16], in[165], out[2 * 165], ref[165];
	unsigned int d;
	int tfm, op;

	for (d = 0; d < 2; d++) {
		acc_rand_fill(&rng, key, sizeof(key));
		acc_rand_fill(&rng, in, len);
		memset(iv, 0xff, 16);
		iv[15] = 0xfb;
		tfm = afalg_tfm(AK_CTR, drivers[d], key, 16);
		ASSERT_LE(0, tfm) TH_LOG("%s: %s", drivers[d], strerror(-tfm));
		op = afalg_op(tfm);
		ASSERT_LE(0, op);
		ASSERT_EQ(0, afalg_skcipher(op, true, iv, in, len, out,
					    AM_ONESHOT, 0));
		/* streamed: the kernel's IV crosses the wrap between pieces */
		ASSERT_EQ(0, afalg_skcipher(op, true, iv, in, len, out + len,
					    AM_STREAM, 32));
		close(op);
		close(tfm);
		ASSERT_EQ(0, afalg_ref(AK_CTR, true, key, 16, iv, in, len, ref));
		EXPECT_EQ(0, memcmp(out, ref, len)) TH_LOG("%s", drivers[d]);
		EXPECT_EQ(0, memcmp(out + len, ref, len)) TH_LOG("%s", drivers[d]);
	}
}

/* HMAC keys of every length class: empty, short, block size, longer. */
TEST(hmac_keys)
{
	static const char *const drivers[] = { "hmac-sha256-acc",
					       "hmac(sha256-generic)" };
	static const int keys[] = { 0, 1, 16, 31, 32, 63, 64, 65, 100, 200 };
	uint64_t rng = test_rng("hmac_keys");
	uint8_t key[200], in[4000], d1[32], ref[32];
	unsigned int d, i, pass;

	for (d = 0; d < 2; d++) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			for (pass = 0; pass < 2; pass++) {
				size_t len = pass ? 100 + i * 333 : 0;
				int tfm, op;

				acc_rand_fill(&rng, key, sizeof(key));
				acc_rand_fill(&rng, in, len);
				tfm = afalg_tfm(AK_HMAC, drivers[d], key, keys[i]);
				ASSERT_LE(0, tfm) TH_LOG("%s key %d: %s", drivers[d],
							 keys[i], strerror(-tfm));
				op = afalg_op(tfm);
				ASSERT_LE(0, op);
				ASSERT_EQ(0, afalg_hash(op, in, len, d1, AM_ONESHOT,
							0, false));
				close(op);
				close(tfm);
				ASSERT_EQ(0, acc_ref_hmac_sha256(key, keys[i], in, len,
								 ref));
				EXPECT_EQ(0, memcmp(d1, ref, 32))
					TH_LOG("%s key %d len %zu", drivers[d],
					       keys[i], len);
			}
		}
	}
}

int main(int argc, char **argv)
{
	g_seed = acc_seed();
	return test_harness_run(argc, argv);
}
