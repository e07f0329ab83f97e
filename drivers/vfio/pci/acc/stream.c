// SPDX-License-Identifier: GPL-2.0
/*
 * acc_vfio_pci: migration stream encoder and validator.
 *
 * Every length and count in an incoming stream is hostile until checked
 * here: all offsets are bounded by the stream's declared total length, which
 * is itself bounded by ACC_MIG_STREAM_MAX, so no sum below can overflow a
 * u32 once the header has passed. Nothing here allocates or touches
 * hardware; tests/unit builds this file on the host.
 */
#ifdef __KERNEL__
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#endif

#include "stream.h"

#define ACC_MIG_HDR_SIZE	((u32)sizeof(struct acc_mig_hdr))
#define ACC_MIG_REC_SIZE	((u32)sizeof(struct acc_mig_rec))
/* Bytes of a record header covered by its CRC (all but the CRC). */
#define ACC_MIG_REC_CRC_SPAN	((u32)offsetof(struct acc_mig_rec, crc))
#define ACC_MIG_HDR_CRC_SPAN	((u32)offsetof(struct acc_mig_hdr, crc))

/*
 * acc_mig_crc32() - CRC-32 as zlib's crc32(): start with 0 and chain, i.e.
 * acc_mig_crc32(acc_mig_crc32(0, a, n), b, m) is the CRC of a then b.
 * It is crc32_le() (IEEE 802.3, reflected 0xedb88320) with the customary
 * inversions; the kernel's runs eight bytes a step.
 */
u32 acc_mig_crc32(u32 crc, const void *buf, size_t len)
{
	return ~crc32_le(~crc, buf, len);
}

static u32 acc_mig_pad(u32 len)
{
	return (len + ACC_MIG_ALIGN - 1) & ~(u32)(ACC_MIG_ALIGN - 1);
}

static u64 acc_mig_state_size(u64 qp_num)
{
	return sizeof(struct acc_vf_state) + qp_num * sizeof(struct acc_qp_state);
}

/**
 * acc_mig_layout() - where each record of a source's stream goes
 * @state_size: bytes of the device VF state blob
 * @lay: filled in
 *
 * Return: 0, -EINVAL for a blob smaller than its header, -EFBIG if the
 * stream would exceed ACC_MIG_STREAM_MAX.
 */
int acc_mig_layout(u32 state_size, struct acc_mig_layout *lay)
{
	u64 off;

	if (state_size < sizeof(struct acc_vf_state))
		return -EINVAL;
	off = ACC_MIG_HDR_SIZE;
	off += ACC_MIG_REC_SIZE + acc_mig_pad(sizeof(struct acc_mig_compat));
	lay->precopy_len = off;
	lay->info_off = off;
	off += ACC_MIG_REC_SIZE + acc_mig_pad(sizeof(struct acc_mig_src_info));
	lay->state_off = off;
	off += ACC_MIG_REC_SIZE + acc_mig_pad(state_size);
	lay->end_off = off;
	off += ACC_MIG_REC_SIZE + acc_mig_pad(sizeof(struct acc_mig_end));
	if (off > ACC_MIG_STREAM_MAX)
		return -EFBIG;
	lay->total_len = off;
	return 0;
}

/**
 * acc_mig_ident_check() - is a compatibility record self-consistent?
 * @id: decoded record
 *
 * Return: 0 or -EINVAL.
 */
int acc_mig_ident_check(const struct acc_mig_ident *id)
{
	struct acc_mig_layout lay;

	if (!id->qp_num || id->qp_num > 0xffff)
		return -EINVAL;
	if (id->state_size != acc_mig_state_size(id->qp_num))
		return -EINVAL;
	if (id->qp_depth_max < ACC_DEPTH_LOG2_MIN ||
	    id->qp_depth_max > ACC_DEPTH_LOG2_MAX)
		return -EINVAL;
	return acc_mig_layout(id->state_size, &lay) ? -EINVAL : 0;
}

