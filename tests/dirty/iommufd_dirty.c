// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU hardware dirty tracking through iommufd, with a real DMA-capable
 * device: a PCI function bound to vfio-pci (see dma_source.h; the edu
 * device by default) is attached to a HWPT allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING, is told to write chosen IOVA pages, and
 * IOMMU_HWPT_GET_DIRTY_BITMAP must report exactly those pages.
 *
 * In the lab this runs on QEMU's VT-d model with x-ssads=on (second-stage
 * Access/Dirty flags): the bits come from the model's page walks.
 *
 * IOVA layout: one pattern page at PATTERN_IOVA that the device only reads
 * (its contents become what the device writes), the data area of
 * DATA_PAGES pages at DATA_IOVA, and for the huge-page test a 2 MiB
 * hugetlb area at HUGE_IOVA; for the table test, three tables' worth of
 * 4 KiB pages at TABLE_IOVA; for the line test, ten 2 MiB hugetlb pages
 * from LINE_IOVA - 2 MiB, the eight after it a cache line of entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "dma_source.h"
#include "dirty_util.h"

#define PAGE		4096UL
#define PATTERN_IOVA	0x00800000ULL
#define DATA_IOVA	0x01000000ULL
#define DATA_PAGES	256
#define HUGE_IOVA	0x04000000ULL
#define HUGE_SIZE	(2UL << 20)
#define HUGE_PAGES	(HUGE_SIZE / PAGE)
#define TABLE_IOVA	0x06000000ULL
#define TABLE_PAGES	512		/* leaves in a table of 4 KiB IOPTEs */
#define LINE_IOVA	0x0a000000ULL	/* 16 MiB aligned: 8 entries of 2 MiB */
#define LINE_HUGE	10		/* one before the line, 8, one after */
#define MAX_BITS	(8 * TABLE_PAGES)
#define BITMAP_WORDS(n)	(((n) + 63) / 64)

FIXTURE(dirty) {
	const struct dma_source *src;
	struct dma_dev dev;
	int iommufd;
	uint32_t devid, ioas_id, hwpt_id;
	uint8_t *pattern;
	uint8_t *data;
};

static int ioas_map(int iommufd, uint32_t ioas_id, void *va, size_t len,
		    uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &map) ? -errno : 0;
}

static int set_tracking(int iommufd, uint32_t hwpt_id, bool on)
{
	struct iommu_hwpt_set_dirty_tracking st = {
		.size = sizeof(st),
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt_id,
	};

	return ioctl(iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &st) ? -errno : 0;
}

/* Read npages bits of pgsize bytes each from iova on. */
static int get_dirty_pg(int iommufd, uint32_t hwpt_id, uint64_t iova,
			size_t npages, uint64_t pgsize, uint32_t flags,
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

	memset(bitmap, 0, BITMAP_WORDS(npages) * 8);
	return ioctl(iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd) ? -errno : 0;
}

static int get_dirty(int iommufd, uint32_t hwpt_id, uint64_t iova,
		     size_t npages, uint32_t flags, uint64_t *bitmap)
{
	return get_dirty_pg(iommufd, hwpt_id, iova, npages, PAGE, flags,
			    bitmap);
}

/* "[a, b, c]" of the set bits; ranges of more than 4 as "a-b". */
static const char *fmt_bits(const uint64_t *bitmap, size_t nbits)
{
	static char buf[1024];
	size_t i, j, n = 0;

	n += snprintf(buf + n, sizeof(buf) - n, "[");
	for (i = 0; i < nbits && n < sizeof(buf) - 32; i++) {
		if (!(bitmap[i / 64] & (1ULL << (i % 64))))
			continue;
		for (j = i; j + 1 < nbits &&
		     (bitmap[(j + 1) / 64] & (1ULL << ((j + 1) % 64))); j++)
			;
		if (n > 1)
			n += snprintf(buf + n, sizeof(buf) - n, ", ");
		if (j - i >= 4) {
			n += snprintf(buf + n, sizeof(buf) - n, "%zu-%zu", i, j);
			i = j;
		} else {
			n += snprintf(buf + n, sizeof(buf) - n, "%zu", i);
		}
	}
	snprintf(buf + n, sizeof(buf) - n, "]");
	return buf;
}

