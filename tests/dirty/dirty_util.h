/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommufd dirty-tracking helpers shared by acc_dirty.c, iommufd_dirty.c and
 * the benchmark (bench/dirty/dirty_bench.c): HWPT tracking on/off,
 * GET_DIRTY_BITMAP, bitmap printing, a monotonic clock, the hugetlb pool.
 */
#ifndef DIRTY_UTIL_H
#define DIRTY_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>

#define DPAGE		4096UL
#define BM_WORDS(n)	(((n) + 63) / 64)

static inline int dirty_set_tracking(int iommufd, uint32_t hwpt_id, bool on)
{
	struct iommu_hwpt_set_dirty_tracking st = {
		.size = sizeof(st),
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt_id,
	};

	return ioctl(iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &st) ? -errno : 0;
}

/*
 * Read (and clear unless IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) the dirty
 * bits of [iova, iova + npages * pgsize) into bitmap, which the caller
 * zeroes (the kernel only sets bits).
 */
static inline int dirty_get(int iommufd, uint32_t hwpt_id, uint64_t iova,
			    uint64_t npages, uint64_t pgsize, uint32_t flags,
			    uint64_t *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap gd = {
		.size = sizeof(gd),
		.hwpt_id = hwpt_id,
		.flags = flags,
		.iova = iova,
		.length = npages * pgsize,
		.page_size = pgsize,
		.data = (uintptr_t)bitmap,
	};

	return ioctl(iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd) ? -errno : 0;
}

static inline bool bm_test(const uint64_t *bm, size_t i)
{
	return bm[i / 64] & (1ULL << (i % 64));
}

static inline void bm_set(uint64_t *bm, size_t i)
{
	bm[i / 64] |= 1ULL << (i % 64);
}

static inline size_t bm_weight(const uint64_t *bm, size_t nbits)
{
	size_t i, n = 0;

	for (i = 0; i < nbits; i++)
		n += bm_test(bm, i);
	return n;
}

/* "[a, b, c-d]" of the set bits into buf. */
static inline const char *bm_fmt(char *buf, size_t len, const uint64_t *bm,
				 size_t nbits)
{
	size_t i, j, n = 0;

	n += snprintf(buf + n, len - n, "[");
	for (i = 0; i < nbits && n + 32 < len; i++) {
		if (!bm_test(bm, i))
			continue;
		for (j = i; j + 1 < nbits && bm_test(bm, j + 1); j++)
			;
		if (n > 1)
			n += snprintf(buf + n, len - n, ", ");
		if (j - i >= 2) {
			n += snprintf(buf + n, len - n, "%zu-%zu", i, j);
			i = j;
		} else {
			n += snprintf(buf + n, len - n, "%zu", i);
		}
	}
	snprintf(buf + n, len - n, "]");
	return buf;
}

/*
 * Grow the hugetlb pool to at least n pages of the default size (2 MiB);
 * a larger pool, or a kernel without the sysctl, is left alone: whether
 * the pages can be had is for the mmap() that follows to tell. 0 or -errno
 * (the write was refused).
 */
static inline int dirty_hugetlb_reserve(unsigned long n)
{
	char buf[32] = "";
	ssize_t len, w;
	int fd, ret = 0;

	fd = open("/proc/sys/vm/nr_hugepages", O_RDWR);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) > 0 &&
	    strtoul(buf, NULL, 10) < n) {
		len = snprintf(buf, sizeof(buf), "%lu", n);
		w = pwrite(fd, buf, len, 0);
		if (w != len)
			ret = w < 0 ? -errno : -EIO;
	}
	close(fd);
	return ret;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif
