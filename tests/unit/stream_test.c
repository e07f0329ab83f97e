// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the acc_vfio_pci migration stream and FSM table,
 * built from the driver's own stream.c and fsm.c (see Makefile).
 */
#include <stdio.h>
#include <stdlib.h>

#include "kcompat.h"
#include "../../drivers/vfio/pci/acc/stream.h"
#include "../../drivers/vfio/pci/acc/fsm.h"
#include <linux/vfio.h>

#include "kselftest_harness.h"

#define HDR	((u32)sizeof(struct acc_mig_hdr))
#define REC	((u32)sizeof(struct acc_mig_rec))

static u64 rng_state;

static u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 16;
}

static void ident_for(struct acc_mig_ident *id, u32 qp_num)
{
	memset(id, 0, sizeof(*id));
	id->vendor = ACC_PCI_VENDOR_ID;
	id->device = ACC_PCI_DEVICE_VF;
	id->revision = ACC_PCI_REVISION;
	id->hw_version = ACC_HW_VERSION;
	id->features = ACC_FEAT_CIPHER | ACC_FEAT_HASH | ACC_FEAT_SGL |
		       ACC_FEAT_MIGRATION;
	id->qp_num = qp_num;
	id->qp_depth_max = ACC_DEPTH_LOG2_MAX;
	id->state_version = ACC_STATE_VERSION;
	id->state_size = ACC_VF_STATE_SIZE(qp_num);
}

/* A plausible device state blob: valid header, random queue contents. */
static u8 *blob_for(u32 qp_num)
{
	u32 size = ACC_VF_STATE_SIZE(qp_num);
	u8 *b = malloc(size);
	struct acc_vf_state *st = (void *)b;
	u32 i;

	for (i = 0; i < size; i++)
		b[i] = rnd();
	st->magic = cpu_to_le32(ACC_STATE_MAGIC);
	st->version = cpu_to_le16(ACC_STATE_VERSION);
	st->qp_num = cpu_to_le16(qp_num);
	st->size = cpu_to_le32(size);
	return b;
}

/* A complete stream as a source emits it. */
static u8 *stream_for(u32 qp_num, u32 *len, u8 **blob)
{
	struct acc_mig_src_info info = { .vf = cpu_to_le32(3) };
	struct acc_mig_layout lay;
	struct acc_mig_ident id;
	u8 *b, *s;

	ident_for(&id, qp_num);
	if (acc_mig_layout(id.state_size, &lay))
		return NULL;
	s = calloc(1, lay.total_len);
	b = blob_for(qp_num);
	acc_mig_emit_precopy(s, &lay, &id);
	acc_mig_emit_final(s, &lay, &info, b, id.state_size);
	*len = lay.total_len;
	if (blob)
		*blob = b;
	else
		free(b);
	return s;
}

static void put_rec_crc(u8 *s, u32 off)
{
	struct acc_mig_rec *r = (void *)(s + off);
	u32 padded = (le32_to_cpu(r->len) + 7) & ~7U;
	u32 crc = acc_mig_crc32(0, r, 12);

	r->crc = cpu_to_le32(acc_mig_crc32(crc, s + off + REC, padded));
}

/*
 * Recompute every CRC after a deliberate edit, so that the semantic checks
 * behind the integrity check are reached. Walks records by their lengths;
 * stops at anything that does not fit.
 */
static void resign(u8 *s, u32 len)
{
	struct acc_mig_hdr *h = (void *)s;
	u32 off = HDR;

	h->crc = cpu_to_le32(acc_mig_crc32(0, h, 20));
	while (off + REC <= len) {
		struct acc_mig_rec *r = (void *)(s + off);
		u32 padded = (le32_to_cpu(r->len) + 7) & ~7U;

		if (padded > len - off - REC)
			break;
		if (le16_to_cpu(r->type) == ACC_MIG_REC_END &&
		    padded >= sizeof(struct acc_mig_end)) {
			struct acc_mig_end *e = (void *)(s + off + REC);

			e->stream_crc = cpu_to_le32(acc_mig_crc32(0, s, off));
		}
		put_rec_crc(s, off);
		off += REC + padded;
	}
}

