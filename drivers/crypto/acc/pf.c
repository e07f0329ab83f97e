// SPDX-License-Identifier: GPL-2.0
/*
 * acc: PF driver. Owns the device: gives each VF a contiguous range of the
 * queue pair pool when SR-IOV is enabled, and offers VF control (pause,
 * resume, write back, state save and load) to drivers bound to the VFs.
 * The PF has no queue pairs; it uses its registers and its mailbox only.
 */

#include <linux/acc_qm.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "acc.h"

/* VF allotments; qm.mb_lock held. */
static void acc_pf_set_allotment(struct acc_pf *pf, int vf, u32 base, u32 num)
{
	acc_qm_write(&pf->qm, ACC_PF_VF_QP_BASE(vf), base);
	acc_qm_write(&pf->qm, ACC_PF_VF_QP_NUM(vf), num);
	pf->vfs[vf].qps = num;
}

static void acc_pf_clear_allotments(struct acc_pf *pf, int nr)
{
	int vf;

	mutex_lock(&pf->qm.mb_lock);
	for (vf = 0; vf < nr; vf++)
		acc_pf_set_allotment(pf, vf, 0, 0);
	pf->num_vfs = 0;
	mutex_unlock(&pf->qm.mb_lock);
}

static void acc_pf_disable_vfs(struct acc_pf *pf)
{
	acc_pf_debugfs_remove_vfs(pf);
	/* Unbinds and removes the VFs (their drivers drain) first. */
	pci_disable_sriov(pf->qm.pdev);
	acc_pf_clear_allotments(pf, pf->num_vfs);
}

static int acc_pf_sriov_configure(struct pci_dev *pdev, int num_vfs)
{
	struct acc_pf *pf = pci_get_drvdata(pdev);
	u32 qps = READ_ONCE(acc_vf_qps);
	int vf, ret;

	if (!num_vfs) {
		if (pci_vfs_assigned(pdev)) {
			pci_warn(pdev, "VFs are assigned, not disabling SR-IOV\n");
			return -EPERM;
		}
		acc_pf_disable_vfs(pf);
		return 0;
	}
	if (pci_num_vf(pdev))
		return -EBUSY;
	if (num_vfs > ACC_MAX_VFS)
		return -EINVAL;
	if (!qps || (u64)qps * num_vfs > pf->total_qp) {
		pci_err(pdev, "cannot give %d VFs %u queue pairs each (%u in all)\n",
			num_vfs, qps, pf->total_qp);
		return -ENOSPC;
	}

	/* Allot before the VFs appear: their drivers read QP_NUM at probe. */
	mutex_lock(&pf->qm.mb_lock);
	for (vf = 0; vf < num_vfs; vf++)
		acc_pf_set_allotment(pf, vf, vf * qps, qps);
	pf->num_vfs = num_vfs;
	mutex_unlock(&pf->qm.mb_lock);

	ret = pci_enable_sriov(pdev, num_vfs);
	if (ret) {
		pci_err(pdev, "enabling %d VFs failed: %d\n", num_vfs, ret);
		acc_pf_clear_allotments(pf, num_vfs);
		return ret;
	}
	acc_pf_debugfs_add_vfs(pf, num_vfs);
	pci_info(pdev, "%d VFs enabled, %u queue pairs each\n", num_vfs, qps);
	return num_vfs;
}

static int acc_pf_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct acc_pf *pf;
	void __iomem *regs;
	int vf, ret;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_mem_regions(pdev, "acc_pf");
	if (ret)
		goto err_disable;
	regs = pci_iomap(pdev, ACC_BAR_REGS, ACC_BAR_REGS_SIZE);
	if (!regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_unmap;
	ret = acc_qm_init(&pf->qm, pdev, regs);
	if (ret)
		goto err_unmap;
	pf->total_qp = acc_qm_read(&pf->qm, ACC_PF_TOTAL_QP);
	if (!pf->total_qp) {
		pci_err(pdev, "device has no queue pairs\n");
		ret = -ENODEV;
		goto err_unmap;
	}

	pf->state_size = ACC_VF_STATE_SIZE(pf->total_qp);
	pf->state = dma_alloc_coherent(&pdev->dev, pf->state_size,
				       &pf->state_dma, GFP_KERNEL);
	if (!pf->state) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	for (vf = 0; vf < ACC_MAX_VFS; vf++) {
		pf->vfs[vf].pf = pf;
		pf->vfs[vf].id = vf;
	}
	/* Forget allotments a previous driver may have left. */
	acc_pf_clear_allotments(pf, min_t(int, pci_sriov_get_totalvfs(pdev),
					  ACC_MAX_VFS));
	acc_qm_soft_reset(&pf->qm);

	pci_set_drvdata(pdev, pf);
	acc_pf_debugfs_init(pf);
	pci_info(pdev, "acc PF: %u queue pairs, features %#x, %d VFs at most\n",
		 pf->total_qp, pf->qm.features, pci_sriov_get_totalvfs(pdev));
	return 0;

err_unmap:
	pci_iounmap(pdev, regs);
err_release:
	pci_release_mem_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(pf);
	return ret;
}

static void acc_pf_remove(struct pci_dev *pdev)
{
	struct acc_pf *pf = pci_get_drvdata(pdev);

	if (pci_num_vf(pdev))
		acc_pf_disable_vfs(pf);
	acc_pf_debugfs_exit(pf);
	dma_free_coherent(&pdev->dev, pf->state_size, pf->state, pf->state_dma);
	pci_iounmap(pdev, pf->qm.regs);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
	kfree(pf);
}

static const struct pci_device_id acc_pf_ids[] = {
	{ PCI_DEVICE(ACC_PCI_VENDOR_ID, ACC_PCI_DEVICE_PF) },
	{ }
};
MODULE_DEVICE_TABLE(pci, acc_pf_ids);

