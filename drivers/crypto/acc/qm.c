// SPDX-License-Identifier: GPL-2.0
/*
 * acc: queue manager core: register access, the mailbox, and setting up,
 * starting and stopping the queue contexts and the event queue. Shared by
 * the PF and VF drivers; qp.c runs the queues.
 */

#include <linux/bitmap.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "acc.h"
#include "qm.h"

#define ACC_MB_POLL_US		10
#define ACC_MB_SPIN_US		50

/*
 * Mailbox result codes to errnos:
 *   ACC_MB_OK       -> 0
 *   ACC_MB_EINVAL   -> -EINVAL  unknown command, QN out of range, bad context
 *   ACC_MB_EPERM    -> -EPERM   PF-only command on a VF
 *   ACC_MB_EFAULT   -> -EIO     the command's own DMA faulted (a device error,
 *                               not a bad user pointer, hence not -EFAULT)
 *   ACC_MB_EBUSY    -> -EBUSY   state forbids it (VF_LOAD on a running VF)
 *   ACC_MB_ECORRUPT -> -EPROTO  VF state failed validation
 *   anything else   -> -EIO
 * A command that does not complete within mb_timeout_us fails with
 * -ETIMEDOUT; one issued while the mailbox is still busy with an earlier,
 * timed out command fails with -EBUSY (the device would ignore it).
 */
static int acc_mb_errno(u32 code)
{
	switch (code) {
	case ACC_MB_OK:
		return 0;
	case ACC_MB_EINVAL:
		return -EINVAL;
	case ACC_MB_EPERM:
		return -EPERM;
	case ACC_MB_EBUSY:
		return -EBUSY;
	case ACC_MB_ECORRUPT:
		return -EPROTO;
	case ACC_MB_EFAULT:
	default:
		return -EIO;
	}
}

/**
 * acc_qm_init() - read the identity of a function and set up its mailbox
 * @qm: QM to initialize
 * @pdev: the function, enabled, with DMA mask set
 * @regs: its mapped BAR0
 *
 * Return: 0, or -ENODEV if the registers do not look like an acc device.
 */
int acc_qm_init(struct acc_qm *qm, struct pci_dev *pdev, void __iomem *regs)
{
	u32 id, version;

	qm->pdev = pdev;
	qm->dev = &pdev->dev;
	qm->regs = regs;
	mutex_init(&qm->mb_lock);
	qm->mb_maybe_busy = true;
	init_waitqueue_head(&qm->idle_wq);
	INIT_LIST_HEAD(&qm->node);

	id = acc_qm_read(qm, ACC_REG_ID);
	version = acc_qm_read(qm, ACC_REG_VERSION);
	if (id != ACC_ID_MAGIC) {
		pci_err(pdev, "bad ID register %#x\n", id);
		return -ENODEV;
	}
	if ((version >> 16) != (ACC_HW_VERSION >> 16)) {
		pci_err(pdev, "unsupported version %#x\n", version);
		return -ENODEV;
	}
	qm->features = acc_qm_read(qm, ACC_REG_FEATURES);
	qm->qp_num = acc_qm_read(qm, ACC_REG_QP_NUM);
	qm->depth_max_log2 = acc_qm_read(qm, ACC_REG_QP_DEPTH_MAX);
	if (qm->depth_max_log2 > ACC_DEPTH_LOG2_MAX)
		qm->depth_max_log2 = ACC_DEPTH_LOG2_MAX;
	return 0;
}

/**
 * __acc_qm_mb() - run one mailbox command, mb_lock held
 * @qm: QM
 * @cmd: ACC_MB_CMD_*
 * @qn: queue number or VF number
 * @addr: DMA address argument
 *
 * Return: 0 or a negative errno (see acc_mb_errno()).
 */
