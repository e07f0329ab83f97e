/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc: services of the PF driver (acc_qm.ko, "acc_pf") for drivers bound to
 * its VFs, e.g. the vfio-pci migration variant driver. Every service is
 * keyed by VF number, serialized by the PF's mailbox lock, and sleeps:
 * call them from process context without spinlocks held.
 *
 * Lifetime: a &struct acc_pf obtained with acc_pf_get_from_vf() stays valid
 * while the caller is bound to the VF: removing the PF driver disables
 * SR-IOV, which unbinds every VF driver first.
 *
 * Errors common to the services: -EINVAL for a VF number that has no
 * allotment (SR-IOV disabled or VF beyond num_vfs), -ETIMEDOUT if the
 * device did not complete the mailbox command, -EBUSY if the mailbox is
 * stuck in an earlier timed out command, -EIO if the device reported a DMA
 * fault for the command's own data.
 */
#ifndef _LINUX_ACC_QM_H
#define _LINUX_ACC_QM_H

#include <linux/types.h>
#include <uapi/linux/acc_qm.h>

struct pci_dev;
struct acc_pf;

/**
 * acc_pf_get_from_vf() - the PF device of a VF
 * @vf_pdev: a VF of an acc PF
 *
 * Return: the PF, or an ERR_PTR if @vf_pdev is not a VF or its PF is not
 * bound to the acc_pf driver.
 */
struct acc_pf *acc_pf_get_from_vf(struct pci_dev *vf_pdev);

/**
 * acc_pf_vf_id() - the VF number of a VF, as the services expect it
 * @vf_pdev: a VF
 *
 * Return: the 0-based VF number or a negative errno.
 */
int acc_pf_vf_id(struct pci_dev *vf_pdev);

/**
 * acc_pf_vf_pause() - quiesce a VF (ACC_MB_CMD_VF_PAUSE)
 * @pf: the PF
 * @vf: VF number
 *
 * On success the VF issues no DMA and raises no interrupt until
 * acc_pf_vf_resume() or an FLR; its cached contexts have been written back.
 *
 * Return: 0 or a negative errno.
 */
int acc_pf_vf_pause(struct acc_pf *pf, int vf);

/**
 * acc_pf_vf_resume() - let a paused VF run again (ACC_MB_CMD_VF_RESUME)
 * @pf: the PF
 * @vf: VF number
 *
 * Return: 0 or a negative errno.
 */
int acc_pf_vf_resume(struct acc_pf *pf, int vf);

/**
 * acc_pf_vf_writeback() - write back a VF's cached contexts
 * @pf: the PF
 * @vf: VF number
 *
 * Return: 0 or a negative errno.
 */
int acc_pf_vf_writeback(struct acc_pf *pf, int vf);

/**
 * acc_pf_vf_state_size() - bytes of a VF's device state
 * @pf: the PF
 * @vf: VF number
 *
 * Return: ACC_VF_STATE_SIZE() of the VF's allotment, 0 for a bad @vf.
 */
size_t acc_pf_vf_state_size(struct acc_pf *pf, int vf);

/**
 * acc_pf_vf_save() - read a VF's device state (ACC_MB_CMD_VF_SAVE)
 * @pf: the PF
 * @vf: VF number
 * @buf: kernel buffer for the state
 * @len: size of @buf, at least acc_pf_vf_state_size()
 *
 * The state goes through a DMA buffer of the PF; @buf needs no DMA
 * mapping. The header (magic, version, size, qp_num) is checked.
 *
 * Return: the number of bytes written to @buf, or -EINVAL (bad @vf),
 * -ENOSPC (@len too small), -EPROTO (the device wrote an inconsistent
 * header) or a mailbox errno.
 */
int acc_pf_vf_save(struct acc_pf *pf, int vf, void *buf, size_t len);

/**
 * acc_pf_vf_load() - install a VF's device state (ACC_MB_CMD_VF_LOAD)
 * @pf: the PF
 * @vf: VF number; the VF must be paused
 * @buf: state, as written by acc_pf_vf_save() for a VF with as many queue
 *	pairs
 * @len: bytes in @buf, exactly acc_pf_vf_state_size()
 *
 * The header is validated before the device sees the state, and the device
 * validates all of it; a failed load changes nothing.
 *
 * Return: 0, -EINVAL (bad @vf or @len), -EPROTO (bad header, or the device
 * found the state invalid), -EBUSY (VF not paused) or a mailbox errno.
 */
int acc_pf_vf_load(struct acc_pf *pf, int vf, const void *buf, size_t len);

/**
 * acc_pf_vf_qp_num() - queue pairs allotted to a VF
 * @pf: the PF
 * @vf: VF number
 *
 * Return: the allotment, 0 for a bad @vf.
 */
u32 acc_pf_vf_qp_num(struct acc_pf *pf, int vf);

/**
 * acc_pf_features() - the device's ACC_FEAT_* bits
 * @pf: the PF
 *
 * Return: ACC_REG_FEATURES of the PF.
 */
u32 acc_pf_features(struct acc_pf *pf);

#endif /* _LINUX_ACC_QM_H */