/**
 * acc_mig_ident_compatible() - can a destination load a source's state?
 * @src: the source's compatibility record
 * @dst: the destination's own identity
 *
 * Same device and hardware version, same queue allotment and state format,
 * source features a subset of the destination's, source queue depth limit
 * no larger.
 *
 * Return: 0 or -EOPNOTSUPP.
 */
int acc_mig_ident_compatible(const struct acc_mig_ident *src,
			     const struct acc_mig_ident *dst)
{
	if (src->vendor != dst->vendor || src->device != dst->device ||
	    src->hw_version != dst->hw_version ||
	    src->qp_num != dst->qp_num ||
	    src->state_version != dst->state_version ||
	    src->state_size != dst->state_size ||
	    (src->features & ~dst->features) ||
	    src->qp_depth_max > dst->qp_depth_max)
		return -EOPNOTSUPP;
	return 0;
}

static void acc_mig_put_rec(u8 *buf, u32 off, u16 type, u16 flags,
			    const void *payload, u32 len)
{
	struct acc_mig_rec *rec = (struct acc_mig_rec *)(buf + off);
	u32 padded = acc_mig_pad(len);
	u8 *data = buf + off + ACC_MIG_REC_SIZE;
	u32 crc;

	rec->type = cpu_to_le16(type);
	rec->flags = cpu_to_le16(flags);
	rec->len = cpu_to_le32(len);
	rec->rsvd = 0;
	/* The payload may already be in place (acc_mig_state_buf()). */
	if (data != payload)
		memcpy(data, payload, len);
	memset(data + len, 0, padded - len);
	crc = acc_mig_crc32(0, rec, ACC_MIG_REC_CRC_SPAN);
	rec->crc = cpu_to_le32(acc_mig_crc32(crc, data, padded));
}

/**
 * acc_mig_emit_precopy() - write the header and the compatibility record
 * @buf: at least @lay->precopy_len bytes
 * @lay: from acc_mig_layout()
 * @id: this device's identity
 */
void acc_mig_emit_precopy(void *buf, const struct acc_mig_layout *lay,
			  const struct acc_mig_ident *id)
{
	struct acc_mig_hdr *hdr = buf;
	struct acc_mig_compat c = {
		.vendor = cpu_to_le16(id->vendor),
		.device = cpu_to_le16(id->device),
		.revision = id->revision,
		.hw_version = cpu_to_le32(id->hw_version),
		.features = cpu_to_le32(id->features),
		.qp_num = cpu_to_le32(id->qp_num),
		.qp_depth_max = cpu_to_le32(id->qp_depth_max),
		.state_version = cpu_to_le32(id->state_version),
		.state_size = cpu_to_le32(id->state_size),
	};

	hdr->magic = cpu_to_le32(ACC_MIG_MAGIC_VALUE_STREAM);
	hdr->version = cpu_to_le16(ACC_MIG_STREAM_VERSION);
	hdr->hdr_size = cpu_to_le16(ACC_MIG_HDR_SIZE);
	hdr->total_len = cpu_to_le32(lay->total_len);
	hdr->flags = 0;
	hdr->rsvd = 0;
	hdr->crc = cpu_to_le32(acc_mig_crc32(0, hdr, ACC_MIG_HDR_CRC_SPAN));
	acc_mig_put_rec(buf, ACC_MIG_HDR_SIZE, ACC_MIG_REC_COMPAT,
			ACC_MIG_REC_F_MANDATORY, &c, sizeof(c));
}

/**
 * acc_mig_state_buf() - where the DEV_STATE payload goes in a stream
 * @buf: @lay->total_len bytes
 * @lay: from acc_mig_layout()
 *
 * The device state can be saved there directly and then given to
 * acc_mig_emit_final() as @state, which then does not copy it.
 *
 * Return: the payload's first byte, acc_mig_layout()'s state_size long.
 */