int __acc_qm_mb(struct acc_qm *qm, u32 cmd, u32 qn, dma_addr_t addr)
{
	u32 status;
	int ret;

	lockdep_assert_held(&qm->mb_lock);
	might_sleep();

	/*
	 * Only a command that timed out can still be running (a reset only
	 * ever ends one): look at the status first after a timeout, and not
	 * otherwise, since in a migration's downtime every MMIO access counts.
	 */
	if (qm->mb_maybe_busy) {
		status = acc_qm_read(qm, ACC_REG_MB_STATUS);
		if (status & ACC_MB_BUSY) {
			dev_err_ratelimited(qm->dev, "mailbox busy, command %#x refused\n",
					    cmd);
			return -EBUSY;
		}
		qm->mb_maybe_busy = false;
	}
	acc_qm_write(qm, ACC_REG_MB_ADDR_LO, lower_32_bits(addr));
	acc_qm_write(qm, ACC_REG_MB_ADDR_HI, upper_32_bits(addr));
	acc_qm_write(qm, ACC_REG_MB_QN, qn);
	acc_qm_write(qm, ACC_REG_MB_CMD, cmd);

	/*
	 * Commands usually complete within microseconds: spin briefly before
	 * sleeping, so that a command costs no timer round trip (migration
	 * downtime is a few of them in a row).
	 */
	ret = readl_poll_timeout_atomic(qm->regs + ACC_REG_MB_STATUS, status,
					!(status & ACC_MB_BUSY), 1,
					ACC_MB_SPIN_US);
	if (ret)
		ret = readl_poll_timeout(qm->regs + ACC_REG_MB_STATUS, status,
					 !(status & ACC_MB_BUSY),
					 ACC_MB_POLL_US,
					 READ_ONCE(acc_mb_timeout_us));
	if (ret) {
		dev_err_ratelimited(qm->dev, "mailbox command %#x qn %u timed out\n",
				    cmd, qn);
		qm->mb_maybe_busy = true;
		return -ETIMEDOUT;
	}
	ret = acc_mb_errno(status & ACC_MB_STATUS_MASK);
	if (ret)
		dev_dbg(qm->dev, "mailbox command %#x qn %u: status %u\n",
			cmd, qn, status & ACC_MB_STATUS_MASK);
	return ret;
}

/**
 * acc_qm_mb() - run one mailbox command
 * @qm: QM
 * @cmd: ACC_MB_CMD_*
 * @qn: queue number or VF number
 * @addr: DMA address argument
 *
 * Sleeps.
 *
 * Return: 0 or a negative errno.
 */
int acc_qm_mb(struct acc_qm *qm, u32 cmd, u32 qn, dma_addr_t addr)
{
	int ret;

	mutex_lock(&qm->mb_lock);
	ret = __acc_qm_mb(qm, cmd, qn, addr);
	mutex_unlock(&qm->mb_lock);
	return ret;
}

/* Drop every cached context of the function; interrupts end up masked. */
void acc_qm_soft_reset(struct acc_qm *qm)
{
	mutex_lock(&qm->mb_lock);
	acc_qm_write(qm, ACC_REG_FUNC_CTRL, ACC_FUNC_CTRL_SOFT_RESET);
	acc_qm_write(qm, ACC_REG_INT_MASK, ACC_INT_ALL);
	acc_qm_write(qm, ACC_REG_INT_STATUS, ACC_INT_ALL);
	mutex_unlock(&qm->mb_lock);
}

/**
 * acc_qm_alloc_queues() - allocate contexts, rings and pools
 * @qm: QM of a function with queue pairs
 * @nr_qps: queue pairs to use, at most qm->qp_num
 * @depth_log2: log2 of the SQ/CQ depth
 *
 * The EQ is sized so that it cannot overflow: every SQE produces at most
 * one EQE, and a CQE may be consumed before its EQE, so 2 * nr_qps * depth
 * plus one error event per queue is an upper bound of unconsumed EQEs.
 *
 * Return: 0 or -ENOMEM / -EINVAL.
 */
