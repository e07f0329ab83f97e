/*
 * QTest of the acc accelerator model (hw/misc/acc*.c): registers, the
 * mailbox, SR-IOV VFs, queues, every job type against known answers,
 * malformed input, pause/save/load and resets.
 *
 * Runs on q35 without firmware; the PF is at 00:04.0, extended config space
 * (SR-IOV) is reached through ECAM, which the test enables itself.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "libqos/malloc-pc.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "hw/misc/acc_qm.h"

#define PF_DEVFN        QPCI_DEVFN(4, 0)
#define ECAM_BASE       0xb0000000ULL
#define MCH_PCIEXBAR    0x60
#define SRIOV_CAP       0x160
#define EXP_CAP         0xa0
#define VF_BAR0         0xe8000000ULL
#define VF_BAR2         0xe9000000ULL
#define UNMAPPED        0x4000000000ULL     /* no RAM, no device there */
#define FUZZ_SCRATCH    (64ULL << 20)       /* guest_alloc() stays below */
#define QPS             16
#define DEPTH_LOG2      3
#define DEPTH           (1U << DEPTH_LOG2)

typedef struct Acc {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator alloc;
    QPCIDevice *pf;
    uint64_t pf_bar;
} Acc;

/* A function's register window. */
typedef struct Fn {
    Acc *a;
    uint64_t bar;
} Fn;

/* QP 0 of a VF with its rings, and the VF's EQ. */
typedef struct Q {
    Fn f;
    uint64_t sqc_bt, cqc_bt, eqc, sq, cq, eq;
    uint16_t sq_tail, cq_head, eq_head;
    bool cq_phase, eq_phase;
} Q;

static uint32_t rd(Fn *f, uint32_t off)
{
    return qtest_readl(f->a->qts, f->bar + off);
}

static void wr(Fn *f, uint32_t off, uint32_t val)
{
    qtest_writel(f->a->qts, f->bar + off, val);
}

static uint64_t ecam(int devfn, int off)
{
    return ECAM_BASE + ((uint64_t)devfn << 12) + off;
}

static Acc *acc_start(int vfs)
{
    Acc *a = g_new0(Acc, 1);
    QPCIDevice *mch;

    a->qts = qtest_initf("-M q35 -nodefaults "
                         "-L /usr/share/seabios -L /usr/share/qemu "
                         "-device acc-pf,addr=04.0,vfs=%d,qps=%d", vfs, QPS);
    a->bus = qpci_new_pc(a->qts, NULL);
    pc_alloc_init(&a->alloc, a->qts, ALLOC_NO_FLAGS);

    /* ECAM at ECAM_BASE, 256 buses */
    mch = qpci_device_find(a->bus, 0);
    qpci_config_writel(mch, MCH_PCIEXBAR + 4, 0);
    qpci_config_writel(mch, MCH_PCIEXBAR, ECAM_BASE | 1);
    g_free(mch);

    a->pf = qpci_device_find(a->bus, PF_DEVFN);
    g_assert(a->pf);
    qpci_device_enable(a->pf);
    a->pf_bar = qpci_iomap(a->pf, ACC_BAR_REGS, NULL).addr;
    return a;
}

static void acc_stop(Acc *a)
{
    alloc_destroy(&a->alloc);
    g_free(a->pf);
    qpci_free_pc(a->bus);
    qtest_quit(a->qts);
    g_free(a);
}

static Fn pf_fn(Acc *a)
{
    return (Fn) { a, a->pf_bar };
}

static Fn vf_fn(Acc *a, int vf)
{
    return (Fn) { a, VF_BAR0 + vf * ACC_BAR_REGS_SIZE };
}

static void sriov_set(Acc *a, int nvfs)
{
    QTestState *qts = a->qts;
    int i;

    qtest_writel(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_BAR), VF_BAR0);
    qtest_writel(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_BAR + 4), 0);
    qtest_writel(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_BAR + 8), VF_BAR2);
    qtest_writel(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_BAR + 12), 0);
    if (!nvfs) {
        qtest_writew(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_CTRL), 0);
        return;
    }
    qtest_writew(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_NUM_VF), nvfs);
    qtest_writew(qts, ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_CTRL),
                 PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
    for (i = 0; i < nvfs; i++) {
        qtest_writew(qts, ecam(PF_DEVFN + 1 + i, PCI_COMMAND),
                     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    }
}

static void allot(Acc *a, int vf, uint32_t base, uint32_t num)
{
    Fn pf = pf_fn(a);

    wr(&pf, ACC_PF_VF_QP_BASE(vf), base);
    wr(&pf, ACC_PF_VF_QP_NUM(vf), num);
}

static void step(Acc *a)
{
    qtest_clock_step(a->qts, 10000);
}

/* Issue a mailbox command; it must be busy at first, then complete. */
static uint32_t mb(Fn *f, uint32_t cmd, uint32_t qn, uint64_t addr)
{
    uint32_t st;
    int i;

    wr(f, ACC_REG_MB_QN, qn);
    wr(f, ACC_REG_MB_ADDR_LO, addr);
    wr(f, ACC_REG_MB_ADDR_HI, addr >> 32);
    wr(f, ACC_REG_MB_CMD, cmd);
    g_assert_cmphex(rd(f, ACC_REG_MB_STATUS), ==, ACC_MB_BUSY);
    for (i = 0; i < 100; i++) {
        step(f->a);
        st = rd(f, ACC_REG_MB_STATUS);
        if (!(st & ACC_MB_BUSY)) {
            g_assert(rd(f, ACC_REG_INT_STATUS) & ACC_INT_MB);
            wr(f, ACC_REG_INT_STATUS, ACC_INT_MB);
            return st & ACC_MB_STATUS_MASK;
        }
    }
    g_assert_not_reached();
}

static uint64_t zalloc(Acc *a, size_t size)
{
    uint64_t p = guest_alloc(&a->alloc, size);

    qtest_memset(a->qts, p, 0, size);
    return p;
}

