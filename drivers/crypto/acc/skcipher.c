// SPDX-License-Identifier: GPL-2.0
/*
 * acc: cbc(aes) and ctr(aes) on the device.
 *
 * Every SQE of a request uses ACC_SQE_F_IV_OUT on the same IV in the DMA
 * block, so a request split into several SQEs chains on the queue, and
 * req->iv receives the IV for a following request (last ciphertext block
 * for CBC, next counter for CTR).
 */

#include <crypto/aes.h>
#include <crypto/internal/skcipher.h>
#include <linux/module.h>

#include "acc.h"

struct acc_cipher_ctx {
	u8 key[AES_MAX_KEY_SIZE];
	unsigned int keylen;
};

struct acc_cipher_req {
	struct acc_req base;
	u8 op;
};

static struct skcipher_request *acc_to_skreq(struct acc_req *req)
{
	return container_of(req->areq, struct skcipher_request, base);
}

static int acc_cipher_build(struct acc_req *req, struct acc_qp *qp,
			    unsigned int max)
{
	struct skcipher_request *sreq = acc_to_skreq(req);
	struct acc_cipher_req *r = skcipher_request_ctx(sreq);
	struct acc_cipher_ctx *ctx =
		crypto_skcipher_ctx(crypto_skcipher_reqtfm(sreq));
	struct acc_sqe_tmpl t = {
		.op = r->op,
		.flags = ACC_SQE_F_IV_OUT,
		.key_len = ctx->keylen,
		.key = req->dma_addr + offsetof(struct acc_req_dma, key),
		.iv = req->dma_addr + offsetof(struct acc_req_dma, iv),
		.gran = AES_BLOCK_SIZE,
	};

	memcpy(req->dma->key, ctx->key, ctx->keylen);
	memcpy(req->dma->iv, sreq->iv, AES_BLOCK_SIZE);
	return acc_req_build_sqes(req, qp, max, &t);
}

static void acc_cipher_finish(struct acc_req *req, int err)
{
	if (!err)
		memcpy(acc_to_skreq(req)->iv, req->dma->iv, AES_BLOCK_SIZE);
}

static const struct acc_req_ops acc_cipher_ops = {
	.build = acc_cipher_build,
	.finish = acc_cipher_finish,
};

static int acc_aes_setkey(struct crypto_skcipher *tfm, const u8 *key,
			  unsigned int keylen)
{
	struct acc_cipher_ctx *ctx = crypto_skcipher_ctx(tfm);
	int ret;

	ret = aes_check_keylen(keylen);
	if (ret)
		return ret;
	memcpy(ctx->key, key, keylen);
	ctx->keylen = keylen;
	return 0;
}

static int acc_cipher_crypt(struct skcipher_request *sreq, u8 op)
{
	struct acc_cipher_req *r = skcipher_request_ctx(sreq);

	if ((op == ACC_OP_AES_CBC_ENC || op == ACC_OP_AES_CBC_DEC) &&
	    !IS_ALIGNED(sreq->cryptlen, AES_BLOCK_SIZE))
		return -EINVAL;
	/* Nothing to do, and the IV does not change. */
	if (!sreq->cryptlen)
		return 0;

	acc_req_init(&r->base, &sreq->base, &acc_cipher_ops);
	r->op = op;
	r->base.src = sreq->src;
	r->base.dst = sreq->dst;
	r->base.src_len = sreq->cryptlen;
	r->base.dst_len = sreq->cryptlen;
	return acc_req_submit(&r->base);
}

static int acc_cbc_encrypt(struct skcipher_request *sreq)
{
	return acc_cipher_crypt(sreq, ACC_OP_AES_CBC_ENC);
}

static int acc_cbc_decrypt(struct skcipher_request *sreq)
{
	return acc_cipher_crypt(sreq, ACC_OP_AES_CBC_DEC);
}

static int acc_ctr_crypt(struct skcipher_request *sreq)
{
	return acc_cipher_crypt(sreq, ACC_OP_AES_CTR);
}

static int acc_skcipher_init(struct crypto_skcipher *tfm)
{
	crypto_skcipher_set_reqsize(tfm, sizeof(struct acc_cipher_req));
	return 0;
}

#define ACC_CRA_FLAGS	(CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY | \
			 CRYPTO_ALG_ALLOCATES_MEMORY)

static struct skcipher_alg acc_skciphers[] = {
	{
		.base = {
			.cra_name = "cbc(aes)",
			.cra_driver_name = "cbc-aes-acc",
			.cra_priority = 300,
			.cra_flags = ACC_CRA_FLAGS,
			.cra_blocksize = AES_BLOCK_SIZE,
			.cra_ctxsize = sizeof(struct acc_cipher_ctx),
			.cra_module = THIS_MODULE,
		},
		.min_keysize = AES_MIN_KEY_SIZE,
		.max_keysize = AES_MAX_KEY_SIZE,
		.ivsize = AES_BLOCK_SIZE,
		.setkey = acc_aes_setkey,
		.encrypt = acc_cbc_encrypt,
		.decrypt = acc_cbc_decrypt,
		.init = acc_skcipher_init,
	}, {
		.base = {
			.cra_name = "ctr(aes)",
			.cra_driver_name = "ctr-aes-acc",
			.cra_priority = 300,
			.cra_flags = ACC_CRA_FLAGS,
			.cra_blocksize = 1,
			.cra_ctxsize = sizeof(struct acc_cipher_ctx),
			.cra_module = THIS_MODULE,
		},
		.min_keysize = AES_MIN_KEY_SIZE,
		.max_keysize = AES_MAX_KEY_SIZE,
		.ivsize = AES_BLOCK_SIZE,
		.chunksize = AES_BLOCK_SIZE,
		.setkey = acc_aes_setkey,
		.encrypt = acc_ctr_crypt,
		.decrypt = acc_ctr_crypt,
		.init = acc_skcipher_init,
	},
};

int acc_skcipher_register(void)
{
	return crypto_register_skciphers(acc_skciphers,
					 ARRAY_SIZE(acc_skciphers));
}

void acc_skcipher_unregister(void)
{
	crypto_unregister_skciphers(acc_skciphers, ARRAY_SIZE(acc_skciphers));
}
