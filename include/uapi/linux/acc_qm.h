/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * acc: register map and in-memory layouts of the emulated queue-manager
 * ("QM") crypto accelerator. This header is the one truth shared by the
 * QEMU device model, the PF and VF drivers, the vfio-pci variant driver and
 * the userspace test driver. docs/hw-spec.rst is the prose for it.
 *
 * All registers are 32 bits wide, little endian, and must be accessed with
 * aligned 32-bit accesses. All in-memory structures are little endian.
 */
#ifndef _UAPI_LINUX_ACC_QM_H
#define _UAPI_LINUX_ACC_QM_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#ifndef __le16
#define __le16 uint16_t
#define __le32 uint32_t
#define __le64 uint64_t
#define __u8 uint8_t
#define __u16 uint16_t
#define __u32 uint32_t
#define __u64 uint64_t
#define ACC_QM_H_DEFINED_LE
#endif
#endif

/* ---------------------------------------------------------------- PCI */
#define ACC_PCI_VENDOR_ID	0x1af4
#define ACC_PCI_DEVICE_PF	0x10f0
#define ACC_PCI_DEVICE_VF	0x10f1
#define ACC_PCI_REVISION	0x01

#define ACC_BAR_REGS		0	/* registers, ACC_BAR_REGS_SIZE */
#define ACC_BAR_MSIX		2	/* MSI-X table and PBA */
#define ACC_BAR_REGS_SIZE	0x8000
#define ACC_BAR_MSIX_SIZE	0x1000
/* The guest part of BAR0; the rest is the migration window (VF only). */
#define ACC_GUEST_SIZE		0x4000
#define ACC_MIG_WINDOW		0x4000
#define ACC_MIG_WINDOW_SIZE	0x4000

#define ACC_MSIX_VECTORS	2
#define ACC_VEC_EQ		0	/* event queue has new entries */
#define ACC_VEC_MB		1	/* mailbox command completed */

#define ACC_MAX_VFS		64	/* SR-IOV TotalVFs upper bound */
#define ACC_DEFAULT_VFS		4

/* ----------------------------------------------- function registers */
/* Every function (PF and VF) has these in the guest part of BAR0. */
#define ACC_REG_ID		0x000	/* RO: ACC_ID_MAGIC */
#define ACC_REG_VERSION		0x004	/* RO: ACC_HW_VERSION */
#define ACC_REG_FEATURES	0x008	/* RO: ACC_FEAT_* */
#define ACC_REG_QP_NUM		0x00c	/* RO: queue pairs of this function */
#define ACC_REG_QP_DEPTH_MAX	0x010	/* RO: log2 of max SQ/CQ/EQ depth */
#define ACC_REG_FUNC_STATUS	0x014	/* RO: ACC_FUNC_ST_* */
#define ACC_REG_FUNC_CTRL	0x018	/* WO: ACC_FUNC_CTRL_* */

#define ACC_ID_MAGIC		0x51434341	/* "ACCQ" */
#define ACC_HW_VERSION		0x00010000	/* 1.0 */
#define ACC_FEAT_CIPHER		(1U << 0)	/* AES CBC/CTR */
#define ACC_FEAT_HASH		(1U << 1)	/* SHA-256, HMAC-SHA256 */
#define ACC_FEAT_SGL		(1U << 2)	/* scatter-gather lists */
#define ACC_FEAT_MIGRATION	(1U << 3)	/* VF state save/load */

#define ACC_FUNC_ST_READY	(1U << 0)	/* has queues, accepts work */
#define ACC_FUNC_ST_PAUSED	(1U << 1)	/* paused by the PF */
#define ACC_FUNC_ST_ERROR	(1U << 2)	/* EQ write faulted */

#define ACC_FUNC_CTRL_SOFT_RESET (1U << 0)	/* drop all queue state */

/* Mailbox: write ADDR and QN, then CMD; poll STATUS until !BUSY. */
#define ACC_REG_MB_CMD		0x040
#define ACC_REG_MB_QN		0x044
#define ACC_REG_MB_ADDR_LO	0x048
#define ACC_REG_MB_ADDR_HI	0x04c
#define ACC_REG_MB_STATUS	0x050

