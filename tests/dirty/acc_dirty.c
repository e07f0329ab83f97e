// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU dirty tracking of an acc VF's DMA. The VF is driven from userspace
 * by libacc (tests/lib), attached to a HWPT allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING on its own IOAS, tracking on. Jobs write
 * chosen pages; IOMMU_HWPT_GET_DIRTY_BITMAP must report exactly the pages
 * the device wrote, computed from the job layout:
 *
 *   ctx  (libacc's ACC_IOVA_CTX): page 0 SQC table, 1 CQC table, 2 EQC,
 *        3 EQ ring. The device reads contexts when they are loaded and
 *        writes them back only on WRITEBACK / QP_STOP / VF_PAUSE; it
 *        writes EQEs (page 3) after each CQE since QP 0 has ACC_CTX_F_IRQ.
 *   sq   SQ ring of QP 0 (read only), cq: its CQ ring (written per job).
 *   aux  page 0 key, 1 IV, 2 hash state, 3 SGL table.
 *   src  source data (read only), dst: outputs.
 *
 * The VF is the first acc VF (or $ACC_VF), moved to vfio-pci for the run
 * (to acc_vfio_pci for the RUNNING_P2P test) and given back at the end.
 * The quiesce test stops the VF with the PF's debugfs pause (the service
 * the variant driver uses for RUNNING_P2P); quiesce_p2p does the same
 * through VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE when acc_vfio_pci is loaded.
 *
 * Environment: ACC_VF=BDF, DIRTY_STRESS_CYCLES (default 10000).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "accdev.h"
#include "dirty_util.h"

#define DEPTH_LOG2	6	/* 64 SQEs: one SQ page, one CQ page */
#define AUX_IOVA	(ACC_IOVA_DATA + 0x00200000ULL)
#define AUX_PAGES	4
#define AUX_KEY		0
#define AUX_IV		1
#define AUX_STATE	2
#define AUX_SGL		3
#define SRC_IOVA	(ACC_IOVA_DATA + 0x00400000ULL)
#define SRC_PAGES	16
#define DST_IOVA	ACC_IOVA_DATA
#define DST_PAGES	256
#define HUGE_IOVA	(ACC_IOVA_DATA + 0x00600000ULL)
#define HUGE_SIZE	(2UL << 20)
#define HUGE_PAGES	(HUGE_SIZE / DPAGE)
#define BIG_IOVA	(ACC_IOVA_DATA + 0x01000000ULL)
#define BIG_PAGES	1024

#define CTX_SQC		0
#define CTX_CQC		1
#define CTX_EQC		2
#define CTX_EQ		3

enum { R_CTX, R_SQ, R_CQ, R_AUX, R_SRC, R_DST, R_NUM };
static const char *const rname[R_NUM] = {
	"ctx", "sq", "cq", "aux", "src", "dst",
};

#define MAXW	BM_WORDS(HUGE_PAGES)

struct want {
	uint64_t bm[R_NUM][BM_WORDS(DST_PAGES)];
};

struct dctx {
	struct acc_vf vf;
	struct acc_qp qp;
	bool open;
	struct acc_dma aux, src, dst;
	uint64_t iova[R_NUM];
	size_t pages[R_NUM];
	uint8_t *va[R_NUM];
};

static struct {
	char bdf[16];
	char orig[64];
	bool picked;
	pid_t main_pid;
} g;

/* ------------------------------------------------------------ setup */
static void give_back(void)
{
	if (getpid() != g.main_pid || !g.picked)
		return;
	acc_pci_bind(g.bdf, NULL);
	if (g.orig[0] && strcmp(g.orig, "vfio-pci") &&
	    strcmp(g.orig, "acc_vfio_pci"))
		acc_pci_bind(g.bdf, g.orig);
}

static bool have_driver(const char *drv)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", drv);
	return !access(path, F_OK);
}

static int alloc_at(struct dctx *c, struct acc_dma *d, size_t pages,
		    uint64_t iova)
{
	return acc_dma_alloc(&c->vf, d, pages * DPAGE, iova);
}

