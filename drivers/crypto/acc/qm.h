/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc: queue manager ("QM") core shared by the PF and VF drivers.
 *
 * Locking:
 * - acc_qm.mb_lock (mutex) serializes mailbox commands; process context.
 * - acc_qp.lock (spinlock, BH) protects the ring state of one queue pair:
 *   sq_tail, cq_head/phase, the per-slot job table, inflight, stopped and
 *   broken. Taken from process context and softirq context (submission) and
 *   from the EQ interrupt thread with BH disabled (completion); never from
 *   hard interrupt context.
 * - The EQ ring (eq_head, eq_phase, cq_pending) belongs to the EQ interrupt
 *   thread. Code that resets it first masks the interrupt and calls
 *   synchronize_irq().
 *
 * Jobs: a job is one request made of one or more SQEs posted together on one
 * queue. Its done() callback runs once, when every SQE has a CQE or was
 * failed by the driver, with BH disabled and no QM lock held.
 */
#ifndef _ACC_QM_CORE_H
#define _ACC_QM_CORE_H

#include <linux/dmapool.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/acc_qm.h>

struct acc_qp;
struct acc_job;

typedef void (*acc_job_done_t)(struct acc_job *job, int err);

/**
 * struct acc_job - one request on the device: @nr SQEs on one queue pair
 * @done: completion callback (see the top of this file)
 * @qp: the queue pair the job was posted on
 * @pending: SQEs without a completion yet; under @qp->lock
 * @err: first error seen among the job's SQEs
 * @node: completion list linkage
 */
struct acc_job {
	acc_job_done_t done;
	struct acc_qp *qp;
	unsigned int pending;
	int err;
	struct list_head node;
};

/**
 * struct acc_qp - one queue pair: an SQ and the CQ its completions go to
 * @qm: owning QM
 * @qn: queue number within the function
 * @lock: see the top of this file
 * @stopped: accepts no new jobs
 * @broken: the device stopped the queue on an error; recovery pending
 * @sq: SQE ring of acc_qp_depth() entries
 * @sq_dma: its DMA address
 * @cq: CQE ring of acc_qp_depth() entries
 * @cq_dma: its DMA address
 * @jobs: job of each SQ slot, NULL when the slot is free
 * @sq_tail: next SQ slot to fill
 * @cq_head: next CQ entry to consume
 * @cq_phase: phase bit of valid CQEs at @cq_head
 * @inflight: SQEs posted and not yet completed
 */
struct acc_qp {
	struct acc_qm *qm;
	u16 qn;
	spinlock_t lock;	/* ring state, see above */
	bool stopped;
	bool broken;
	struct acc_sqe *sq;
	dma_addr_t sq_dma;
	struct acc_cqe *cq;
	dma_addr_t cq_dma;
	struct acc_job **jobs;
	u16 sq_tail;
	u16 cq_head;
	u8 cq_phase;
	unsigned int inflight;
};

/**
 * struct acc_qm - the queue manager of one PCI function
 * @pdev: the function
 * @dev: &pdev->dev, used for DMA
 * @regs: BAR0
 * @mb_lock: serializes mailbox commands
 * @features: ACC_REG_FEATURES
 * @qp_num: ACC_REG_QP_NUM, queue pairs of the function
 * @depth_max_log2: ACC_REG_QP_DEPTH_MAX
 * @nr_qps: queue pairs the driver uses (0 on the PF)
 * @depth_log2: log2 of the SQ and CQ depth
 * @qps: @nr_qps queue pairs
 * @sqc: SQC table
 * @sqc_dma: its DMA address
 * @cqc: CQC table
 * @cqc_dma: its DMA address
 * @eqc: EQ context given to ACC_MB_CMD_EQC
 * @eqc_dma: its DMA address
 * @eq: EQE ring
 * @eq_dma: its DMA address
 * @eq_depth_log2: log2 of the EQ depth
 * @eq_head: next EQE to consume
 * @eq_phase: phase bit of valid EQEs at @eq_head
 * @cq_pending: CQs named by the EQEs of one pass
 * @irq: Linux IRQ of ACC_VEC_EQ, or 0
 * @dying: queues are being shut down; recovery must not restart them
 * @idle_wq: woken when a queue pair's @inflight drops to zero
 * @recover_work: restarts queue pairs the device stopped
 * @ctx_pool: per-job DMA blocks (keys, IVs, hash state)
 * @sgl_pool: SGL tables of ACC_SGL_MAX_ENTRIES entries
 * @node: linkage in the dispatcher's device list
 */