int acc_qm_alloc_queues(struct acc_qm *qm, u32 nr_qps, u8 depth_log2)
{
	u32 depth = 1U << depth_log2;
	u32 eq_entries;
	u32 i;

	if (!nr_qps || nr_qps > qm->qp_num || depth_log2 < ACC_DEPTH_LOG2_MIN ||
	    depth_log2 > qm->depth_max_log2)
		return -EINVAL;
	eq_entries = 2 * nr_qps * depth + nr_qps + 1;
	qm->eq_depth_log2 = order_base_2(eq_entries);
	if (qm->eq_depth_log2 > qm->depth_max_log2)
		return -EINVAL;
	qm->nr_qps = nr_qps;
	qm->depth_log2 = depth_log2;
	INIT_WORK(&qm->recover_work, acc_qm_recover_work);

	qm->qps = kcalloc(nr_qps, sizeof(*qm->qps), GFP_KERNEL);
	qm->cq_pending = bitmap_zalloc(nr_qps, GFP_KERNEL);
	if (!qm->qps || !qm->cq_pending)
		goto err;
	qm->sqc = dma_alloc_coherent(qm->dev, nr_qps * sizeof(*qm->sqc),
				     &qm->sqc_dma, GFP_KERNEL);
	qm->cqc = dma_alloc_coherent(qm->dev, nr_qps * sizeof(*qm->cqc),
				     &qm->cqc_dma, GFP_KERNEL);
	qm->eqc = dma_alloc_coherent(qm->dev, sizeof(*qm->eqc), &qm->eqc_dma,
				     GFP_KERNEL);
	qm->eq = dma_alloc_coherent(qm->dev,
				    sizeof(*qm->eq) << qm->eq_depth_log2,
				    &qm->eq_dma, GFP_KERNEL);
	if (!qm->sqc || !qm->cqc || !qm->eqc || !qm->eq)
		goto err;
	qm->ctx_pool = dma_pool_create("acc_ctx", qm->dev,
				       sizeof(struct acc_req_dma), 64, 0);
	qm->sgl_pool = dma_pool_create("acc_sgl", qm->dev,
				       ACC_SGL_MAX_ENTRIES *
				       sizeof(struct acc_sge), 64, 0);
	if (!qm->ctx_pool || !qm->sgl_pool)
		goto err;

	for (i = 0; i < nr_qps; i++) {
		struct acc_qp *qp = &qm->qps[i];

		qp->qm = qm;
		qp->qn = i;
		qp->stopped = true;
		spin_lock_init(&qp->lock);
		qp->jobs = kcalloc(depth, sizeof(*qp->jobs), GFP_KERNEL);
		qp->sq = dma_alloc_coherent(qm->dev, depth * sizeof(*qp->sq),
					    &qp->sq_dma, GFP_KERNEL);
		qp->cq = dma_alloc_coherent(qm->dev, depth * sizeof(*qp->cq),
					    &qp->cq_dma, GFP_KERNEL);
		if (!qp->jobs || !qp->sq || !qp->cq)
			goto err;
	}
	return 0;

err:
	acc_qm_free_queues(qm);
	return -ENOMEM;
}