struct pci_driver acc_pf_driver = {
	.name = "acc_pf",
	.id_table = acc_pf_ids,
	.probe = acc_pf_probe,
	.remove = acc_pf_remove,
	.sriov_configure = acc_pf_sriov_configure,
};

/* ------------------------------------------------ services for VF drivers */

struct acc_pf *acc_pf_get_from_vf(struct pci_dev *vf_pdev)
{
	struct acc_pf *pf = pci_iov_get_pf_drvdata(vf_pdev, &acc_pf_driver);

	return pf ?: ERR_PTR(-ENODEV);
}
EXPORT_SYMBOL_GPL(acc_pf_get_from_vf);

int acc_pf_vf_id(struct pci_dev *vf_pdev)
{
	return pci_iov_vf_id(vf_pdev);
}
EXPORT_SYMBOL_GPL(acc_pf_vf_id);

/* A VF number with an allotment; qm.mb_lock held. */
static bool acc_pf_vf_valid(struct acc_pf *pf, int vf)
{
	lockdep_assert_held(&pf->qm.mb_lock);
	return vf >= 0 && vf < pf->num_vfs;
}

static int acc_pf_vf_cmd(struct acc_pf *pf, int vf, u32 cmd)
{
	int ret = -EINVAL;

	mutex_lock(&pf->qm.mb_lock);
	if (acc_pf_vf_valid(pf, vf))
		ret = __acc_qm_mb(&pf->qm, cmd, vf, 0);
	mutex_unlock(&pf->qm.mb_lock);
	return ret;
}

int acc_pf_vf_pause(struct acc_pf *pf, int vf)
{
	return acc_pf_vf_cmd(pf, vf, ACC_MB_CMD_VF_PAUSE);
}
EXPORT_SYMBOL_GPL(acc_pf_vf_pause);

int acc_pf_vf_resume(struct acc_pf *pf, int vf)
{
	return acc_pf_vf_cmd(pf, vf, ACC_MB_CMD_VF_RESUME);
}
EXPORT_SYMBOL_GPL(acc_pf_vf_resume);

int acc_pf_vf_writeback(struct acc_pf *pf, int vf)
{
	return acc_pf_vf_cmd(pf, vf, ACC_MB_CMD_VF_WRITEBACK);
}
EXPORT_SYMBOL_GPL(acc_pf_vf_writeback);

u32 acc_pf_vf_qp_num(struct acc_pf *pf, int vf)
{
	u32 qps = 0;

	mutex_lock(&pf->qm.mb_lock);
	if (acc_pf_vf_valid(pf, vf))
		qps = pf->vfs[vf].qps;
	mutex_unlock(&pf->qm.mb_lock);
	return qps;
}
EXPORT_SYMBOL_GPL(acc_pf_vf_qp_num);

size_t acc_pf_vf_state_size(struct acc_pf *pf, int vf)
{
	u32 qps = acc_pf_vf_qp_num(pf, vf);

	return qps ? ACC_VF_STATE_SIZE(qps) : 0;
}
EXPORT_SYMBOL_GPL(acc_pf_vf_state_size);

u32 acc_pf_features(struct acc_pf *pf)
{
	return pf->qm.features;
}
EXPORT_SYMBOL_GPL(acc_pf_features);

/* Does a state header describe @size bytes for @qps queue pairs? */
static bool acc_pf_state_ok(const struct acc_vf_state *st, u32 qps,
			    size_t size)
{
	return le32_to_cpu(st->magic) == ACC_STATE_MAGIC &&
	       le16_to_cpu(st->version) == ACC_STATE_VERSION &&
	       le16_to_cpu(st->qp_num) == qps &&
	       le32_to_cpu(st->size) == size;
}

int acc_pf_vf_save(struct acc_pf *pf, int vf, void *buf, size_t len)
{
	size_t size;
	u32 qps;
	int ret;

	might_sleep();
	mutex_lock(&pf->qm.mb_lock);
	ret = -EINVAL;
	if (!acc_pf_vf_valid(pf, vf))
		goto out;
	qps = pf->vfs[vf].qps;
	size = ACC_VF_STATE_SIZE(qps);
	ret = -ENOSPC;
	if (len < size)
		goto out;
	memset(pf->state, 0, size);
	ret = __acc_qm_mb(&pf->qm, ACC_MB_CMD_VF_SAVE, vf, pf->state_dma);
	if (ret)
		goto out;
	if (!acc_pf_state_ok(pf->state, qps, size)) {
		dev_err_ratelimited(pf->qm.dev, "VF %d: inconsistent saved state\n",
				    vf);
		ret = -EPROTO;
		goto out;
	}
	memcpy(buf, pf->state, size);
	ret = size;
out:
	mutex_unlock(&pf->qm.mb_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(acc_pf_vf_save);

int acc_pf_vf_load(struct acc_pf *pf, int vf, const void *buf, size_t len)
{
	size_t size;
	u32 qps;
	int ret;

	might_sleep();
	mutex_lock(&pf->qm.mb_lock);
	ret = -EINVAL;
	if (!acc_pf_vf_valid(pf, vf))
		goto out;
	qps = pf->vfs[vf].qps;
	size = ACC_VF_STATE_SIZE(qps);
	if (len != size)
		goto out;
	ret = -EPROTO;
	if (!acc_pf_state_ok(buf, qps, size))
		goto out;
	memcpy(pf->state, buf, size);
	ret = __acc_qm_mb(&pf->qm, ACC_MB_CMD_VF_LOAD, vf, pf->state_dma);
out:
	mutex_unlock(&pf->qm.mb_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(acc_pf_vf_load);