static void dctx_setup(struct __test_metadata *_metadata, struct dctx *c,
		       const char *driver)
{
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct acc_vf_opts o = {
		.iommufd = -1,
		.alloc_hwpt = true,
		.hwpt_flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	uint64_t bm[BM_WORDS(DST_PAGES)];
	int i;

	memset(c, 0, sizeof(*c));
	if (!g.picked)
		SKIP(return, "no acc VF (run with scripts/lab run --vfs 1)");
	if (strcmp(driver, "vfio-pci") && !have_driver(driver))
		SKIP(return, "driver %s not loaded", driver);
	ASSERT_EQ(0, acc_pci_bind(g.bdf, driver));
	ASSERT_EQ(0, acc_vf_open(&c->vf, g.bdf, &o));
	c->open = true;

	info.dev_id = c->vf.devid;
	ASSERT_EQ(0, ioctl(c->vf.iommufd, IOMMU_GET_HW_INFO, &info));
	ASSERT_TRUE(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	ASSERT_NE(0, c->vf.hwpt_id);
	ASSERT_EQ(c->vf.hwpt_id, c->vf.pt_id);

	ASSERT_EQ(0, acc_qm_init(&c->vf, 0));
	ASSERT_EQ(0, acc_qp_create(&c->vf, &c->qp, 0, DEPTH_LOG2, true));
	ASSERT_EQ(0, alloc_at(c, &c->aux, AUX_PAGES, AUX_IOVA));
	ASSERT_EQ(0, alloc_at(c, &c->src, SRC_PAGES, SRC_IOVA));
	ASSERT_EQ(0, alloc_at(c, &c->dst, DST_PAGES, DST_IOVA));
	for (i = 0; i < (int)(SRC_PAGES * DPAGE); i++)
		((uint8_t *)c->src.va)[i] = (uint8_t)(i * 13 + 1);

	c->iova[R_CTX] = c->vf.ctx.iova;
	c->pages[R_CTX] = c->vf.ctx.size / DPAGE;
	c->va[R_CTX] = c->vf.ctx.va;
	c->iova[R_SQ] = c->qp.sq.iova;
	c->pages[R_SQ] = c->qp.sq.size / DPAGE;
	c->iova[R_CQ] = c->qp.cq.iova;
	c->pages[R_CQ] = c->qp.cq.size / DPAGE;
	c->iova[R_AUX] = c->aux.iova;
	c->pages[R_AUX] = AUX_PAGES;
	c->va[R_AUX] = c->aux.va;
	c->iova[R_SRC] = c->src.iova;
	c->pages[R_SRC] = SRC_PAGES;
	c->iova[R_DST] = c->dst.iova;
	c->pages[R_DST] = DST_PAGES;
	c->va[R_DST] = c->dst.va;
	/* the layout the expectations below rely on */
	ASSERT_EQ(4, c->pages[R_CTX]);
	ASSERT_EQ(c->vf.eq_iova, c->iova[R_CTX] + CTX_EQ * DPAGE);
	ASSERT_EQ(1, c->pages[R_SQ]);
	ASSERT_EQ(1, c->pages[R_CQ]);

	/* Turning tracking on clears every D bit: start from nothing. */
	ASSERT_EQ(0, dirty_set_tracking(c->vf.iommufd, c->vf.hwpt_id, true));
	for (i = 0; i < R_NUM; i++) {
		memset(bm, 0, sizeof(bm));
		ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, c->iova[i],
				       c->pages[i], DPAGE, 0, bm));
		ASSERT_EQ(0, bm_weight(bm, c->pages[i]))
			TH_LOG("%s dirty after setup", rname[i]);
	}
}

static void dctx_teardown(struct dctx *c)
{
	if (!c->open)
		return;
	acc_qp_destroy(&c->qp);
	acc_vf_close(&c->vf);	/* soft reset before anything is unmapped */
	if (c->aux.va)
		munmap(c->aux.va, c->aux.size);
	if (c->src.va)
		munmap(c->src.va, c->src.size);
	if (c->dst.va)
		munmap(c->dst.va, c->dst.size);
}

FIXTURE(acc) {
	struct dctx c;
};

FIXTURE_SETUP(acc)
{
	dctx_setup(_metadata, &self->c, "vfio-pci");
}

FIXTURE_TEARDOWN(acc)
{
	dctx_teardown(&self->c);
}

FIXTURE(accmig) {
	struct dctx c;
};

FIXTURE_SETUP(accmig)
{
	dctx_setup(_metadata, &self->c, "acc_vfio_pci");
}

FIXTURE_TEARDOWN(accmig)
{
	dctx_teardown(&self->c);
}

/* ------------------------------------------------------------- jobs */
static uint64_t riova(struct dctx *c, int r, unsigned int page,
		      unsigned int off)
{
	return c->iova[r] + (uint64_t)page * DPAGE + off;
}

static struct acc_sqe sqe_of(uint8_t op, uint8_t flags, uint32_t len,
			     uint64_t src, uint64_t dst)
{
	struct acc_sqe s;

	memset(&s, 0, sizeof(s));
	s.op = op;
	s.flags = flags;
	s.len = htole32(len);
	s.src = htole64(src);
	s.dst = htole64(dst);
	return s;
}

/* Submit one SQE and wait for its CQE; returns its status or -errno. */
static int run_sqe(struct dctx *c, struct acc_sqe *s)
{
	struct acc_cqe cqe;
	int ret;

	ret = acc_qp_submit(&c->qp, s, false);
	if (ret)
		return ret;
	ret = acc_qp_wait(&c->qp, &cqe, ACC_JOB_TIMEOUT_MS);
	if (ret)
		return ret;
	if (cqe.tag != s->tag)
		return -EPROTO;
	return cqe.status;
}

/* The device copies len bytes of src page 1 to IOVA dst. */
static int copy_at(struct dctx *c, uint64_t dst, uint32_t len)
{
	struct acc_sqe s = sqe_of(ACC_OP_COPY, 0, len, riova(c, R_SRC, 1, 0),
				  dst);

	return run_sqe(c, &s);
}

/* The device copies len bytes of src page 1 to dst page p at off. */
static int copy_to(struct dctx *c, unsigned int p, unsigned int off,
		   uint32_t len)
{
	return copy_at(c, riova(c, R_DST, p, off), len);
}

#define COPY(p) ASSERT_EQ(ACC_ST_OK, copy_to(&self->c, (p), 0, 64))

/* ----------------------------------------------------- expectations */
static void want_set(struct want *w, int r, unsigned int p)
{
	bm_set(w->bm[r], p);
}

/* What every completed job writes: its CQE and, with IRQ, its EQE. */
static void want_job(struct want *w)
{
	want_set(w, R_CQ, 0);
	want_set(w, R_CTX, CTX_EQ);
}

/*
 * Read (and clear, unless flags) every region; compare with w. Logs each
 * region that differs; returns how many did.
 */