void *acc_mig_state_buf(void *buf, const struct acc_mig_layout *lay)
{
	return (u8 *)buf + lay->state_off + ACC_MIG_REC_SIZE;
}

/**
 * acc_mig_emit_final() - write the STOP_COPY records after the PRE_COPY ones
 * @buf: @lay->total_len bytes, acc_mig_emit_precopy() already applied
 * @lay: from acc_mig_layout()
 * @info: source information record
 * @state: the device VF state blob, or acc_mig_state_buf() if it is there
 * @state_len: its size, the one given to acc_mig_layout()
 */
void acc_mig_emit_final(void *buf, const struct acc_mig_layout *lay,
			const struct acc_mig_src_info *info,
			const void *state, u32 state_len)
{
	struct acc_mig_end end = { 0 };

	acc_mig_put_rec(buf, lay->info_off, ACC_MIG_REC_SRC_INFO, 0,
			info, sizeof(*info));
	acc_mig_put_rec(buf, lay->state_off, ACC_MIG_REC_DEV_STATE,
			ACC_MIG_REC_F_MANDATORY, state, state_len);
	end.stream_crc = cpu_to_le32(acc_mig_crc32(0, buf, lay->end_off));
	acc_mig_put_rec(buf, lay->end_off, ACC_MIG_REC_END,
			ACC_MIG_REC_F_MANDATORY, &end, sizeof(end));
}

