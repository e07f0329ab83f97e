// SPDX-License-Identifier: GPL-2.0
/*
 * acc: queue pairs at work: posting SQEs, consuming CQEs and EQEs by phase,
 * completing jobs, and restarting queues the device stopped on an error.
 */

#include <linux/bitmap.h>
#include <linux/bottom_half.h>
#include <linux/interrupt.h>

#include "acc.h"
#include "qm.h"

/*
 * CQE status to errno: malformed entries (ACC_ST_BAD_*) -> -EINVAL,
 * ACC_ST_DMA_FAULT and unknown codes -> -EIO.
 */
static int acc_status_errno(u8 status)
{
	switch (status) {
	case ACC_ST_OK:
		return 0;
	case ACC_ST_BAD_OP:
	case ACC_ST_BAD_LEN:
	case ACC_ST_BAD_KEY:
	case ACC_ST_BAD_SGL:
	case ACC_ST_BAD_FLAGS:
		return -EINVAL;
	case ACC_ST_DMA_FAULT:
	default:
		return -EIO;
	}
}

/* Complete one SQ slot; qp->lock held. */
static void acc_qp_complete_slot(struct acc_qp *qp, u32 slot, int err,
				 struct list_head *done)
{
	struct acc_job *job = qp->jobs[slot];

	if (!job) {
		dev_warn_ratelimited(qp->qm->dev,
				     "qp %u: completion for idle slot %u\n",
				     qp->qn, slot);
		return;
	}
	qp->jobs[slot] = NULL;
	if (err && !job->err)
		job->err = err;
	if (!--job->pending)
		list_add_tail(&job->node, done);
	if (!--qp->inflight)
		wake_up(&qp->qm->idle_wq);
}

/* Consume the valid CQEs of one queue pair; qp->lock held. */
void acc_qp_poll_cq(struct acc_qp *qp, struct list_head *done)
{
	u32 mask = acc_qp_depth(qp) - 1;
	unsigned int n = 0;

	for (;;) {
		struct acc_cqe *cqe = &qp->cq[qp->cq_head];
		u64 tag;
		u8 status;
		int err;

		if ((READ_ONCE(cqe->flags) & ACC_CQE_F_PHASE) != qp->cq_phase)
			break;
		dma_rmb();
		tag = le64_to_cpu(cqe->tag);
		status = cqe->status;
		if (++qp->cq_head > mask) {
			qp->cq_head = 0;
			qp->cq_phase ^= 1;
		}
		n++;
		err = acc_status_errno(status);
		if (err)
			dev_warn_ratelimited(qp->qm->dev,
					     "qp %u: job failed, status %u (%d)\n",
					     qp->qn, status, err);
		if (tag > mask) {
			dev_warn_ratelimited(qp->qm->dev,
					     "qp %u: bad CQE tag %llu\n",
					     qp->qn, tag);
			continue;
		}
		acc_qp_complete_slot(qp, tag, err, done);
	}
	if (n)
		acc_qm_write(qp->qm, ACC_REG_DB_CQ,
			     ((u32)qp->qn << ACC_DB_QN_SHIFT) | qp->cq_head);
}

/* Fail every job slot still in flight; qp->lock held. */
void acc_qp_fail_all(struct acc_qp *qp, int err, struct list_head *done)
{
	u32 slot;

	for (slot = 0; slot < acc_qp_depth(qp) && qp->inflight; slot++)
		if (qp->jobs[slot])
			acc_qp_complete_slot(qp, slot, err, done);
}

/* Run the done() callbacks of completed jobs; no QM lock held. */
void acc_qm_finish_jobs(struct list_head *done)
{
	struct acc_job *job, *tmp;

	local_bh_disable();
	list_for_each_entry_safe(job, tmp, done, node) {
		list_del(&job->node);
		job->done(job, job->err);
	}
	local_bh_enable();
}

