/*
 * acc: emulated queue-manager crypto accelerator (PF with SR-IOV VFs).
 * Internal interfaces of the model; the register map and the in-memory
 * layouts are in hw/misc/acc_qm.h (include/uapi/linux/acc_qm.h of the acc
 * project), the behaviour in its docs/hw-spec.rst.
 *
 * The model is split by concern:
 *   acc.c        PCI functions (PF and VF), registers, mailbox, resets,
 *                migration window, VF state save/load
 *   acc-qm.c     queue contexts, doorbells, the job scheduler, CQEs, EQEs
 *   acc-job.c    execution of one SQE: validation, SGLs, data movement
 *   acc-crypto.c SHA-256 with loadable state, HMAC-SHA256, AES-CBC/CTR
 *
 * Locking: everything runs under the BQL (MMIO handlers and timers).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_MISC_ACC_H
#define HW_MISC_ACC_H

#include "hw/pci/pci_device.h"
#include "qemu/timer.h"
#include "hw/misc/acc_qm.h"

#define TYPE_ACC_PF "acc-pf"
#define TYPE_ACC_VF "acc-vf"

/* Model limits that are not part of the register map. */
#define ACC_MODEL_MAX_QPS       4096    /* upper bound of the "qps" property */
#define ACC_JOBS_PER_TICK       16      /* jobs per scheduler callback */
#define ACC_BYTES_PER_TICK      (1U << 20)
#define ACC_JOB_DELAY_NS        2000    /* doorbell to first fetch */
#define ACC_MB_DELAY_NS         2000    /* mailbox command latency */
#define ACC_JOB_YIELD_MAX_NS    1000000 /* longest BQL-free gap a busy tick
                                           leaves (see acc_qm_run) */

#define ACC_FEATURES (ACC_FEAT_CIPHER | ACC_FEAT_HASH | ACC_FEAT_SGL | \
                      ACC_FEAT_MIGRATION)

typedef struct AccPFState AccPFState;

/* The device's copy of an SQ, CQ or EQ context (see "Contexts"). */
typedef struct AccQueue {
    uint64_t base;
    uint16_t head;
    uint16_t tail;
    uint8_t depth_log2;
    uint8_t flags;              /* ACC_CTX_F_*; ENABLE means cached */
    uint16_t cqn;               /* SQ only */
} AccQueue;

typedef struct AccQP {
    AccQueue sq;
    AccQueue cq;
} AccQP;

/* One PCI function of the device: the PF or a VF. */
typedef struct AccFunc {
    PCIDevice *pdev;            /* requester of this function's DMA */
    AccPFState *dev;            /* the device, i.e. the PF */
    int vfn;                    /* VF number, -1 for the PF */
    MemoryRegion mmio;          /* BAR0 */
    MemoryRegion msix;          /* BAR2 */
    QEMUTimer job_timer;
    QEMUTimer mb_timer;

    uint32_t status;            /* ACC_FUNC_ST_PAUSED | ACC_FUNC_ST_ERROR */
    uint32_t int_mask;
    uint32_t int_status;
    uint64_t sqc_bt;
    uint64_t cqc_bt;
    uint64_t eqc_addr;          /* where WRITEBACK puts the EQ context */
    AccQueue eq;
    uint32_t rr;                /* round robin: next QP to look at */
    bool eq_event;              /* events written, INT_EQ to raise */

    /* Mailbox registers and the command in flight. */
    uint32_t mb_qn;
    uint64_t mb_addr;
    uint32_t mb_status;
    uint32_t mb_cmd;            /* latched at the CMD write */
    uint32_t mb_cmd_qn;
    uint64_t mb_cmd_addr;
    int64_t mb_deadline;        /* QEMU_CLOCK_VIRTUAL ns it is done by */
} AccFunc;

typedef struct AccVFState {
    PCIDevice parent_obj;
    AccFunc func;
} AccVFState;

struct AccPFState {
    PCIDevice parent_obj;
    AccFunc func;

    uint16_t total_vfs;         /* property "vfs" */
    uint32_t total_qp;          /* property "qps" */
    uint32_t vf_qp_base[ACC_MAX_VFS];
    uint32_t vf_qp_num[ACC_MAX_VFS];
    AccQP *pool;                /* total_qp cached QP contexts */
    AccVFState *vf[ACC_MAX_VFS];
    bool in_engine;             /* a timer callback is issuing DMA */
};

OBJECT_DECLARE_SIMPLE_TYPE(AccPFState, ACC_PF)
OBJECT_DECLARE_SIMPLE_TYPE(AccVFState, ACC_VF)

/* acc.c */
uint32_t acc_func_qps(AccFunc *f, uint32_t *base);
AccQP *acc_func_qp(AccFunc *f, uint32_t qn);
bool acc_func_paused(AccFunc *f);
void acc_func_raise(AccFunc *f, uint32_t bits);
bool acc_dma_read(AccFunc *f, uint64_t addr, void *buf, uint64_t len);
bool acc_dma_write(AccFunc *f, uint64_t addr, const void *buf, uint64_t len);
void acc_log(AccFunc *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* acc-qm.c */
void acc_qm_init(AccFunc *f);
void acc_qm_reset(AccFunc *f);
void acc_qm_kick(AccFunc *f);
uint8_t acc_qm_set_eqc(AccFunc *f, uint64_t addr);
uint8_t acc_qm_load_sqc(AccFunc *f, uint32_t qn);
uint8_t acc_qm_load_cqc(AccFunc *f, uint32_t qn);
uint8_t acc_qm_qp_stop(AccFunc *f, uint32_t qn);
uint8_t acc_qm_writeback(AccFunc *f);
void acc_qm_db_sq(AccFunc *f, uint32_t val);
void acc_qm_db_cq(AccFunc *f, uint32_t val);
void acc_qm_db_eq(AccFunc *f, uint32_t val);
uint32_t acc_qm_inflight(AccFunc *f);
bool acc_qm_ctx_valid(const AccQueue *q, uint32_t entry_size,
                      int32_t qp_num);
void acc_qm_sqc_to_mem(const AccQueue *q, struct acc_sqc *c);
void acc_qm_sqc_from_mem(AccQueue *q, const struct acc_sqc *c);
void acc_qm_cqc_to_mem(const AccQueue *q, struct acc_cqc *c);
void acc_qm_cqc_from_mem(AccQueue *q, const struct acc_cqc *c);
void acc_qm_eqc_to_mem(const AccQueue *q, struct acc_eqc *c);
void acc_qm_eqc_from_mem(AccQueue *q, const struct acc_eqc *c);

/* acc-job.c */
uint8_t acc_job_run(AccFunc *f, const struct acc_sqe *sqe);

#endif