/* Set up QP 0 of VF vf (SQ 0 -> CQ 0, CQ events on) and the EQ. */
static void q_setup(Q *q, Acc *a, int vf)
{
    struct acc_sqc sqc = { 0 };
    struct acc_cqc cqc = { 0 };
    struct acc_eqc eqc = { 0 };

    memset(q, 0, sizeof(*q));
    q->f = vf_fn(a, vf);
    q->sqc_bt = zalloc(a, 32 * QPS);
    q->cqc_bt = zalloc(a, 32 * QPS);
    q->eqc = zalloc(a, 32);
    q->sq = zalloc(a, DEPTH * 64);
    q->cq = zalloc(a, DEPTH * 16);
    q->eq = zalloc(a, 2 * DEPTH * 8);
    q->cq_phase = q->eq_phase = true;

    sqc.base = cpu_to_le64(q->sq);
    sqc.depth_log2 = DEPTH_LOG2;
    sqc.flags = ACC_CTX_F_ENABLE;
    qtest_memwrite(a->qts, q->sqc_bt, &sqc, sizeof(sqc));
    cqc.base = cpu_to_le64(q->cq);
    cqc.depth_log2 = DEPTH_LOG2;
    cqc.flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE | ACC_CTX_F_IRQ;
    qtest_memwrite(a->qts, q->cqc_bt, &cqc, sizeof(cqc));
    eqc.base = cpu_to_le64(q->eq);
    eqc.depth_log2 = DEPTH_LOG2 + 1;
    eqc.flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE;
    qtest_memwrite(a->qts, q->eqc, &eqc, sizeof(eqc));

    g_assert_cmpuint(mb(&q->f, ACC_MB_CMD_SQC_BT, 0, q->sqc_bt), ==, 0);
    g_assert_cmpuint(mb(&q->f, ACC_MB_CMD_CQC_BT, 0, q->cqc_bt), ==, 0);
    g_assert_cmpuint(mb(&q->f, ACC_MB_CMD_EQC, 0, q->eqc), ==, 0);
    g_assert_cmpuint(mb(&q->f, ACC_MB_CMD_CQC, 0, 0), ==, 0);
    g_assert_cmpuint(mb(&q->f, ACC_MB_CMD_SQC, 0, 0), ==, 0);
    wr(&q->f, ACC_REG_INT_MASK, 0);
}

static void q_post(Q *q, const struct acc_sqe *sqe)
{
    qtest_memwrite(q->f.a->qts, q->sq + q->sq_tail * 64, sqe, sizeof(*sqe));
    q->sq_tail = (q->sq_tail + 1) % DEPTH;
    wr(&q->f, ACC_REG_INT_STATUS, ACC_INT_EQ);
    wr(&q->f, ACC_REG_DB_SQ, q->sq_tail);
}

static bool q_cqe(Q *q, struct acc_cqe *cqe)
{
    qtest_memread(q->f.a->qts, q->cq + q->cq_head * 16, cqe, sizeof(*cqe));
    return (cqe->flags & ACC_CQE_F_PHASE) == q->cq_phase;
}

/* Wait for the next CQE, consume it and its EQE. */
static struct acc_cqe q_wait(Q *q)
{
    QTestState *qts = q->f.a->qts;
    struct acc_cqe cqe;
    struct acc_eqe eqe;
    int i;

    for (i = 0; i < 1000 && !q_cqe(q, &cqe); i++) {
        step(q->f.a);
    }
    g_assert(q_cqe(q, &cqe));
    q->cq_head = (q->cq_head + 1) % DEPTH;
    if (!q->cq_head) {
        q->cq_phase = !q->cq_phase;
    }
    wr(&q->f, ACC_REG_DB_CQ, q->cq_head);

    qtest_memread(qts, q->eq + q->eq_head * 8, &eqe, sizeof(eqe));
    g_assert_cmpuint(eqe.flags & ACC_EQE_F_PHASE, ==, q->eq_phase);
    g_assert_cmpuint(eqe.type, ==, ACC_EQE_CQ);
    g_assert_cmpuint(le16_to_cpu(eqe.qn), ==, 0);
    q->eq_head = (q->eq_head + 1) % (2 * DEPTH);
    if (!q->eq_head) {
        q->eq_phase = !q->eq_phase;
    }
    wr(&q->f, ACC_REG_DB_EQ, q->eq_head);
    /* set once per batch of events; q_post() clears it */
    g_assert(rd(&q->f, ACC_REG_INT_STATUS) & ACC_INT_EQ);
    return cqe;
}

static uint8_t q_run(Q *q, const struct acc_sqe *sqe)
{
    struct acc_cqe cqe;

    q_post(q, sqe);
    cqe = q_wait(q);
    g_assert_cmphex(le64_to_cpu(cqe.tag), ==, le64_to_cpu(sqe->tag));
    g_assert_cmpuint(le16_to_cpu(cqe.sq_head), ==, q->sq_tail);
    return cqe.status;
}

/* A fresh device with VF 0 (and VF 1) holding QPS / 2 QPs each. */
static Acc *vf_start(Q *q)
{
    Acc *a = acc_start(2);

    allot(a, 0, 0, QPS / 2);
    allot(a, 1, QPS / 2, QPS / 2);
    sriov_set(a, 2);
    q_setup(q, a, 0);
    return a;
}

static uint64_t put(Acc *a, const void *buf, size_t len)
{
    uint64_t p = zalloc(a, MAX(len, 1));

    qtest_memwrite(a->qts, p, buf, len);
    return p;
}

static void pattern(uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = i * 7 + 3;
    }
}

static void assert_hex(Acc *a, uint64_t addr, const char *hex)
{
    size_t i, len = strlen(hex) / 2;
    g_autofree uint8_t *buf = g_malloc(len);
    g_autofree char *got = g_malloc(2 * len + 1);

    qtest_memread(a->qts, addr, buf, len);
    for (i = 0; i < len; i++) {
        sprintf(got + 2 * i, "%02x", buf[i]);
    }
    g_assert_cmpstr(got, ==, hex);
}

static void assert_sha256_of(Acc *a, uint64_t addr, size_t len,
                             const char *hex)
{
    g_autofree uint8_t *buf = g_malloc(len);
    g_autofree char *sum = NULL;

    qtest_memread(a->qts, addr, buf, len);
    sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, len);
    g_assert_cmpstr(sum, ==, hex);
}

