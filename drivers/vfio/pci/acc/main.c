// SPDX-License-Identifier: GPL-2.0
/*
 * acc_vfio_pci: vfio-pci variant driver for acc VFs (1af4:10f1).
 *
 * Binds only through driver_override. Offers migration (STOP_COPY, P2P,
 * PRE_COPY) when the acc PF driver is bound and the device can save VF
 * state; otherwise the VF is still assignable, without migration. Either
 * way the migration window in the upper half of BAR0 is hidden from the
 * user.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "acc_vfio.h"

/**
 * acc_vfio_state_unlock() - unlock state_mutex, running a deferred reset
 * @adev: the VF
 *
 * reset_done runs with vfio-pci's memory_lock held and so must not wait for
 * state_mutex, whose holders may wait for memory_lock. If it cannot take
 * state_mutex at once, it leaves deferred_reset for the holder, which
 * performs the reset here before it lets go of the mutex.
 */
void acc_vfio_state_unlock(struct acc_vfio_dev *adev)
{
again:
	spin_lock(&adev->reset_lock);
	if (adev->deferred_reset) {
		adev->deferred_reset = false;
		spin_unlock(&adev->reset_lock);
		acc_vfio_mig_reset(adev);
		goto again;
	}
	mutex_unlock(&adev->state_mutex);
	spin_unlock(&adev->reset_lock);
}

static void acc_vfio_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);
	struct acc_vfio_dev *adev = container_of(core, struct acc_vfio_dev,
						 core);

	if (!adev->pf)
		return;
	spin_lock(&adev->reset_lock);
	adev->deferred_reset = true;
	if (!mutex_trylock(&adev->state_mutex)) {
		spin_unlock(&adev->reset_lock);
		return;
	}
	spin_unlock(&adev->reset_lock);
	acc_vfio_state_unlock(adev);
}

/* BAR0 as the user sees it: the guest part only. */
static u64 acc_vfio_bar0_size(struct acc_vfio_dev *adev)
{
	return min_t(u64, pci_resource_len(acc_vfio_pdev(adev), ACC_BAR_REGS),
		     ACC_GUEST_SIZE);
}

static long acc_vfio_bar0_info(struct acc_vfio_dev *adev, unsigned long arg)
{
	struct vfio_region_info info;
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.index != VFIO_PCI_BAR0_REGION_INDEX)
		return -ENOIOCTLCMD;

	info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
	info.size = acc_vfio_bar0_size(adev);
	info.cap_offset = 0;
	info.flags = 0;
	if (info.size) {
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		if (adev->core.bar_mmap_supported[ACC_BAR_REGS])
			info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
	}
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static long acc_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
			   unsigned long arg)
{
	long ret;

	if (cmd == VFIO_DEVICE_GET_REGION_INFO) {
		ret = acc_vfio_bar0_info(to_acc_vfio(vdev), arg);
		if (ret != -ENOIOCTLCMD)
			return ret;
	}
	return vfio_pci_core_ioctl(vdev, cmd, arg);
}

/* Refuse BAR0 accesses that start in the window; shorten those that reach it. */
static int acc_vfio_rw_check(struct vfio_device *vdev, loff_t ppos,
			     size_t *count)
{
	u64 pos = ppos & VFIO_PCI_OFFSET_MASK;
	u64 size;

	if (VFIO_PCI_OFFSET_TO_INDEX(ppos) != VFIO_PCI_BAR0_REGION_INDEX)
		return 0;
	size = acc_vfio_bar0_size(to_acc_vfio(vdev));
	if (pos >= size)
		return -EINVAL;
	*count = min_t(u64, *count, size - pos);
	return 0;
}

static ssize_t acc_vfio_read(struct vfio_device *vdev, char __user *buf,
			     size_t count, loff_t *ppos)
{
	int ret = acc_vfio_rw_check(vdev, *ppos, &count);

	return ret ? ret : vfio_pci_core_read(vdev, buf, count, ppos);
}

static ssize_t acc_vfio_write(struct vfio_device *vdev, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	int ret = acc_vfio_rw_check(vdev, *ppos, &count);

	return ret ? ret : vfio_pci_core_write(vdev, buf, count, ppos);
}

static int acc_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	unsigned int shift = VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT;
	u64 start, len, size;

	if ((vma->vm_pgoff >> shift) == VFIO_PCI_BAR0_REGION_INDEX) {
		size = acc_vfio_bar0_size(to_acc_vfio(vdev));
		start = (u64)(vma->vm_pgoff & ((1ULL << shift) - 1)) <<
			PAGE_SHIFT;
		len = vma->vm_end - vma->vm_start;
		if (start >= size || len > size - start)
			return -EINVAL;
	}
	return vfio_pci_core_mmap(vdev, vma);
}