struct acc_qm {
	struct pci_dev *pdev;
	struct device *dev;
	void __iomem *regs;
	struct mutex mb_lock;	/* serializes the mailbox */
	bool mb_maybe_busy;	/* under mb_lock: a command may be running */
	u32 features;
	u32 qp_num;
	u32 depth_max_log2;

	u32 nr_qps;
	u8 depth_log2;
	struct acc_qp *qps;
	struct acc_sqc *sqc;
	dma_addr_t sqc_dma;
	struct acc_cqc *cqc;
	dma_addr_t cqc_dma;
	struct acc_eqc *eqc;
	dma_addr_t eqc_dma;
	struct acc_eqe *eq;
	dma_addr_t eq_dma;
	u8 eq_depth_log2;
	u16 eq_head;
	u8 eq_phase;
	unsigned long *cq_pending;
	int irq;
	bool dying;
	wait_queue_head_t idle_wq;
	struct work_struct recover_work;
	struct dma_pool *ctx_pool;
	struct dma_pool *sgl_pool;
	struct list_head node;
};

static inline u32 acc_qm_read(struct acc_qm *qm, u32 reg)
{
	return readl(qm->regs + reg);
}

static inline void acc_qm_write(struct acc_qm *qm, u32 reg, u32 val)
{
	writel(val, qm->regs + reg);
}

static inline u32 acc_qp_depth(const struct acc_qp *qp)
{
	return 1U << qp->qm->depth_log2;
}

/* Register access and mailbox (all functions). */
int acc_qm_init(struct acc_qm *qm, struct pci_dev *pdev, void __iomem *regs);
int acc_qm_mb(struct acc_qm *qm, u32 cmd, u32 qn, dma_addr_t addr);
int __acc_qm_mb(struct acc_qm *qm, u32 cmd, u32 qn, dma_addr_t addr);
void acc_qm_soft_reset(struct acc_qm *qm);

/* Queues (functions with queue pairs). */
int acc_qm_alloc_queues(struct acc_qm *qm, u32 nr_qps, u8 depth_log2);
void acc_qm_free_queues(struct acc_qm *qm);
int acc_qm_hw_start(struct acc_qm *qm);
bool acc_qm_quiesce(struct acc_qm *qm, unsigned int timeout_ms);
void acc_qm_hw_stop(struct acc_qm *qm, int err);
irqreturn_t acc_qm_eq_thread(int irq, void *data);

/* Internal to qm.c and qp.c. */
void acc_qp_reset_rings(struct acc_qp *qp);
int acc_qp_load(struct acc_qp *qp);
void acc_qp_poll_cq(struct acc_qp *qp, struct list_head *done);
void acc_qp_fail_all(struct acc_qp *qp, int err, struct list_head *done);
void acc_qm_finish_jobs(struct list_head *done);
void acc_qm_recover_work(struct work_struct *work);

/* Submission: the caller holds qp->lock. */
unsigned int acc_qp_free_slots(const struct acc_qp *qp);
struct acc_sqe *acc_qp_sqe(struct acc_qp *qp, unsigned int i);
void acc_qp_post(struct acc_qp *qp, struct acc_job *job, unsigned int nr);

#endif /* _ACC_QM_CORE_H */