static int check(struct __test_metadata *_metadata, struct dctx *c,
		 uint32_t flags, const struct want *w)
{
	char a[512], b[512];
	int r, bad = 0;

	for (r = 0; r < R_NUM; r++) {
		uint64_t bm[BM_WORDS(DST_PAGES)] = { 0 };
		int ret = dirty_get(c->vf.iommufd, c->vf.hwpt_id, c->iova[r],
				    c->pages[r], DPAGE, flags, bm);

		if (ret) {
			TH_LOG("GET_DIRTY_BITMAP %s: %d", rname[r], ret);
			bad++;
			continue;
		}
		if (memcmp(bm, w->bm[r], BM_WORDS(c->pages[r]) * 8)) {
			TH_LOG("%s: dirty %s, expected %s", rname[r],
			       bm_fmt(a, sizeof(a), bm, c->pages[r]),
			       bm_fmt(b, sizeof(b), w->bm[r], c->pages[r]));
			bad++;
		}
	}
	return bad;
}

#define EXPECT_STATE(flags, w) ASSERT_EQ(0, check(_metadata, &self->c, flags, w))
#define EXPECT_CLEAN() do {						\
		struct want _none = { 0 };				\
		EXPECT_STATE(0, &_none);				\
	} while (0)

/* One region, a sub-range: exactly pages[] (relative, -1 terminated). */
static int check_range(struct __test_metadata *_metadata, struct dctx *c,
		       uint64_t iova, size_t npages, uint32_t flags,
		       const int *pages)
{
	uint64_t bm[MAXW] = { 0 }, w[MAXW] = { 0 };
	char a[512], b[512];
	int ret;

	ret = dirty_get(c->vf.iommufd, c->vf.hwpt_id, iova, npages, DPAGE,
			flags, bm);
	if (ret)
		return ret;
	for (; *pages >= 0; pages++)
		bm_set(w, *pages);
	if (memcmp(bm, w, BM_WORDS(npages) * 8)) {
		TH_LOG("[%#llx +%zu pages]: dirty %s, expected %s",
		       (unsigned long long)iova, npages,
		       bm_fmt(a, sizeof(a), bm, npages),
		       bm_fmt(b, sizeof(b), w, npages));
		return 1;
	}
	return 0;
}

#define PAGES(...)	((const int[]){ __VA_ARGS__, -1 })
#define NO_PAGES	((const int[]){ -1 })

/* ------------------------------------------------------------ tests */

/* COPY outputs, the CQ and EQ pages: exactly; a second read is clear. */
TEST_F(acc, copy_exact)
{
	static const unsigned int pages[] = { 0, 5, 63, 64, 130, DST_PAGES - 1 };
	struct want w = { 0 };
	unsigned int i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		COPY(pages[i]);
		ASSERT_EQ(0, memcmp(self->c.va[R_DST] + pages[i] * DPAGE,
				    (uint8_t *)self->c.src.va + DPAGE, 64));
		want_set(&w, R_DST, pages[i]);
	}
	want_job(&w);
	EXPECT_STATE(0, &w);
	EXPECT_CLEAN();
}

/* A job with len 0 writes only its CQE (and EQE). */
TEST_F(acc, empty_job)
{
	struct want w = { 0 };

	ASSERT_EQ(ACC_ST_OK, copy_to(&self->c, 7, 0, 0));
	want_job(&w);
	EXPECT_STATE(0, &w);
}

/* A job whose output faults writes its CQE only. */
TEST_F(acc, faulting_job)
{
	struct acc_sqe s = sqe_of(ACC_OP_COPY, 0, 64,
				  riova(&self->c, R_SRC, 0, 0),
				  ACC_IOVA_HOLE);
	struct want w = { 0 };

	ASSERT_EQ(ACC_ST_DMA_FAULT, run_sqe(&self->c, &s));
	want_job(&w);
	EXPECT_STATE(0, &w);
}

/*
 * Every op: outputs, IV_OUT and hash-state writes are reported; keys,
 * sources, IVs read, hash states read and SGL tables are not.
 */