/* Free what acc_qm_alloc_queues() allocated; queues must be stopped. */
void acc_qm_free_queues(struct acc_qm *qm)
{
	u32 depth = 1U << qm->depth_log2;
	u32 i;

	for (i = 0; qm->qps && i < qm->nr_qps; i++) {
		struct acc_qp *qp = &qm->qps[i];

		if (qp->cq)
			dma_free_coherent(qm->dev, depth * sizeof(*qp->cq),
					  qp->cq, qp->cq_dma);
		if (qp->sq)
			dma_free_coherent(qm->dev, depth * sizeof(*qp->sq),
					  qp->sq, qp->sq_dma);
		kfree(qp->jobs);
	}
	dma_pool_destroy(qm->sgl_pool);
	dma_pool_destroy(qm->ctx_pool);
	if (qm->eq)
		dma_free_coherent(qm->dev, sizeof(*qm->eq) << qm->eq_depth_log2,
				  qm->eq, qm->eq_dma);
	if (qm->eqc)
		dma_free_coherent(qm->dev, sizeof(*qm->eqc), qm->eqc,
				  qm->eqc_dma);
	if (qm->cqc)
		dma_free_coherent(qm->dev, qm->nr_qps * sizeof(*qm->cqc),
				  qm->cqc, qm->cqc_dma);
	if (qm->sqc)
		dma_free_coherent(qm->dev, qm->nr_qps * sizeof(*qm->sqc),
				  qm->sqc, qm->sqc_dma);
	bitmap_free(qm->cq_pending);
	kfree(qm->qps);
	qm->qps = NULL;
	qm->sqc = NULL;
	qm->cqc = NULL;
	qm->eqc = NULL;
	qm->eq = NULL;
	qm->cq_pending = NULL;
	qm->sgl_pool = NULL;
	qm->ctx_pool = NULL;
	qm->nr_qps = 0;
}

/* Empty rings and fresh contexts for one queue pair; qp->lock held. */
void acc_qp_reset_rings(struct acc_qp *qp)
{
	struct acc_qm *qm = qp->qm;
	struct acc_sqc *sqc = &qm->sqc[qp->qn];
	struct acc_cqc *cqc = &qm->cqc[qp->qn];
	u32 depth = acc_qp_depth(qp);

	memset(qp->sq, 0, depth * sizeof(*qp->sq));
	memset(qp->cq, 0, depth * sizeof(*qp->cq));
	qp->sq_tail = 0;
	qp->cq_head = 0;
	qp->cq_phase = 1;

	memset(sqc, 0, sizeof(*sqc));
	sqc->base = cpu_to_le64(qp->sq_dma);
	sqc->depth_log2 = qm->depth_log2;
	sqc->flags = ACC_CTX_F_ENABLE;
	sqc->cqn = cpu_to_le16(qp->qn);

	memset(cqc, 0, sizeof(*cqc));
	cqc->base = cpu_to_le64(qp->cq_dma);
	cqc->depth_log2 = qm->depth_log2;
	cqc->flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE | ACC_CTX_F_IRQ;
}

int acc_qp_load(struct acc_qp *qp)
{
	int ret;

	ret = acc_qm_mb(qp->qm, ACC_MB_CMD_CQC, qp->qn, 0);
	if (!ret)
		ret = acc_qm_mb(qp->qm, ACC_MB_CMD_SQC, qp->qn, 0);
	return ret;
}

/**
 * acc_qm_hw_start() - program the function and start every queue pair
 * @qm: QM with queues allocated, its interrupt requested, no job in flight
 *
 * Return: 0 or a mailbox errno; on failure the queues stay stopped.
 */