/* Insert a record of @type/@flags/@plen bytes at @at; returns new stream. */
static u8 *insert_rec(const u8 *s, u32 len, u32 at, u16 type, u16 flags,
		      u32 plen, u32 *nlen)
{
	u32 padded = (plen + 7) & ~7U;
	u32 add = REC + padded;
	u8 *n = calloc(1, len + add);
	struct acc_mig_rec *r = (void *)(n + at);
	struct acc_mig_hdr *h = (void *)n;

	memcpy(n, s, at);
	memcpy(n + at + add, s + at, len - at);
	r->type = cpu_to_le16(type);
	r->flags = cpu_to_le16(flags);
	r->len = cpu_to_le32(plen);
	memset(n + at + REC, 0x5a, plen);
	h->total_len = cpu_to_le32(len + add);
	resign(n, len + add);
	*nlen = len + add;
	return n;
}

static bool documented(int err)
{
	return err == -EINVAL || err == -EPROTONOSUPPORT || err == -EBADMSG ||
	       err == -EPROTO || err == -EFBIG || err == -ENODATA;
}

static int decode(const u8 *s, u32 len)
{
	struct acc_mig_parser p;

	return acc_mig_decode(&p, s, len);
}

TEST(crc32_reference)
{
	const char *v = "123456789";

	/* The standard check value of CRC-32/IEEE (zlib's crc32). */
	ASSERT_EQ(0xcbf43926, acc_mig_crc32(0, v, 9));
	ASSERT_EQ(acc_mig_crc32(0, v, 9),
		  acc_mig_crc32(acc_mig_crc32(0, v, 4), v + 4, 5));
	ASSERT_EQ(0, acc_mig_crc32(0, v, 0));
}

TEST(round_trip)
{
	static const u32 qps[] = { 1, 2, 7, 64, 1000, 16380 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(qps); i++) {
		struct acc_mig_ident id;
		struct acc_mig_parser p;
		u8 *s, *blob;
		u32 len;

		s = stream_for(qps[i], &len, &blob);
		ASSERT_NE(NULL, s);
		ASSERT_EQ(0, acc_mig_decode(&p, s, len));
		ident_for(&id, qps[i]);
		ASSERT_EQ(0, memcmp(&id, &p.ident, sizeof(id)));
		ASSERT_EQ(0, acc_mig_ident_compatible(&p.ident, &id));
		ASSERT_EQ(id.state_size, p.state_len);
		ASSERT_EQ(0, memcmp(blob, s + p.state_off, p.state_len));
		ASSERT_EQ(0, p.skipped);
		free(s);
		free(blob);
	}
}

TEST(sizes)
{
	struct acc_mig_layout lay;

	/* Goal: at most 4 KiB for one queue pair. */
	ASSERT_EQ(0, acc_mig_layout(ACC_VF_STATE_SIZE(1), &lay));
	ASSERT_LE(lay.total_len, 4096);
	ASSERT_EQ(HDR + REC + sizeof(struct acc_mig_compat), lay.precopy_len);
	/* The largest allotment that fits, and the first that does not. */
	ASSERT_EQ(0, acc_mig_layout(ACC_VF_STATE_SIZE(16380), &lay));
	ASSERT_EQ(ACC_MIG_STREAM_MAX, lay.total_len);
	ASSERT_EQ(-EFBIG, acc_mig_layout(ACC_VF_STATE_SIZE(16381), &lay));
	ASSERT_EQ(-EINVAL, acc_mig_layout(95, &lay));
	ASSERT_EQ(0, acc_mig_layout(ACC_VF_STATE_SIZE(1), &lay));
	TH_LOG("stream: %u bytes with 1 QP", lay.total_len);
	ASSERT_EQ(0, acc_mig_layout(ACC_VF_STATE_SIZE(64), &lay));
	TH_LOG("stream: %u bytes with 64 QPs", lay.total_len);
}

/* Every byte is under some CRC: any single-byte change must be refused. */
TEST(every_byte_corrupted)
{
	static const u8 masks[] = { 0x01, 0x80, 0xff, 0x10 };
	unsigned int m;
	u32 len, i;
	u8 *s;

	s = stream_for(2, &len, NULL);
	for (i = 0; i < len; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			int err;

			s[i] ^= masks[m];
			err = decode(s, len);
			s[i] ^= masks[m];
			if (!err || !documented(err))
				TH_LOG("offset %u mask %#x: %d", i, masks[m],
				       err);
			ASSERT_TRUE(err && documented(err));
		}
	}
	ASSERT_EQ(0, decode(s, len));
	free(s);
}