TEST_F(acc, ops_exact)
{
	struct dctx *c = &self->c;
	uint64_t key = riova(c, R_AUX, AUX_KEY, 0);
	uint64_t iv = riova(c, R_AUX, AUX_IV, 0);
	uint64_t st = riova(c, R_AUX, AUX_STATE, 0);
	struct acc_sge *sgl = (void *)(c->va[R_AUX] + AUX_SGL * DPAGE);
	struct acc_sqe s;
	struct want w;

	memset(c->va[R_AUX] + AUX_KEY * DPAGE, 0x11, 32);
	memset(c->va[R_AUX] + AUX_IV * DPAGE, 0x22, 16);

	/* AES-CBC with IV_OUT: output and IV */
	s = sqe_of(ACC_OP_AES_CBC_ENC, ACC_SQE_F_IV_OUT, 256,
		   riova(c, R_SRC, 2, 0), riova(c, R_DST, 10, 0));
	s.key = htole64(key);
	s.key_len = htole16(32);
	s.iv = htole64(iv);
	ASSERT_EQ(ACC_ST_OK, run_sqe(c, &s));
	memset(&w, 0, sizeof(w));
	want_job(&w);
	want_set(&w, R_DST, 10);
	want_set(&w, R_AUX, AUX_IV);
	EXPECT_STATE(0, &w);

	/* AES-CTR without IV_OUT: the IV is only read */
	s = sqe_of(ACC_OP_AES_CTR, 0, 100, riova(c, R_SRC, 3, 0),
		   riova(c, R_DST, 11, 0));
	s.key = htole64(key);
	s.key_len = htole16(16);
	s.iv = htole64(iv);
	ASSERT_EQ(ACC_ST_OK, run_sqe(c, &s));
	memset(&w, 0, sizeof(w));
	want_job(&w);
	want_set(&w, R_DST, 11);
	EXPECT_STATE(0, &w);

	/* SHA-256 INIT, not FINAL: the state is written, dst is not */
	s = sqe_of(ACC_OP_SHA256, ACC_SQE_F_HASH_INIT, 128,
		   riova(c, R_SRC, 4, 0), riova(c, R_DST, 12, 0));
	s.iv = htole64(st);
	ASSERT_EQ(ACC_ST_OK, run_sqe(c, &s));
	memset(&w, 0, sizeof(w));
	want_job(&w);
	want_set(&w, R_AUX, AUX_STATE);
	EXPECT_STATE(0, &w);

	/* SHA-256 continued, FINAL: the state is read, the digest written */
	s = sqe_of(ACC_OP_SHA256, ACC_SQE_F_HASH_FINAL, 70,
		   riova(c, R_SRC, 5, 0), riova(c, R_DST, 13, 0));
	s.iv = htole64(st);
	ASSERT_EQ(ACC_ST_OK, run_sqe(c, &s));
	memset(&w, 0, sizeof(w));
	want_job(&w);
	want_set(&w, R_DST, 13);
	EXPECT_STATE(0, &w);

	/* HMAC-SHA256 one shot: key read, digest written at a page end */
	s = sqe_of(ACC_OP_HMAC_SHA256,
		   ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL, 300,
		   riova(c, R_SRC, 6, 0), riova(c, R_DST, 14, DPAGE - 32));
	s.key = htole64(key);
	s.key_len = htole16(20);
	s.iv = htole64(st);
	ASSERT_EQ(ACC_ST_OK, run_sqe(c, &s));
	memset(&w, 0, sizeof(w));
	want_job(&w);
	want_set(&w, R_DST, 14);
	EXPECT_STATE(0, &w);

	/* COPY through SGLs: the tables are read, each chunk's page written */
	sgl[0] = (struct acc_sge){ htole64(riova(c, R_SRC, 7, 0)), htole32(64), 0 };
	sgl[1] = (struct acc_sge){ htole64(riova(c, R_SRC, 9, 8)), htole32(64), 0 };
	sgl[2] = (struct acc_sge){ htole64(riova(c, R_DST, 20, 0)), htole32(32), 0 };
	sgl[3] = (struct acc_sge){ htole64(riova(c, R_DST, 40, 100)), htole32(32), 0 };
	sgl[4] = (struct acc_sge){ htole64(riova(c, R_DST, 200, 0)), htole32(64), 0 };
	s = sqe_of(ACC_OP_COPY, ACC_SQE_F_SRC_SGL | ACC_SQE_F_DST_SGL, 128,
		   riova(c, R_AUX, AUX_SGL, 0),
		   riova(c, R_AUX, AUX_SGL, 2 * sizeof(*sgl)));
	s.src_nents = htole16(2);
	s.dst_nents = htole16(3);
	ASSERT_EQ(ACC_ST_OK, run_sqe(c, &s));
	memset(&w, 0, sizeof(w));
	want_job(&w);
	want_set(&w, R_DST, 20);
	want_set(&w, R_DST, 40);
	want_set(&w, R_DST, 200);
	EXPECT_STATE(0, &w);
	EXPECT_CLEAN();
}

/* Context write-backs are DMA writes too, and exactly those pages. */
TEST_F(acc, context_writeback)
{
	struct want w = { 0 };

	ASSERT_EQ(ACC_MB_OK, acc_mb(&self->c.vf, ACC_MB_CMD_WRITEBACK, 0, 0));
	want_set(&w, R_CTX, CTX_SQC);
	want_set(&w, R_CTX, CTX_CQC);
	want_set(&w, R_CTX, CTX_EQC);
	EXPECT_STATE(0, &w);

	ASSERT_EQ(0, acc_qp_stop(&self->c.qp));
	memset(&w, 0, sizeof(w));
	want_set(&w, R_CTX, CTX_SQC);
	want_set(&w, R_CTX, CTX_CQC);
	EXPECT_STATE(0, &w);

	/* loading contexts only reads them */
	ASSERT_EQ(0, acc_qp_start(&self->c.qp));
	EXPECT_CLEAN();
}

/* An output crossing a page boundary dirties both pages. */
TEST_F(acc, straddle)
{
	struct want w = { 0 };

	ASSERT_EQ(ACC_ST_OK, copy_to(&self->c, 70, DPAGE - 8, 16));
	want_job(&w);
	want_set(&w, R_DST, 70);
	want_set(&w, R_DST, 71);
	EXPECT_STATE(0, &w);
}

/* NO_CLEAR reports and keeps; a clearing read then clears. */
TEST_F(acc, no_clear)
{
	struct want w = { 0 };

	COPY(9);
	COPY(33);
	want_job(&w);
	want_set(&w, R_DST, 9);
	want_set(&w, R_DST, 33);
	EXPECT_STATE(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, &w);
	EXPECT_STATE(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, &w);
	EXPECT_STATE(0, &w);
	EXPECT_CLEAN();
}

/* A write after a clear is seen again (the IOTLB entry was flushed). */
TEST_F(acc, rewrite_after_clear)
{
	struct want w = { 0 };
	int i;

	want_job(&w);
	want_set(&w, R_DST, 12);
	for (i = 0; i < 3; i++) {
		COPY(12);
		EXPECT_STATE(0, &w);
	}
	EXPECT_CLEAN();
}

/* Tracking off: nothing is recorded; on again: writes are. */
TEST_F(acc, tracking_off)
{
	struct dctx *c = &self->c;
	struct want w = { 0 };

	ASSERT_EQ(0, dirty_set_tracking(c->vf.iommufd, c->vf.hwpt_id, false));
	COPY(40);
	ASSERT_EQ(0, dirty_set_tracking(c->vf.iommufd, c->vf.hwpt_id, true));
	EXPECT_CLEAN();
	COPY(41);
	want_job(&w);
	want_set(&w, R_DST, 41);
	EXPECT_STATE(0, &w);
}