/* The bitmap has exactly the bits of pages[] (terminated by -1). */
static bool bits_equal(const uint64_t *bitmap, size_t nbits, const int *pages)
{
	uint64_t want[BITMAP_WORDS(MAX_BITS)] = { 0 };
	size_t i;

	for (; *pages >= 0; pages++)
		want[*pages / 64] |= 1ULL << (*pages % 64);
	for (i = 0; i < BITMAP_WORDS(nbits); i++)
		if (bitmap[i] != want[i])
			return false;
	return true;
}

#define PAGES(...) ((const int[]){ __VA_ARGS__, -1 })
#define NO_PAGES ((const int[]){ -1 })

/*
 * Read (and clear, unless flags) npages bits of pgsize bytes from iova on;
 * expect exactly the bits in pages.
 */
#define expect_dirty_pg(iova, npages, pgsize, flags, pages)		\
	do {								\
		uint64_t _bm[BITMAP_WORDS(MAX_BITS)];			\
									\
		ASSERT_GE(MAX_BITS, npages);				\
		ASSERT_EQ(0, get_dirty_pg(self->iommufd, self->hwpt_id,	\
					  iova, npages, pgsize, flags,	\
					  _bm));			\
		ksft_print_msg("%s: bitmap%s %s\n", _metadata->name,	\
			       (flags) ? " (no clear)" : "",		\
			       fmt_bits(_bm, npages));			\
		ASSERT_TRUE(bits_equal(_bm, npages, pages));		\
	} while (0)

#define expect_dirty(iova, npages, flags, pages) \
	expect_dirty_pg(iova, npages, PAGE, flags, pages)

/*
 * A read of npages bits of pgsize bytes from iova on must fail with EPROTO
 * (a dirty IOPTE only partly inside the range) and write nothing past the
 * end of the bitmap.
 */
#define expect_dirty_refused(iova, npages, pgsize)			\
	do {								\
		uint64_t _bm[BITMAP_WORDS(MAX_BITS) + 8];		\
		size_t _w = BITMAP_WORDS(npages), _i;			\
									\
		ASSERT_GE(MAX_BITS, npages);				\
		for (_i = _w; _i < _w + 8; _i++)			\
			_bm[_i] = 0x5a5a5a5a5a5a5a5aULL;		\
		ASSERT_EQ(-EPROTO, get_dirty_pg(self->iommufd,		\
						self->hwpt_id, iova,	\
						npages, pgsize, 0,	\
						_bm));			\
		for (_i = _w; _i < _w + 8; _i++)			\
			ASSERT_EQ(0x5a5a5a5a5a5a5a5aULL, _bm[_i]);	\
	} while (0)

#define expect_data_dirty(flags, pages) \
	expect_dirty(DATA_IOVA, DATA_PAGES, flags, pages)

static int dev_write(FIXTURE_DATA(dirty) *self, uint64_t iova, size_t len)
{
	return self->src->write(&self->dev, iova, len);
}

/* The device writes the pattern page over data page n; check it landed. */
#define write_page(n)							\
	do {								\
		memset(self->data + (n) * PAGE, 0, PAGE);		\
		ASSERT_EQ(0, dev_write(self, DATA_IOVA + (n) * PAGE, PAGE)); \
		ASSERT_EQ(0, memcmp(self->data + (n) * PAGE,		\
				    self->pattern, PAGE));		\
	} while (0)

