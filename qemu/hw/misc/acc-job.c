/*
 * acc: execution of one submission queue entry. Everything read from guest
 * memory is bounded before it sizes an allocation: len <= ACC_MAX_LEN,
 * SGLs <= ACC_SGL_MAX_ENTRIES entries, keys and IVs of fixed size.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "acc.h"
#include "acc-crypto.h"

QEMU_BUILD_BUG_ON(sizeof(struct acc_sge) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct acc_hash_state) != 48);

/* A data operand: a contiguous IOVA range or a bounded SGL. */
typedef struct AccData {
    uint64_t addr;              /* contiguous */
    struct acc_sge *sgl;        /* or nents entries, NULL if contiguous */
    uint32_t nents;
} AccData;

typedef struct AccJob {
    AccFunc *f;
    uint8_t op;
    uint8_t flags;
    uint16_t key_len;
    uint32_t len;
    uint64_t key_addr;
    uint64_t iv_addr;
    AccData src;
    AccData dst;
    uint8_t key[ACC_HMAC_KEY_MAX];
    uint8_t *buf;               /* len bytes */
} AccJob;

static bool op_is_hash(uint8_t op)
{
    return op == ACC_OP_SHA256 || op == ACC_OP_HMAC_SHA256;
}

/* Fields of the SQE alone: op, flags, reserved fields, len, key_len. */
static uint8_t check_sqe(AccJob *j, const struct acc_sqe *sqe)
{
    if (j->op > ACC_OP_MAX) {
        return ACC_ST_BAD_OP;
    }
    if ((j->flags & ~ACC_SQE_F_ALL) || sqe->rsvd0 || sqe->rsvd1) {
        return ACC_ST_BAD_FLAGS;
    }
    if (op_is_hash(j->op) && (j->flags & ACC_SQE_F_DST_SGL)) {
        return ACC_ST_BAD_FLAGS;
    }
    if (j->len > ACC_MAX_LEN) {
        return ACC_ST_BAD_LEN;
    }

    switch (j->op) {
    case ACC_OP_COPY:
    case ACC_OP_SHA256:
        if (j->key_len) {
            return ACC_ST_BAD_KEY;
        }
        break;
    case ACC_OP_AES_CBC_ENC:
    case ACC_OP_AES_CBC_DEC:
    case ACC_OP_AES_CTR:
        if (j->key_len != 16 && j->key_len != 24 && j->key_len != 32) {
            return ACC_ST_BAD_KEY;
        }
        break;
    case ACC_OP_HMAC_SHA256:
        if (j->key_len > ACC_HMAC_KEY_MAX) {
            return ACC_ST_BAD_KEY;
        }
        break;
    }

    if ((j->op == ACC_OP_AES_CBC_ENC || j->op == ACC_OP_AES_CBC_DEC) &&
        j->len % ACC_AES_BLOCK) {
        return ACC_ST_BAD_LEN;
    }
    if (op_is_hash(j->op) && !(j->flags & ACC_SQE_F_HASH_FINAL) &&
        j->len % ACC_SHA256_BLOCK) {
        return ACC_ST_BAD_LEN;
    }
    return ACC_ST_OK;
}

/* Read and check an SGL table: nents entries covering at least len bytes. */
static uint8_t load_sgl(AccJob *j, AccData *d, uint16_t nents)
{
    uint64_t total = 0;
    uint32_t i;

    if (nents < 1 || nents > ACC_SGL_MAX_ENTRIES) {
        return ACC_ST_BAD_SGL;
    }
    d->sgl = g_new(struct acc_sge, nents);
    d->nents = nents;
    if (!acc_dma_read(j->f, d->addr, d->sgl, nents * sizeof(*d->sgl))) {
        return ACC_ST_DMA_FAULT;
    }
    for (i = 0; i < nents; i++) {
        if (d->sgl[i].rsvd) {
            return ACC_ST_BAD_SGL;
        }
        total += le32_to_cpu(d->sgl[i].len);
    }
    return total < j->len ? ACC_ST_BAD_SGL : ACC_ST_OK;
}

/* Move len bytes between buf and an operand. */
static bool data_rw(AccJob *j, AccData *d, uint8_t *buf, uint32_t len,
                    bool write)
{
    uint32_t i, done = 0;

    if (!d->sgl) {
        return write ? acc_dma_write(j->f, d->addr, buf, len)
                     : acc_dma_read(j->f, d->addr, buf, len);
    }
    for (i = 0; i < d->nents && done < len; i++) {
        uint64_t addr = le64_to_cpu(d->sgl[i].addr);
        uint32_t n = MIN(le32_to_cpu(d->sgl[i].len), len - done);
        bool ok = write ? acc_dma_write(j->f, addr, buf + done, n)
                        : acc_dma_read(j->f, addr, buf + done, n);

        if (!ok) {
            return false;
        }
        done += n;
    }
    return true;
}