/* -------------------------------------------------------------- tests */

static void test_registers(void)
{
    Acc *a = acc_start(4);
    Fn pf = pf_fn(a), vf;

    g_assert_cmphex(rd(&pf, ACC_REG_ID), ==, ACC_ID_MAGIC);
    g_assert_cmphex(rd(&pf, ACC_REG_VERSION), ==, ACC_HW_VERSION);
    g_assert_cmpuint(rd(&pf, ACC_REG_QP_NUM), ==, 0);
    g_assert_cmpuint(rd(&pf, ACC_PF_TOTAL_QP), ==, QPS);
    g_assert_cmpuint(rd(&pf, ACC_REG_QP_DEPTH_MAX), ==, ACC_DEPTH_LOG2_MAX);
    g_assert_cmphex(rd(&pf, ACC_REG_INT_MASK), ==, ACC_INT_ALL);
    g_assert_cmpuint(rd(&pf, ACC_MIG_MAGIC), ==, 0);
    /* only aligned 32-bit accesses are defined */
    g_assert_cmpuint(qtest_readw(a->qts, a->pf_bar + ACC_REG_ID), ==, 0);
    g_assert_cmpuint(qtest_readl(a->qts, a->pf_bar + ACC_REG_ID + 1), ==, 0);
    g_assert_cmphex(qtest_readw(a->qts, ecam(PF_DEVFN, SRIOV_CAP +
                                              PCI_SRIOV_VF_DID)),
                    ==, ACC_PCI_DEVICE_VF);
    g_assert_cmpuint(qtest_readw(a->qts, ecam(PF_DEVFN, SRIOV_CAP +
                                              PCI_SRIOV_TOTAL_VF)), ==, 4);

    /* mailbox: asynchronous, PF commands only on the PF */
    g_assert_cmpuint(mb(&pf, 0x7f, 0, 0), ==, ACC_MB_EINVAL);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_PAUSE, 0, 0), ==, ACC_MB_EINVAL);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_SQC, 0, 0), ==, ACC_MB_EINVAL);
    wr(&pf, ACC_REG_MB_CMD, ACC_MB_CMD_SQC_BT);
    wr(&pf, ACC_REG_MB_CMD, 0x7f);          /* ignored while busy */
    step(a);
    g_assert_cmphex(rd(&pf, ACC_REG_MB_STATUS), ==, ACC_MB_OK);

    /* allotments */
    allot(a, 0, 0, 4);
    allot(a, 1, 4, 4);
    allot(a, 2, QPS - 1, 2);                /* beyond the pool: none */
    g_assert_cmpuint(rd(&pf, ACC_PF_VF_QP_NUM(1)), ==, 4);
    sriov_set(a, 3);
    vf = vf_fn(a, 0);
    g_assert_cmphex(rd(&vf, ACC_REG_ID), ==, ACC_ID_MAGIC);
    g_assert_cmpuint(rd(&vf, ACC_REG_QP_NUM), ==, 4);
    g_assert_cmphex(rd(&vf, ACC_REG_FUNC_STATUS), ==, ACC_FUNC_ST_READY);
    g_assert_cmpuint(rd(&vf, ACC_PF_TOTAL_QP), ==, 0);
    vf = vf_fn(a, 2);
    g_assert_cmpuint(rd(&vf, ACC_REG_QP_NUM), ==, 0);
    g_assert_cmphex(rd(&vf, ACC_REG_FUNC_STATUS), ==, 0);
    g_assert_cmpuint(mb(&vf, ACC_MB_CMD_VF_SAVE, 0, 0), ==, ACC_MB_EPERM);

    /* migration window of VF 1 */
    vf = vf_fn(a, 1);
    g_assert_cmphex(rd(&vf, ACC_MIG_MAGIC), ==, ACC_MIG_MAGIC_VALUE);
    g_assert_cmpuint(rd(&vf, ACC_MIG_VERSION), ==, ACC_STATE_VERSION);
    g_assert_cmpuint(rd(&vf, ACC_MIG_STATE_SIZE), ==, ACC_VF_STATE_SIZE(4));
    g_assert_cmpuint(rd(&vf, ACC_MIG_QP_BASE), ==, 4);
    g_assert_cmpuint(rd(&vf, ACC_MIG_QP_NUM), ==, 4);
    wr(&vf, ACC_MIG_QP_NUM, 0);
    g_assert_cmpuint(rd(&vf, ACC_MIG_QP_NUM), ==, 4);
    /* VF 3 is not enabled */
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_PAUSE, 3, 0), ==, ACC_MB_EINVAL);
    acc_stop(a);
}

/*
 * A VF's memory space follows VF MSE in the PF (SR-IOV): its own Memory
 * Space Enable is hardwired to 0, and clearing it (as a VMM does before
 * its guest runs) leaves the registers readable to the host.
 */