FIXTURE_SETUP(dirty)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	uint64_t bm[BITMAP_WORDS(DATA_PAGES)];
	size_t i;

	self->dev.devfd = -1;
	self->iommufd = -1;
	self->src = dma_source_pick();
	if (!self->src)
		SKIP(return, "no DMA source device (edu) present");
	self->dev.src = self->src;
	ASSERT_EQ(0, self->src->find(self->dev.bdf, sizeof(self->dev.bdf)));
	ASSERT_EQ(0, dma_pci_bind_vfio(self->dev.bdf));

	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	self->dev.devfd = dma_vfio_cdev_open(self->dev.bdf);
	ASSERT_LE(0, self->dev.devfd);
	bind.iommufd = self->iommufd;
	ASSERT_EQ(0, ioctl(self->dev.devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	self->devid = bind.out_devid;

	info.dev_id = self->devid;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_GET_HW_INFO, &info));
	ASSERT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING,
		  info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);

	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_IOAS_ALLOC, &ioas));
	self->ioas_id = ioas.out_ioas_id;
	hwpt.dev_id = self->devid;
	hwpt.pt_id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &hwpt));
	self->hwpt_id = hwpt.out_hwpt_id;
	attach.pt_id = self->hwpt_id;
	ASSERT_EQ(0, ioctl(self->dev.devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			   &attach));

	self->pattern = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->pattern);
	self->data = mmap(NULL, DATA_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->data);
	for (i = 0; i < PAGE; i++)
		self->pattern[i] = (uint8_t)(i * 7 + 3);
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_id, self->pattern,
			      PAGE, PATTERN_IOVA));
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_id, self->data,
			      DATA_PAGES * PAGE, DATA_IOVA));

	ASSERT_EQ(0, self->src->start(&self->dev));
	ASSERT_EQ(0, set_tracking(self->iommufd, self->hwpt_id, true));
	/* The device loads the pattern: a read, which dirties nothing. */
	ASSERT_EQ(0, self->src->read(&self->dev, PATTERN_IOVA, PAGE));
	ASSERT_EQ(0, get_dirty(self->iommufd, self->hwpt_id, PATTERN_IOVA, 1,
			       0, bm));
	ASSERT_EQ(0, bm[0]);
	ASSERT_EQ(0, get_dirty(self->iommufd, self->hwpt_id, DATA_IOVA,
			       DATA_PAGES, 0, bm));
	for (i = 0; i < BITMAP_WORDS(DATA_PAGES); i++)
		ASSERT_EQ(0, bm[i]);
}