struct field_case {
	const char *name;
	u32 off;		/* byte offset in a 1-QP stream */
	u32 width;		/* 1, 2 or 4 */
	u32 value;
	int err;
};

/* Offsets in the 1-QP stream (see stream.h and acc_mig_layout()). */
#define C	(HDR + REC)			/* compat payload */
#define I	(HDR + REC + 40)		/* SRC_INFO record */
#define ST	(I + REC + 24)			/* DEV_STATE record */
#define E	(ST + REC + 160)		/* END record */

static const struct field_case fields[] = {
	{ "magic", 0, 4, 0x12345678, -EINVAL },
	{ "version 0", 4, 2, 0, -EPROTONOSUPPORT },
	{ "version 2", 4, 2, 2, -EPROTONOSUPPORT },
	{ "hdr_size", 6, 2, 32, -EINVAL },
	/* more bytes than declared */
	{ "total_len small", 8, 4, 64, -EFBIG },
	/* END must end the declared length */
	{ "total_len large", 8, 4, 4096, -EINVAL },
	{ "total_len tiny", 8, 4, 32, -EINVAL },
	{ "total_len odd", 8, 4, 321, -EINVAL },
	{ "total_len max+8", 8, 4, ACC_MIG_STREAM_MAX + 8, -EFBIG },
	{ "total_len ~0", 8, 4, 0xffffffff, -EFBIG },
	{ "hdr flags", 12, 4, 1, -EINVAL },
	{ "hdr rsvd", 16, 4, 1, -EINVAL },
	{ "compat type", HDR, 2, ACC_MIG_REC_DEV_STATE, -EINVAL },
	{ "compat optional", HDR + 2, 2, 0, -EINVAL },
	{ "compat flag 2", HDR + 2, 2, 3, -EINVAL },
	{ "compat len", HDR + 4, 4, 48, -EINVAL },
	{ "compat len huge", HDR + 4, 4, 0xfffffff0, -EINVAL },
	{ "compat rec rsvd", HDR + 8, 4, 1, -EINVAL },
	{ "compat rsvd0", C + 5, 1, 1, -EINVAL },
	{ "compat qp_num 0", C + 16, 4, 0, -EINVAL },
	{ "compat qp_num 2", C + 16, 4, 2, -EINVAL },
	{ "compat qp_num huge", C + 16, 4, 0x10000, -EINVAL },
	{ "compat depth 0", C + 20, 4, 0, -EINVAL },
	{ "compat depth 13", C + 20, 4, 13, -EINVAL },
	{ "compat state_size", C + 28, 4, 168, -EINVAL },
	{ "compat rsvd1", C + 36, 4, 1, -EINVAL },
	{ "info len", I + 4, 4, 16, -EINVAL },
	{ "info rsvd", I + REC + 12, 4, 1, -EINVAL },
	{ "info type END", I, 2, ACC_MIG_REC_END, -EINVAL },
	{ "info type COMPAT", I, 2, ACC_MIG_REC_COMPAT, -EINVAL },
	{ "state optional", ST + 2, 2, 0, -EINVAL },
	{ "state len", ST + 4, 4, 96, -EINVAL },
	{ "state blob magic", ST + REC, 4, 0, -EINVAL },
	{ "state blob version", ST + REC + 4, 2, 2, -EINVAL },
	{ "state blob qp_num", ST + REC + 6, 2, 2, -EINVAL },
	{ "state blob size", ST + REC + 8, 4, 224, -EINVAL },
	{ "state type unknown mandatory", ST, 2, 0x7777, -EPROTO },
	{ "state type SRC_INFO", ST, 2, ACC_MIG_REC_SRC_INFO, -EINVAL },
	{ "end optional", E + 2, 2, 0, -EINVAL },
	{ "end len", E + 4, 4, 0, -EINVAL },
	{ "end rsvd", E + REC + 4, 4, 1, -EINVAL },
	{ "end type unknown mandatory", E, 2, 0x8000, -EPROTO },
};

