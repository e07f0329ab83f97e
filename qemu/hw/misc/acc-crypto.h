/*
 * acc: the accelerator's algorithms.
 *
 * SHA-256 is implemented here because the device must load and store the
 * intermediate state (QEMU's hash API cannot resume one); AES uses QEMU's
 * crypto/ cipher API, with CTR mode built on ECB.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_MISC_ACC_CRYPTO_H
#define HW_MISC_ACC_CRYPTO_H

#define ACC_SHA256_WORDS 8

/* h = the SHA-256 initial value */
void acc_sha256_init(uint32_t h[ACC_SHA256_WORDS]);
/* Hash nblocks 64-byte blocks into h. */
void acc_sha256_blocks(uint32_t h[ACC_SHA256_WORDS], const uint8_t *data,
                       size_t nblocks);
/*
 * Finish a hash: hash the len bytes at data (any length), pad for a
 * message of total bytes, and store the big-endian digest.
 */
void acc_sha256_final(uint32_t h[ACC_SHA256_WORDS], const uint8_t *data,
                      size_t len, uint64_t total, uint8_t *digest);

/* h = SHA-256 state after the inner key block (key_len <= 64). */
void acc_hmac_sha256_init(uint32_t h[ACC_SHA256_WORDS], const uint8_t *key,
                          size_t key_len);
/*
 * Finish an HMAC whose inner state h has hashed count message bytes (the
 * inner key block excluded): hash len more bytes, then the outer block.
 */
void acc_hmac_sha256_final(uint32_t h[ACC_SHA256_WORDS], uint64_t count,
                           const uint8_t *data, size_t len,
                           const uint8_t *key, size_t key_len,
                           uint8_t *digest);

/*
 * AES-CBC in place; len is a multiple of 16. iv is updated to the IV of a
 * following request (the last ciphertext block). Returns false if the
 * cipher could not be set up.
 */
bool acc_aes_cbc(bool encrypt, const uint8_t *key, size_t key_len,
                 uint8_t *iv, uint8_t *buf, size_t len);
/*
 * AES-CTR in place, any len, 128-bit big-endian counter in ctr, which is
 * updated to the counter of a following request.
 */
bool acc_aes_ctr(const uint8_t *key, size_t key_len, uint8_t *ctr,
                 uint8_t *buf, size_t len);

#endif