static void test_vf_mse(void)
{
    Acc *a = acc_start(2);
    QTestState *qts = a->qts;
    uint64_t ctrl = ecam(PF_DEVFN, SRIOV_CAP + PCI_SRIOV_CTRL);
    Fn vf;

    allot(a, 0, 0, 4);
    sriov_set(a, 1);
    vf = vf_fn(a, 0);
    g_assert_cmphex(rd(&vf, ACC_REG_ID), ==, ACC_ID_MAGIC);
    g_assert_cmphex(qtest_readw(qts, ecam(PF_DEVFN + 1, PCI_COMMAND)) &
                    PCI_COMMAND_MEMORY, ==, 0);

    qtest_writew(qts, ecam(PF_DEVFN + 1, PCI_COMMAND), 0);
    g_assert_cmphex(rd(&vf, ACC_REG_ID), ==, ACC_ID_MAGIC);
    g_assert_cmphex(rd(&vf, ACC_MIG_MAGIC), ==, ACC_MIG_MAGIC_VALUE);

    qtest_writew(qts, ctrl, PCI_SRIOV_CTRL_VFE);
    g_assert_cmphex(rd(&vf, ACC_REG_ID), !=, ACC_ID_MAGIC);
    qtest_writew(qts, ctrl, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
    g_assert_cmphex(rd(&vf, ACC_REG_ID), ==, ACC_ID_MAGIC);
    acc_stop(a);
}

static void test_hash(void)
{
    Q q;
    Acc *a = vf_start(&q);
    uint8_t data[1000], key[64];
    uint64_t src, dst = zalloc(a, 32), st = zalloc(a, 48), k;
    struct acc_sqe sqe = { 0 };

    pattern(data, sizeof(data));
    src = put(a, data, sizeof(data));

    sqe.op = ACC_OP_SHA256;
    sqe.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;
    sqe.tag = cpu_to_le64(0x1122334455667788ULL);
    sqe.src = cpu_to_le64(put(a, "abc", 3));
    sqe.dst = cpu_to_le64(dst);
    sqe.len = cpu_to_le32(3);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "ba7816bf8f01cfea414140de5dae2223"
                       "b00361a396177a9cb410ff61f20015ad");
    sqe.len = 0;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "e3b0c44298fc1c149afbf4c8996fb924"
                       "27ae41e4649b934ca495991b7852b855");

    /* in parts: 128 bytes, 256 bytes, then the rest with the padding */
    sqe.src = cpu_to_le64(src);
    sqe.iv = cpu_to_le64(st);
    sqe.flags = ACC_SQE_F_HASH_INIT;
    sqe.len = cpu_to_le32(128);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    sqe.flags = 0;
    sqe.src = cpu_to_le64(src + 128);
    sqe.len = cpu_to_le32(256);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    sqe.flags = ACC_SQE_F_HASH_FINAL;
    sqe.src = cpu_to_le64(src + 384);
    sqe.len = cpu_to_le32(1000 - 384);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "1e9bc38cbf860b9ec31918b065f9b524"
                       "76c549a782e0e7990bed8ce3868d2371");
    /* a non-final part must be whole blocks */
    sqe.flags = 0;
    sqe.len = cpu_to_le32(100);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_LEN);

    /* HMAC: RFC 4231 case 2, one shot */
    sqe.op = ACC_OP_HMAC_SHA256;
    sqe.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;
    sqe.key = cpu_to_le64(put(a, "Jefe", 4));
    sqe.key_len = cpu_to_le16(4);
    sqe.src = cpu_to_le64(put(a, "what do ya want for nothing?", 28));
    sqe.len = cpu_to_le32(28);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "5bdcc146bf60754e6a042426089575c7"
                       "5a003f089d2739839dec58b964ec3843");
    sqe.key_len = 0;
    sqe.len = 0;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "b613679a0814d9ec772f95d778c35fc5"
                       "ff1697c493715653c6c712144292c5ad");

    /* HMAC in parts, 37-byte key; count excludes the inner key block */
    for (int i = 0; i < 64; i++) {
        key[i] = i;
    }
    k = put(a, key, 37);
    sqe.key = cpu_to_le64(k);
    sqe.key_len = cpu_to_le16(37);
    sqe.src = cpu_to_le64(src);
    sqe.flags = ACC_SQE_F_HASH_INIT;
    sqe.len = cpu_to_le32(512);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    g_assert_cmpuint(qtest_readq(a->qts, st + 32), ==, 512);
    sqe.flags = ACC_SQE_F_HASH_FINAL;
    sqe.src = cpu_to_le64(src + 512);
    sqe.len = cpu_to_le32(488);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "4b52a10f033c51f40befc96817ace1ff"
                       "062e74bd6e84a0b2be6d8d6bbeda30e8");
    /* 64-byte key, SGL source */
    for (int i = 0; i < 64; i++) {
        key[i] = 0xa0 + i;
    }
    {
        struct acc_sge sgl[3] = {
            { cpu_to_le64(src), cpu_to_le32(10), 0 },
            { cpu_to_le64(src + 10), cpu_to_le32(0), 0 },
            { cpu_to_le64(src + 10), cpu_to_le32(500), 0 },
        };

        sqe.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL |
                    ACC_SQE_F_SRC_SGL;
        sqe.src = cpu_to_le64(put(a, sgl, sizeof(sgl)));
        sqe.src_nents = cpu_to_le16(3);
        sqe.key = cpu_to_le64(put(a, key, 64));
        sqe.key_len = cpu_to_le16(64);
        sqe.len = cpu_to_le32(200);
        g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
        assert_hex(a, dst, "eb51aa5850338eaa4304fdcaa88117fa"
                           "b9961606228108250cf8ba5b07a36f3a");
        sqe.key_len = cpu_to_le16(65);
        g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_KEY);
        sqe.key_len = cpu_to_le16(64);
        sqe.flags |= ACC_SQE_F_DST_SGL;
        g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_FLAGS);
    }
    acc_stop(a);
}

