/*
 * acc: the queue manager of one function. Queue contexts are cached in the
 * device (AccQueue): the driver's tables are read on SQC/CQC/EQC commands
 * and written back only on WRITEBACK, QP_STOP and the PF's VF commands.
 * Jobs run from a timer, a bounded number per callback, one at a time per
 * function, QPs served round robin.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "acc.h"

#define SQE_SIZE sizeof(struct acc_sqe)
#define CQE_SIZE sizeof(struct acc_cqe)
#define EQE_SIZE sizeof(struct acc_eqe)
/* head and tail of a context: bytes 8..11; flags: byte 13 */
#define CTX_HT_OFF offsetof(struct acc_sqc, head)
#define CTX_FLAGS_OFF offsetof(struct acc_sqc, flags)

QEMU_BUILD_BUG_ON(sizeof(struct acc_sqc) != 32);
QEMU_BUILD_BUG_ON(sizeof(struct acc_cqc) != 32);
QEMU_BUILD_BUG_ON(sizeof(struct acc_eqc) != 32);
QEMU_BUILD_BUG_ON(offsetof(struct acc_cqc, head) != CTX_HT_OFF);
QEMU_BUILD_BUG_ON(offsetof(struct acc_eqc, head) != CTX_HT_OFF);
QEMU_BUILD_BUG_ON(offsetof(struct acc_cqc, flags) != CTX_FLAGS_OFF);
QEMU_BUILD_BUG_ON(offsetof(struct acc_eqc, flags) != CTX_FLAGS_OFF);
QEMU_BUILD_BUG_ON(sizeof(struct acc_sqe) != 64);
QEMU_BUILD_BUG_ON(sizeof(struct acc_cqe) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct acc_eqe) != 8);

static inline uint32_t q_mask(const AccQueue *q)
{
    return (1U << q->depth_log2) - 1;
}

static inline bool q_running(const AccQueue *q)
{
    return (q->flags & (ACC_CTX_F_ENABLE | ACC_CTX_F_ERROR)) ==
           ACC_CTX_F_ENABLE;
}

static inline bool q_full(const AccQueue *q)
{
    return ((q->tail + 1) & q_mask(q)) == q->head;
}

/* ------------------------------------------------------------ contexts */

#define CTX_FROM_MEM(q, c) do {                 \
        (q)->base = le64_to_cpu((c)->base);     \
        (q)->head = le16_to_cpu((c)->head);     \
        (q)->tail = le16_to_cpu((c)->tail);     \
        (q)->depth_log2 = (c)->depth_log2;      \
        (q)->flags = (c)->flags;                \
    } while (0)

#define CTX_TO_MEM(q, c) do {                   \
        memset((c), 0, sizeof(*(c)));           \
        (c)->base = cpu_to_le64((q)->base);     \
        (c)->head = cpu_to_le16((q)->head);     \
        (c)->tail = cpu_to_le16((q)->tail);     \
        (c)->depth_log2 = (q)->depth_log2;      \
        (c)->flags = (q)->flags;                \
    } while (0)

void acc_qm_sqc_from_mem(AccQueue *q, const struct acc_sqc *c)
{
    CTX_FROM_MEM(q, c);
    q->cqn = le16_to_cpu(c->cqn);
}

void acc_qm_sqc_to_mem(const AccQueue *q, struct acc_sqc *c)
{
    CTX_TO_MEM(q, c);
    c->cqn = cpu_to_le16(q->cqn);
}

void acc_qm_cqc_from_mem(AccQueue *q, const struct acc_cqc *c)
{
    CTX_FROM_MEM(q, c);
    q->cqn = 0;
}

void acc_qm_cqc_to_mem(const AccQueue *q, struct acc_cqc *c)
{
    CTX_TO_MEM(q, c);
}

void acc_qm_eqc_from_mem(AccQueue *q, const struct acc_eqc *c)
{
    CTX_FROM_MEM(q, c);
    q->cqn = 0;
}