/* Each field made wrong, CRCs recomputed: the semantic check refuses it. */
TEST(every_field)
{
	unsigned int i;
	u32 len;
	u8 *s;

	s = stream_for(1, &len, NULL);
	ASSERT_EQ(E + REC + 8, len);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field_case *f = &fields[i];
		u8 *t = malloc(len);
		u32 v = f->value;
		int err;

		memcpy(t, s, len);
		if (f->width == 1)
			t[f->off] = v;
		else if (f->width == 2)
			*(u16 *)(t + f->off) = htole16(v);
		else
			*(u32 *)(t + f->off) = htole32(v);
		resign(t, len);
		err = decode(t, len);
		if (err != f->err)
			TH_LOG("%s: got %d, want %d", f->name, err, f->err);
		EXPECT_EQ(f->err, err);
		free(t);
	}
	free(s);
}

TEST(record_order)
{
	struct acc_mig_parser p;
	u32 len, n2;
	u8 *s, *t;

	s = stream_for(1, &len, NULL);
	/* An optional record before COMPAT: COMPAT must come first. */
	t = insert_rec(s, len, HDR, 0x4242, 0, 8, &n2);
	EXPECT_EQ(-EINVAL, decode(t, n2));
	free(t);
	/* A second COMPAT record. */
	t = insert_rec(s, len, I, ACC_MIG_REC_COMPAT, ACC_MIG_REC_F_MANDATORY,
		       40, &n2);
	memcpy(t + I + REC, s + C, 40);
	resign(t, n2);
	EXPECT_EQ(-EINVAL, decode(t, n2));
	free(t);
	/* END without a DEV_STATE record before it. */
	t = malloc(len);
	memcpy(t, s, len);
	memcpy(t + ST, s + E, REC + 8);
	*(u32 *)(t + 8) = htole32(ST + REC + 8);
	resign(t, ST + REC + 8);
	EXPECT_EQ(-EINVAL, decode(t, ST + REC + 8));
	/* Record after END: END must end the stream. */
	memcpy(t, s, len);
	*(u32 *)(t + 8) = htole32(len + 8);
	resign(t, len);
	ASSERT_EQ(0, acc_mig_decode(&p, s, len));
	EXPECT_EQ(-EINVAL, decode(t, len));
	free(t);
	free(s);
}

TEST(unknown_records)
{
	struct acc_mig_parser p;
	u32 len, n2;
	u8 *s, *t;

	s = stream_for(4, &len, NULL);
	/* Optional: skipped, whatever its size. */
	t = insert_rec(s, len, I, 0x1234, 0, 13, &n2);
	EXPECT_EQ(0, acc_mig_decode(&p, t, n2));
	EXPECT_EQ(1, p.skipped);
	/* Its padding must be zero, CRC or not. */
	t[I + REC + 14] = 1;
	resign(t, n2);
	EXPECT_EQ(-EINVAL, decode(t, n2));
	free(t);
	t = insert_rec(s, len, I, 0x1234, 0, 0, &n2);
	EXPECT_EQ(0, acc_mig_decode(&p, t, n2));
	free(t);
	/* Mandatory: refused. */
	t = insert_rec(s, len, I, 0x1234, ACC_MIG_REC_F_MANDATORY, 8, &n2);
	EXPECT_EQ(-EPROTO, decode(t, n2));
	free(t);
	/* Known optional record marked mandatory is still understood. */
	t = malloc(len);
	memcpy(t, s, len);
	t[I + 2] = ACC_MIG_REC_F_MANDATORY;
	resign(t, len);
	EXPECT_EQ(0, decode(t, len));
	free(t);
	free(s);
}

/* Every proper prefix: incomplete, never accepted, never another error. */
TEST(truncations)
{
	u32 len, i;
	u8 *s;

	s = stream_for(3, &len, NULL);
	for (i = 0; i < len; i++) {
		int err = decode(s, i);

		if (err != -ENODATA)
			TH_LOG("prefix %u: %d", i, err);
		ASSERT_EQ(-ENODATA, err);
	}
	free(s);
}

