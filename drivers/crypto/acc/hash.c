// SPDX-License-Identifier: GPL-2.0
/*
 * acc: sha256 and hmac(sha256) on the device.
 *
 * The request context holds the device's intermediate state (struct
 * acc_hash_state) and the bytes of a partial block. update() hands the
 * device whole blocks only (buffered bytes first, then the new data) and
 * keeps the rest; final() and finup() let the device pad. HMAC keys longer
 * than a block are hashed first, as HMAC prescribes.
 */

#include <crypto/internal/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/sha2.h>
#include <linux/module.h>

#include "acc.h"

struct acc_hash_ctx {
	u8 key[ACC_HMAC_KEY_MAX];
	unsigned int keylen;
	bool hmac;
};

/* The exported state: everything but the operation in progress. */
struct acc_hash_export {
	struct acc_hash_state state;
	u8 buf[SHA256_BLOCK_SIZE];
	u32 buflen;
	u32 started;
};

/**
 * struct acc_hash_req - ahash request context
 * @base: driver request
 * @state: device state after the blocks hashed so far, if @started
 * @buf: bytes of a partial block not hashed yet
 * @buflen: bytes in @buf
 * @started: the device has hashed at least one block
 * @pbuf: the buffered bytes the operation in progress hashes first
 * @final: the operation in progress produces the digest
 */
struct acc_hash_req {
	struct acc_req base;
	struct acc_hash_state state;
	u8 buf[SHA256_BLOCK_SIZE];
	u32 buflen;
	bool started;
	u8 pbuf[SHA256_BLOCK_SIZE];
	bool final;
};

static struct ahash_request *acc_to_hreq(struct acc_req *req)
{
	return container_of(req->areq, struct ahash_request, base);
}

static int acc_hash_build(struct acc_req *req, struct acc_qp *qp,
			  unsigned int max)
{
	struct ahash_request *hreq = acc_to_hreq(req);
	struct acc_hash_req *r = ahash_request_ctx(hreq);
	struct acc_hash_ctx *ctx = crypto_ahash_ctx(crypto_ahash_reqtfm(hreq));
	struct acc_sqe_tmpl t = {
		.op = ctx->hmac ? ACC_OP_HMAC_SHA256 : ACC_OP_SHA256,
		.first_flags = r->started ? 0 : ACC_SQE_F_HASH_INIT,
		.last_flags = r->final ? ACC_SQE_F_HASH_FINAL : 0,
		.iv = req->dma_addr + offsetof(struct acc_req_dma, hs),
		.gran = SHA256_BLOCK_SIZE,
	};

	memcpy(req->dma->hbuf, r->pbuf, req->prefix_len);
	if (r->started)
		req->dma->hs = r->state;
	if (ctx->hmac) {
		memcpy(req->dma->key, ctx->key, ctx->keylen);
		t.key_len = ctx->keylen;
		t.key = req->dma_addr + offsetof(struct acc_req_dma, key);
	}
	if (r->final)
		t.last_dst = req->dma_addr + offsetof(struct acc_req_dma, digest);
	return acc_req_build_sqes(req, qp, max, &t);
}

static void acc_hash_finish(struct acc_req *req, int err)
{
	struct ahash_request *hreq = acc_to_hreq(req);
	struct acc_hash_req *r = ahash_request_ctx(hreq);

	if (err)
		return;
	if (r->final) {
		memcpy(hreq->result, req->dma->digest, SHA256_DIGEST_SIZE);
	} else {
		r->state = req->dma->hs;
		r->started = true;
	}
}

static const struct acc_req_ops acc_hash_ops = {
	.build = acc_hash_build,
	.finish = acc_hash_finish,
};

/*
 * Hash the bytes saved in pbuf (plen of them), then @len bytes of req->src.
 * Nothing of the request may be touched after this: it may have completed.
 */
static int acc_hash_submit(struct ahash_request *hreq, unsigned int plen,
			   unsigned int len, bool final)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);

	acc_req_init(&r->base, &hreq->base, &acc_hash_ops);
	r->base.prefix_len = plen;
	r->base.src = hreq->src;
	r->base.src_len = len;
	r->final = final;
	return acc_req_submit(&r->base);
}

static int acc_hash_init(struct ahash_request *hreq)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);

	memset(&r->state, 0, sizeof(r->state));
	r->buflen = 0;
	r->started = false;
	return 0;
}

static int acc_hash_update(struct ahash_request *hreq)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);
	unsigned int nbytes = hreq->nbytes;
	unsigned int total = r->buflen + nbytes;
	unsigned int used, plen;

	if (total < SHA256_BLOCK_SIZE) {
		scatterwalk_map_and_copy(r->buf + r->buflen, hreq->src, 0,
					 nbytes, 0);
		r->buflen = total;
		return 0;
	}
	/* Whole blocks go to the device; the tail waits in buf. */
	used = round_down(total, SHA256_BLOCK_SIZE) - r->buflen;
	plen = r->buflen;
	memcpy(r->pbuf, r->buf, plen);
	scatterwalk_map_and_copy(r->buf, hreq->src, used, nbytes - used, 0);
	r->buflen = nbytes - used;
	return acc_hash_submit(hreq, plen, used, false);
}