FIXTURE_TEARDOWN(dirty)
{
	if (self->src && self->dev.bar0)
		self->src->stop(&self->dev);
	if (self->dev.devfd >= 0)
		close(self->dev.devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

/* A written page is reported, exactly; the read cleared it. */
TEST_F(dirty, exact_page)
{
	write_page(5);
	expect_data_dirty(0, PAGES(5));
	expect_data_dirty(0, NO_PAGES);
}

/* NO_CLEAR reports without clearing; a clearing read then clears. */
TEST_F(dirty, no_clear)
{
	write_page(9);
	write_page(33);
	expect_data_dirty(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, PAGES(9, 33));
	expect_data_dirty(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, PAGES(9, 33));
	expect_data_dirty(0, PAGES(9, 33));
	expect_data_dirty(0, NO_PAGES);
}

/* A write after a clear is seen again. */
TEST_F(dirty, rewrite_after_clear)
{
	write_page(12);
	expect_data_dirty(0, PAGES(12));
	write_page(12);
	expect_data_dirty(0, PAGES(12));
	expect_data_dirty(0, NO_PAGES);
}

/* Pages the device only reads are not reported. */
TEST_F(dirty, read_is_clean)
{
	memcpy(self->data + 7 * PAGE, self->pattern, PAGE);
	ASSERT_EQ(0, self->src->read(&self->dev, DATA_IOVA + 7 * PAGE, PAGE));
	write_page(8);
	expect_data_dirty(0, PAGES(8));
}

/*
 * A read first caches the translation (IOTLB) without D; a write through
 * that cached translation must still set D. Nothing in between invalidates
 * the IOTLB.
 */
TEST_F(dirty, write_after_read_hit)
{
	memcpy(self->data + 20 * PAGE, self->pattern, PAGE);
	ASSERT_EQ(0, self->src->read(&self->dev, DATA_IOVA + 20 * PAGE, PAGE));
	write_page(20);
	expect_data_dirty(0, PAGES(20));
}

/* A transfer crossing a page boundary dirties both pages. */
TEST_F(dirty, straddle)
{
	ASSERT_EQ(0, dev_write(self, DATA_IOVA + 71 * PAGE - 8, 16));
	expect_data_dirty(0, PAGES(70, 71));
}

/* Several words of bitmap, first and last page of the mapping. */
TEST_F(dirty, multi_word_edges)
{
	write_page(0);
	write_page(63);
	write_page(64);
	write_page(130);
	write_page(DATA_PAGES - 1);
	expect_data_dirty(0, PAGES(0, 63, 64, 130, DATA_PAGES - 1));
	expect_data_dirty(0, NO_PAGES);
}

/* A range not starting at the mapping: bits are relative to its start. */
TEST_F(dirty, unaligned_range)
{
	write_page(2);
	write_page(3);
	write_page(69);
	write_page(102);
	write_page(103);
	/* pages 3..102 */
	expect_dirty(DATA_IOVA + 3 * PAGE, 100, 0, PAGES(0, 66, 99));
	/* what was outside the range is still there */
	expect_data_dirty(0, PAGES(2, 103));
}

/* With tracking off, writes are not reported once it is turned on again. */
TEST_F(dirty, tracking_off)
{
	ASSERT_EQ(0, set_tracking(self->iommufd, self->hwpt_id, false));
	write_page(40);
	ASSERT_EQ(0, set_tracking(self->iommufd, self->hwpt_id, true));
	expect_data_dirty(0, NO_PAGES);
	write_page(41);
	expect_data_dirty(0, PAGES(41));
}

/* A 2 MiB IOPTE is reported whole. */
TEST_F(dirty, huge_page)
{
	uint8_t *huge;

	ASSERT_EQ(0, dirty_hugetlb_reserve(4));
	huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (huge == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page: %s", strerror(errno));
	memset(huge, 0, HUGE_SIZE);
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_id, huge, HUGE_SIZE,
			      HUGE_IOVA));
	expect_dirty(HUGE_IOVA, HUGE_PAGES, 0, NO_PAGES);
	ASSERT_EQ(0, dev_write(self, HUGE_IOVA + 3 * PAGE, PAGE));
	ASSERT_EQ(0, memcmp(huge + 3 * PAGE, self->pattern, PAGE));
	{
		int all[HUGE_PAGES + 1];
		size_t i;

		for (i = 0; i < HUGE_PAGES; i++)
			all[i] = i;
		all[HUGE_PAGES] = -1;
		expect_dirty(HUGE_IOVA, HUGE_PAGES, 0, all);
	}
	expect_dirty(HUGE_IOVA, HUGE_PAGES, 0, NO_PAGES);
	expect_data_dirty(0, NO_PAGES);
	munmap(huge, HUGE_SIZE);
}

/*
 * The kernel writes the bits straight into the bitmap's user memory as it
 * records them (kernel-patches/0011). A bitmap whose page was never touched
 * is faulted in. One in read-only memory is not written: the read fails
 * with EFAULT once it has a bit to write (it may have cleared the D flags
 * of the pages it could not report, so the caller must take the range as
 * dirty), and tracking goes on. An address that is not user memory is
 * refused with EFAULT before anything is read or cleared.
 */
TEST_F(dirty, bitmap_memory)
{
	uint64_t *fresh, *ro, bm[BITMAP_WORDS(DATA_PAGES)];

	fresh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fresh);
	write_page(3);
	write_page(200);
	ASSERT_EQ(0, dirty_get(self->iommufd, self->hwpt_id, DATA_IOVA,
			       DATA_PAGES, PAGE, 0, fresh));
	ASSERT_TRUE(bits_equal(fresh, DATA_PAGES, PAGES(3, 200)));
	munmap(fresh, PAGE);

	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	/* nothing dirty, nothing to write */
	ASSERT_EQ(0, dirty_get(self->iommufd, self->hwpt_id, DATA_IOVA,
			       DATA_PAGES, PAGE, 0, ro));
	write_page(7);
	ASSERT_EQ(-EFAULT, dirty_get(self->iommufd, self->hwpt_id, DATA_IOVA,
				     DATA_PAGES, PAGE, 0, ro));
	ASSERT_EQ(0, ro[0]);
	munmap(ro, PAGE);
	write_page(11);
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, dirty_get(self->iommufd, self->hwpt_id, DATA_IOVA,
			       DATA_PAGES, PAGE, 0, bm));
	ASSERT_TRUE(bm_test(bm, 11));
	bm[0] &= ~(1ULL << 7 | 1ULL << 11);
	ASSERT_TRUE(bits_equal(bm, DATA_PAGES, NO_PAGES));

	write_page(9);
	ASSERT_EQ(-EFAULT,
		  dirty_get(self->iommufd, self->hwpt_id, DATA_IOVA,
			    DATA_PAGES, PAGE, 0,
			    (uint64_t *)(uintptr_t)0xffff888000000000ULL));
	expect_data_dirty(0, PAGES(9));
	expect_data_dirty(0, NO_PAGES);
}