void acc_mig_parser_init(struct acc_mig_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static int acc_mig_fail(struct acc_mig_parser *p, int err)
{
	p->err = err;
	return err;
}

static int acc_mig_parse_hdr(struct acc_mig_parser *p, const u8 *buf)
{
	const struct acc_mig_hdr *hdr = (const void *)buf;
	u32 total = le32_to_cpu(hdr->total_len);

	if (le32_to_cpu(hdr->magic) != ACC_MIG_MAGIC_VALUE_STREAM)
		return -EINVAL;
	if (le16_to_cpu(hdr->version) != ACC_MIG_STREAM_VERSION)
		return -EPROTONOSUPPORT;
	if (le16_to_cpu(hdr->hdr_size) != ACC_MIG_HDR_SIZE)
		return -EINVAL;
	if (le32_to_cpu(hdr->crc) !=
	    acc_mig_crc32(0, hdr, ACC_MIG_HDR_CRC_SPAN))
		return -EBADMSG;
	if (hdr->flags || hdr->rsvd)
		return -EINVAL;
	if (total > ACC_MIG_STREAM_MAX)
		return -EFBIG;
	if (total % ACC_MIG_ALIGN || total < ACC_MIG_HDR_SIZE + ACC_MIG_REC_SIZE)
		return -EINVAL;
	p->total_len = total;
	p->off = ACC_MIG_HDR_SIZE;
	p->crc = acc_mig_crc32(0, buf, ACC_MIG_HDR_SIZE);
	p->seen |= ACC_MIG_SEEN_HDR;
	return 0;
}

static int acc_mig_parse_compat(struct acc_mig_parser *p, const u8 *data,
				u32 len)
{
	const struct acc_mig_compat *c = (const void *)data;
	struct acc_mig_ident *id = &p->ident;

	if (len != sizeof(*c))
		return -EINVAL;
	if (c->rsvd0[0] || c->rsvd0[1] || c->rsvd0[2] ||
	    c->rsvd1[0] || c->rsvd1[1])
		return -EINVAL;
	id->vendor = le16_to_cpu(c->vendor);
	id->device = le16_to_cpu(c->device);
	id->revision = c->revision;
	id->hw_version = le32_to_cpu(c->hw_version);
	id->features = le32_to_cpu(c->features);
	id->qp_num = le32_to_cpu(c->qp_num);
	id->qp_depth_max = le32_to_cpu(c->qp_depth_max);
	id->state_version = le32_to_cpu(c->state_version);
	id->state_size = le32_to_cpu(c->state_size);
	return acc_mig_ident_check(id);
}

static int acc_mig_parse_state(struct acc_mig_parser *p, const u8 *data,
			       u32 len)
{
	const struct acc_vf_state *st = (const void *)data;

	/* acc_mig_ident_check() made state_size >= sizeof(*st). */
	if (len != p->ident.state_size)
		return -EINVAL;
	if (le32_to_cpu(st->magic) != ACC_STATE_MAGIC ||
	    le16_to_cpu(st->version) != p->ident.state_version ||
	    le16_to_cpu(st->qp_num) != p->ident.qp_num ||
	    le32_to_cpu(st->size) != len)
		return -EINVAL;
	return 0;
}

static int acc_mig_parse_info(const u8 *data, u32 len)
{
	const struct acc_mig_src_info *info = (const void *)data;

	if (len != sizeof(*info) || info->rsvd)
		return -EINVAL;
	return 0;
}

static int acc_mig_parse_end(struct acc_mig_parser *p, const u8 *data,
			     u32 len, u32 rec_end)
{
	const struct acc_mig_end *end = (const void *)data;

	if (len != sizeof(*end) || end->rsvd)
		return -EINVAL;
	if (!(p->seen & ACC_MIG_SEEN_STATE) || rec_end != p->total_len)
		return -EINVAL;
	/* p->crc covers every byte before this record. */
	if (le32_to_cpu(end->stream_crc) != p->crc)
		return -EBADMSG;
	return 0;
}

/* Validate the record at p->off, known to be complete in the buffer. */
static int acc_mig_parse_rec(struct acc_mig_parser *p, const u8 *buf,
			     u32 padded)
{
	const struct acc_mig_rec *rec = (const void *)(buf + p->off);
	const u8 *data = buf + p->off + ACC_MIG_REC_SIZE;
	u32 rec_end = p->off + ACC_MIG_REC_SIZE + padded;
	u16 flags = le16_to_cpu(rec->flags);
	u32 len = le32_to_cpu(rec->len);
	u16 type = le16_to_cpu(rec->type);
	bool mandatory = flags & ACC_MIG_REC_F_MANDATORY;
	u32 crc, i;
	u32 bit;
	int ret;

	crc = acc_mig_crc32(0, rec, ACC_MIG_REC_CRC_SPAN);
	if (acc_mig_crc32(crc, data, padded) != le32_to_cpu(rec->crc))
		return -EBADMSG;
	if (flags & ~ACC_MIG_REC_F_ALL || rec->rsvd)
		return -EINVAL;
	for (i = len; i < padded; i++)
		if (data[i])
			return -EINVAL;
	/* The compatibility record comes first. */
	if (!(p->seen & ACC_MIG_SEEN_COMPAT) && type != ACC_MIG_REC_COMPAT)
		return -EINVAL;

	switch (type) {
	case ACC_MIG_REC_COMPAT:
		bit = ACC_MIG_SEEN_COMPAT;
		ret = mandatory ? acc_mig_parse_compat(p, data, len) : -EINVAL;
		break;
	case ACC_MIG_REC_DEV_STATE:
		bit = ACC_MIG_SEEN_STATE;
		ret = mandatory ? acc_mig_parse_state(p, data, len) : -EINVAL;
		if (!ret) {
			p->state_off = p->off + ACC_MIG_REC_SIZE;
			p->state_len = len;
		}
		break;
	case ACC_MIG_REC_SRC_INFO:
		bit = ACC_MIG_SEEN_INFO;
		ret = acc_mig_parse_info(data, len);
		break;
	case ACC_MIG_REC_END:
		bit = ACC_MIG_SEEN_END;
		ret = mandatory ? acc_mig_parse_end(p, data, len, rec_end) :
				  -EINVAL;
		break;
	default:
		if (mandatory)
			return -EPROTO;
		p->skipped++;
		bit = 0;
		ret = 0;
		break;
	}
	if (ret)
		return ret;
	if (p->seen & bit)
		return -EINVAL;	/* a known record twice */
	p->seen |= bit;
	p->crc = acc_mig_crc32(p->crc, buf + p->off, rec_end - p->off);
	p->off = rec_end;
	return 0;
}

/**
 * acc_mig_parse() - validate what has arrived of a stream
 * @p: parser state, from acc_mig_parser_init()
 * @buf: the stream's first @len bytes
 * @len: bytes available; may grow between calls, never shrink
 *
 * Return: 0 (possibly waiting for more bytes) or a negative errno, which is
 * also returned by every later call: -EINVAL malformed, -EPROTONOSUPPORT
 * unknown stream version, -EBADMSG integrity check failed, -EPROTO unknown
 * mandatory record, -EFBIG longer than declared or than the maximum.
 */
int acc_mig_parse(struct acc_mig_parser *p, const void *buf, size_t len)
{
	const u8 *b = buf;
	int ret;

	if (p->err)
		return p->err;
	if (!(p->seen & ACC_MIG_SEEN_HDR)) {
		if (len < ACC_MIG_HDR_SIZE)
			return 0;
		ret = acc_mig_parse_hdr(p, b);
		if (ret)
			return acc_mig_fail(p, ret);
	}
	if (len > p->total_len)
		return acc_mig_fail(p, -EFBIG);

	while (!(p->seen & ACC_MIG_SEEN_END)) {
		const struct acc_mig_rec *rec = (const void *)(b + p->off);
		u32 room = p->total_len - p->off;
		u32 rlen, padded;

		/* The stream must end with an END record. */
		if (room < ACC_MIG_REC_SIZE)
			return acc_mig_fail(p, -EINVAL);
		if (len - p->off < ACC_MIG_REC_SIZE)
			return 0;
		room -= ACC_MIG_REC_SIZE;
		rlen = le32_to_cpu(rec->len);
		if (rlen > room)
			return acc_mig_fail(p, -EINVAL);
		/* rlen <= room < 2^20: the padding cannot overflow. */
		padded = acc_mig_pad(rlen);
		if (padded > room)
			return acc_mig_fail(p, -EINVAL);
		if (len - p->off - ACC_MIG_REC_SIZE < padded)
			return 0;
		ret = acc_mig_parse_rec(p, b, padded);
		if (ret)
			return acc_mig_fail(p, ret);
	}
	return 0;
}

/**
 * acc_mig_parse_finish() - the stream is over: is it complete?
 * @p: parser state after acc_mig_parse() of all @len bytes
 * @len: bytes received in total
 *
 * Return: 0, the sticky error, -ENODATA if truncated, -EFBIG if longer than
 * its declared length.
 */
int acc_mig_parse_finish(struct acc_mig_parser *p, size_t len)
{
	if (p->err)
		return p->err;
	if ((p->seen & ACC_MIG_SEEN_HDR) && len > p->total_len)
		return acc_mig_fail(p, -EFBIG);
	if (!(p->seen & ACC_MIG_SEEN_END))
		return acc_mig_fail(p, -ENODATA);
	return 0;
}

/**
 * acc_mig_decode() - validate a whole stream at once
 * @p: parser state, initialised here; on success p->ident and p->state_off,
 *     p->state_len describe the stream
 * @buf: the stream
 * @len: its length
 *
 * Return: 0 or an errno as for acc_mig_parse() and acc_mig_parse_finish().
 */
int acc_mig_decode(struct acc_mig_parser *p, const void *buf, size_t len)
{
	int ret;

	acc_mig_parser_init(p);
	if (len > ACC_MIG_STREAM_MAX)
		return acc_mig_fail(p, -EFBIG);
	ret = acc_mig_parse(p, buf, len);
	if (ret)
		return ret;
	return acc_mig_parse_finish(p, len);
}