/**
 * acc_qm_eq_thread() - threaded handler of ACC_VEC_EQ
 * @irq: the interrupt
 * @data: the QM
 *
 * Clears the interrupt status before walking the EQ, so an EQE written
 * after the walk raises the interrupt again. Completion callbacks run with
 * BH disabled, as crypto completions expect.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t acc_qm_eq_thread(int irq, void *data)
{
	struct acc_qm *qm = data;
	u32 mask = (1U << qm->eq_depth_log2) - 1;
	bool recover = false;
	unsigned int n = 0;
	LIST_HEAD(done);
	u32 qn;

	acc_qm_write(qm, ACC_REG_INT_STATUS, ACC_INT_EQ);
	for (;;) {
		struct acc_eqe *eqe = &qm->eq[qm->eq_head];
		u32 info;
		u8 type;

		if ((READ_ONCE(eqe->flags) & ACC_EQE_F_PHASE) != qm->eq_phase)
			break;
		dma_rmb();
		qn = le16_to_cpu(eqe->qn);
		type = eqe->type;
		info = le32_to_cpu(eqe->info);
		if (++qm->eq_head > mask) {
			qm->eq_head = 0;
			qm->eq_phase ^= 1;
		}
		n++;
		if (qn >= qm->nr_qps) {
			dev_warn_ratelimited(qm->dev, "EQE for bad queue %u\n", qn);
			continue;
		}
		__set_bit(qn, qm->cq_pending);
		if (type == ACC_EQE_ERROR) {
			struct acc_qp *qp = &qm->qps[qn];

			dev_err_ratelimited(qm->dev, "qp %u stopped on error %u\n",
					    qn, info);
			spin_lock_bh(&qp->lock);
			qp->broken = true;
			qp->stopped = true;
			spin_unlock_bh(&qp->lock);
			recover = true;
		} else if (type != ACC_EQE_CQ) {
			dev_warn_ratelimited(qm->dev, "unknown EQE type %u\n",
					     type);
		}
	}
	if (n)
		acc_qm_write(qm, ACC_REG_DB_EQ, qm->eq_head);

	for_each_set_bit(qn, qm->cq_pending, qm->nr_qps) {
		struct acc_qp *qp = &qm->qps[qn];

		__clear_bit(qn, qm->cq_pending);
		spin_lock_bh(&qp->lock);
		acc_qp_poll_cq(qp, &done);
		spin_unlock_bh(&qp->lock);
	}
	acc_qm_finish_jobs(&done);
	if (recover && !READ_ONCE(qm->dying))
		schedule_work(&qm->recover_work);
	return IRQ_HANDLED;
}

/*
 * Restart the queue pairs the device stopped on an error: stop them for
 * good, fail their jobs with -EIO, and load fresh contexts.
 */
void acc_qm_recover_work(struct work_struct *work)
{
	struct acc_qm *qm = container_of(work, struct acc_qm, recover_work);
	u32 i;

	for (i = 0; i < qm->nr_qps; i++) {
		struct acc_qp *qp = &qm->qps[i];
		LIST_HEAD(done);
		bool broken;
		int ret;

		if (READ_ONCE(qm->dying))
			return;
		spin_lock_bh(&qp->lock);
		broken = qp->broken;
		spin_unlock_bh(&qp->lock);
		if (!broken)
			continue;

		ret = acc_qm_mb(qm, ACC_MB_CMD_QP_STOP, qp->qn, 0);
		spin_lock_bh(&qp->lock);
		acc_qp_poll_cq(qp, &done);
		acc_qp_fail_all(qp, -EIO, &done);
		acc_qp_reset_rings(qp);
		spin_unlock_bh(&qp->lock);
		acc_qm_finish_jobs(&done);

		if (!ret)
			ret = acc_qp_load(qp);
		if (ret) {
			dev_err_ratelimited(qm->dev, "qp %u: restart failed: %d\n",
					    qp->qn, ret);
			continue;
		}
		spin_lock_bh(&qp->lock);
		qp->broken = false;
		if (!READ_ONCE(qm->dying))
			qp->stopped = false;
		spin_unlock_bh(&qp->lock);
		dev_warn_ratelimited(qm->dev, "qp %u restarted after an error\n",
				     qp->qn);
		/* Backlogged requests may have waited for this queue. */
		acc_dispatch_kick();
	}
}

/**
 * acc_qp_free_slots() - SQ slots a new job may use; qp->lock held
 * @qp: queue pair
 *
 * Return: the number of free slots, 0 if the queue is stopped.
 */
unsigned int acc_qp_free_slots(const struct acc_qp *qp)
{
	lockdep_assert_held(&qp->lock);
	if (qp->stopped)
		return 0;
	return acc_qp_depth(qp) - 1 - qp->inflight;
}

/**
 * acc_qp_sqe() - the i-th SQE after the tail, to be filled; qp->lock held
 * @qp: queue pair
 * @i: index, below acc_qp_free_slots()
 *
 * Return: the zeroed SQE.
 */
struct acc_sqe *acc_qp_sqe(struct acc_qp *qp, unsigned int i)
{
	struct acc_sqe *sqe;

	sqe = &qp->sq[(qp->sq_tail + i) & (acc_qp_depth(qp) - 1)];
	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/**
 * acc_qp_post() - hand the filled SQEs to the device; qp->lock held
 * @qp: queue pair
 * @job: the job they belong to
 * @nr: SQEs filled with acc_qp_sqe(), 1 .. acc_qp_free_slots()
 */
void acc_qp_post(struct acc_qp *qp, struct acc_job *job, unsigned int nr)
{
	u32 mask = acc_qp_depth(qp) - 1;
	unsigned int i;

	lockdep_assert_held(&qp->lock);
	job->qp = qp;
	job->pending = nr;
	job->err = 0;
	for (i = 0; i < nr; i++) {
		u32 slot = qp->sq_tail;

		WARN_ON_ONCE(qp->jobs[slot]);
		qp->sq[slot].tag = cpu_to_le64(slot);
		qp->jobs[slot] = job;
		qp->sq_tail = (slot + 1) & mask;
	}
	qp->inflight += nr;
	/* writel() orders the SQE stores before the doorbell. */
	acc_qm_write(qp->qm, ACC_REG_DB_SQ,
		     ((u32)qp->qn << ACC_DB_QN_SHIFT) | qp->sq_tail);
}
