/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stream-level helpers shared by the migration tests that forge streams
 * (mig_test, mig_fuzz): fix up the CRCs of a mutated stream so that it
 * reaches the semantic checks, little-endian field access, and a reset
 * back to STOP between attempts. Include after stream.h and mig_util.h.
 */
#ifndef MIG_STREAM_H
#define MIG_STREAM_H

/* Resign a stream: header CRC, each record's CRC, END's stream CRC. */
static inline void resign(uint8_t *s, size_t len)
{
	struct acc_mig_hdr *h = (void *)s;
	size_t off = sizeof(*h);

	if (len < sizeof(*h))
		return;
	h->crc = htole32(acc_mig_crc32(0, h, 20));
	while (off + 16 <= len) {
		struct acc_mig_rec *r = (void *)(s + off);
		size_t padded = ((size_t)le32toh(r->len) + 7) & ~(size_t)7;

		if (padded > len - off - 16)
			break;
		if (le16toh(r->type) == ACC_MIG_REC_END && padded >= 8)
			*(uint32_t *)(s + off + 16) =
				htole32(acc_mig_crc32(0, s, off));
		r->crc = htole32(acc_mig_crc32(acc_mig_crc32(0, r, 12),
					       s + off + 16, padded));
		off += 16 + padded;
	}
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

/* Back to STOP with a clean slate: reset, then RUNNING -> STOP. */
static inline int restop(int fd)
{
	if (ioctl(fd, VFIO_DEVICE_RESET))
		return -errno;
	if (mig_get(fd) != MS(RUNNING))
		return -EIO;
	return mig_set(fd, MS(STOP)) == -2 ? 0 : -errno;
}


#endif /* MIG_STREAM_H */