static void test_cipher(void)
{
    Q q;
    Acc *a = vf_start(&q);
    uint8_t data[1000], key[32], iv[16];
    uint64_t src, dst = zalloc(a, 1000), k, ivp;
    struct acc_sqe sqe = { 0 };

    pattern(data, sizeof(data));
    src = put(a, data, sizeof(data));
    for (int i = 0; i < 32; i++) {
        key[i] = i;
    }
    for (int i = 0; i < 16; i++) {
        iv[i] = 0xf0 + i;
    }
    k = put(a, key, 32);
    ivp = put(a, iv, 16);

    /* NIST SP 800-38A F.2.1, CBC-AES128 block 1 */
    sqe.op = ACC_OP_AES_CBC_ENC;
    sqe.flags = ACC_SQE_F_IV_OUT;
    sqe.key = cpu_to_le64(put(a, "\x2b\x7e\x15\x16\x28\xae\xd2\xa6"
                                 "\xab\xf7\x15\x88\x09\xcf\x4f\x3c", 16));
    sqe.key_len = cpu_to_le16(16);
    sqe.iv = cpu_to_le64(put(a, "\x00\x01\x02\x03\x04\x05\x06\x07"
                                "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 16));
    sqe.src = cpu_to_le64(put(a, "\x6b\xc1\xbe\xe2\x2e\x40\x9f\x96"
                                 "\xe9\x3d\x7e\x11\x73\x93\x17\x2a", 16));
    sqe.dst = cpu_to_le64(dst);
    sqe.len = cpu_to_le32(16);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "7649abac8119b246cee98e9b12e9197d");
    assert_hex(a, le64_to_cpu(sqe.iv), "7649abac8119b246cee98e9b12e9197d");

    /* CBC-AES256, 512 bytes, against openssl enc */
    sqe.key = cpu_to_le64(k);
    sqe.key_len = cpu_to_le16(32);
    sqe.iv = cpu_to_le64(ivp);
    sqe.src = cpu_to_le64(src);
    sqe.len = cpu_to_le32(512);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_sha256_of(a, dst, 512, "1faf74b6bd3e2d763d500c363de8254b"
                                  "1ffaedad72cfd4bb9f3a3e61ac2a3d15");
    assert_hex(a, ivp, "33c78a8fd14c5a177a346bd9747b6609");
    /* and back, in place, in two requests chained by IV_OUT */
    qtest_memwrite(a->qts, ivp, iv, 16);
    sqe.op = ACC_OP_AES_CBC_DEC;
    sqe.src = sqe.dst;
    sqe.len = cpu_to_le32(256);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    sqe.src = sqe.dst = cpu_to_le64(dst + 256);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    {
        uint8_t out[512];

        qtest_memread(a->qts, dst, out, sizeof(out));
        g_assert(!memcmp(out, data, sizeof(out)));
    }
    sqe.len = cpu_to_le32(15);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_LEN);
    sqe.len = cpu_to_le32(16);
    sqe.key_len = cpu_to_le16(20);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_KEY);

    /* CTR-AES192, 1000 bytes, counter wrapping past 2^128 */
    memset(iv, 0xff, 16);
    iv[15] = 0xfe;
    qtest_memwrite(a->qts, ivp, iv, 16);
    sqe.op = ACC_OP_AES_CTR;
    sqe.key_len = cpu_to_le16(24);
    sqe.src = cpu_to_le64(src);
    sqe.dst = cpu_to_le64(dst);
    sqe.len = cpu_to_le32(1000);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_sha256_of(a, dst, 1000, "3a74d26896882f039e9cc741b092fccf"
                                   "a53b1dafa82432a98755d27e468dd2e4");
    assert_hex(a, ivp, "0000000000000000000000000000003d");

    /* NIST SP 800-38A F.5.1, CTR-AES128, 20 bytes across two requests */
    sqe.key = cpu_to_le64(put(a, "\x2b\x7e\x15\x16\x28\xae\xd2\xa6"
                                 "\xab\xf7\x15\x88\x09\xcf\x4f\x3c", 16));
    sqe.key_len = cpu_to_le16(16);
    qtest_memwrite(a->qts, ivp, "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7"
                                "\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff", 16);
    sqe.src = cpu_to_le64(put(a, "\x6b\xc1\xbe\xe2\x2e\x40\x9f\x96"
                                 "\xe9\x3d\x7e\x11\x73\x93\x17\x2a"
                                 "\xae\x2d\x8a\x57\x1e\x03\xac\x9c"
                                 "\x9e\xb7\x6f\xac\x45\xaf\x8e\x51", 32));
    sqe.len = cpu_to_le32(16);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    sqe.src = cpu_to_le64(le64_to_cpu(sqe.src) + 16);
    sqe.dst = cpu_to_le64(dst + 16);
    sqe.len = cpu_to_le32(4);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, dst, "874d6191b620e3261bef6864990db6ce9806f66b");
    assert_hex(a, ivp, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff01");
    acc_stop(a);
}

static void test_copy_sgl(void)
{
    Q q;
    Acc *a = vf_start(&q);
    uint8_t data[300], out[300];
    uint64_t src, d1 = zalloc(a, 100), d2 = zalloc(a, 300);
    struct acc_sqe sqe = { 0 };
    struct acc_sge sgl[2] = {
        { cpu_to_le64(d1), cpu_to_le32(100), 0 },
        { cpu_to_le64(d2), cpu_to_le32(300), 0 },
    };

    pattern(data, sizeof(data));
    src = put(a, data, sizeof(data));
    sqe.op = ACC_OP_COPY;
    sqe.flags = ACC_SQE_F_DST_SGL;
    sqe.src = cpu_to_le64(src);
    sqe.dst = cpu_to_le64(put(a, sgl, sizeof(sgl)));
    sqe.dst_nents = cpu_to_le16(2);
    sqe.len = cpu_to_le32(300);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    qtest_memread(a->qts, d1, out, 100);
    qtest_memread(a->qts, d2, out + 100, 200);
    g_assert(!memcmp(out, data, 300));

    /* SGL too short, no entries, too many, reserved field */
    sqe.len = cpu_to_le32(401);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_SGL);
    sqe.len = cpu_to_le32(300);
    sqe.dst_nents = 0;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_SGL);
    sqe.dst_nents = cpu_to_le16(ACC_SGL_MAX_ENTRIES + 1);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_SGL);
    sgl[1].rsvd = 1;
    sqe.dst = cpu_to_le64(put(a, sgl, sizeof(sgl)));
    sqe.dst_nents = cpu_to_le16(2);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_SGL);
    acc_stop(a);
}