static uint8_t run_cipher(AccJob *j)
{
    uint8_t iv[ACC_AES_BLOCK];
    bool ok;

    if (!acc_dma_read(j->f, j->iv_addr, iv, sizeof(iv))) {
        return ACC_ST_DMA_FAULT;
    }
    if (j->op == ACC_OP_AES_CTR) {
        ok = acc_aes_ctr(j->key, j->key_len, iv, j->buf, j->len);
    } else {
        ok = acc_aes_cbc(j->op == ACC_OP_AES_CBC_ENC, j->key, j->key_len,
                         iv, j->buf, j->len);
    }
    if (!ok) {
        /* Keys are checked already: the backend failed. */
        acc_log(j->f, "cipher backend failed\n");
        return ACC_ST_BAD_KEY;
    }
    if (!data_rw(j, &j->dst, j->buf, j->len, true)) {
        return ACC_ST_DMA_FAULT;
    }
    if ((j->flags & ACC_SQE_F_IV_OUT) &&
        !acc_dma_write(j->f, j->iv_addr, iv, sizeof(iv))) {
        return ACC_ST_DMA_FAULT;
    }
    return ACC_ST_OK;
}

static uint8_t run_hash(AccJob *j)
{
    bool hmac = j->op == ACC_OP_HMAC_SHA256;
    uint32_t h[ACC_SHA256_WORDS];
    struct acc_hash_state st;
    uint8_t digest[ACC_SHA256_DIGEST];
    uint64_t count;
    int i;

    if (j->flags & ACC_SQE_F_HASH_INIT) {
        if (hmac) {
            acc_hmac_sha256_init(h, j->key, j->key_len);
        } else {
            acc_sha256_init(h);
        }
        count = 0;
    } else {
        if (!acc_dma_read(j->f, j->iv_addr, &st, sizeof(st))) {
            return ACC_ST_DMA_FAULT;
        }
        for (i = 0; i < ACC_SHA256_WORDS; i++) {
            h[i] = le32_to_cpu(st.h[i]);
        }
        count = le64_to_cpu(st.count);
        /* Only whole blocks can have been hashed before. */
        if (count % ACC_SHA256_BLOCK) {
            return ACC_ST_BAD_LEN;
        }
    }

    if (!(j->flags & ACC_SQE_F_HASH_FINAL)) {
        acc_sha256_blocks(h, j->buf, j->len / ACC_SHA256_BLOCK);
        memset(&st, 0, sizeof(st));
        for (i = 0; i < ACC_SHA256_WORDS; i++) {
            st.h[i] = cpu_to_le32(h[i]);
        }
        st.count = cpu_to_le64(count + j->len);
        return acc_dma_write(j->f, j->iv_addr, &st, sizeof(st)) ?
               ACC_ST_OK : ACC_ST_DMA_FAULT;
    }

    if (hmac) {
        acc_hmac_sha256_final(h, count, j->buf, j->len, j->key, j->key_len,
                              digest);
    } else {
        acc_sha256_final(h, j->buf, j->len, count + j->len, digest);
    }
    return acc_dma_write(j->f, j->dst.addr, digest, sizeof(digest)) ?
           ACC_ST_OK : ACC_ST_DMA_FAULT;
}

static uint8_t run_job(AccJob *j, const struct acc_sqe *sqe)
{
    bool need_key;
    uint8_t st;

    st = check_sqe(j, sqe);
    if (st != ACC_ST_OK) {
        return st;
    }

    if (j->flags & ACC_SQE_F_SRC_SGL) {
        st = load_sgl(j, &j->src, le16_to_cpu(sqe->src_nents));
        if (st != ACC_ST_OK) {
            return st;
        }
    }
    if (j->flags & ACC_SQE_F_DST_SGL) {
        st = load_sgl(j, &j->dst, le16_to_cpu(sqe->dst_nents));
        if (st != ACC_ST_OK) {
            return st;
        }
    }

    /* HMAC needs the key to start (inner block) and to finish (outer). */
    need_key = j->op == ACC_OP_AES_CBC_ENC || j->op == ACC_OP_AES_CBC_DEC ||
               j->op == ACC_OP_AES_CTR ||
               (j->op == ACC_OP_HMAC_SHA256 &&
                (j->flags & (ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL)));
    if (need_key && j->key_len &&
        !acc_dma_read(j->f, j->key_addr, j->key, j->key_len)) {
        return ACC_ST_DMA_FAULT;
    }

    j->buf = g_malloc(MAX(j->len, 1));
    if (!data_rw(j, &j->src, j->buf, j->len, false)) {
        return ACC_ST_DMA_FAULT;
    }

    switch (j->op) {
    case ACC_OP_COPY:
        return data_rw(j, &j->dst, j->buf, j->len, true) ?
               ACC_ST_OK : ACC_ST_DMA_FAULT;
    case ACC_OP_AES_CBC_ENC:
    case ACC_OP_AES_CBC_DEC:
    case ACC_OP_AES_CTR:
        return run_cipher(j);
    default:
        return run_hash(j);
    }
}

uint8_t acc_job_run(AccFunc *f, const struct acc_sqe *sqe)
{
    AccJob j = {
        .f = f,
        .op = sqe->op,
        .flags = sqe->flags,
        .key_len = le16_to_cpu(sqe->key_len),
        .len = le32_to_cpu(sqe->len),
        .key_addr = le64_to_cpu(sqe->key),
        .iv_addr = le64_to_cpu(sqe->iv),
        .src.addr = le64_to_cpu(sqe->src),
        .dst.addr = le64_to_cpu(sqe->dst),
    };
    uint8_t st = run_job(&j, sqe);

    if (st != ACC_ST_OK) {
        acc_log(f, "job op %u flags 0x%x len %u: status %u\n",
                j.op, j.flags, j.len, st);
    }
    g_free(j.src.sgl);
    g_free(j.dst.sgl);
    g_free(j.buf);
    return st;
}