#define ACC_MB_BUSY		(1U << 31)
#define ACC_MB_STATUS_MASK	0xff

/* Mailbox commands of every function. QN is this function's queue number. */
#define ACC_MB_CMD_SQC_BT	0x01	/* ADDR = SQC table base */
#define ACC_MB_CMD_CQC_BT	0x02	/* ADDR = CQC table base */
#define ACC_MB_CMD_EQC		0x03	/* ADDR = struct acc_eqc, loaded */
#define ACC_MB_CMD_SQC		0x04	/* load SQC[QN] into the device */
#define ACC_MB_CMD_CQC		0x05	/* load CQC[QN] into the device */
#define ACC_MB_CMD_QP_STOP	0x06	/* disable SQ/CQ QN, write back */
#define ACC_MB_CMD_WRITEBACK	0x07	/* write back all cached contexts */
/* PF only. QN is the VF number (0-based). */
#define ACC_MB_CMD_VF_PAUSE	0x10	/* quiesce: no DMA once complete */
#define ACC_MB_CMD_VF_RESUME	0x11
#define ACC_MB_CMD_VF_WRITEBACK	0x12	/* write back the VF's contexts */
#define ACC_MB_CMD_VF_SAVE	0x13	/* ADDR = buffer for the VF state */
#define ACC_MB_CMD_VF_LOAD	0x14	/* ADDR = VF state to install */

/* Mailbox completion status (MB_STATUS bits 7:0). */
#define ACC_MB_OK		0
#define ACC_MB_EINVAL		1	/* unknown command or bad argument */
#define ACC_MB_EPERM		2	/* PF-only command on a VF */
#define ACC_MB_EFAULT		3	/* DMA of the command's data faulted */
#define ACC_MB_EBUSY		4	/* state forbids it (e.g. LOAD running) */
#define ACC_MB_ECORRUPT		5	/* VF state failed validation */

/* Doorbells. */
#define ACC_REG_DB_SQ		0x080	/* (qn << 16) | new SQ tail */
#define ACC_REG_DB_CQ		0x084	/* (qn << 16) | new CQ head */
#define ACC_REG_DB_EQ		0x088	/* new EQ head */
#define ACC_DB_QN_SHIFT		16
#define ACC_DB_IDX_MASK		0xffff

/* Interrupts: MASK 1 = masked (reset value: all masked); STATUS is W1C. */
#define ACC_REG_INT_MASK	0x0c0
#define ACC_REG_INT_STATUS	0x0c4
#define ACC_INT_EQ		(1U << ACC_VEC_EQ)
#define ACC_INT_MB		(1U << ACC_VEC_MB)
#define ACC_INT_ALL		(ACC_INT_EQ | ACC_INT_MB)

/* -------------------------------------------------- PF-only registers */
#define ACC_PF_TOTAL_QP		0x1000	/* RO: queue pairs in the device */
#define ACC_PF_VF_CFG(vf)	(0x1100 + (vf) * 0x10)
#define ACC_PF_VF_QP_BASE(vf)	(ACC_PF_VF_CFG(vf) + 0x0)
#define ACC_PF_VF_QP_NUM(vf)	(ACC_PF_VF_CFG(vf) + 0x4)

/* ------------------------------- VF migration window (BAR0 + 0x4000) */
/* Read-only mirror of the VF's device-side state, for the host only. */
#define ACC_MIG_MAGIC		(ACC_MIG_WINDOW + 0x00)	/* "ACCM" */
#define ACC_MIG_VERSION		(ACC_MIG_WINDOW + 0x04)	/* ACC_STATE_VERSION */
#define ACC_MIG_STATE_SIZE	(ACC_MIG_WINDOW + 0x08)	/* bytes of VF state */
#define ACC_MIG_FUNC_STATE	(ACC_MIG_WINDOW + 0x0c)	/* ACC_FUNC_ST_* */
#define ACC_MIG_QP_BASE		(ACC_MIG_WINDOW + 0x10)
#define ACC_MIG_QP_NUM		(ACC_MIG_WINDOW + 0x14)
#define ACC_MIG_INFLIGHT	(ACC_MIG_WINDOW + 0x18)	/* SQEs not consumed */
#define ACC_MIG_FEATURES	(ACC_MIG_WINDOW + 0x1c)
#define ACC_MIG_SQC_BT_LO	(ACC_MIG_WINDOW + 0x20)
#define ACC_MIG_SQC_BT_HI	(ACC_MIG_WINDOW + 0x24)
#define ACC_MIG_CQC_BT_LO	(ACC_MIG_WINDOW + 0x28)
#define ACC_MIG_CQC_BT_HI	(ACC_MIG_WINDOW + 0x2c)
#define ACC_MIG_EQ_BASE_LO	(ACC_MIG_WINDOW + 0x30)
#define ACC_MIG_EQ_BASE_HI	(ACC_MIG_WINDOW + 0x34)
#define ACC_MIG_MAGIC_VALUE	0x4d434341	/* "ACCM" */