static void test_malformed(void)
{
    Q q;
    Acc *a = vf_start(&q);
    uint64_t buf = zalloc(a, 64);
    struct acc_sqe sqe = { 0 };
    struct acc_sqc sqc;
    struct acc_eqe eqe;

    sqe.op = ACC_OP_MAX + 1;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_OP);
    sqe.op = ACC_OP_COPY;
    sqe.flags = 0x80;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_FLAGS);
    sqe.flags = 0;
    sqe.rsvd1 = 1;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_FLAGS);
    sqe.rsvd1 = 0;
    sqe.len = cpu_to_le32(ACC_MAX_LEN + 1);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_LEN);
    sqe.len = cpu_to_le32(0xffffffff);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_LEN);
    sqe.len = cpu_to_le32(16);
    sqe.key_len = cpu_to_le16(1);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_BAD_KEY);
    sqe.key_len = 0;
    sqe.src = cpu_to_le64(UNMAPPED);
    sqe.dst = cpu_to_le64(buf);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_DMA_FAULT);
    sqe.src = cpu_to_le64(buf);
    sqe.dst = cpu_to_le64(UNMAPPED);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_DMA_FAULT);
    sqe.dst = cpu_to_le64(-8ULL);               /* wraps */
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_DMA_FAULT);
    sqe.op = ACC_OP_AES_CTR;
    sqe.key_len = cpu_to_le16(16);
    sqe.key = cpu_to_le64(UNMAPPED);
    sqe.dst = cpu_to_le64(buf);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_DMA_FAULT);

    /* DMA into the function's own registers and config space is dropped */
    sqe.op = ACC_OP_COPY;
    sqe.key_len = 0;
    sqe.src = cpu_to_le64(put(a, "\x01\x00\x00\x00\x00\x80", 6));
    sqe.dst = cpu_to_le64(VF_BAR0 + ACC_REG_FUNC_CTRL);
    sqe.len = cpu_to_le32(4);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    sqe.src = cpu_to_le64(le64_to_cpu(sqe.src) + 4);
    sqe.dst = cpu_to_le64(ecam(PF_DEVFN + 1, EXP_CAP + PCI_EXP_DEVCTL));
    sqe.len = cpu_to_le32(2);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    g_assert_cmphex(rd(&q.f, ACC_MIG_SQC_BT_LO), ==, (uint32_t)q.sqc_bt);

    /* invalid contexts are refused */
    memset(&sqc, 0, sizeof(sqc));
    sqc.flags = ACC_CTX_F_ENABLE;
    sqc.depth_log2 = ACC_DEPTH_LOG2_MAX + 1;
    qtest_memwrite(a->qts, q.sqc_bt + 32, &sqc, sizeof(sqc));
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_SQC, 1, 0), ==, ACC_MB_EINVAL);
    sqc.depth_log2 = 2;
    sqc.cqn = cpu_to_le16(QPS / 2);
    qtest_memwrite(a->qts, q.sqc_bt + 32, &sqc, sizeof(sqc));
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_SQC, 1, 0), ==, ACC_MB_EINVAL);
    sqc.cqn = 0;
    sqc.base = cpu_to_le64(buf + 8);
    qtest_memwrite(a->qts, q.sqc_bt + 32, &sqc, sizeof(sqc));
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_SQC, 1, 0), ==, ACC_MB_EINVAL);
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_SQC, QPS / 2, 0), ==,
                     ACC_MB_EINVAL);
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_EQC, 0, UNMAPPED), ==,
                     ACC_MB_EFAULT);

    /* SQ 1 on unmapped memory: the fetch faults, SQ 1 stops */
    sqc.base = cpu_to_le64(UNMAPPED);
    qtest_memwrite(a->qts, q.sqc_bt + 32, &sqc, sizeof(sqc));
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_SQC, 1, 0), ==, ACC_MB_OK);
    wr(&q.f, ACC_REG_DB_SQ, (1 << ACC_DB_QN_SHIFT) | 1);
    step(a);
    step(a);
    qtest_memread(a->qts, q.eq + q.eq_head * 8, &eqe, sizeof(eqe));
    g_assert_cmpuint(eqe.flags, ==, ACC_EQE_F_PHASE);
    g_assert_cmpuint(eqe.type, ==, ACC_EQE_ERROR);
    g_assert_cmpuint(le16_to_cpu(eqe.qn), ==, 1);
    g_assert_cmpuint(le32_to_cpu(eqe.info), ==, ACC_QERR_SQ_FETCH);
    q.eq_head++;
    wr(&q.f, ACC_REG_DB_EQ, q.eq_head);
    g_assert_cmpuint(mb(&q.f, ACC_MB_CMD_WRITEBACK, 0, 0), ==, ACC_MB_OK);
    qtest_memread(a->qts, q.sqc_bt + 32, &sqc, sizeof(sqc));
    g_assert_cmphex(sqc.flags, ==, ACC_CTX_F_ENABLE | ACC_CTX_F_ERROR);
    g_assert_cmpuint(le16_to_cpu(sqc.tail), ==, 1);
    g_assert_cmpuint(le16_to_cpu(sqc.head), ==, 0);
    /* QP 0 is unaffected */
    sqe.op = ACC_OP_COPY;
    sqe.key_len = 0;
    sqe.src = sqe.dst = cpu_to_le64(buf);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    acc_stop(a);
}