int acc_qm_hw_start(struct acc_qm *qm)
{
	u32 i;
	int ret;

	qm->eq_head = 0;
	qm->eq_phase = 1;
	memset(qm->eq, 0, sizeof(*qm->eq) << qm->eq_depth_log2);
	memset(qm->eqc, 0, sizeof(*qm->eqc));
	qm->eqc->base = cpu_to_le64(qm->eq_dma);
	qm->eqc->depth_log2 = qm->eq_depth_log2;
	qm->eqc->flags = ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE;
	bitmap_zero(qm->cq_pending, qm->nr_qps);

	for (i = 0; i < qm->nr_qps; i++) {
		struct acc_qp *qp = &qm->qps[i];

		spin_lock_bh(&qp->lock);
		WARN_ON_ONCE(qp->inflight);
		qp->broken = false;
		acc_qp_reset_rings(qp);
		spin_unlock_bh(&qp->lock);
	}

	ret = acc_qm_mb(qm, ACC_MB_CMD_SQC_BT, 0, qm->sqc_dma);
	if (!ret)
		ret = acc_qm_mb(qm, ACC_MB_CMD_CQC_BT, 0, qm->cqc_dma);
	if (!ret)
		ret = acc_qm_mb(qm, ACC_MB_CMD_EQC, 0, qm->eqc_dma);
	for (i = 0; !ret && i < qm->nr_qps; i++)
		ret = acc_qp_load(&qm->qps[i]);
	if (ret) {
		dev_err(qm->dev, "queue setup failed: %d\n", ret);
		return ret;
	}

	WRITE_ONCE(qm->dying, false);
	acc_qm_write(qm, ACC_REG_INT_STATUS, ACC_INT_ALL);
	acc_qm_write(qm, ACC_REG_INT_MASK, ACC_INT_ALL & ~ACC_INT_EQ);
	for (i = 0; i < qm->nr_qps; i++) {
		spin_lock_bh(&qm->qps[i].lock);
		qm->qps[i].stopped = false;
		spin_unlock_bh(&qm->qps[i].lock);
	}
	return 0;
}

static bool acc_qm_idle(struct acc_qm *qm)
{
	u32 i;

	for (i = 0; i < qm->nr_qps; i++)
		if (READ_ONCE(qm->qps[i].inflight))
			return false;
	return true;
}

/**
 * acc_qm_quiesce() - stop accepting jobs and wait for those in flight
 * @qm: QM
 * @timeout_ms: how long to wait for the device to complete them
 *
 * Return: true if nothing is left in flight.
 */
bool acc_qm_quiesce(struct acc_qm *qm, unsigned int timeout_ms)
{
	u32 i;

	for (i = 0; i < qm->nr_qps; i++) {
		spin_lock_bh(&qm->qps[i].lock);
		qm->qps[i].stopped = true;
		spin_unlock_bh(&qm->qps[i].lock);
	}
	return wait_event_timeout(qm->idle_wq, acc_qm_idle(qm),
				  msecs_to_jiffies(timeout_ms)) > 0;
}

/**
 * acc_qm_hw_stop() - stop every queue pair and fail what is left
 * @qm: QM
 * @err: errno for jobs the device did not complete
 *
 * Leaves the EQ interrupt masked. The function must still be reachable.
 */
void acc_qm_hw_stop(struct acc_qm *qm, int err)
{
	LIST_HEAD(done);
	int ret;
	u32 i;

	WRITE_ONCE(qm->dying, true);
	for (i = 0; i < qm->nr_qps; i++) {
		spin_lock_bh(&qm->qps[i].lock);
		qm->qps[i].stopped = true;
		spin_unlock_bh(&qm->qps[i].lock);
	}
	acc_qm_write(qm, ACC_REG_INT_MASK, ACC_INT_ALL);
	if (qm->irq)
		synchronize_irq(qm->irq);
	/* The EQ thread no longer runs, so nothing can queue the work again. */
	cancel_work_sync(&qm->recover_work);
	/* A paused or wedged function never completes it; do not insist. */
	for (i = 0; i < qm->nr_qps; i++) {
		ret = acc_qm_mb(qm, ACC_MB_CMD_QP_STOP, i, 0);
		if (ret == -ETIMEDOUT || ret == -EBUSY)
			break;
	}

	for (i = 0; i < qm->nr_qps; i++) {
		struct acc_qp *qp = &qm->qps[i];

		spin_lock_bh(&qp->lock);
		acc_qp_poll_cq(qp, &done);
		if (qp->inflight)
			dev_warn(qm->dev, "qp %u: failing %u jobs: %d\n",
				 qp->qn, qp->inflight, err);
		acc_qp_fail_all(qp, err, &done);
		spin_unlock_bh(&qp->lock);
	}
	acc_qm_finish_jobs(&done);
}
