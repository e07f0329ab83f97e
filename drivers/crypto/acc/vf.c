// SPDX-License-Identifier: GPL-2.0
/*
 * acc: VF driver. Sets up the queue pairs the PF allotted to the VF and
 * hands them to the dispatcher of the crypto algorithms. It touches the
 * VF's own registers only, so it works the same in a guest without a PF.
 */

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "acc.h"

struct acc_vf {
	struct acc_qm qm;
	bool running;		/* queues started and in the dispatcher */
};

/* Take the VF's queues out of service; jobs left fail with @err. */
static void acc_vf_stop(struct acc_vf *vf, int err)
{
	struct acc_qm *qm = &vf->qm;

	if (!vf->running)
		return;
	vf->running = false;
	acc_dispatch_remove(qm);
	if (!acc_qm_quiesce(qm, READ_ONCE(acc_drain_timeout_ms)))
		dev_warn(qm->dev, "jobs still in flight after %u ms\n",
			 READ_ONCE(acc_drain_timeout_ms));
	acc_qm_hw_stop(qm, err);
}

static int acc_vf_start(struct acc_vf *vf)
{
	int ret;

	ret = acc_qm_hw_start(&vf->qm);
	if (ret)
		return ret;
	acc_dispatch_add(&vf->qm);
	vf->running = true;
	return 0;
}

static u8 acc_vf_depth_log2(struct acc_qm *qm)
{
	u32 depth = clamp_t(u32, READ_ONCE(acc_queue_depth),
			    1U << ACC_DEPTH_LOG2_MIN, 1U << qm->depth_max_log2);

	return ilog2(depth);
}

static int acc_vf_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	const u32 need = ACC_FEAT_CIPHER | ACC_FEAT_HASH | ACC_FEAT_SGL;
	struct acc_qm *qm;
	struct acc_vf *vf;
	void __iomem *regs;
	u32 nr_qps;
	u8 depth_log2;
	int ret;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	qm = &vf->qm;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_mem_regions(pdev, "acc_vf");
	if (ret)
		goto err_disable;
	/* The guest part only: the migration window is the host's. */
	regs = pci_iomap(pdev, ACC_BAR_REGS, ACC_GUEST_SIZE);
	if (!regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_unmap;
	ret = acc_qm_init(qm, pdev, regs);
	if (ret)
		goto err_unmap;
	if (!qm->qp_num) {
		pci_err(pdev, "no queue pairs allotted to this VF\n");
		ret = -ENODEV;
		goto err_unmap;
	}
	if ((qm->features & need) != need) {
		pci_err(pdev, "features %#x lack %#x\n", qm->features, need);
		ret = -ENODEV;
		goto err_unmap;
	}

	/* Use as many queue pairs as the EQ can serve without overflowing. */
	depth_log2 = acc_vf_depth_log2(qm);
	nr_qps = min_t(u32, qm->qp_num,
		       ((1U << qm->depth_max_log2) - 1) /
		       (2 * (1U << depth_log2) + 1));
	if (!nr_qps) {
		depth_log2 = qm->depth_max_log2 - 2;
		nr_qps = 1;
	}
	acc_qm_soft_reset(qm);
	ret = acc_qm_alloc_queues(qm, nr_qps, depth_log2);
	if (ret)
		goto err_unmap;

	ret = pci_alloc_irq_vectors(pdev, ACC_MSIX_VECTORS, ACC_MSIX_VECTORS,
				    PCI_IRQ_MSIX);
	if (ret < 0)
		goto err_queues;
	qm->irq = pci_irq_vector(pdev, ACC_VEC_EQ);
	ret = request_threaded_irq(qm->irq, NULL, acc_qm_eq_thread,
				   IRQF_ONESHOT, "acc_vf", qm);
	if (ret) {
		qm->irq = 0;
		goto err_vectors;
	}

	pci_set_drvdata(pdev, vf);
	ret = acc_vf_start(vf);
	if (ret)
		goto err_irq;
	pci_info(pdev, "%u of %u queue pairs, depth %u\n", nr_qps, qm->qp_num,
		 1U << depth_log2);

	/* The first VF makes the algorithms available; self-tests run now. */
	ret = acc_algs_register();
	if (ret)
		pci_warn(pdev, "registering the algorithms failed: %d\n", ret);
	return 0;

err_irq:
	free_irq(qm->irq, qm);
	qm->irq = 0;
err_vectors:
	pci_free_irq_vectors(pdev);
err_queues:
	acc_qm_soft_reset(qm);
	acc_qm_free_queues(qm);
err_unmap:
	pci_iounmap(pdev, regs);
err_release:
	pci_release_mem_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(vf);
	return ret;
}

static void acc_vf_remove(struct pci_dev *pdev)
{
	struct acc_vf *vf = pci_get_drvdata(pdev);
	struct acc_qm *qm = &vf->qm;

	acc_vf_stop(vf, -ENODEV);
	free_irq(qm->irq, qm);
	pci_free_irq_vectors(pdev);
	cancel_work_sync(&qm->recover_work);
	acc_qm_soft_reset(qm);
	acc_qm_free_queues(qm);
	pci_iounmap(pdev, qm->regs);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
	kfree(vf);
}

/* FLR: drain and stop before, start on fresh contexts after. */
static void acc_vf_reset_prepare(struct pci_dev *pdev)
{
	struct acc_vf *vf = pci_get_drvdata(pdev);

	acc_vf_stop(vf, -EIO);
}

static void acc_vf_reset_done(struct pci_dev *pdev)
{
	struct acc_vf *vf = pci_get_drvdata(pdev);
	int ret;

	ret = acc_vf_start(vf);
	if (ret)
		pci_err(pdev, "restart after reset failed: %d\n", ret);
}

static const struct pci_error_handlers acc_vf_err_handlers = {
	.reset_prepare = acc_vf_reset_prepare,
	.reset_done = acc_vf_reset_done,
};

static const struct pci_device_id acc_vf_ids[] = {
	{ PCI_DEVICE(ACC_PCI_VENDOR_ID, ACC_PCI_DEVICE_VF) },
	{ }
};
MODULE_DEVICE_TABLE(pci, acc_vf_ids);

struct pci_driver acc_vf_driver = {
	.name = "acc_vf",
	.id_table = acc_vf_ids,
	.probe = acc_vf_probe,
	.remove = acc_vf_remove,
	.err_handler = &acc_vf_err_handlers,
};