/*
 * Ranges not at the mapping's start, not a multiple of 64 pages, at its
 * last pages; bits are relative to the range and what is outside stays.
 */
TEST_F(acc, unaligned_ranges)
{
	struct dctx *c = &self->c;
	struct want w = { 0 };

	COPY(2);
	COPY(3);
	COPY(69);
	COPY(102);
	COPY(103);
	COPY(DST_PAGES - 7);
	COPY(DST_PAGES - 1);
	/* pages 3..102 */
	ASSERT_EQ(0, check_range(_metadata, c, riova(c, R_DST, 3, 0), 100, 0,
				 PAGES(0, 66, 99)));
	/* the last 7 pages, the last one alone */
	ASSERT_EQ(0, check_range(_metadata, c, riova(c, R_DST, DST_PAGES - 1, 0),
				 1, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
				 PAGES(0)));
	ASSERT_EQ(0, check_range(_metadata, c, riova(c, R_DST, DST_PAGES - 7, 0),
				 7, 0, PAGES(0, 6)));
	/* a range that is not a multiple of the page size is refused */
	{
		uint64_t bm[1] = { 0 };

		ASSERT_EQ(-EINVAL, dirty_get(c->vf.iommufd, c->vf.hwpt_id,
					     riova(c, R_DST, 0, 512), 1, DPAGE,
					     0, bm));
	}
	want_job(&w);
	want_set(&w, R_DST, 2);
	want_set(&w, R_DST, 103);
	EXPECT_STATE(0, &w);
}

/* The user bitmap straddles a page boundary of its own memory. */
TEST_F(acc, bitmap_page_edge)
{
	struct dctx *c = &self->c;
	uint8_t *buf = mmap(NULL, 2 * DPAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *bm;
	unsigned int i;

	ASSERT_NE(MAP_FAILED, buf);
	/* 256 bits = 32 bytes: 16 in the first page, 16 in the second */
	bm = (uint64_t *)(buf + DPAGE - 16);
	memset(buf, 0, 2 * DPAGE);
	COPY(0);
	COPY(127);
	COPY(128);
	COPY(DST_PAGES - 1);
	ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, c->iova[R_DST],
			       DST_PAGES, DPAGE, 0, bm));
	for (i = 0; i < DST_PAGES; i++)
		ASSERT_EQ(i == 0 || i == 127 || i == 128 || i == DST_PAGES - 1,
			  bm_test(bm, i)) TH_LOG("page %u", i);
	/* nothing outside the bitmap was touched */
	for (i = 0; i < DPAGE - 16; i++)
		ASSERT_EQ(0, buf[i]);
	for (i = DPAGE + 16; i < 2 * DPAGE; i++)
		ASSERT_EQ(0, buf[i]);
	munmap(buf, 2 * DPAGE);
}

/*
 * A 2 MiB IOPTE (hugetlb memory at a 2 MiB-aligned IOVA) is reported
 * whole. A read of part of it, dirty, is refused with EPROTO (since
 * 6.12.118: upstream fails rather than report a dirty IOPTE in part) and
 * writes nothing outside the bitmap; the caller reads again from scratch.
 */
TEST_F(acc, huge_page)
{
	struct dctx *c = &self->c;
	int all[HUGE_PAGES + 1];
	uint8_t *huge;
	size_t i;

	ASSERT_EQ(0, dirty_hugetlb_reserve(2));
	huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (huge == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page: %s", strerror(errno));
	memset(huge, 0, HUGE_SIZE);
	ASSERT_EQ(0, acc_ioas_map(&c->vf, huge, HUGE_SIZE, HUGE_IOVA));
	for (i = 0; i < HUGE_PAGES; i++)
		all[i] = i;
	all[HUGE_PAGES] = -1;

	ASSERT_EQ(0, check_range(_metadata, c, HUGE_IOVA, HUGE_PAGES, 0,
				 NO_PAGES));
	ASSERT_EQ(ACC_ST_OK, copy_at(c, HUGE_IOVA + 3 * DPAGE, 64));
	ASSERT_EQ(0, memcmp(huge + 3 * DPAGE, (uint8_t *)c->src.va + DPAGE, 64));
	ASSERT_EQ(0, check_range(_metadata, c, HUGE_IOVA, HUGE_PAGES,
				 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, all));
	/*
	 * The last 8 pages of it: refused. The driver records the whole
	 * IOPTE, which the 8-bit bitmap cannot hold (6.12.117's
	 * iova_bitmap_set wrote 504 more bits into the caller's memory, up
	 * to the end of the pinned page): give it a page and check that
	 * nothing is written. Then the device writes again and a read of
	 * the whole IOPTE reports it.
	 */
	{
		uint64_t *bm = mmap(NULL, DPAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, bm);
		memset(bm, 0, DPAGE);
		ASSERT_EQ(-EPROTO, dirty_get(c->vf.iommufd, c->vf.hwpt_id,
					     HUGE_IOVA + HUGE_SIZE - 8 * DPAGE,
					     8, DPAGE, 0, bm));
		ASSERT_EQ(0, bm_weight(bm, DPAGE * 8));
		munmap(bm, DPAGE);
	}
	ASSERT_EQ(ACC_ST_OK, copy_at(c, HUGE_IOVA + 3 * DPAGE, 64));
	ASSERT_EQ(0, check_range(_metadata, c, HUGE_IOVA, HUGE_PAGES, 0, all));
	ASSERT_EQ(0, check_range(_metadata, c, HUGE_IOVA, HUGE_PAGES, 0,
				 NO_PAGES));
	/* a write at its last byte, a read over the whole mapping */
	ASSERT_EQ(ACC_ST_OK, copy_at(c, HUGE_IOVA + HUGE_SIZE - 1, 1));
	ASSERT_EQ(0, check_range(_metadata, c, HUGE_IOVA, HUGE_PAGES, 0, all));
	ASSERT_EQ(0, check_range(_metadata, c, HUGE_IOVA, HUGE_PAGES, 0,
				 NO_PAGES));
	ASSERT_EQ(0, acc_ioas_unmap(&c->vf, HUGE_IOVA, HUGE_SIZE));
	munmap(huge, HUGE_SIZE);
}

/* A HWPT without IOMMU_HWPT_ALLOC_DIRTY_TRACKING has no tracking to use. */
TEST_F(acc, plain_hwpt_refuses)
{
	struct dctx *c = &self->c;
	struct iommu_hwpt_alloc ha = {
		.size = sizeof(ha),
		.dev_id = c->vf.devid,
		.pt_id = c->vf.ioas_id,
	};
	struct iommu_destroy d = { .size = sizeof(d) };
	uint64_t bm[BM_WORDS(DST_PAGES)] = { 0 };

	ASSERT_EQ(0, ioctl(c->vf.iommufd, IOMMU_HWPT_ALLOC, &ha));
	EXPECT_EQ(-EOPNOTSUPP, dirty_set_tracking(c->vf.iommufd,
						  ha.out_hwpt_id, true));
	EXPECT_EQ(-EOPNOTSUPP, dirty_get(c->vf.iommufd, ha.out_hwpt_id,
					 c->iova[R_DST], DST_PAGES, DPAGE, 0,
					 bm));
	d.id = ha.out_hwpt_id;
	ASSERT_EQ(0, ioctl(c->vf.iommufd, IOMMU_DESTROY, &d));
}

/* ------------------------------------------------------- quiescing */
/* The VF's index under its PF, for the PF's debugfs. */
static int vf_index(const char *bdf)
{
	char pf[16], path[128], link[128];
	int i;

	if (acc_find_pf(pf, sizeof(pf)))
		return -ENODEV;
	for (i = 0; i < ACC_MAX_VFS; i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/virtfn%d",
			 pf, i);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			break;
		link[n] = 0;
		if (!strcmp(strrchr(link, '/') + 1, bdf))
			return i;
	}
	return -ENODEV;
}