void acc_qm_eqc_to_mem(const AccQueue *q, struct acc_eqc *c)
{
    CTX_TO_MEM(q, c);
}

/*
 * Is a context valid (see "Contexts in host memory")? A disabled context
 * always is. qp_num >= 0 checks the cqn of an SQ context against it.
 */
bool acc_qm_ctx_valid(const AccQueue *q, uint32_t entry_size, int32_t qp_num)
{
    if (!(q->flags & ACC_CTX_F_ENABLE)) {
        return true;
    }
    if (q->depth_log2 < ACC_DEPTH_LOG2_MIN ||
        q->depth_log2 > ACC_DEPTH_LOG2_MAX) {
        return false;
    }
    if (q->head > q_mask(q) || q->tail > q_mask(q)) {
        return false;
    }
    if (q->base & (entry_size - 1)) {
        return false;
    }
    return qp_num < 0 || q->cqn < qp_num;
}

/* Load SQC[qn] or CQC[qn] from its table into the device. */
static uint8_t load_ctx(AccFunc *f, uint32_t qn, bool sq)
{
    uint32_t num = acc_func_qps(f, NULL);
    uint64_t bt = sq ? f->sqc_bt : f->cqc_bt;
    AccQueue q = { 0 };
    AccQP *qp;
    union {
        struct acc_sqc sqc;
        struct acc_cqc cqc;
    } c;

    if (qn >= num) {
        return ACC_MB_EINVAL;
    }
    if (!acc_dma_read(f, bt + (uint64_t)qn * sizeof(c), &c, sizeof(c))) {
        return ACC_MB_EFAULT;
    }
    if (sq) {
        acc_qm_sqc_from_mem(&q, &c.sqc);
    } else {
        acc_qm_cqc_from_mem(&q, &c.cqc);
    }
    /* Loading restarts a queue that stopped on an error. */
    q.flags &= ~ACC_CTX_F_ERROR;

    qp = acc_func_qp(f, qn);
    if (!acc_qm_ctx_valid(&q, sq ? SQE_SIZE : CQE_SIZE, sq ? num : -1)) {
        acc_log(f, "invalid %s context %u\n", sq ? "SQ" : "CQ", qn);
        memset(sq ? &qp->sq : &qp->cq, 0, sizeof(q));
        return ACC_MB_EINVAL;
    }
    if (!(q.flags & ACC_CTX_F_ENABLE)) {
        memset(&q, 0, sizeof(q));
    }
    if (sq) {
        qp->sq = q;
    } else {
        qp->cq = q;
    }
    acc_qm_kick(f);
    return ACC_MB_OK;
}

uint8_t acc_qm_load_sqc(AccFunc *f, uint32_t qn)
{
    return load_ctx(f, qn, true);
}

uint8_t acc_qm_load_cqc(AccFunc *f, uint32_t qn)
{
    return load_ctx(f, qn, false);
}

uint8_t acc_qm_set_eqc(AccFunc *f, uint64_t addr)
{
    struct acc_eqc c;
    AccQueue q;

    if (!acc_dma_read(f, addr, &c, sizeof(c))) {
        return ACC_MB_EFAULT;
    }
    acc_qm_eqc_from_mem(&q, &c);
    q.flags &= ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE;
    if (!acc_qm_ctx_valid(&q, EQE_SIZE, -1)) {
        acc_log(f, "invalid EQ context\n");
        memset(&f->eq, 0, sizeof(f->eq));
        return ACC_MB_EINVAL;
    }
    f->eq = (q.flags & ACC_CTX_F_ENABLE) ? q : (AccQueue) { 0 };
    f->eqc_addr = addr;
    /* A new EQ starts posting events again. */
    f->status &= ~ACC_FUNC_ST_ERROR;
    return ACC_MB_OK;
}

/*
 * Write head, tail and flags (less the bits in clear) of a cached context
 * back to its place in memory; a context that is not cached has nothing to
 * write.
 */
