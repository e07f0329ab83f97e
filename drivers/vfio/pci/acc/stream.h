/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc_vfio_pci: the migration stream of an acc VF.
 *
 * Pure logic only: no hardware, no vfio, no allocation. The same file builds
 * in the kernel and, through tests/unit/kcompat.h, on the host for the unit
 * tests. docs/migration-stream.rst is the prose for this header.
 */
#ifndef _ACC_VFIO_STREAM_H_
#define _ACC_VFIO_STREAM_H_

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#else
#include "kcompat.h"
#endif

#include <uapi/linux/acc_qm.h>

#define ACC_MIG_MAGIC_VALUE_STREAM	0x56434341	/* "ACCV" */
#define ACC_MIG_STREAM_VERSION		1
/* Largest stream a destination accepts, header to end record. */
#define ACC_MIG_STREAM_MAX		BIT(20)
#define ACC_MIG_ALIGN			8

/* Stream header, 24 bytes, at offset 0. */
struct acc_mig_hdr {
	__le32 magic;		/* ACC_MIG_MAGIC_VALUE_STREAM */
	__le16 version;		/* ACC_MIG_STREAM_VERSION */
	__le16 hdr_size;	/* sizeof(struct acc_mig_hdr) */
	__le32 total_len;	/* bytes of the whole stream */
	__le32 flags;		/* none defined: zero */
	__le32 rsvd;		/* zero */
	__le32 crc;		/* CRC-32 of the 20 bytes before it */
};

/* Record header, 16 bytes; the payload follows, padded to 8 bytes. */
struct acc_mig_rec {
	__le16 type;		/* ACC_MIG_REC_* */
	__le16 flags;		/* ACC_MIG_REC_F_* */
	__le32 len;		/* payload bytes, without padding */
	__le32 rsvd;		/* zero */
	__le32 crc;		/* CRC-32 of bytes 0..11 then payload+padding */
};

#define ACC_MIG_REC_F_MANDATORY	BIT(0)
#define ACC_MIG_REC_F_ALL	ACC_MIG_REC_F_MANDATORY

enum acc_mig_rec_type {
	ACC_MIG_REC_COMPAT	= 0x0001,	/* mandatory, first */
	ACC_MIG_REC_DEV_STATE	= 0x0002,	/* mandatory, once */
	ACC_MIG_REC_SRC_INFO	= 0x0100,	/* optional, informational */
	ACC_MIG_REC_END		= 0xffff,	/* mandatory, last */
};

/* ACC_MIG_REC_COMPAT payload, 40 bytes: what a destination must match. */
struct acc_mig_compat {
	__le16 vendor;		/* ACC_PCI_VENDOR_ID */
	__le16 device;		/* ACC_PCI_DEVICE_VF */
	__u8 revision;		/* PCI revision, informational */
	__u8 rsvd0[3];		/* zero */
	__le32 hw_version;	/* ACC_REG_VERSION: must be equal */
	__le32 features;	/* ACC_REG_FEATURES: subset of destination's */
	__le32 qp_num;		/* queue pairs allotted: must be equal */
	__le32 qp_depth_max;	/* ACC_REG_QP_DEPTH_MAX: <= destination's */
	__le32 state_version;	/* ACC_STATE_VERSION: must be equal */
	__le32 state_size;	/* ACC_VF_STATE_SIZE(qp_num) */
	__le32 rsvd1[2];	/* zero */
};

/* ACC_MIG_REC_SRC_INFO payload, 24 bytes: for logs and debugging only. */
struct acc_mig_src_info {
	__le32 pci_id;		/* source domain << 16 | bus << 8 | devfn */
	__le32 vf;		/* source VF index */
	__le32 inflight;	/* SQEs not yet consumed at save */
	__le32 rsvd;		/* zero */
	__le64 save_ns;		/* duration of the device save */
};

/* ACC_MIG_REC_END payload, 8 bytes. */
struct acc_mig_end {
	__le32 stream_crc;	/* CRC-32 of every byte before this record */
	__le32 rsvd;		/* zero */
};

/* Host-order view of a compatibility record. */
struct acc_mig_ident {
	u16 vendor;
	u16 device;
	u8 revision;
	u32 hw_version;
	u32 features;
	u32 qp_num;
	u32 qp_depth_max;
	u32 state_version;
	u32 state_size;
};

/* Layout of the stream a source emits (offsets from the stream start). */
struct acc_mig_layout {
	u32 precopy_len;	/* header + COMPAT: the PRE_COPY data */
	u32 info_off;		/* SRC_INFO record */
	u32 state_off;		/* DEV_STATE record */
	u32 end_off;		/* END record */
	u32 total_len;
};

/*
 * Incremental validator. acc_mig_parse() may be called again each time more
 * bytes have arrived; it validates every complete piece and never looks at a
 * byte twice. Errors are sticky.
 */
struct acc_mig_parser {
	u32 off;		/* bytes validated */
	u32 total_len;		/* from the header; 0 until it is complete */
	u32 crc;		/* running CRC-32 state of bytes [0, off) */
	u32 seen;		/* bitmap of ACC_MIG_SEEN_* */
	u32 state_off;		/* DEV_STATE payload offset and length */
	u32 state_len;
	u32 skipped;		/* unknown optional records skipped */
	int err;
	struct acc_mig_ident ident;
};

#define ACC_MIG_SEEN_HDR	BIT(0)
#define ACC_MIG_SEEN_COMPAT	BIT(1)
#define ACC_MIG_SEEN_STATE	BIT(2)
#define ACC_MIG_SEEN_INFO	BIT(3)
#define ACC_MIG_SEEN_END	BIT(4)

u32 acc_mig_crc32(u32 crc, const void *buf, size_t len);

int acc_mig_ident_check(const struct acc_mig_ident *id);
int acc_mig_ident_compatible(const struct acc_mig_ident *src,
			     const struct acc_mig_ident *dst);

int acc_mig_layout(u32 state_size, struct acc_mig_layout *lay);
void acc_mig_emit_precopy(void *buf, const struct acc_mig_layout *lay,
			  const struct acc_mig_ident *id);
void *acc_mig_state_buf(void *buf, const struct acc_mig_layout *lay);
void acc_mig_emit_final(void *buf, const struct acc_mig_layout *lay,
			const struct acc_mig_src_info *info,
			const void *state, u32 state_len);

void acc_mig_parser_init(struct acc_mig_parser *p);
int acc_mig_parse(struct acc_mig_parser *p, const void *buf, size_t len);
int acc_mig_parse_finish(struct acc_mig_parser *p, size_t len);
int acc_mig_decode(struct acc_mig_parser *p, const void *buf, size_t len);

#endif /* _ACC_VFIO_STREAM_H_ */