TEST(oversized)
{
	struct acc_mig_parser p;
	u32 len;
	u8 *s, *t;

	s = stream_for(1, &len, NULL);
	t = calloc(1, len + 64);
	memcpy(t, s, len);
	/* Trailing bytes after a complete stream. */
	EXPECT_EQ(-EFBIG, decode(t, len + 1));
	EXPECT_EQ(-EFBIG, decode(t, len + 64));
	/* Beyond the maximum, whatever the header says. */
	EXPECT_EQ(-EFBIG, decode(t, ACC_MIG_STREAM_MAX + 1));
	/* The incremental parser refuses bytes beyond the declared length. */
	acc_mig_parser_init(&p);
	EXPECT_EQ(0, acc_mig_parse(&p, t, 100));
	EXPECT_EQ(-EFBIG, acc_mig_parse(&p, t, len + 8));
	/* ... and the error sticks. */
	EXPECT_EQ(-EFBIG, acc_mig_parse(&p, t, len));
	EXPECT_EQ(-EFBIG, acc_mig_parse_finish(&p, len));
	free(t);
	free(s);
}

/* Incremental validation over every split in two, and byte by byte. */
TEST(splits)
{
	struct acc_mig_parser p;
	u32 len, k, i;
	u8 *s;

	s = stream_for(2, &len, NULL);
	for (k = 0; k <= len; k++) {
		acc_mig_parser_init(&p);
		ASSERT_EQ(0, acc_mig_parse(&p, s, k));
		ASSERT_EQ(0, acc_mig_parse(&p, s, len));
		ASSERT_EQ(0, acc_mig_parse_finish(&p, len));
	}
	acc_mig_parser_init(&p);
	for (i = 0; i <= len; i++) {
		ASSERT_EQ(0, acc_mig_parse(&p, s, i));
		/* The compatibility record is known once it is all in. */
		ASSERT_EQ(i >= HDR + REC + 40,
			  !!(p.seen & ACC_MIG_SEEN_COMPAT));
	}
	ASSERT_EQ(0, acc_mig_parse_finish(&p, len));
	/* Three pieces, random boundaries. */
	rng_state = 7;
	for (i = 0; i < 2000; i++) {
		u32 a = rnd() % (len + 1), b = rnd() % (len + 1);

		acc_mig_parser_init(&p);
		ASSERT_EQ(0, acc_mig_parse(&p, s, a < b ? a : b));
		ASSERT_EQ(0, acc_mig_parse(&p, s, a < b ? b : a));
		ASSERT_EQ(0, acc_mig_parse(&p, s, len));
		ASSERT_EQ(0, acc_mig_parse_finish(&p, len));
	}
	free(s);
}

/* A corrupted byte is caught as soon as its record is complete. */
TEST(early_error_sticks)
{
	struct acc_mig_parser p;
	u32 len, i;
	u8 *s;

	s = stream_for(1, &len, NULL);
	s[C + 16] ^= 1;		/* compat qp_num: its CRC fails */
	acc_mig_parser_init(&p);
	for (i = 0; i < C + 40; i++)
		ASSERT_EQ(0, acc_mig_parse(&p, s, i));
	ASSERT_EQ(-EBADMSG, acc_mig_parse(&p, s, C + 40));
	ASSERT_EQ(-EBADMSG, acc_mig_parse(&p, s, len));
	ASSERT_EQ(-EBADMSG, acc_mig_parse_finish(&p, len));
	free(s);
}