static int pf_pause(const char *bdf, bool pause)
{
	char pf[16], path[160];
	int idx = vf_index(bdf);

	if (idx < 0 || acc_find_pf(pf, sizeof(pf)))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/kernel/debug/acc/%s/vf%d/pause",
		 pf, idx);
	return acc_write_file(path, pause ? "1" : "0");
}

static int mig_state(struct acc_vf *vf, uint32_t state)
{
	uint64_t buf[(sizeof(struct vfio_device_feature) +
		      sizeof(struct vfio_device_feature_mig_state) + 7) / 8];
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *ms = (void *)f->data;

	memset(buf, 0, sizeof(buf));
	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	ms->device_state = state;
	return ioctl(vf->devfd, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

#define QJOBS		60	/* fewer than the SQ holds */
#define QSLOT		16	/* dst pages per job */
#define QJOBS1		4	/* jobs of phase 1 */
#define HASH_NENTS	256	/* x 64 KiB of source per hash job */

/*
 * Quiesce job i: even ones AES-CBC 64 KiB - 64 bytes into its 16-page
 * slot of big (every page of the slot written), odd ones SHA-256 over
 * 16 MiB (an SGL repeating src) with the digest on the slot's first page.
 */
static bool qjob_writes(unsigned int i, unsigned int page)
{
	if (page / QSLOT != i)
		return false;
	return !(i % 2) || page % QSLOT == 0;
}

static struct acc_sqe qjob_sqe(struct dctx *c, unsigned int i)
{
	uint64_t slot = BIG_IOVA + (uint64_t)i * QSLOT * DPAGE;
	struct acc_sqe s;

	if (i % 2 == 0) {
		s = sqe_of(ACC_OP_AES_CBC_ENC, 0, QSLOT * DPAGE - 64,
			   riova(c, R_SRC, 0, 0), slot + 32);
		s.key = htole64(riova(c, R_AUX, AUX_KEY, 0));
		s.key_len = htole16(32);
		s.iv = htole64(riova(c, R_AUX, AUX_IV, 0));
	} else {
		s = sqe_of(ACC_OP_SHA256,
			   ACC_SQE_F_HASH_INIT | ACC_SQE_F_HASH_FINAL |
			   ACC_SQE_F_SRC_SGL, HASH_NENTS * SRC_PAGES * DPAGE,
			   riova(c, R_AUX, AUX_SGL, 0), slot + 100);
		s.src_nents = htole16(HASH_NENTS);
		s.iv = htole64(riova(c, R_AUX, AUX_STATE, 0));
	}
	s.tag = htole64(i);
	return s;
}

static void take_cqe(struct __test_metadata *_metadata, struct acc_cqe *cqe,
		     bool *done, unsigned int *ndone)
{
	uint64_t t = le64toh(cqe->tag);

	ASSERT_EQ(ACC_ST_OK, cqe->status);
	ASSERT_LT(t, QJOBS);
	ASSERT_FALSE(done[t]);
	done[t] = true;
	(*ndone)++;
}

/*
 * Jobs in flight, read-and-clear passes while they run, quiesce, a final
 * read. The union of the reads over big is exactly the output pages of the
 * jobs that completed (a paused VF finishes the job it executes, CQE
 * included, and starts no other); the CQ and EQ pages and the contexts the
 * pause writes back are dirty; nothing appears after the quiesce. After
 * the resume, exactly the other jobs' pages.
 */
static void quiesce_test(struct __test_metadata *_metadata, struct dctx *c,
			 bool p2p)
{
	uint64_t uni[BM_WORDS(BIG_PAGES)] = { 0 }, bm[BM_WORDS(BIG_PAGES)];
	uint64_t small[R_NUM][BM_WORDS(DST_PAGES)] = { { 0 } };
	struct acc_sge *sgl = (void *)(c->va[R_AUX] + AUX_SGL * DPAGE);
	bool done[QJOBS] = { false }, before[QJOBS];
	unsigned int i, j, ndone = 0, reads = 0;
	struct acc_dma big;
	struct acc_cqe cqe;
	double t0 = now_s(), t1, t2, t3;
	char a[512];
	int r;

	ASSERT_EQ(0, alloc_at(c, &big, BIG_PAGES, BIG_IOVA));
	for (i = 0; i < HASH_NENTS; i++)
		sgl[i] = (struct acc_sge){ htole64(c->iova[R_SRC]),
					   htole32(SRC_PAGES * DPAGE), 0 };
	/*
	 * Phase 1: QJOBS1 jobs, harvesting while they run. Phase 2: the
	 * rest, and the quiesce right after their doorbells. (Under TCG a
	 * harvest's IOTLB flush can be held off until the model's job timer
	 * has drained the queue, both needing the BQL: so no harvest between
	 * the phase 2 doorbells and the quiesce.)
	 */
	for (i = 0; i < QJOBS1; i++) {
		struct acc_sqe s = qjob_sqe(c, i);

		ASSERT_EQ(0, acc_qp_submit(&c->qp, &s, true));
	}
	while (ndone < QJOBS1) {
		memset(bm, 0, sizeof(bm));
		ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, BIG_IOVA,
				       BIG_PAGES, DPAGE, 0, bm));
		for (j = 0; j < BM_WORDS(BIG_PAGES); j++)
			uni[j] |= bm[j];
		reads++;
		while (acc_qp_poll(&c->qp, &cqe))
			take_cqe(_metadata, &cqe, done, &ndone);
	}
	/* one doorbell for all of phase 2: MMIO is what the model holds off */
	t1 = now_s();
	for (i = QJOBS1; i < QJOBS; i++) {
		struct acc_sqe *ring = c->qp.sq.va;

		ring[c->qp.sq_tail] = qjob_sqe(c, i);
		c->qp.sq_tail = acc_ring_next(c->qp.sq_tail, c->qp.depth_log2,
					      NULL);
		c->qp.inflight++;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	acc_wr(&c->vf, ACC_REG_DB_SQ, acc_db_val(c->qp.qn, c->qp.sq_tail));
	t2 = now_s();
	if (p2p) {
		ASSERT_EQ(0, mig_state(&c->vf, VFIO_DEVICE_STATE_RUNNING_P2P));
	} else {
		ASSERT_EQ(0, pf_pause(c->vf.bdf, true));
	}
	t3 = now_s();
	ASSERT_TRUE(acc_rd(&c->vf, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);

	/* the final read */
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, BIG_IOVA,
			       BIG_PAGES, DPAGE, 0, bm));
	for (j = 0; j < BM_WORDS(BIG_PAGES); j++)
		uni[j] |= bm[j];
	reads++;
	for (r = 0; r < R_NUM; r++)
		ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, c->iova[r],
				       c->pages[r], DPAGE, 0, small[r]));
	/* every CQE written before the quiesce */
	while (acc_qp_poll(&c->qp, &cqe))
		take_cqe(_metadata, &cqe, done, &ndone);
	ksft_print_msg("%s: %u of %u jobs completed at the quiesce, %u reads; phase 1 done by %.3f s, phase 2 submitted at %.3f s, quiesced at %.3f s\n",
		       p2p ? "RUNNING_P2P" : "PF pause", ndone, QJOBS, reads,
		       t1 - t0, t2 - t0, t3 - t0);
	/* the test is about jobs in flight at the quiesce */
	ASSERT_LT(ndone, QJOBS);
	for (j = 0; j < BIG_PAGES; j++) {
		i = j / QSLOT;
		ASSERT_EQ(i < QJOBS && done[i] && qjob_writes(i, j),
			  bm_test(uni, j))
			TH_LOG("page %u of job %u (%s)", j, i,
			       i < QJOBS && done[i] ? "completed" : "not run");
	}
	ASSERT_TRUE(bm_test(small[R_CQ], 0));
	ASSERT_TRUE(bm_test(small[R_CTX], CTX_EQ));
	/* the pause wrote the contexts back */
	ASSERT_TRUE(bm_test(small[R_CTX], CTX_SQC));
	ASSERT_TRUE(bm_test(small[R_CTX], CTX_CQC));
	ASSERT_EQ(0, bm_weight(small[R_SQ], 1));
	ASSERT_EQ(0, bm_weight(small[R_SRC], SRC_PAGES));
	ASSERT_EQ(0, bm_weight(small[R_AUX], AUX_PAGES));

	/* nothing after the quiesce */
	usleep(300 * 1000);
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, BIG_IOVA,
			       BIG_PAGES, DPAGE, 0, bm));
	ASSERT_EQ(0, bm_weight(bm, BIG_PAGES))
		TH_LOG("after quiesce: %s", bm_fmt(a, sizeof(a), bm, BIG_PAGES));
	{
		struct want none = { 0 };

		ASSERT_EQ(0, check(_metadata, c, 0, &none));
	}
	ASSERT_FALSE(acc_qp_poll(&c->qp, &cqe));

	/* resume: the rest runs and exactly its pages are seen */
	memcpy(before, done, sizeof(done));
	if (p2p) {
		ASSERT_EQ(0, mig_state(&c->vf, VFIO_DEVICE_STATE_RUNNING));
	} else {
		ASSERT_EQ(0, pf_pause(c->vf.bdf, false));
	}
	while (ndone < QJOBS) {
		ASSERT_EQ(0, acc_qp_wait(&c->qp, &cqe, ACC_JOB_TIMEOUT_MS));
		take_cqe(_metadata, &cqe, done, &ndone);
	}
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id, BIG_IOVA,
			       BIG_PAGES, DPAGE, 0, bm));
	for (j = 0; j < BIG_PAGES; j++) {
		i = j / QSLOT;
		ASSERT_EQ(i < QJOBS && !before[i] && qjob_writes(i, j),
			  bm_test(bm, j)) TH_LOG("page %u", j);
	}
	acc_dma_free(&c->vf, &big);
}

TEST_F(acc, quiesce_pf_pause)
{
	quiesce_test(_metadata, &self->c, false);
}

TEST_F(accmig, quiesce_running_p2p)
{
	quiesce_test(_metadata, &self->c, true);
}

/* --------------------------------------------------------- stress */
/*
 * DIRTY_STRESS_CYCLES read-and-clear cycles of the dst area while the VF
 * keeps writing it. Each job writes 64 bytes (one DMA write) to one dst
 * page; a page gets a new job only after the read following the previous
 * job's completion. Iteration i: read B_i; poll CQEs (completed at i);
 * submit (submitted at i). A job submitted at s and completed at c wrote
 * between reads s and c + 1: its page must be set in exactly one of
 * B_(s+1) .. B_(c+1), and no bit may be set outside such a window.
 */
TEST_F(acc, stress_read_clear)
{
	struct dctx *c = &self->c;
	const char *env = getenv("DIRTY_STRESS_CYCLES");
	long cycles = env ? atol(env) : 10000;
	struct pg {
		long s, cend;	/* submitted at, completed at (-1: not yet) */
		int hits;
		bool busy;
	} pg[DST_PAGES];
	unsigned long jobs = 0, bits = 0, maxfly = 0;
	unsigned int next = 0, inflight = 0;
	struct acc_cqe cqe;
	double t0 = now_s();
	long i;
	unsigned int p;

	memset(pg, 0, sizeof(pg));
	for (i = 0; ; i++) {
		uint64_t bm[BM_WORDS(DST_PAGES)] = { 0 };
		bool stop = i >= cycles;

		/* (a) read and clear, match the bits with the windows */
		ASSERT_EQ(0, dirty_get(c->vf.iommufd, c->vf.hwpt_id,
				       c->iova[R_DST], DST_PAGES, DPAGE, 0, bm));
		for (p = 0; p < DST_PAGES; p++) {
			if (!bm_test(bm, p))
				continue;
			bits++;
			ASSERT_TRUE(pg[p].busy && pg[p].s < i &&
				    (pg[p].cend < 0 || i <= pg[p].cend + 1))
				TH_LOG("cycle %ld: page %u dirty outside a job's window (busy %d s %ld c %ld)",
				       i, p, pg[p].busy, pg[p].s, pg[p].cend);
			pg[p].hits++;
		}
		for (p = 0; p < DST_PAGES; p++) {
			if (!pg[p].busy || pg[p].cend < 0 || pg[p].cend + 1 != i)
				continue;
			ASSERT_EQ(1, pg[p].hits)
				TH_LOG("page %u written once in cycles %ld..%ld, reported %d times",
				       p, pg[p].s, pg[p].cend, pg[p].hits);
			pg[p].busy = false;
		}
		if (stop && !inflight) {
			for (p = 0; p < DST_PAGES; p++)
				ASSERT_FALSE(pg[p].busy);
			break;
		}
		/* (b) completions */
		while (acc_qp_poll(&c->qp, &cqe)) {
			p = le64toh(cqe.tag);
			ASSERT_EQ(ACC_ST_OK, cqe.status);
			ASSERT_TRUE(p < DST_PAGES && pg[p].busy && pg[p].cend < 0);
			pg[p].cend = i;
			inflight--;
		}
		acc_eq_drain(&c->vf);
		/* (c) keep the SQ fed */
		while (!stop) {
			struct acc_sqe s;
			unsigned int k;

			for (k = 0; k < DST_PAGES && pg[next].busy; k++)
				next = (next + 1) % DST_PAGES;
			if (pg[next].busy)
				break;
			s = sqe_of(ACC_OP_COPY, 0, 64,
				   riova(c, R_SRC, jobs % SRC_PAGES, 0),
				   riova(c, R_DST, next, (jobs % 63) * 64));
			s.tag = htole64(next);
			if (acc_qp_submit(&c->qp, &s, true) == -EAGAIN)
				break;
			pg[next] = (struct pg){ .s = i, .cend = -1, .busy = true };
			next = (next + 1) % DST_PAGES;
			inflight++;
			jobs++;
		}
		if (inflight > maxfly)
			maxfly = inflight;
		if (stop && inflight)
			usleep(100);
	}
	ksft_print_msg("stress: %ld cycles, %lu jobs, %lu bits, up to %lu in flight, %.1f s\n",
		       i, jobs, bits, maxfly, now_s() - t0);
	ASSERT_EQ(jobs, bits);
}

int main(int argc, char **argv)
{
	char vfs[ACC_MAX_VFS][16];
	const char *env = getenv("ACC_VF");

	g.main_pid = getpid();
	if (env) {
		snprintf(g.bdf, sizeof(g.bdf), "%s", env);
		g.picked = true;
	} else if (acc_find_vfs(vfs, ACC_MAX_VFS) > 0) {
		memcpy(g.bdf, vfs[0], sizeof(g.bdf));
		g.picked = true;
	}
	if (g.picked) {
		acc_pci_driver(g.bdf, g.orig, sizeof(g.orig));
		atexit(give_back);
	}
	return test_harness_run(argc, argv);
}