static bool writeback_ctx(AccFunc *f, const AccQueue *q, uint64_t addr,
                          uint8_t clear)
{
    uint8_t ht[4];
    uint8_t flags = q->flags & ~clear;

    if (!(q->flags & ACC_CTX_F_ENABLE)) {
        return true;
    }
    stw_le_p(ht, q->head);
    stw_le_p(ht + 2, q->tail);
    return acc_dma_write(f, addr + CTX_HT_OFF, ht, sizeof(ht)) &&
           acc_dma_write(f, addr + CTX_FLAGS_OFF, &flags, 1);
}

static bool writeback_qp(AccFunc *f, uint32_t qn, AccQP *qp, uint8_t clear)
{
    uint64_t off = (uint64_t)qn * sizeof(struct acc_sqc);
    bool ok;

    ok = writeback_ctx(f, &qp->sq, f->sqc_bt + off, clear);
    return writeback_ctx(f, &qp->cq, f->cqc_bt + off, clear) && ok;
}

uint8_t acc_qm_qp_stop(AccFunc *f, uint32_t qn)
{
    AccQP *qp = acc_func_qp(f, qn);
    bool ok;

    if (!qp) {
        return ACC_MB_EINVAL;
    }
    /*
     * Jobs run whole within one callback: none is in progress now. The
     * contexts go back to memory disabled.
     */
    ok = writeback_qp(f, qn, qp, ACC_CTX_F_ENABLE);
    memset(qp, 0, sizeof(*qp));
    return ok ? ACC_MB_OK : ACC_MB_EFAULT;
}

uint8_t acc_qm_writeback(AccFunc *f)
{
    uint32_t num = acc_func_qps(f, NULL);
    bool ok = true;
    uint32_t qn;

    for (qn = 0; qn < num; qn++) {
        ok = writeback_qp(f, qn, acc_func_qp(f, qn), 0) && ok;
    }
    ok = writeback_ctx(f, &f->eq, f->eqc_addr, 0) && ok;
    return ok ? ACC_MB_OK : ACC_MB_EFAULT;
}

uint32_t acc_qm_inflight(AccFunc *f)
{
    uint32_t num = acc_func_qps(f, NULL);
    uint32_t qn, n = 0;

    for (qn = 0; qn < num; qn++) {
        AccQueue *sq = &acc_func_qp(f, qn)->sq;

        if (sq->flags & ACC_CTX_F_ENABLE) {
            n += (sq->tail - sq->head) & q_mask(sq);
        }
    }
    return n;
}

void acc_qm_reset(AccFunc *f)
{
    uint32_t num = acc_func_qps(f, NULL);
    uint32_t qn;

    timer_del(&f->job_timer);
    for (qn = 0; qn < num; qn++) {
        memset(acc_func_qp(f, qn), 0, sizeof(AccQP));
    }
    memset(&f->eq, 0, sizeof(f->eq));
    f->sqc_bt = 0;
    f->cqc_bt = 0;
    f->eqc_addr = 0;
    f->rr = 0;
    f->eq_event = false;
}

/* ----------------------------------------------------------- doorbells */

static AccQueue *db_queue(AccFunc *f, uint32_t val, bool sq, uint16_t *idx)
{
    uint32_t qn = val >> ACC_DB_QN_SHIFT;
    AccQP *qp = acc_func_qp(f, qn);
    AccQueue *q;

    *idx = val & ACC_DB_IDX_MASK;
    if (!qp) {
        acc_log(f, "%s doorbell for QP %u it does not have\n",
                sq ? "SQ" : "CQ", qn);
        return NULL;
    }
    q = sq ? &qp->sq : &qp->cq;
    if (!(q->flags & ACC_CTX_F_ENABLE) || *idx > q_mask(q)) {
        acc_log(f, "%s doorbell 0x%x for a disabled queue or out of range\n",
                sq ? "SQ" : "CQ", val);
        return NULL;
    }
    return q;
}