TEST(compatibility)
{
	struct acc_mig_ident a, b;

	ident_for(&a, 4);
	ident_for(&b, 4);
	ASSERT_EQ(0, acc_mig_ident_compatible(&a, &b));
	b.qp_num = 8;
	b.state_size = ACC_VF_STATE_SIZE(8);
	ASSERT_EQ(-EOPNOTSUPP, acc_mig_ident_compatible(&a, &b));
	ident_for(&b, 4);
	b.hw_version++;
	ASSERT_EQ(-EOPNOTSUPP, acc_mig_ident_compatible(&a, &b));
	ident_for(&b, 4);
	b.state_version++;
	ASSERT_EQ(-EOPNOTSUPP, acc_mig_ident_compatible(&a, &b));
	ident_for(&b, 4);
	b.device++;
	ASSERT_EQ(-EOPNOTSUPP, acc_mig_ident_compatible(&a, &b));
	/* The destination may do more than the source, not less. */
	ident_for(&b, 4);
	b.features |= 1U << 20;
	ASSERT_EQ(0, acc_mig_ident_compatible(&a, &b));
	b.features &= ~ACC_FEAT_SGL;
	ASSERT_EQ(-EOPNOTSUPP, acc_mig_ident_compatible(&a, &b));
	ident_for(&b, 4);
	b.qp_depth_max = a.qp_depth_max - 1;
	ASSERT_EQ(-EOPNOTSUPP, acc_mig_ident_compatible(&a, &b));
	a.qp_depth_max--;
	b.qp_depth_max++;
	ASSERT_EQ(0, acc_mig_ident_compatible(&a, &b));
	/* Revision is informational. */
	ident_for(&b, 4);
	b.revision++;
	ident_for(&a, 4);
	ASSERT_EQ(0, acc_mig_ident_compatible(&a, &b));
}

/*
 * Seeded fuzz: flips, truncations, extensions, overwritten length fields,
 * half of them with recomputed CRCs so they get past the integrity check.
 * Every stream decodes or fails with a documented errno; a decoded one
 * describes a state blob inside the buffer. Built with ASan and UBSan.
 */
TEST(fuzz)
{
	u32 len, iter, ok = 0, fails = 0;
	u8 *s, *t;

	s = stream_for(2, &len, NULL);
	t = malloc(len + 256);
	rng_state = 0x5eed1234abcdULL;
	for (iter = 0; iter < 20000; iter++) {
		struct acc_mig_parser p;
		u32 n = len, k, nmut = 1 + rnd() % 6;
		int err;

		memcpy(t, s, len);
		for (k = 0; k < nmut; k++) {
			switch (rnd() % 6) {
			case 0:
				if (n)
					t[rnd() % n] ^= 1 << (rnd() % 8);
				break;
			case 1:
				if (n)
					t[rnd() % n] = rnd();
				break;
			case 2:
				n = rnd() % (n + 1);
				break;
			case 3: {
				u32 add = rnd() % 64;

				memset(t + n, rnd(), add);
				n += add;
				break;
			}
			case 4: {
				/* a length or type field of some record */
				u32 at = (rnd() % (len / 8)) * 8;

				if (at + 8 <= n)
					*(u32 *)(t + at + 4 * (rnd() % 2)) =
						rnd() % 512;
				break;
			}
			default:
				if (n >= 12)
					*(u32 *)(t + 8) = htole32(rnd() % 1024);
				break;
			}
		}
		if (rnd() % 2)
			resign(t, n);
		err = acc_mig_decode(&p, t, n);
		if (!err) {
			ok++;
			ASSERT_LE(p.state_off + p.state_len, n);
			ASSERT_EQ(0, acc_mig_ident_check(&p.ident));
			ASSERT_EQ(p.ident.state_size, p.state_len);
		} else {
			fails++;
			if (!documented(err))
				TH_LOG("iteration %u: errno %d", iter, err);
			ASSERT_TRUE(documented(err));
		}
	}
	TH_LOG("20000 mutated streams: %u decoded, %u refused", ok, fails);
	ASSERT_GT(fails, 10000);
	free(t);
	free(s);
}

/*
 * The FSM: vfio_mig_get_next_state()'s table for STOP_COPY | P2P |
 * PRE_COPY, transcribed from the 6.12 source, walked for every pair of
 * states. Each arc it asks for must be one acc_mig_arc() implements, and
 * the VF must be paused exactly in the states that require it, with a save
 * file open exactly in the PRE_COPY and STOP_COPY states and a resume file
 * exactly in RESUMING.
 */
#define S(x)	VFIO_DEVICE_STATE_##x
#define NS	(S(PRE_COPY_P2P) + 1)

