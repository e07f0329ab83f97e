// SPDX-License-Identifier: GPL-2.0
/*
 * acc_vfio_pci: the PF driver's services, and the VF registers the variant
 * driver reads (identity, migration window). Callers hold state_mutex.
 *
 * Every PF service is keyed by VF number; the PF driver serialises them
 * against its own mailbox use and against SR-IOV changes.
 */
#include <linux/acc_qm.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

#include "acc_vfio.h"

/**
 * acc_vfio_pf_attach() - find the PF driver and decide on migration
 * @adev: the VF, not yet registered
 *
 * Return: 0 if the PF driver is bound and the device can migrate VF state;
 * -ENODEV otherwise (the VF is then assignable without migration).
 */
int acc_vfio_pf_attach(struct acc_vfio_dev *adev)
{
	struct pci_dev *pdev = acc_vfio_pdev(adev);
	struct acc_pf *pf;
	int vf;

	pf = acc_pf_get_from_vf(pdev);
	if (IS_ERR_OR_NULL(pf))
		return -ENODEV;
	vf = acc_pf_vf_id(pdev);
	if (vf < 0)
		return -ENODEV;
	if (!(acc_pf_features(pf) & ACC_FEAT_MIGRATION))
		return -ENODEV;
	adev->pf = pf;
	adev->vf = vf;
	return 0;
}

int acc_vfio_cmd_pause(struct acc_vfio_dev *adev)
{
	int ret = acc_pf_vf_pause(adev->pf, adev->vf);

	/* Even a failed pause may have stopped the VF: resume it on reset. */
	adev->paused = true;
	return ret;
}

int acc_vfio_cmd_resume(struct acc_vfio_dev *adev)
{
	int ret = acc_pf_vf_resume(adev->pf, adev->vf);

	if (!ret)
		adev->paused = false;
	return ret;
}

int acc_vfio_cmd_writeback(struct acc_vfio_dev *adev)
{
	return acc_pf_vf_writeback(adev->pf, adev->vf);
}

int acc_vfio_cmd_save(struct acc_vfio_dev *adev, void *buf, u32 len)
{
	const struct acc_vf_state *st = buf;
	int ret;

	/* Returns the bytes written; the PF has checked the header. */
	ret = acc_pf_vf_save(adev->pf, adev->vf, buf, len);
	if (ret < 0)
		return ret;
	if (ret != len)
		return -EIO;
	/* Our own device's blob must describe itself as the stream will. */
	if (le32_to_cpu(st->magic) != ACC_STATE_MAGIC ||
	    le32_to_cpu(st->size) != len)
		return -EIO;
	return 0;
}

int acc_vfio_cmd_load(struct acc_vfio_dev *adev, const void *buf, u32 len)
{
	return acc_pf_vf_load(adev->pf, adev->vf, buf, len);
}

static int acc_vfio_rd(struct acc_vfio_dev *adev, u32 off, u32 *val)
{
	struct vfio_pci_core_device *core = &adev->core;
	int ret;

	ret = vfio_pci_core_setup_barmap(core, ACC_BAR_REGS);
	if (ret)
		return ret;
	/* Fails with -EIO while the user has memory decoding disabled. */
	return vfio_pci_core_ioread32(core, true, val,
				      core->barmap[ACC_BAR_REGS] + off);
}

static int acc_vfio_ident_read(struct acc_vfio_dev *adev,
			       struct acc_mig_ident *id)
{
	struct pci_dev *pdev = acc_vfio_pdev(adev);
	u32 magic, size;
	int ret;

	memset(id, 0, sizeof(*id));
	id->vendor = pdev->vendor;
	id->device = pdev->device;
	id->revision = pdev->revision;
	ret = acc_vfio_rd(adev, ACC_REG_ID, &magic);
	if (!ret && magic != ACC_ID_MAGIC)
		ret = -EIO;
	if (!ret)
		ret = acc_vfio_rd(adev, ACC_REG_VERSION, &id->hw_version);
	if (!ret)
		ret = acc_vfio_rd(adev, ACC_REG_FEATURES, &id->features);
	if (!ret)
		ret = acc_vfio_rd(adev, ACC_REG_QP_DEPTH_MAX, &id->qp_depth_max);
	if (!ret)
		ret = acc_vfio_rd(adev, ACC_MIG_MAGIC, &magic);
	if (!ret && magic != ACC_MIG_MAGIC_VALUE)
		ret = -EIO;
	if (!ret)
		ret = acc_vfio_rd(adev, ACC_MIG_VERSION, &id->state_version);
	if (!ret)
		ret = acc_vfio_rd(adev, ACC_MIG_STATE_SIZE, &size);
	if (ret)
		return ret;

	id->qp_num = acc_pf_vf_qp_num(adev->pf, adev->vf);
	id->state_size = acc_vfio_state_size(adev);
	if (id->state_size != size) {
		pci_warn(pdev, "state size: PF says %u, VF %u\n",
			 id->state_size, size);
		return -EIO;
	}
	return acc_mig_ident_check(id);
}

/**
 * acc_vfio_ident() - this VF's identity, as a compatibility record holds it
 * @adev: the VF, open, migration capable
 * @id: filled in
 *
 * The identity is read from the VF's registers and the PF once per open of
 * the device and after each reset (see acc_vfio_ident_forget()): it is the
 * hardware's, and the allotment cannot change while the VF exists. Every
 * data file needs it, and reading it costs eight register reads.
 *
 * Return: 0, -EIO if the VF's registers cannot be read or disagree with the
 * PF, or -EINVAL if the identity is one no stream can carry.
 */
int acc_vfio_ident(struct acc_vfio_dev *adev, struct acc_mig_ident *id)
{
	int ret;

	if (!adev->ident_ok) {
		ret = acc_vfio_ident_read(adev, &adev->ident);
		if (ret)
			return ret;
		adev->ident_ok = true;
	}
	*id = adev->ident;
	return 0;
}

/* Read the identity again next time: the device was reset or closed. */
void acc_vfio_ident_forget(struct acc_vfio_dev *adev)
{
	adev->ident_ok = false;
}

/*
 * SQEs a saved VF had not consumed yet, counted from its SQ contexts in
 * @state, a blob acc_vfio_cmd_save() accepted (header checked, @len bytes).
 * The same as ACC_MIG_INFLIGHT, without a register read in the downtime.
 */
u32 acc_vfio_inflight(const void *state, u32 len)
{
	const struct acc_vf_state *st = state;
	const struct acc_qp_state *qs = (const void *)(st + 1);
	u32 i, n = 0, num = le16_to_cpu(st->qp_num);

	if (ACC_VF_STATE_SIZE(num) > len)
		return 0;
	for (i = 0; i < num; i++) {
		const struct acc_sqc *sq = &qs[i].sq;
		u32 mask = BIT(min_t(u32, sq->depth_log2, 16)) - 1;

		if (sq->flags & ACC_CTX_F_ENABLE)
			n += (le16_to_cpu(sq->tail) - le16_to_cpu(sq->head)) &
			     mask;
	}
	return n;
}

/* Bytes of the VF's state blob per the PF, 0 if unknown or absurd. */
u32 acc_vfio_state_size(struct acc_vfio_dev *adev)
{
	size_t size = acc_pf_vf_state_size(adev->pf, adev->vf);

	return size > ACC_MIG_STREAM_MAX ? 0 : size;
}