/* Pause VF 0 with work queued, move its state to VF 1, finish there. */
static void test_migrate(void)
{
    Q q;
    Acc *a = vf_start(&q);
    Fn pf = pf_fn(a), vf1 = vf_fn(a, 1);
    uint8_t data[64];
    uint64_t src, dst = zalloc(a, 64), st;
    uint32_t size = ACC_VF_STATE_SIZE(QPS / 2);
    g_autofree uint8_t *state = g_malloc(size);
    struct acc_sqe sqe = { 0 };
    struct acc_cqe cqe;
    struct acc_sqc sqc;
    int i;

    pattern(data, sizeof(data));
    src = put(a, data, sizeof(data));
    sqe.op = ACC_OP_COPY;
    sqe.src = cpu_to_le64(src);
    sqe.dst = cpu_to_le64(dst);
    sqe.len = cpu_to_le32(64);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);

    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_PAUSE, 0, 0), ==, ACC_MB_OK);
    g_assert_cmphex(rd(&q.f, ACC_REG_FUNC_STATUS), ==,
                    ACC_FUNC_ST_READY | ACC_FUNC_ST_PAUSED);
    /* the contexts were written back */
    qtest_memread(a->qts, q.sqc_bt, &sqc, sizeof(sqc));
    g_assert_cmpuint(le16_to_cpu(sqc.head), ==, 1);
    g_assert_cmpuint(le16_to_cpu(sqc.tail), ==, 1);

    /* paused: doorbells are recorded, nothing runs, no DMA */
    qtest_memset(a->qts, dst, 0, 64);
    sqe.tag = cpu_to_le64(42);
    q_post(&q, &sqe);
    q_post(&q, &sqe);
    for (i = 0; i < 10; i++) {
        step(a);
    }
    g_assert(!q_cqe(&q, &cqe));
    g_assert_cmpuint(qtest_readb(a->qts, dst), ==, 0);
    g_assert_cmpuint(rd(&q.f, ACC_MIG_INFLIGHT), ==, 2);
    /* a mailbox command of the paused VF waits */
    wr(&q.f, ACC_REG_MB_CMD, ACC_MB_CMD_WRITEBACK);
    step(a);
    g_assert_cmphex(rd(&q.f, ACC_REG_MB_STATUS), ==, ACC_MB_BUSY);

    /* save through the PF */
    st = zalloc(a, size);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_SAVE, 0, st), ==, ACC_MB_OK);
    qtest_memread(a->qts, st, state, size);
    g_assert_cmphex(ldl_le_p(state), ==, ACC_STATE_MAGIC);
    g_assert_cmpuint(lduw_le_p(state + 6), ==, QPS / 2);
    g_assert_cmpuint(ldl_le_p(state + 8), ==, size);

    /* load: VF 1 must be paused, the state must be intact */
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_LOAD, 1, st), ==, ACC_MB_EBUSY);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_PAUSE, 1, 0), ==, ACC_MB_OK);
    qtest_writeb(a->qts, st, 0);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_LOAD, 1, st), ==,
                     ACC_MB_ECORRUPT);
    qtest_writeb(a->qts, st, state[0]);
    qtest_writeb(a->qts, st + sizeof(struct acc_vf_state) + 12, 13);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_LOAD, 1, st), ==,
                     ACC_MB_ECORRUPT);
    g_assert_cmpuint(rd(&vf1, ACC_MIG_INFLIGHT), ==, 0);
    g_assert_cmpuint(rd(&vf1, ACC_MIG_SQC_BT_LO), ==, 0);
    qtest_memwrite(a->qts, st, state, size);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_LOAD, 1, UNMAPPED), ==,
                     ACC_MB_EFAULT);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_LOAD, 1, st), ==, ACC_MB_OK);
    g_assert_cmpuint(rd(&vf1, ACC_MIG_INFLIGHT), ==, 2);
    g_assert_cmpuint(rd(&vf1, ACC_MIG_SQC_BT_LO), ==, (uint32_t)q.sqc_bt);
    g_assert_cmphex(rd(&vf1, ACC_REG_INT_MASK), ==, 0);

    /* resume VF 1: the queued jobs complete there, VF 0 stays quiet */
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_RESUME, 1, 0), ==, ACC_MB_OK);
    q.f = vf1;
    cqe = q_wait(&q);
    g_assert_cmpuint(le64_to_cpu(cqe.tag), ==, 42);
    cqe = q_wait(&q);
    g_assert_cmpuint(cqe.status, ==, ACC_ST_OK);
    assert_hex(a, dst, "03");
    g_assert_cmphex(rd(&vf1, ACC_REG_FUNC_STATUS), ==, ACC_FUNC_ST_READY);

    /* resuming VF 0 runs its pending mailbox command */
    q.f = vf_fn(a, 0);
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_RESUME, 0, 0), ==, ACC_MB_OK);
    step(a);
    g_assert_cmphex(rd(&q.f, ACC_REG_MB_STATUS), ==, ACC_MB_OK);
    acc_stop(a);
}

static void test_reset(void)
{
    Q q;
    Acc *a = vf_start(&q);
    Fn pf = pf_fn(a);
    struct acc_sqe sqe = { 0 };

    /* FLR of VF 0: queues gone, allotment kept, interrupts masked */
    g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_PAUSE, 0, 0), ==, ACC_MB_OK);
    qtest_writew(a->qts, ecam(PF_DEVFN + 1, EXP_CAP + PCI_EXP_DEVCTL),
                 PCI_EXP_DEVCTL_BCR_FLR);
    /* QEMU maps a VF's BARs only with its command register's MEMORY bit */
    qtest_writew(a->qts, ecam(PF_DEVFN + 1, PCI_COMMAND),
                 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(rd(&q.f, ACC_REG_FUNC_STATUS), ==, ACC_FUNC_ST_READY);
    g_assert_cmphex(rd(&q.f, ACC_REG_INT_MASK), ==, ACC_INT_ALL);
    g_assert_cmpuint(rd(&q.f, ACC_MIG_SQC_BT_LO), ==, 0);
    g_assert_cmpuint(rd(&q.f, ACC_REG_QP_NUM), ==, QPS / 2);
    wr(&q.f, ACC_REG_DB_SQ, 1);         /* no queue: ignored */

    /* set up again, run, soft reset with a command in flight */
    q_setup(&q, a, 0);
    sqe.op = ACC_OP_COPY;
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    wr(&q.f, ACC_REG_MB_CMD, ACC_MB_CMD_WRITEBACK);
    wr(&q.f, ACC_REG_FUNC_CTRL, ACC_FUNC_CTRL_SOFT_RESET);
    g_assert_cmphex(rd(&q.f, ACC_REG_MB_STATUS), ==, ACC_MB_OK);
    g_assert_cmpuint(rd(&q.f, ACC_MIG_EQ_BASE_LO), ==, 0);

    /* SR-IOV disable, PF FLR: allotments go with the PF's reset */
    sriov_set(a, 0);
    sriov_set(a, 2);
    g_assert_cmpuint(rd(&q.f, ACC_REG_QP_NUM), ==, QPS / 2);
    qtest_writew(a->qts, ecam(PF_DEVFN, EXP_CAP + PCI_EXP_DEVCTL),
                 PCI_EXP_DEVCTL_BCR_FLR);
    /* the reset cleared the BARs too */
    qpci_device_enable(a->pf);
    a->pf_bar = qpci_iomap(a->pf, ACC_BAR_REGS, NULL).addr;
    pf = pf_fn(a);
    g_assert_cmphex(rd(&pf, ACC_REG_ID), ==, ACC_ID_MAGIC);
    g_assert_cmpuint(rd(&pf, ACC_PF_VF_QP_NUM(0)), ==, 0);
    g_assert_cmpuint(qtest_readw(a->qts, ecam(PF_DEVFN, SRIOV_CAP +
                                              PCI_SRIOV_CTRL)), ==, 0);
    acc_stop(a);
}