static int acc_vfio_init_dev(struct vfio_device *vdev)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);
	struct pci_dev *pdev = to_pci_dev(vdev->dev);
	int ret;

	/* Sets adev->core.pdev, which everything below uses. */
	ret = vfio_pci_core_init_dev(vdev);
	if (ret)
		return ret;
	mutex_init(&adev->state_mutex);
	spin_lock_init(&adev->reset_lock);
	atomic64_set(&adev->bytes_saved, 0);
	atomic64_set(&adev->bytes_loaded, 0);
	adev->state = VFIO_DEVICE_STATE_RUNNING;

	if (!acc_vfio_pf_attach(adev)) {
		vdev->migration_flags = VFIO_MIGRATION_STOP_COPY |
					VFIO_MIGRATION_P2P |
					VFIO_MIGRATION_PRE_COPY;
		vdev->mig_ops = &acc_vfio_mig_ops;
	} else {
		pci_info(pdev, "acc PF driver not bound or no migration support: assignment without migration\n");
	}
	return 0;
}

static void acc_vfio_release_dev(struct vfio_device *vdev)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);

	mutex_destroy(&adev->state_mutex);
	vfio_pci_core_release_dev(vdev);
}

static int acc_vfio_open_device(struct vfio_device *vdev)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);
	int ret;

	ret = vfio_pci_core_enable(&adev->core);
	if (ret)
		return ret;
	if (adev->pf) {
		/* Map BAR0 now, before a user access can race with ours. */
		ret = vfio_pci_core_setup_barmap(&adev->core, ACC_BAR_REGS);
		if (ret) {
			vfio_pci_core_disable(&adev->core);
			return ret;
		}
		mutex_lock(&adev->state_mutex);
		adev->state = VFIO_DEVICE_STATE_RUNNING;
		acc_vfio_state_unlock(adev);
	}
	vfio_pci_core_finish_enable(&adev->core);
	return 0;
}

static void acc_vfio_close_device(struct vfio_device *vdev)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);

	if (adev->pf)
		acc_vfio_mig_close(adev);
	vfio_pci_core_close_device(vdev);
	if (adev->pf)
		acc_vfio_mig_closed(adev);
}

static const struct vfio_device_ops acc_vfio_ops = {
	.name = "acc-vfio-pci",
	.init = acc_vfio_init_dev,
	.release = acc_vfio_release_dev,
	.open_device = acc_vfio_open_device,
	.close_device = acc_vfio_close_device,
	.ioctl = acc_vfio_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = acc_vfio_read,
	.write = acc_vfio_write,
	.mmap = acc_vfio_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
};

static int acc_vfio_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct acc_vfio_dev *adev;
	int ret;

	adev = vfio_alloc_device(acc_vfio_dev, core.vdev, &pdev->dev,
				 &acc_vfio_ops);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	dev_set_drvdata(&pdev->dev, &adev->core);
	ret = vfio_pci_core_register_device(&adev->core);
	if (ret) {
		vfio_put_device(&adev->core.vdev);
		return ret;
	}
	acc_vfio_debugfs_add(adev);
	return 0;
}

static void acc_vfio_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);
	struct acc_vfio_dev *adev = container_of(core, struct acc_vfio_dev,
						 core);

	acc_vfio_debugfs_remove(adev);
	vfio_pci_core_unregister_device(core);
	vfio_put_device(&core->vdev);
}

static const struct pci_device_id acc_vfio_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(ACC_PCI_VENDOR_ID, ACC_PCI_DEVICE_VF) },
	{ }
};
MODULE_DEVICE_TABLE(pci, acc_vfio_ids);

static const struct pci_error_handlers acc_vfio_err_handlers = {
	.reset_done = acc_vfio_reset_done,
	.error_detected = vfio_pci_core_aer_err_detected,
};

static struct pci_driver acc_vfio_driver = {
	.name = KBUILD_MODNAME,
	.id_table = acc_vfio_ids,
	.probe = acc_vfio_probe,
	.remove = acc_vfio_remove,
	.err_handler = &acc_vfio_err_handlers,
	.driver_managed_dma = true,
};

static int __init acc_vfio_init(void)
{
	int ret;

	acc_vfio_debugfs_init();
	ret = pci_register_driver(&acc_vfio_driver);
	if (ret)
		acc_vfio_debugfs_exit();
	return ret;
}
module_init(acc_vfio_init);

static void __exit acc_vfio_exit(void)
{
	pci_unregister_driver(&acc_vfio_driver);
	acc_vfio_debugfs_exit();
}
module_exit(acc_vfio_exit);

MODULE_IMPORT_NS(IOMMUFD);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant driver with live migration for acc accelerator VFs");
