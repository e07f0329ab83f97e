/*
 * acc: SHA-256 with loadable state, HMAC-SHA256, AES-CBC and AES-CTR.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include "qapi/error.h"
#include "crypto/cipher.h"
#include "acc-crypto.h"

#define SHA256_BLOCK 64
#define AES_BLOCK 16

/* FIPS 180-4, 4.2.2 */
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4, 5.3.3 */
static const uint32_t sha256_iv[ACC_SHA256_WORDS] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

void acc_sha256_init(uint32_t h[ACC_SHA256_WORDS])
{
    memcpy(h, sha256_iv, sizeof(sha256_iv));
}

/* FIPS 180-4, 6.2.2: one block into h */
static void sha256_compress(uint32_t h[ACC_SHA256_WORDS], const uint8_t *p)
{
    uint32_t w[64];
    uint32_t a, b, c, d, e, f, g, hh;
    int t;

    for (t = 0; t < 16; t++) {
        w[t] = ldl_be_p(p + 4 * t);
    }
    for (; t < 64; t++) {
        uint32_t s0 = ror32(w[t - 15], 7) ^ ror32(w[t - 15], 18) ^
                      (w[t - 15] >> 3);
        uint32_t s1 = ror32(w[t - 2], 17) ^ ror32(w[t - 2], 19) ^
                      (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }

    a = h[0];
    b = h[1];
    c = h[2];
    d = h[3];
    e = h[4];
    f = h[5];
    g = h[6];
    hh = h[7];
    for (t = 0; t < 64; t++) {
        uint32_t t1 = hh + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
                      ((e & f) ^ (~e & g)) + sha256_k[t] + w[t];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
                      ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void acc_sha256_blocks(uint32_t h[ACC_SHA256_WORDS], const uint8_t *data,
                       size_t nblocks)
{
    while (nblocks--) {
        sha256_compress(h, data);
        data += SHA256_BLOCK;
    }
}

void acc_sha256_final(uint32_t h[ACC_SHA256_WORDS], const uint8_t *data,
                      size_t len, uint64_t total, uint8_t *digest)
{
    uint8_t last[2 * SHA256_BLOCK] = { 0 };
    size_t full = len / SHA256_BLOCK;
    size_t rest = len % SHA256_BLOCK;
    size_t padded;
    int i;

    acc_sha256_blocks(h, data, full);

    /* 0x80, zeros, then the message length in bits, big endian */
    memcpy(last, data + full * SHA256_BLOCK, rest);
    last[rest] = 0x80;
    padded = rest + 1 + 8 <= SHA256_BLOCK ? SHA256_BLOCK : 2 * SHA256_BLOCK;
    stq_be_p(last + padded - 8, total << 3);
    acc_sha256_blocks(h, last, padded / SHA256_BLOCK);

    for (i = 0; i < ACC_SHA256_WORDS; i++) {
        stl_be_p(digest + 4 * i, h[i]);
    }
}

/* RFC 2104: h = hash of the key padded to a block and xored with pad */
static void hmac_key_block(uint32_t h[ACC_SHA256_WORDS], const uint8_t *key,
                           size_t key_len, uint8_t pad)
{
    uint8_t block[SHA256_BLOCK];
    size_t i;

    assert(key_len <= SHA256_BLOCK);
    for (i = 0; i < SHA256_BLOCK; i++) {
        block[i] = (i < key_len ? key[i] : 0) ^ pad;
    }
    acc_sha256_init(h);
    sha256_compress(h, block);
}

void acc_hmac_sha256_init(uint32_t h[ACC_SHA256_WORDS], const uint8_t *key,
                          size_t key_len)
{
    hmac_key_block(h, key, key_len, 0x36);
}

void acc_hmac_sha256_final(uint32_t h[ACC_SHA256_WORDS], uint64_t count,
                           const uint8_t *data, size_t len,
                           const uint8_t *key, size_t key_len,
                           uint8_t *digest)
{
    uint8_t inner[32];
    uint32_t outer[ACC_SHA256_WORDS];

    acc_sha256_final(h, data, len, SHA256_BLOCK + count + len, inner);
    hmac_key_block(outer, key, key_len, 0x5c);
    acc_sha256_final(outer, inner, sizeof(inner),
                     SHA256_BLOCK + sizeof(inner), digest);
}

static QCryptoCipher *aes_new(QCryptoCipherMode mode, const uint8_t *key,
                              size_t key_len)
{
    QCryptoCipherAlgo alg;

    switch (key_len) {
    case 16:
        alg = QCRYPTO_CIPHER_ALGO_AES_128;
        break;
    case 24:
        alg = QCRYPTO_CIPHER_ALGO_AES_192;
        break;
    case 32:
        alg = QCRYPTO_CIPHER_ALGO_AES_256;
        break;
    default:
        return NULL;
    }
    return qcrypto_cipher_new(alg, mode, key, key_len, NULL);
}

bool acc_aes_cbc(bool encrypt, const uint8_t *key, size_t key_len,
                 uint8_t *iv, uint8_t *buf, size_t len)
{
    g_autoptr(QCryptoCipher) c = aes_new(QCRYPTO_CIPHER_MODE_CBC, key,
                                         key_len);
    uint8_t next_iv[AES_BLOCK];
    int ret;

    assert(len % AES_BLOCK == 0);
    if (!c || qcrypto_cipher_setiv(c, iv, AES_BLOCK, NULL) < 0) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    if (!encrypt) {
        memcpy(next_iv, buf + len - AES_BLOCK, AES_BLOCK);
        ret = qcrypto_cipher_decrypt(c, buf, buf, len, NULL);
    } else {
        ret = qcrypto_cipher_encrypt(c, buf, buf, len, NULL);
        memcpy(next_iv, buf + len - AES_BLOCK, AES_BLOCK);
    }
    if (ret < 0) {
        return false;
    }
    memcpy(iv, next_iv, AES_BLOCK);
    return true;
}

/* ctr += 1, as a 128-bit big-endian number */
static void ctr_inc(uint8_t *ctr)
{
    int i;

    for (i = AES_BLOCK - 1; i >= 0; i--) {
        if (++ctr[i]) {
            break;
        }
    }
}

bool acc_aes_ctr(const uint8_t *key, size_t key_len, uint8_t *ctr,
                 uint8_t *buf, size_t len)
{
    g_autoptr(QCryptoCipher) c = aes_new(QCRYPTO_CIPHER_MODE_ECB, key,
                                         key_len);
    uint8_t ks[64 * AES_BLOCK];
    size_t done = 0;

    if (!c) {
        return false;
    }
    while (done < len) {
        size_t chunk = MIN(len - done, sizeof(ks));
        size_t nblocks = DIV_ROUND_UP(chunk, AES_BLOCK);
        size_t i;

        /* keystream = E(ctr), E(ctr + 1), ...; a partial block uses one */
        for (i = 0; i < nblocks; i++) {
            memcpy(ks + i * AES_BLOCK, ctr, AES_BLOCK);
            ctr_inc(ctr);
        }
        if (qcrypto_cipher_encrypt(c, ks, ks, nblocks * AES_BLOCK,
                                   NULL) < 0) {
            return false;
        }
        for (i = 0; i < chunk; i++) {
            buf[done + i] ^= ks[i];
        }
        done += chunk;
    }
    return true;
}