/* Random addresses: scratch RAM, past RAM, device registers, wrapping. */
static uint64_t fuzz_addr(GRand *r, Acc *a)
{
    switch (g_rand_int_range(r, 0, 12)) {
    case 0:
        return UNMAPPED + g_rand_int(r);
    case 1:
        return VF_BAR0 + g_rand_int_range(r, 0, 2 * ACC_BAR_REGS_SIZE);
    case 2:
        return a->pf_bar + g_rand_int_range(r, 0, ACC_BAR_REGS_SIZE);
    case 3:
        return -(uint64_t)g_rand_int_range(r, 1, 4096);
    case 4:
    case 5:
        return FUZZ_SCRATCH + g_rand_int_range(r, 0, 4096);
    default:
        return FUZZ_SCRATCH + g_rand_int_range(r, 0, 60 << 20);
    }
}

static uint32_t fuzz_len(GRand *r)
{
    switch (g_rand_int_range(r, 0, 8)) {
    case 0:
        return 0;
    case 1:
        return ACC_MAX_LEN;
    case 2:
        return ACC_MAX_LEN + g_rand_int_range(r, 1, 64);
    case 3:
        return g_rand_int(r);
    case 4:
        return g_rand_int_range(r, 0, 1 << 20);
    default:
        return g_rand_int_range(r, 0, 4096);
    }
}

/*
 * Random SQEs and mailbox commands: every SQE gets a CQE with a defined
 * status, and afterwards the device still works.
 */
static void test_fuzz(void)
{
    Q q;
    Acc *a = vf_start(&q);
    Fn pf = pf_fn(a), vf1 = vf_fn(a, 1);
    GRand *r = g_rand_new_with_seed(0xacc);
    static const uint16_t key_lens[] = { 0, 16, 24, 32, 64, 65, 0xffff };
    uint8_t junk[8192];
    struct acc_sqe sqe;
    int i;

    for (i = 0; i < sizeof(junk); i++) {
        junk[i] = g_rand_int(r);
    }
    qtest_memwrite(a->qts, FUZZ_SCRATCH, junk, sizeof(junk));

    for (i = 0; i < 200; i++) {
        uint32_t len = fuzz_len(r);
        uint16_t key_len = key_lens[g_rand_int_range(r, 0, 7)];

        /* mostly well-formed, so that most SQEs get to move data */
        memset(&sqe, 0, sizeof(sqe));
        sqe.op = g_rand_int_range(r, 0, ACC_OP_MAX + 2);
        sqe.flags = g_rand_int(r) & (g_rand_int_range(r, 0, 8) ? 0x1d : 0xff);
        if (g_rand_int_range(r, 0, 4)) {
            switch (sqe.op) {
            case ACC_OP_AES_CBC_ENC:
            case ACC_OP_AES_CBC_DEC:
                len &= ~15;
                /* fall through */
            case ACC_OP_AES_CTR:
                key_len = 16 + 8 * g_rand_int_range(r, 0, 3);
                break;
            case ACC_OP_HMAC_SHA256:
                key_len = g_rand_int_range(r, 0, 65);
                /* fall through */
            case ACC_OP_SHA256:
                len &= sqe.flags & ACC_SQE_F_HASH_FINAL ? ~0 : ~63;
                break;
            default:
                key_len = 0;
            }
        }
        sqe.key_len = cpu_to_le16(key_len);
        sqe.len = cpu_to_le32(len);
        sqe.tag = cpu_to_le64(i);
        sqe.src = cpu_to_le64(fuzz_addr(r, a));
        sqe.dst = cpu_to_le64(fuzz_addr(r, a));
        sqe.key = cpu_to_le64(fuzz_addr(r, a));
        sqe.iv = cpu_to_le64(fuzz_addr(r, a));
        sqe.src_nents = cpu_to_le16(g_rand_int_range(r, 0, 300));
        sqe.dst_nents = cpu_to_le16(g_rand_int_range(r, 0, 300));
        sqe.rsvd0 = !g_rand_int_range(r, 0, 32);
        g_assert_cmpuint(q_run(&q, &sqe), <=, ACC_ST_BAD_FLAGS);
    }

    /* mailbox commands with random arguments, VF 1 and the PF */
    for (i = 0; i < 200; i++) {
        Fn *f = i & 1 ? &pf : &vf1;
        uint32_t cmd = g_rand_int_range(r, 0, ACC_MB_CMD_VF_LOAD + 2);
        uint32_t qn = g_rand_int_range(r, 0, 20);

        if (cmd == ACC_MB_CMD_VF_PAUSE || cmd == ACC_MB_CMD_VF_RESUME) {
            qn |= 1;                        /* leave VF 0 running */
        }
        /* a paused VF's own commands wait for VF_RESUME */
        if (f == &vf1 &&
            (rd(&vf1, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED)) {
            g_assert_cmpuint(mb(&pf, ACC_MB_CMD_VF_RESUME, 1, 0), ==,
                             ACC_MB_OK);
        }
        g_assert_cmpuint(mb(f, cmd, qn, fuzz_addr(r, a)), <=,
                         ACC_MB_ECORRUPT);
    }
    g_rand_free(r);

    /* the device still works */
    q_setup(&q, a, 0);
    memset(&sqe, 0, sizeof(sqe));
    sqe.op = ACC_OP_SHA256;
    sqe.flags = ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL;
    sqe.src = cpu_to_le64(put(a, "abc", 3));
    sqe.dst = cpu_to_le64(zalloc(a, 32));
    sqe.len = cpu_to_le32(3);
    g_assert_cmpuint(q_run(&q, &sqe), ==, ACC_ST_OK);
    assert_hex(a, le64_to_cpu(sqe.dst), "ba7816bf8f01cfea414140de5dae2223"
                                        "b00361a396177a9cb410ff61f20015ad");
    acc_stop(a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/acc/registers", test_registers);
    qtest_add_func("/acc/vf-mse", test_vf_mse);
    qtest_add_func("/acc/hash", test_hash);
    qtest_add_func("/acc/cipher", test_cipher);
    qtest_add_func("/acc/copy-sgl", test_copy_sgl);
    qtest_add_func("/acc/malformed", test_malformed);
    qtest_add_func("/acc/migrate", test_migrate);
    qtest_add_func("/acc/reset", test_reset);
    qtest_add_func("/acc/fuzz", test_fuzz);
    return g_test_run();
}