/*
 * MAX_BITS pages of anonymous memory mapped at TABLE_IOVA, each by a 4 KiB
 * IOPTE: 8 leaf tables. The pages are faulted in from the top down: the
 * allocator hands out ascending pages, so no 2 MiB of them is physically
 * contiguous in IOVA order and no IOPTE is 2 MiB (a read would show one as
 * 512 bits). NULL on failure.
 */
static uint8_t *map_leaf_tables(FIXTURE_DATA(dirty) *self)
{
	const size_t len = MAX_BITS * PAGE;
	uint8_t *buf;
	size_t i;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return NULL;
	if (madvise(buf, len, MADV_NOHUGEPAGE))
		goto fail;
	for (i = len; i; i -= PAGE)
		buf[i - PAGE] = 0;
	if (ioas_map(self->iommufd, self->ioas_id, buf, len, TABLE_IOVA))
		goto fail;
	return buf;
fail:
	munmap(buf, len);
	return NULL;
}

/*
 * Scattered dirty pages in one table of 4 KiB IOPTEs, the middle of three:
 * the driver records such a table in one call, a word of bits at a time
 * when the bitmap's pages are 4 KiB (iova_bitmap_set_bits()). Read it with
 * the table at bit 0 of a word, at bit 3 (the words carry over into the
 * next), and with a bitmap of 8 KiB pages, where each bit covers two
 * IOPTEs and the bits are recorded range by range.
 */
TEST_F(dirty, table_bits)
{
	static const int idx[] = { 0, 1, 63, 64, 65, 200, 447, 448, 510, 511 };
	const size_t n = sizeof(idx) / sizeof(idx[0]), len = MAX_BITS * PAGE;
	int want[sizeof(idx) / sizeof(idx[0]) + 1];
	uint8_t *buf = map_leaf_tables(self);
	size_t i, k;

	ASSERT_NE(NULL, buf);
	expect_dirty(TABLE_IOVA, MAX_BITS, 0, NO_PAGES);

#define dirty_table()							\
	for (i = 0; i < n; i++)						\
		ASSERT_EQ(0, dev_write(self, TABLE_IOVA +		\
				       (TABLE_PAGES + idx[i]) * PAGE, 64))

	/* the table at bit 512: whole words */
	dirty_table();
	for (i = 0; i < n; i++)
		want[i] = TABLE_PAGES + idx[i];
	want[n] = -1;
	expect_dirty(TABLE_IOVA, MAX_BITS, 0, want);

	/* from 3 pages before the table: its bits start at bit 3 */
	dirty_table();
	for (i = 0; i < n; i++)
		want[i] = 3 + idx[i];
	expect_dirty(TABLE_IOVA + (TABLE_PAGES - 3) * PAGE, TABLE_PAGES + 6,
		     0, want);

	/* 8 KiB bitmap pages: a bit per pair of IOPTEs */
	dirty_table();
	for (i = 0, k = 0; i < n; i++)
		if (!k || want[k - 1] != (TABLE_PAGES + idx[i]) / 2)
			want[k++] = (TABLE_PAGES + idx[i]) / 2;
	want[k] = -1;
	expect_dirty_pg(TABLE_IOVA, MAX_BITS / 2, 2 * PAGE, 0, want);
#undef dirty_table

	expect_dirty(TABLE_IOVA, MAX_BITS, 0, NO_PAGES);
	expect_data_dirty(0, NO_PAGES);
	munmap(buf, len);
}