void acc_qm_db_sq(AccFunc *f, uint32_t val)
{
    uint16_t idx;
    AccQueue *q = db_queue(f, val, true, &idx);

    if (q) {
        q->tail = idx;
        acc_qm_kick(f);
    }
}

void acc_qm_db_cq(AccFunc *f, uint32_t val)
{
    uint16_t idx;
    AccQueue *q = db_queue(f, val, false, &idx);

    if (q) {
        q->head = idx;
        acc_qm_kick(f);
    }
}

void acc_qm_db_eq(AccFunc *f, uint32_t val)
{
    if (!(f->eq.flags & ACC_CTX_F_ENABLE) || val > q_mask(&f->eq)) {
        acc_log(f, "EQ doorbell 0x%x for a disabled EQ or out of range\n", val);
        return;
    }
    f->eq.head = val;
}

/* -------------------------------------------------------------- events */

static void post_event(AccFunc *f, uint16_t qn, uint8_t type, uint32_t info)
{
    AccQueue *eq = &f->eq;
    struct acc_eqe e;

    if (!(eq->flags & ACC_CTX_F_ENABLE) || (f->status & ACC_FUNC_ST_ERROR)) {
        return;
    }
    if (q_full(eq)) {
        acc_log(f, "EQ full, event dropped\n");
        f->status |= ACC_FUNC_ST_ERROR;
        return;
    }
    e.qn = cpu_to_le16(qn);
    e.type = type;
    e.flags = (eq->flags & ACC_CTX_F_PHASE) ? ACC_EQE_F_PHASE : 0;
    e.info = cpu_to_le32(info);
    if (!acc_dma_write(f, eq->base + (uint64_t)eq->tail * EQE_SIZE, &e,
                       sizeof(e))) {
        acc_log(f, "EQE write faulted, events stop\n");
        f->status |= ACC_FUNC_ST_ERROR;
        return;
    }
    eq->tail = (eq->tail + 1) & q_mask(eq);
    if (!eq->tail) {
        eq->flags ^= ACC_CTX_F_PHASE;
    }
    f->eq_event = true;
}

/* ----------------------------------------------------------- scheduler */

void acc_qm_kick(AccFunc *f)
{
    if (!timer_pending(&f->job_timer)) {
        timer_mod(&f->job_timer,
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + ACC_JOB_DELAY_NS);
    }
}

/*
 * Can SQ qn make progress? An SQ whose CQ is not usable stops with a
 * BAD_CTX event; one whose CQ is full waits for a CQ doorbell.
 */
static bool sq_ready(AccFunc *f, uint32_t qn, uint32_t num)
{
    AccQueue *sq = &acc_func_qp(f, qn)->sq;
    AccQueue *cq;

    if (!q_running(sq) || sq->head == sq->tail) {
        return false;
    }
    cq = sq->cqn < num ? &acc_func_qp(f, sq->cqn)->cq : NULL;
    if (!cq || !(cq->flags & ACC_CTX_F_ENABLE)) {
        acc_log(f, "SQ %u has work but its CQ %u is not loaded\n",
                qn, sq->cqn);
        sq->flags |= ACC_CTX_F_ERROR;
        post_event(f, qn, ACC_EQE_ERROR, ACC_QERR_BAD_CTX);
        return false;
    }
    return q_running(cq) && !q_full(cq);
}

/* A CQE write faulted: the CQ and every SQ feeding it stop. */
static void cq_fault(AccFunc *f, uint32_t cqn, uint32_t num)
{
    uint32_t qn;

    acc_log(f, "CQE write to CQ %u faulted\n", cqn);
    acc_func_qp(f, cqn)->cq.flags |= ACC_CTX_F_ERROR;
    for (qn = 0; qn < num; qn++) {
        AccQueue *sq = &acc_func_qp(f, qn)->sq;

        if ((sq->flags & ACC_CTX_F_ENABLE) && sq->cqn == cqn) {
            sq->flags |= ACC_CTX_F_ERROR;
        }
    }
    post_event(f, cqn, ACC_EQE_ERROR, ACC_QERR_CQ_WRITE);
}