static const u8 next_tbl[NS][NS] = {
	[S(STOP)] = {
		[S(STOP)] = S(STOP), [S(RUNNING)] = S(RUNNING_P2P),
		[S(PRE_COPY)] = S(RUNNING_P2P),
		[S(PRE_COPY_P2P)] = S(RUNNING_P2P),
		[S(STOP_COPY)] = S(STOP_COPY), [S(RESUMING)] = S(RESUMING),
		[S(RUNNING_P2P)] = S(RUNNING_P2P), [S(ERROR)] = S(ERROR),
	},
	[S(RUNNING)] = {
		[S(STOP)] = S(RUNNING_P2P), [S(RUNNING)] = S(RUNNING),
		[S(PRE_COPY)] = S(PRE_COPY),
		[S(PRE_COPY_P2P)] = S(RUNNING_P2P),
		[S(STOP_COPY)] = S(RUNNING_P2P),
		[S(RESUMING)] = S(RUNNING_P2P),
		[S(RUNNING_P2P)] = S(RUNNING_P2P), [S(ERROR)] = S(ERROR),
	},
	[S(PRE_COPY)] = {
		[S(STOP)] = S(RUNNING), [S(RUNNING)] = S(RUNNING),
		[S(PRE_COPY)] = S(PRE_COPY),
		[S(PRE_COPY_P2P)] = S(PRE_COPY_P2P),
		[S(STOP_COPY)] = S(PRE_COPY_P2P), [S(RESUMING)] = S(RUNNING),
		[S(RUNNING_P2P)] = S(RUNNING), [S(ERROR)] = S(ERROR),
	},
	[S(PRE_COPY_P2P)] = {
		[S(STOP)] = S(RUNNING_P2P), [S(RUNNING)] = S(RUNNING_P2P),
		[S(PRE_COPY)] = S(PRE_COPY),
		[S(PRE_COPY_P2P)] = S(PRE_COPY_P2P),
		[S(STOP_COPY)] = S(STOP_COPY),
		[S(RESUMING)] = S(RUNNING_P2P),
		[S(RUNNING_P2P)] = S(RUNNING_P2P), [S(ERROR)] = S(ERROR),
	},
	[S(STOP_COPY)] = {
		[S(STOP)] = S(STOP), [S(RUNNING)] = S(STOP),
		[S(PRE_COPY)] = S(ERROR), [S(PRE_COPY_P2P)] = S(ERROR),
		[S(STOP_COPY)] = S(STOP_COPY), [S(RESUMING)] = S(STOP),
		[S(RUNNING_P2P)] = S(STOP), [S(ERROR)] = S(ERROR),
	},
	[S(RESUMING)] = {
		[S(STOP)] = S(STOP), [S(RUNNING)] = S(STOP),
		[S(PRE_COPY)] = S(STOP), [S(PRE_COPY_P2P)] = S(STOP),
		[S(STOP_COPY)] = S(STOP), [S(RESUMING)] = S(RESUMING),
		[S(RUNNING_P2P)] = S(STOP), [S(ERROR)] = S(ERROR),
	},
	[S(RUNNING_P2P)] = {
		[S(STOP)] = S(STOP), [S(RUNNING)] = S(RUNNING),
		[S(PRE_COPY)] = S(RUNNING),
		[S(PRE_COPY_P2P)] = S(PRE_COPY_P2P),
		[S(STOP_COPY)] = S(STOP), [S(RESUMING)] = S(STOP),
		[S(RUNNING_P2P)] = S(RUNNING_P2P), [S(ERROR)] = S(ERROR),
	},
};

struct model {
	u32 state;
	bool paused, save, save_final, resume, loaded;
};

static int model_step(struct model *m, u32 next)
{
	int act = acc_mig_arc(m->state, next);

	if (act < 0)
		return act;
	if (act & ACC_ACT_PAUSE) {
		if (m->paused)
			return -1;
		m->paused = true;
	}
	if (act & (ACC_ACT_WRITEBACK | ACC_ACT_SAVE_FINAL | ACC_ACT_LOAD) &&
	    !m->paused && !(act & ACC_ACT_PAUSE))
		return -2;	/* touching state of a running VF */
	if (act & ACC_ACT_SAVE_OPEN) {
		if (m->save)
			return -3;
		m->save = true;
		m->save_final = false;
	}
	if (act & ACC_ACT_SAVE_FINAL) {
		if (!m->save || m->save_final)
			return -4;
		m->save_final = true;
	}
	if (act & ACC_ACT_SAVE_CLOSE) {
		if (!m->save)
			return -5;
		m->save = false;
	}
	if (act & ACC_ACT_LOAD_OPEN) {
		if (m->resume)
			return -6;
		m->resume = true;
	}
	if (act & ACC_ACT_LOAD) {
		if (!m->resume)
			return -7;
		m->loaded = true;
	}
	if (act & ACC_ACT_LOAD_CLOSE)
		m->resume = false;
	if (act & ACC_ACT_RESUME) {
		if (!m->paused)
			return -8;
		m->paused = false;
	}
	if (!!(act & ACC_ACT_RETURN_FD) !=
	    !!(act & (ACC_ACT_SAVE_OPEN | ACC_ACT_LOAD_OPEN)))
		return -9;
	m->state = next;
	return 0;
}