/* ------------------------------------------ queue contexts (in memory) */
#define ACC_CTX_F_ENABLE	(1U << 0)
#define ACC_CTX_F_PHASE		(1U << 1)	/* CQ/EQ: current producer phase */
#define ACC_CTX_F_IRQ		(1U << 2)	/* CQ: post an EQE per completion */
#define ACC_CTX_F_ERROR		(1U << 3)	/* set by the device on a fault */

/* Submission queue context: entry QN of the SQC table. 32 bytes. */
struct acc_sqc {
	__le64 base;		/* IOVA of the SQE ring */
	__le16 head;		/* next SQE the device consumes */
	__le16 tail;		/* last doorbell value */
	__u8 depth_log2;	/* ring has 1 << depth_log2 entries */
	__u8 flags;		/* ACC_CTX_F_* */
	__le16 cqn;		/* completions go to this CQ */
	__le32 rsvd[4];
};

/* Completion queue context: entry QN of the CQC table. 32 bytes. */
struct acc_cqc {
	__le64 base;		/* IOVA of the CQE ring */
	__le16 head;		/* last doorbell value (consumer) */
	__le16 tail;		/* next CQE the device writes */
	__u8 depth_log2;
	__u8 flags;		/* ACC_CTX_F_* */
	__le16 rsvd0;
	__le32 rsvd[4];
};

/* Event queue context, loaded by ACC_MB_CMD_EQC. 32 bytes. */
struct acc_eqc {
	__le64 base;		/* IOVA of the EQE ring */
	__le16 head;
	__le16 tail;
	__u8 depth_log2;
	__u8 flags;		/* ENABLE, PHASE */
	__le16 rsvd0;
	__le32 rsvd[4];
};

#define ACC_DEPTH_LOG2_MIN	1
#define ACC_DEPTH_LOG2_MAX	12

/* ------------------------------------------------------ queue entries */
enum acc_op {
	ACC_OP_COPY		= 0,
	ACC_OP_AES_CBC_ENC	= 1,
	ACC_OP_AES_CBC_DEC	= 2,
	ACC_OP_AES_CTR		= 3,	/* 128-bit big-endian counter */
	ACC_OP_SHA256		= 4,
	ACC_OP_HMAC_SHA256	= 5,
	ACC_OP_MAX		= 5,
};

#define ACC_SQE_F_SRC_SGL	(1U << 0)	/* src is an acc_sge table */
#define ACC_SQE_F_DST_SGL	(1U << 1)	/* dst is an acc_sge table */
#define ACC_SQE_F_IV_OUT	(1U << 2)	/* write the next IV to iv */
#define ACC_SQE_F_HASH_INIT	(1U << 3)	/* start; else load state at iv */
#define ACC_SQE_F_HASH_FINAL	(1U << 4)	/* digest to dst; else state */
#define ACC_SQE_F_ALL		0x1f

#define ACC_AES_BLOCK		16
#define ACC_SHA256_BLOCK	64
#define ACC_SHA256_DIGEST	32
#define ACC_HMAC_KEY_MAX	64
#define ACC_MAX_LEN		(16U << 20)	/* bytes per SQE */
#define ACC_SGL_MAX_ENTRIES	256

