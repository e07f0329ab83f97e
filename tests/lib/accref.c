// SPDX-License-Identifier: GPL-2.0
/*
 * libacc: the reference results, from OpenSSL's libcrypto (EVP API), with
 * the device's IV-out contract.
 */
#include <errno.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "accdev.h"

static const EVP_CIPHER *aes_cipher(uint8_t op, unsigned int key_len)
{
	bool ctr = op == ACC_OP_AES_CTR;

	switch (key_len) {
	case 16:
		return ctr ? EVP_aes_128_ctr() : EVP_aes_128_cbc();
	case 24:
		return ctr ? EVP_aes_192_ctr() : EVP_aes_192_cbc();
	case 32:
		return ctr ? EVP_aes_256_ctr() : EVP_aes_256_cbc();
	}
	return NULL;
}

int acc_ref_aes(uint8_t op, const void *key, unsigned int key_len,
		uint8_t iv[16], const void *src, void *dst, size_t len)
{
	const EVP_CIPHER *c = aes_cipher(op, key_len);
	uint8_t next[16];
	EVP_CIPHER_CTX *ctx;
	int enc, l1 = 0, l2 = 0, ok;
	size_t done = 0;

	if (!c || (op != ACC_OP_AES_CBC_ENC && op != ACC_OP_AES_CBC_DEC &&
		   op != ACC_OP_AES_CTR))
		return -EINVAL;
	if (op != ACC_OP_AES_CTR && len % ACC_AES_BLOCK)
		return -EINVAL;
	enc = op != ACC_OP_AES_CBC_DEC;

	/* the next IV, computed before an in-place operation overwrites src */
	memcpy(next, iv, 16);
	if (op == ACC_OP_AES_CBC_DEC && len)
		memcpy(next, (const uint8_t *)src + len - 16, 16);
	else if (op == ACC_OP_AES_CTR)
		acc_ctr_add(next, acc_ctr_blocks(len));

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0);
	/* EVP takes int lengths: feed large buffers in pieces */
	while (ok && done < len) {
		size_t n = len - done > (1U << 30) ? (1U << 30) : len - done;

		ok = EVP_CipherUpdate(ctx, (uint8_t *)dst + done, &l1,
				      (const uint8_t *)src + done, (int)n);
		done += (size_t)l1;
		if (ok && (size_t)l1 != n)
			ok = 0;
	}
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, (uint8_t *)dst + done, &l2) &&
		     l2 == 0;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return -EIO;
	if (op == ACC_OP_AES_CBC_ENC && len)
		memcpy(next, (const uint8_t *)dst + len - 16, 16);
	memcpy(iv, next, 16);
	return 0;
}

int acc_ref_sha256(const void *src, size_t len, uint8_t digest[32])
{
	unsigned int n = 0;

	if (!EVP_Digest(src, len, digest, &n, EVP_sha256(), NULL) || n != 32)
		return -EIO;
	return 0;
}

int acc_ref_hmac_sha256(const void *key, unsigned int key_len,
			const void *src, size_t len, uint8_t digest[32])
{
	static const uint8_t empty[1];
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key ? key : empty, (int)key_len, src, len,
		  digest, &n) || n != 32)
		return -EIO;
	return 0;
}