static int acc_hash_final(struct ahash_request *hreq)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);

	memcpy(r->pbuf, r->buf, r->buflen);
	return acc_hash_submit(hreq, r->buflen, 0, true);
}

static int acc_hash_finup(struct ahash_request *hreq)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);

	memcpy(r->pbuf, r->buf, r->buflen);
	return acc_hash_submit(hreq, r->buflen, hreq->nbytes, true);
}

static int acc_hash_digest(struct ahash_request *hreq)
{
	acc_hash_init(hreq);
	return acc_hash_finup(hreq);
}

static int acc_hash_export(struct ahash_request *hreq, void *out)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);
	struct acc_hash_export *e = out;

	e->state = r->state;
	memcpy(e->buf, r->buf, sizeof(e->buf));
	e->buflen = r->buflen;
	e->started = r->started;
	return 0;
}

static int acc_hash_import(struct ahash_request *hreq, const void *in)
{
	struct acc_hash_req *r = ahash_request_ctx(hreq);
	const struct acc_hash_export *e = in;

	if (e->buflen >= SHA256_BLOCK_SIZE)
		return -EINVAL;
	r->state = e->state;
	memcpy(r->buf, e->buf, sizeof(r->buf));
	r->buflen = e->buflen;
	r->started = e->started;
	return 0;
}

static int acc_hmac_setkey(struct crypto_ahash *tfm, const u8 *key,
			   unsigned int keylen)
{
	struct acc_hash_ctx *ctx = crypto_ahash_ctx(tfm);

	if (keylen > SHA256_BLOCK_SIZE) {
		sha256(key, keylen, ctx->key);
		ctx->keylen = SHA256_DIGEST_SIZE;
	} else {
		memcpy(ctx->key, key, keylen);
		ctx->keylen = keylen;
	}
	return 0;
}

static int acc_sha256_init_tfm(struct crypto_ahash *tfm)
{
	struct acc_hash_ctx *ctx = crypto_ahash_ctx(tfm);

	ctx->hmac = false;
	crypto_ahash_set_reqsize(tfm, sizeof(struct acc_hash_req));
	return 0;
}

static int acc_hmac_init_tfm(struct crypto_ahash *tfm)
{
	struct acc_hash_ctx *ctx = crypto_ahash_ctx(tfm);

	ctx->hmac = true;
	crypto_ahash_set_reqsize(tfm, sizeof(struct acc_hash_req));
	return 0;
}

#define ACC_CRA_FLAGS	(CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY | \
			 CRYPTO_ALG_ALLOCATES_MEMORY)

#define ACC_AHASH_COMMON					\
	.init = acc_hash_init,					\
	.update = acc_hash_update,				\
	.final = acc_hash_final,				\
	.finup = acc_hash_finup,				\
	.digest = acc_hash_digest,				\
	.export = acc_hash_export,				\
	.import = acc_hash_import

static struct ahash_alg acc_ahashes[] = {
	{
		ACC_AHASH_COMMON,
		.init_tfm = acc_sha256_init_tfm,
		.halg = {
			.digestsize = SHA256_DIGEST_SIZE,
			.statesize = sizeof(struct acc_hash_export),
			.base = {
				.cra_name = "sha256",
				.cra_driver_name = "sha256-acc",
				.cra_priority = 300,
				.cra_flags = ACC_CRA_FLAGS,
				.cra_blocksize = SHA256_BLOCK_SIZE,
				.cra_ctxsize = sizeof(struct acc_hash_ctx),
				.cra_module = THIS_MODULE,
			},
		},
	}, {
		ACC_AHASH_COMMON,
		.setkey = acc_hmac_setkey,
		.init_tfm = acc_hmac_init_tfm,
		.halg = {
			.digestsize = SHA256_DIGEST_SIZE,
			.statesize = sizeof(struct acc_hash_export),
			.base = {
				.cra_name = "hmac(sha256)",
				.cra_driver_name = "hmac-sha256-acc",
				.cra_priority = 300,
				.cra_flags = ACC_CRA_FLAGS,
				.cra_blocksize = SHA256_BLOCK_SIZE,
				.cra_ctxsize = sizeof(struct acc_hash_ctx),
				.cra_module = THIS_MODULE,
			},
		},
	},
};

int acc_hash_register(void)
{
	return crypto_register_ahashes(acc_ahashes, ARRAY_SIZE(acc_ahashes));
}

void acc_hash_unregister(void)
{
	crypto_unregister_ahashes(acc_ahashes, ARRAY_SIZE(acc_ahashes));
}