/* Submission queue entry. 64 bytes. */
struct acc_sqe {
	__u8 op;		/* enum acc_op */
	__u8 flags;		/* ACC_SQE_F_* */
	__le16 key_len;		/* AES: 16/24/32; HMAC: 0..64 */
	__le32 len;		/* bytes of data */
	__le64 tag;		/* echoed in the CQE */
	__le64 src;		/* data in, or acc_sge table */
	__le64 dst;		/* data out / digest, or acc_sge table */
	__le64 key;		/* key, read by the device */
	__le64 iv;		/* IV (cipher) or struct acc_hash_state (hash) */
	__le16 src_nents;	/* entries in the src table (SGL) */
	__le16 dst_nents;	/* entries in the dst table (SGL) */
	__le32 rsvd0;		/* must be zero */
	__le64 rsvd1;		/* must be zero */
};

/* Scatter-gather entry. 16 bytes. */
struct acc_sge {
	__le64 addr;
	__le32 len;
	__le32 rsvd;		/* must be zero */
};

/* Intermediate hash state, read and written through sqe->iv. 48 bytes. */
struct acc_hash_state {
	__le32 h[8];		/* SHA-256 chaining value */
	__le64 count;		/* message bytes hashed so far */
	__le64 rsvd;
};

/* Completion queue entry. 16 bytes. */
struct acc_cqe {
	__le64 tag;		/* from the SQE */
	__le16 sq_head;		/* SQ head after consuming this SQE */
	__le16 sqn;
	__u8 status;		/* ACC_ST_* */
	__u8 flags;		/* bit 0: phase */
	__le16 rsvd;
};

#define ACC_CQE_F_PHASE		(1U << 0)

enum acc_status {
	ACC_ST_OK		= 0,
	ACC_ST_BAD_OP		= 1,	/* unknown op */
	ACC_ST_BAD_LEN		= 2,	/* length invalid for the op */
	ACC_ST_BAD_KEY		= 3,	/* key length invalid */
	ACC_ST_BAD_SGL		= 4,	/* SGL malformed or too short */
	ACC_ST_DMA_FAULT	= 5,	/* a data/key/iv access faulted */
	ACC_ST_BAD_FLAGS	= 6,	/* unknown flags, reserved nonzero */
};

/* Event queue entry. 8 bytes. */
struct acc_eqe {
	__le16 qn;
	__u8 type;		/* ACC_EQE_* */
	__u8 flags;		/* bit 0: phase */
	__le32 info;		/* ACC_EQE_ERROR: ACC_QERR_* */
};

#define ACC_EQE_F_PHASE		(1U << 0)
#define ACC_EQE_CQ		0	/* CQ qn has new entries */
#define ACC_EQE_ERROR		1	/* queue qn stopped on an error */

#define ACC_QERR_SQ_FETCH	1	/* reading an SQE faulted */
#define ACC_QERR_CQ_WRITE	2	/* writing a CQE faulted */
#define ACC_QERR_BAD_CTX	3	/* SQC/CQC invalid */

/* ---------------------------------------- VF state (VF_SAVE, VF_LOAD) */
#define ACC_STATE_MAGIC		0x53434341	/* "ACCS" */
#define ACC_STATE_VERSION	1

struct acc_qp_state {
	struct acc_sqc sq;	/* as the device holds it, cached fields */
	struct acc_cqc cq;
};

/* Followed by qp_num struct acc_qp_state. */
struct acc_vf_state {
	__le32 magic;
	__le16 version;
	__le16 qp_num;
	__le32 size;		/* bytes, header and queues */
	__le32 func_status;	/* ACC_FUNC_ST_* */
	__le64 sqc_bt;
	__le64 cqc_bt;
	struct acc_eqc eq;
	__le32 int_mask;
	__le32 int_status;
	__le32 features;
	__le32 eqc_addr_lo;	/* where WRITEBACK stores the EQ context */
	__le32 eqc_addr_hi;
	__le32 rsvd[3];		/* must be zero */
};

#define ACC_VF_STATE_SIZE(qps) \
	(sizeof(struct acc_vf_state) + (qps) * sizeof(struct acc_qp_state))

#ifdef ACC_QM_H_DEFINED_LE
#undef __le16
#undef __le32
#undef __le64
#undef __u8
#undef __u16
#undef __u32
#undef __u64
#undef ACC_QM_H_DEFINED_LE
#endif

#endif /* _UAPI_LINUX_ACC_QM_H */