/* Fetch, execute and complete the SQE at the head of SQ qn. */
static uint32_t run_one(AccFunc *f, uint32_t qn, uint32_t num)
{
    AccQueue *sq = &acc_func_qp(f, qn)->sq;
    uint32_t cqn = sq->cqn;
    AccQueue *cq = &acc_func_qp(f, cqn)->cq;
    struct acc_sqe sqe;
    struct acc_cqe cqe;
    uint8_t st;

    if (!acc_dma_read(f, sq->base + (uint64_t)sq->head * SQE_SIZE, &sqe,
                      sizeof(sqe))) {
        acc_log(f, "SQE fetch from SQ %u faulted\n", qn);
        sq->flags |= ACC_CTX_F_ERROR;
        post_event(f, qn, ACC_EQE_ERROR, ACC_QERR_SQ_FETCH);
        return 0;
    }
    st = acc_job_run(f, &sqe);
    sq->head = (sq->head + 1) & q_mask(sq);

    memset(&cqe, 0, sizeof(cqe));
    cqe.tag = sqe.tag;
    cqe.sq_head = cpu_to_le16(sq->head);
    cqe.sqn = cpu_to_le16(qn);
    cqe.status = st;
    cqe.flags = (cq->flags & ACC_CTX_F_PHASE) ? ACC_CQE_F_PHASE : 0;
    if (!acc_dma_write(f, cq->base + (uint64_t)cq->tail * CQE_SIZE, &cqe,
                       sizeof(cqe))) {
        cq_fault(f, cqn, num);
        return 1;
    }
    cq->tail = (cq->tail + 1) & q_mask(cq);
    if (!cq->tail) {
        cq->flags ^= ACC_CTX_F_PHASE;
    }
    if (cq->flags & ACC_CTX_F_IRQ) {
        post_event(f, cqn, ACC_EQE_CQ, 0);
    }
    return MAX(le32_to_cpu(sqe.len), 1);
}

static void acc_qm_run(void *opaque)
{
    AccFunc *f = opaque;
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    uint32_t jobs = 0, bytes = 0;
    bool more = false;

    if (acc_func_paused(f)) {
        return;
    }
    f->dev->in_engine = true;
    while (jobs < ACC_JOBS_PER_TICK && bytes < ACC_BYTES_PER_TICK) {
        /* The allotment may change under us (by DMA to the PF's BAR). */
        uint32_t num = acc_func_qps(f, NULL);
        uint32_t i, qn = 0;

        more = false;
        for (i = 0; i < num; i++) {
            qn = (f->rr + i) % num;
            if (sq_ready(f, qn, num)) {
                more = true;
                break;
            }
        }
        if (!more) {
            break;
        }
        bytes += MIN(run_one(f, qn, num), ACC_BYTES_PER_TICK);
        f->rr = qn + 1;
        jobs++;
    }
    f->dev->in_engine = false;

    if (f->eq_event) {
        f->eq_event = false;
        acc_func_raise(f, ACC_INT_EQ);
    }
    if (more) {
        /*
         * Jobs run under the BQL. Leave it free as long as this tick held
         * it (up to ACC_JOB_YIELD_MAX_NS, plenty for a vCPU to take it), so
         * that a busy engine never starves MMIO: the guest's doorbells,
         * the PF's mailbox (a pause must land while jobs are queued) and
         * IOTLB invalidations. The cap bounds the gap in virtual time,
         * which under qtest advances only as the test steps it.
         */
        int64_t spent = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start;

        timer_mod(&f->job_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                  MAX(ACC_JOB_DELAY_NS, MIN(spent, ACC_JOB_YIELD_MAX_NS)));
    }
}

void acc_qm_init(AccFunc *f)
{
    timer_init_ns(&f->job_timer, QEMU_CLOCK_VIRTUAL, acc_qm_run, f);
}
