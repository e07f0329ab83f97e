/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure ring, phase and doorbell arithmetic of the acc queues
 * (docs/hw-spec.rst, "Queues at work"), and a few other pure helpers.
 * No hardware access here: tests/unit tests these on the host.
 */
#ifndef ACC_RING_H
#define ACC_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/acc_qm.h>

/* Number of entries of a ring of depth 1 << depth_log2. */
static inline uint32_t acc_ring_size(unsigned int depth_log2)
{
	return 1U << depth_log2;
}

/*
 * Advance a ring index by one. When it wraps to 0 the phase a consumer
 * expects (and a producer writes) flips: returns the new index and updates
 * *phase.
 */
static inline uint16_t acc_ring_next(uint16_t idx, unsigned int depth_log2,
				     uint8_t *phase)
{
	idx = (idx + 1) & (acc_ring_size(depth_log2) - 1);
	if (!idx && phase)
		*phase ^= 1;
	return idx;
}

/* Entries between head (consumer) and tail (producer). */
static inline uint32_t acc_ring_used(uint16_t head, uint16_t tail,
				     unsigned int depth_log2)
{
	return (uint32_t)(tail - head) & (acc_ring_size(depth_log2) - 1);
}

/* A ring holds at most size - 1 entries: full when tail + 1 == head. */
static inline bool acc_ring_full(uint16_t head, uint16_t tail,
				 unsigned int depth_log2)
{
	return acc_ring_used(head, tail, depth_log2) ==
	       acc_ring_size(depth_log2) - 1;
}

static inline bool acc_ring_empty(uint16_t head, uint16_t tail)
{
	return head == tail;
}

/* Doorbell value for ACC_REG_DB_SQ / ACC_REG_DB_CQ. */
static inline uint32_t acc_db_val(uint16_t qn, uint16_t idx)
{
	return ((uint32_t)qn << ACC_DB_QN_SHIFT) | (idx & ACC_DB_IDX_MASK);
}

/* Does a CQE/EQE flags byte carry the phase the consumer expects? */
static inline bool acc_phase_match(uint8_t flags, uint8_t phase)
{
	return (flags & 1) == (phase & 1);
}

/*
 * Add n to a 128-bit big-endian counter (the AES-CTR IV), modulo 2^128:
 * what ACC_SQE_F_IV_OUT returns after n blocks.
 */
static inline void acc_ctr_add(uint8_t ctr[16], uint64_t n)
{
	int i;

	for (i = 15; i >= 0 && n; i--) {
		uint64_t v = (uint64_t)ctr[i] + (n & 0xff);

		ctr[i] = (uint8_t)v;
		n = (n >> 8) + (v >> 8);
	}
}

/* Blocks of a CTR job of len bytes (a partial block counts as one). */
static inline uint64_t acc_ctr_blocks(uint64_t len)
{
	return (len + ACC_AES_BLOCK - 1) / ACC_AES_BLOCK;
}

/*
 * Split len bytes into nents SGL entries: entry i gets the length
 * returned here (the first len % nents entries are one byte longer).
 * Entries may be empty when nents > len.
 */
static inline uint32_t acc_sgl_chunk(uint32_t len, unsigned int nents,
				     unsigned int i)
{
	return len / nents + (i < len % nents ? 1 : 0);
}

/* Is a queue-context depth valid for a function with depth_max_log2? */
static inline bool acc_depth_valid(unsigned int depth_log2,
				   unsigned int depth_max_log2)
{
	return depth_log2 >= ACC_DEPTH_LOG2_MIN &&
	       depth_log2 <= depth_max_log2 &&
	       depth_log2 <= ACC_DEPTH_LOG2_MAX;
}

/* splitmix64: the seeded PRNG of the tests (reproducible from the seed). */
static inline uint64_t acc_rand64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void acc_rand_fill(uint64_t *state, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t v = acc_rand64(state);
		size_t n = len < 8 ? len : 8;
		size_t i;

		for (i = 0; i < n; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += n;
		len -= n;
	}
}

/* Uniform in [lo, hi] (inclusive); lo <= hi. */
static inline uint64_t acc_rand_range(uint64_t *state, uint64_t lo,
				      uint64_t hi)
{
	return lo + acc_rand64(state) % (hi - lo + 1);
}

/* Offset of the first byte where a and b differ, or -1. */
static inline long acc_first_diff(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}

#endif /* ACC_RING_H */