/*
 * A read that starts and ends inside a leaf table, with whole tables
 * between: the driver records a table that the range maps only in part on
 * its own and the whole ones in a batch (several tables in one call).
 * Scattered dirty pages in the first table on both sides of the range's
 * start, in the whole tables (both ends of one, the first of the next),
 * and in the last table on both sides of the range's end: the read reports
 * exactly those inside, and leaves those outside dirty for a read of all
 * the tables.
 */
TEST_F(dirty, batch_edges)
{
	static const int idx[] = { 2, 7, 300, 512, 700, 1023, 1024, 2053,
				   3584, 4090, 4093 };
	const size_t n = sizeof(idx) / sizeof(idx[0]);
	/* pages [first, end) are read */
	const int first = 5, end = MAX_BITS - 5;
	uint8_t *buf = map_leaf_tables(self);
	size_t i;

	ASSERT_NE(NULL, buf);
	expect_dirty(TABLE_IOVA, MAX_BITS, 0, NO_PAGES);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, dev_write(self, TABLE_IOVA + idx[i] * PAGE, 64));
	expect_dirty(TABLE_IOVA + first * PAGE, end - first, 0,
		     PAGES(7 - first, 300 - first, 512 - first, 700 - first,
			   1023 - first, 1024 - first, 2053 - first,
			   3584 - first, 4090 - first));
	expect_dirty(TABLE_IOVA, MAX_BITS, 0, PAGES(2, 4093));
	expect_dirty(TABLE_IOVA, MAX_BITS, 0, NO_PAGES);
	munmap(buf, MAX_BITS * PAGE);
}

/*
 * A cache line of 2 MiB IOPTEs that are all dirty (a buffer the device
 * wrote) is harvested as one range: read with a bit per 2 MiB, with
 * NO_CLEAR, and with one of them clean. A read with 4 KiB bits from inside
 * the first large page to inside the last fails with EPROTO (since
 * 6.12.118, a dirty IOPTE only partly inside the range is refused rather
 * than reported in part) and leaves the entries beside the line alone.
 * Then with 4 KiB bits from inside the clean entry before the line to the
 * end of the line's seventh entry, so that the recorded run neither starts
 * nor ends on a word of the bitmap. Scattered dirty entries of the line
 * are harvested from the line's loaded values too, each group of
 * neighbours as one range.
 */
TEST_F(dirty, huge_line)
{
	const uint64_t area = LINE_IOVA - HUGE_SIZE;
	const size_t len = LINE_HUGE * HUGE_SIZE;
	const size_t nbits = 8 * HUGE_PAGES - 8;
	static const int scattered[] = { 1, 3, 4, 7 };
	int all[LINE_HUGE + 1], want[8 * HUGE_PAGES + 1];
	uint8_t *huge;
	size_t i, j, k;

	ASSERT_EQ(0, dirty_hugetlb_reserve(16));
	huge = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (huge == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb pages: %s", strerror(errno));
	memset(huge, 0, len);
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_id, huge, len, area));
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, NO_PAGES);

#define dirty_huge(skip)						\
	for (i = 0; i < LINE_HUGE; i++)					\
		if (i != (skip))					\
			ASSERT_EQ(0, dev_write(self, area + i * HUGE_SIZE + \
					       5 * PAGE, 64))

	for (i = 0; i < LINE_HUGE; i++)
		all[i] = i;
	all[LINE_HUGE] = -1;
	dirty_huge(LINE_HUGE);
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE,
			IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, all);
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, all);
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, NO_PAGES);

	/* one clean entry in the line: two runs */
	dirty_huge(5);
	for (i = 0, k = 0; i < LINE_HUGE; i++)
		if (i != 5)
			want[k++] = i;
	want[k] = -1;
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, want);

	/*
	 * Entries 1, 3, 4 and 7 of the line: harvested from the line's
	 * loaded values as three runs, read with a bit per 2 MiB, then with
	 * 4 KiB bits over the line alone.
	 */