static int model_check(const struct model *m)
{
	u32 s = m->state;
	bool in_save = s == S(PRE_COPY) || s == S(PRE_COPY_P2P) ||
		       s == S(STOP_COPY);

	if (m->paused != acc_mig_state_paused(s))
		return -1;
	if (m->save != in_save)
		return -2;
	if (m->save && m->save_final != (s == S(STOP_COPY)))
		return -3;
	if (m->resume != (s == S(RESUMING)))
		return -4;
	return 0;
}

/* States reachable with a consistent model, as the driver reaches them. */
static void model_for(struct model *m, u32 state)
{
	memset(m, 0, sizeof(*m));
	m->state = state;
	m->paused = acc_mig_state_paused(state);
	m->save = state == S(PRE_COPY) || state == S(PRE_COPY_P2P) ||
		  state == S(STOP_COPY);
	m->save_final = state == S(STOP_COPY);
	m->resume = state == S(RESUMING);
}

TEST(fsm_every_path)
{
	u32 from, to, arcs = 0;

	for (from = S(STOP); from < NS; from++) {
		for (to = S(STOP); to < NS; to++) {
			struct model m;
			int guard = 0;

			model_for(&m, from);
			ASSERT_EQ(0, model_check(&m));
			if (next_tbl[from][to] == S(ERROR))
				continue;	/* vfio refuses: blocked arc */
			while (m.state != to) {
				u32 next = next_tbl[m.state][to];
				int ret = model_step(&m, next);

				if (ret)
					TH_LOG("%s -> %s (for %s): %d",
					       acc_mig_state_name(m.state),
					       acc_mig_state_name(next),
					       acc_mig_state_name(to), ret);
				ASSERT_EQ(0, ret);
				ASSERT_EQ(0, model_check(&m));
				ASSERT_LT(guard++, 6);
				arcs++;
			}
		}
	}
	TH_LOG("%u arcs walked", arcs);
}

TEST(fsm_refused_arcs)
{
	u32 a, b, legal = 0;

	/* Only the arcs vfio_mig_get_next_state() emits, plus the non-P2P
	 * ones, are implemented; ERROR and everything else is refused.
	 */
	for (a = 0; a < NS + 2; a++)
		for (b = 0; b < NS + 2; b++)
			if (acc_mig_arc(a, b) >= 0)
				legal++;
	ASSERT_EQ(18U, legal);
	ASSERT_EQ(-EINVAL, acc_mig_arc(S(STOP_COPY), S(PRE_COPY)));
	ASSERT_EQ(-EINVAL, acc_mig_arc(S(RESUMING), S(RUNNING)));
	ASSERT_EQ(-EINVAL, acc_mig_arc(S(ERROR), S(RUNNING)));
	ASSERT_EQ(-EINVAL, acc_mig_arc(S(RUNNING), S(ERROR)));
	ASSERT_EQ(-EINVAL, acc_mig_arc(S(RUNNING), S(RUNNING)));
	ASSERT_EQ(-EINVAL, acc_mig_arc(S(RUNNING), 1000));
	/* RUNNING -> STOP -> RUNNING without a save resumes the VF. */
	ASSERT_TRUE(acc_mig_arc(S(RUNNING_P2P), S(RUNNING)) & ACC_ACT_RESUME);
	ASSERT_TRUE(acc_mig_arc(S(STOP), S(RUNNING)) & ACC_ACT_RESUME);
}

TEST_HARNESS_MAIN