#define dirty_scattered()						\
	for (i = 0; i < 4; i++)						\
		ASSERT_EQ(0, dev_write(self, LINE_IOVA +		\
				       scattered[i] * HUGE_SIZE +	\
				       7 * PAGE, 64))
	dirty_scattered();
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, PAGES(2, 4, 5, 8));
	dirty_scattered();
	for (i = 0, k = 0; i < 4; i++)
		for (j = 0; j < HUGE_PAGES; j++)
			want[k++] = scattered[i] * HUGE_PAGES + j;
	want[k] = -1;
	expect_dirty(LINE_IOVA, 8 * HUGE_PAGES, 0, want);
#undef dirty_scattered

	/*
	 * From 3 pages into the line's first entry to 5 before its end:
	 * refused. What the read cleared of the line is then unknown (the
	 * caller must read again from scratch), but the entries outside the
	 * range stay dirty.
	 */
	dirty_huge(LINE_HUGE);
	expect_dirty_refused(LINE_IOVA + 3 * PAGE, nbits, PAGE);
	{
		uint64_t bm[BITMAP_WORDS(LINE_HUGE)];

		ASSERT_EQ(0, get_dirty_pg(self->iommufd, self->hwpt_id, area,
					  LINE_HUGE, HUGE_SIZE, 0, bm));
		ASSERT_TRUE(bm_test(bm, 0));
		ASSERT_TRUE(bm_test(bm, LINE_HUGE - 1));
	}

	/*
	 * From 3 pages into the clean entry before the line to the end of
	 * the line's seventh entry: the run of dirty entries starts at bit
	 * 509, inside a word of the bitmap, and ends inside another (the
	 * bits between are filled whole words at a time); entries 1-7 are
	 * read, entry 0 only in part, as it is clean.
	 */
	dirty_huge(0);
	for (i = HUGE_PAGES - 3, k = 0; i < 8 * HUGE_PAGES - 3; i++)
		want[k++] = i;
	want[k] = -1;
	expect_dirty(area + 3 * PAGE, 8 * HUGE_PAGES - 3, 0, want);
	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, PAGES(8, 9));
#undef dirty_huge

	expect_dirty_pg(area, LINE_HUGE, HUGE_SIZE, 0, NO_PAGES);
	expect_data_dirty(0, NO_PAGES);
	munmap(huge, len);
}

/*
 * On an IOMMU without dirty tracking (x-ssads=off), GET_HW_INFO does not
 * report it and a HWPT with IOMMU_HWPT_ALLOC_DIRTY_TRACKING is refused with
 * EOPNOTSUPP, while a plain HWPT is allocated.
 */
TEST(refused_without_capability)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	const struct dma_source *src = dma_source_pick();
	char bdf[16];
	int iommufd, devfd;

	if (!src)
		SKIP(return, "no DMA source device (edu) present");
	ASSERT_EQ(0, src->find(bdf, sizeof(bdf)));
	ASSERT_EQ(0, dma_pci_bind_vfio(bdf));
	iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, iommufd);
	devfd = dma_vfio_cdev_open(bdf);
	ASSERT_LE(0, devfd);
	bind.iommufd = iommufd;
	ASSERT_EQ(0, ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	info.dev_id = bind.out_devid;
	ASSERT_EQ(0, ioctl(iommufd, IOMMU_GET_HW_INFO, &info));
	if (info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING)
		SKIP(goto out, "the IOMMU has dirty tracking (run with x-ssads=off)");

	ASSERT_EQ(0, ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas));
	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = ioas.out_ioas_id;
	ASSERT_EQ(-1, ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt));
	ASSERT_EQ(EOPNOTSUPP, errno);
	hwpt.flags = 0;
	ASSERT_EQ(0, ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt));
out:
	close(devfd);
	close(iommufd);
}

TEST_HARNESS_MAIN
