// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration of a running guest from one acc VF to another, its device
 * state through acc_vfio_pci and the memory its device writes found by the
 * IOMMU's dirty tracking (issues 3 and 4 together). The process is the guest
 * (mig_util.h's workload: jobs checked bit-exact against OpenSSL) and the
 * VMM:
 *
 *   1. The source VF is attached to a HWPT allocated with
 *      IOMMU_HWPT_ALLOC_DIRTY_TRACKING; the destination VF gets a shadow of
 *      each of the guest's DMA buffers at the same IOVA in its own IOAS
 *      (acc_dma_shadow()).
 *   2. Tracking on, then a full copy of guest memory while the guest runs.
 *   3. Rounds: the guest keeps submitting jobs; the VMM reads and clears the
 *      dirty bitmap of each buffer (IOMMU_HWPT_GET_DIRTY_BITMAP) and copies
 *      the pages it names. The guest's CPU writes are not the IOMMU's to
 *      see: in a VM, KVM's dirty log reports them. Here the guest's vCPU is
 *      this thread and its only writes to DMA memory after the full copy
 *      are SQEs, so the SQ rings are copied every round instead.
 *   4. Switch-over (mig_guest_migrate): PRE_COPY, PRE_COPY_P2P with
 *      doorbells rung while paused, STOP_COPY; with the source stopped, a
 *      last read of the bitmaps and copy (the contexts the pause wrote
 *      back, the last outputs and CQEs); the destination takes the shadows
 *      over, loads the stream and runs.
 *   5. The guest finishes its jobs on the destination; every job must be
 *      bit-exact. The outputs and CQEs of the jobs that ran on the source
 *      after the full copy reach the destination only through the dirty
 *      bitmaps, so a page the IOMMU failed to report fails the check. The
 *      test lost_page shows that it does: there the VMM drops one reported
 *      page, and exactly its job must come out wrong.
 *   6. source_closed: the source, stopped with doorbells rung while paused
 *      and its memory unmapped, is closed: it must not run again (no DMA
 *      fault in the kernel log, where one the destination makes on purpose
 *      then appears).
 *
 *   mig_live [harness options]   the kselftests; needs acc_qm, acc_vfio_pci,
 *                                >= 2 VFs and an IOMMU with dirty tracking
 *   mig_live --report            one migration with a report (make demo)
 *
 * Binds the first two acc VFs to acc_vfio_pci (driver_override). ACC_SEED=N
 * replays a run.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>

#include "mig_util.h"
#include "../dirty/dirty_util.h"

#include "kselftest_harness.h"

#define DRV		"acc_vfio_pci"
#define NQP		2
#define DEPTH_LOG2	6	/* 64 SQEs a queue pair */
#define NJOBS		512	/* one 4 KiB slot each: a 2 MiB arena */
#define BATCH		48	/* jobs a round */
#define ROUNDS		5	/* rounds after the full copy */
#define LAST_BATCH	16	/* rung just before the pause: in flight */
#define PAUSED		4	/* rung while paused */
#define MAX_REGIONS	(2 + 2 * NQP)

struct region {
	const struct acc_dma *src;	/* the guest's buffer on the source */
	struct acc_dma *dst;		/* its shadow on the destination */
	bool cpu;			/* written by the guest's vCPU */
	uint64_t *bm;
};

struct round {
	unsigned int dev;	/* pages the IOMMU reported */
	unsigned int cpu;	/* pages of the SQ rings */
	unsigned int done;	/* jobs completed on the source so far */
	double ms;		/* the read and the copy */
};

struct live {
	char bdf[2][16];
	struct acc_vf a, b;
	bool a_open, b_open;
	struct mig_guest g;
	struct region reg[MAX_REGIONS];
	int nreg;
	unsigned int guest_pages;
	struct round round[ROUNDS + 2];	/* 0: the full copy; last: final */
	int nround;
	int sub_after_copy;		/* jobs rung after the full copy */
	bool *done_on_src;		/* per job, polled before the pause */
	/* lost_page: drop the first reported page of such a job */
	bool lose;
	int lost_job;			/* -1: none dropped yet */
	unsigned int lost_page;
	struct mig_result res;
	int wrong;			/* jobs wrong on the destination */
	const char *step;		/* where it failed */
};

/* Submit up to n more jobs, polling while the queues are full. */
static int guest_run(struct mig_guest *g, int n)
{
	uint64_t end = mig_now_ns() + ACC_JOB_TIMEOUT_MS * 1000000ULL;
	int ret = mig_guest_poll(g);

	while (!ret && n > 0 && g->nsub < g->njobs) {
		ret = mig_guest_submit(g, 1);
		if (!ret) {
			n--;
			continue;
		}
		if (ret != -EAGAIN)
			break;
		if (mig_now_ns() > end)
			return -ETIMEDOUT;
		usleep(100);
		ret = mig_guest_poll(g);
	}
	return ret;
}

static int add_region(struct live *l, const struct acc_dma *src, bool cpu)
{
	struct region *r = &l->reg[l->nreg];
	size_t pages = src->size / DPAGE;
	int ret;

	if (!src->va)
		return 0;
	ret = acc_dma_shadow(&l->b, src, &r->dst);
	if (ret)
		return ret;
	r->bm = calloc(BM_WORDS(pages), sizeof(uint64_t));
	if (!r->bm)
		return -ENOMEM;
	r->src = src;
	r->cpu = cpu;
	l->guest_pages += pages;
	l->nreg++;
	return 0;
}

static void copy_page(struct region *r, size_t p)
{
	memcpy((uint8_t *)r->dst->va + p * DPAGE,
	       (const uint8_t *)r->src->va + p * DPAGE, DPAGE);
}

/*
 * Read and clear the dirty bits of every buffer, then copy the pages they
 * name, and the SQ rings: one round. A page the device writes after its
 * bit was read is reported by the next read.
 */
static int copy_dirty(struct live *l, struct round *rd)
{
	uint64_t t0 = mig_now_ns();
	int i, ret;

	for (i = 0; i < l->nreg; i++) {
		struct region *r = &l->reg[i];
		size_t pages = r->src->size / DPAGE, p;
		bool arena = r->src == &l->g.arena;

		memset(r->bm, 0, BM_WORDS(pages) * sizeof(uint64_t));
		ret = dirty_get(l->a.iommufd, l->a.hwpt_id, r->src->iova,
				pages, DPAGE, 0, r->bm);
		if (ret)
			return ret;
		for (p = 0; p < pages; p++) {
			if (r->cpu) {
				copy_page(r, p);
				rd->cpu++;
				continue;
			}
			if (!bm_test(r->bm, p))
				continue;
			rd->dev++;
			if (arena && l->lose && l->lost_job < 0 &&
			    (int)(p * DPAGE / MIG_SLOT) >= l->sub_after_copy) {
				l->lost_job = p * DPAGE / MIG_SLOT;
				l->lost_page = p;
			}
			if (arena && l->lost_job >= 0 && p == l->lost_page)
				continue;	/* lost_page: never copied */
			copy_page(r, p);
		}
	}
	rd->done = l->g.ndone;
	rd->ms = (mig_now_ns() - t0) / 1e6;
	return 0;
}

/* The last round, with the source stopped (mig_opts.stopped). */
static int final_copy(void *arg)
{
	struct live *l = arg;

	return copy_dirty(l, &l->round[l->nround++]);
}

#define STEP(s, expr) do {			\
		l->step = s;			\
		ret = (expr);			\
		if (ret)			\
			return ret;		\
	} while (0)

static int lm_setup(struct live *l, uint64_t seed)
{
	struct acc_vf_opts src_opts = {
		.iommufd = -1,
		.alloc_hwpt = true,
		.hwpt_flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct mig_guest *g = &l->g;
	int i, ret;

	l->lost_job = -1;
	if (acc_find_vfs(l->bdf, 2) < 2)
		return -ENODEV;
	STEP("bind the source to " DRV, acc_pci_bind(l->bdf[0], DRV));
	STEP("bind the destination to " DRV, acc_pci_bind(l->bdf[1], DRV));
	STEP("open the source on a dirty-tracking HWPT",
	     acc_vf_open(&l->a, l->bdf[0], &src_opts));
	l->a_open = true;
	STEP("open the destination", acc_vf_open(&l->b, l->bdf[1], NULL));
	l->b_open = true;
	STEP("start the guest", mig_guest_init(g, &l->a, NQP, DEPTH_LOG2,
						NJOBS, seed));
	l->done_on_src = calloc(NJOBS, sizeof(bool));
	if (!l->done_on_src)
		return -ENOMEM;
	l->step = "shadow the guest's memory on the destination";
	ret = add_region(l, &l->a.ctx, false);
	for (i = 0; !ret && i < NQP; i++) {
		ret = add_region(l, &g->qp[i].sq, true);
		if (!ret)
			ret = add_region(l, &g->qp[i].cq, false);
	}
	if (!ret)
		ret = add_region(l, &g->arena, false);
	return ret;
}

static int lm_migrate(struct live *l)
{
	struct mig_guest *g = &l->g;
	struct mig_opts o = {
		.precopy = true,
		.submit_paused = PAUSED,
		.chunk = 4096,
		.stopped = final_copy,
		.arg = l,
	};
	uint64_t t0;
	int i, ret;

	/* Turning tracking on clears every D bit; then the full copy. */
	STEP("dirty tracking on",
	     dirty_set_tracking(l->a.iommufd, l->a.hwpt_id, true));
	STEP("run jobs", guest_run(g, BATCH));
	t0 = mig_now_ns();
	for (i = 0; i < l->nreg; i++)
		memcpy(l->reg[i].dst->va, l->reg[i].src->va,
		       l->reg[i].src->size);
	l->round[0].cpu = l->guest_pages;
	l->round[0].done = g->ndone;
	l->round[0].ms = (mig_now_ns() - t0) / 1e6;
	l->sub_after_copy = g->nsub;
	l->nround = 1;

	for (i = 0; i < ROUNDS; i++) {
		STEP("run jobs", guest_run(g, BATCH));
		usleep(2000);
		STEP("copy dirty memory", copy_dirty(l, &l->round[l->nround]));
		l->nround++;
	}
	/* Some jobs in flight at the pause, more rung while paused. */
	STEP("run jobs", guest_run(g, LAST_BATCH));
	for (i = 0; i < g->nsub; i++)
		l->done_on_src[i] = g->jobs[i].done;
	l->step = "migrate";
	ret = mig_guest_migrate(g, &l->b, &o, &l->res);
	if (ret) {
		if (l->res.step)
			l->step = l->res.step;
		return ret;
	}
	/* The rest of the workload on the destination. */
	STEP("run jobs on the destination", guest_run(g, g->njobs));
	STEP("wait for every job", mig_guest_wait(g, ACC_JOB_TIMEOUT_MS));
	l->step = NULL;
	l->wrong = mig_guest_check(g);
	return 0;
}

static void lm_teardown(struct live *l)
{
	int i;

	mig_guest_fini(&l->g);
	if (l->b_open)
		acc_vf_close(&l->b);
	if (l->a_open)
		acc_vf_close(&l->a);
	for (i = 0; i < l->nreg; i++)
		free(l->reg[i].bm);
	free(l->done_on_src);
}

/* Jobs rung after the full copy and completed on the source. */
static int via_bitmap(const struct live *l)
{
	int i, n = 0;

	for (i = l->sub_after_copy; i < NJOBS; i++)
		n += l->done_on_src[i];
	return n;
}

static int dev_pages(const struct live *l)
{
	int i, n = 0;

	for (i = 0; i < l->nround; i++)
		n += l->round[i].dev;
	return n;
}

static void report(const struct live *l)
{
	const struct mig_result *m = &l->res;
	const struct round *fin = &l->round[l->nround - 1];
	int i;

	printf("   source %s (on a dirty-tracking HWPT) -> destination %s, both bound to %s\n",
	       l->bdf[0], l->bdf[1], DRV);
	printf("   guest: %d queue pairs, %d jobs (AES-CBC/CTR, SHA-256, HMAC, copy), %u pages of DMA memory\n",
	       NQP, NJOBS, l->guest_pages);
	printf("   full copy of guest memory: %u pages in %.2f ms, tracking on, the guest running\n",
	       l->round[0].cpu, l->round[0].ms);
	printf("   %-8s %12s %9s %10s %8s\n", "round", "IOMMU-dirty", "SQ pages",
	       "jobs done", "ms");
	for (i = 1; i < l->nround; i++) {
		const struct round *r = &l->round[i];
		char name[16];

		snprintf(name, sizeof(name), "%d", i);
		printf("   %-8s %12u %9u %10u %8.2f\n",
		       i == l->nround - 1 ? "stopped" : name, r->dev, r->cpu,
		       r->done, r->ms);
	}
	printf("   device state: %zu bytes, %u SQEs in flight in it\n",
	       m->len, m->inflight);
	printf("   downtime %.2f ms: pause %.2f, save %.2f, last copy %.2f (%u pages), hand-over %.2f, load %.2f\n",
	       (m->running_at - m->paused_at) / 1e6,
	       (m->save_at - m->paused_at) / 1e6, m->save_ns / 1e6,
	       fin->ms, fin->dev + fin->cpu,
	       (m->load_at - m->save_at - m->save_ns) / 1e6 - fin->ms,
	       m->load_ns / 1e6);
	printf("   on the destination: %d of %d jobs done, %d wrong; %d of them ran on the\n"
	       "   source after the full copy: their outputs and CQEs came only through the\n"
	       "   dirty bitmaps\n",
	       l->g.ndone, NJOBS, l->wrong, via_bitmap(l));
}

static int lm_report(void)
{
	struct live l;
	int ret;

	memset(&l, 0, sizeof(l));
	ret = lm_setup(&l, acc_seed());
	if (!ret)
		ret = lm_migrate(&l);
	if (ret) {
		fprintf(stderr, "mig_live: %s: %s\n", l.step ? l.step : "?",
			strerror(-ret));
	} else {
		report(&l);
		if (l.wrong || !via_bitmap(&l))
			ret = -EBADMSG;
	}
	lm_teardown(&l);
	return ret ? 1 : 0;
}

FIXTURE(live) {
	struct live l;
};

FIXTURE_SETUP(live)
{
	int ret;

	memset(&self->l, 0, sizeof(self->l));
	ret = lm_setup(&self->l, acc_seed());
	if (ret == -ENODEV)
		SKIP(return, "needs two acc VFs");
	ASSERT_EQ(0, ret) TH_LOG("%s", self->l.step);
}

FIXTURE_TEARDOWN(live)
{
	lm_teardown(&self->l);
}

/*
 * A live migration with the guest running throughout: every job bit-exact
 * on the destination, and some of them could only be so through the bitmaps.
 */
TEST_F_TIMEOUT(live, migrate, 120)
{
	struct live *l = &self->l;
	const struct round *fin;

	ASSERT_EQ(0, lm_migrate(l)) TH_LOG("%s", l->step);
	fin = &l->round[l->nround - 1];
	ksft_print_msg("%d jobs, %d via the bitmaps; %d pages reported in %d rounds, %u at the stop; stream %zu bytes, %u in flight; downtime %.2f ms\n",
		       NJOBS, via_bitmap(l), dev_pages(l), l->nround - 1,
		       fin->dev, l->res.len, l->res.inflight,
		       (l->res.running_at - l->res.paused_at) / 1e6);
	ASSERT_EQ(NJOBS, l->g.ndone);
	ASSERT_EQ(0, l->wrong);
	/* the test is about memory the device wrote while the guest ran */
	ASSERT_LT(0, via_bitmap(l));
	/* the pause wrote the contexts back: the stopped read has them */
	ASSERT_LT(0, fin->dev);
	ASSERT_NE(0, bm_test(l->reg[0].bm, 0));	/* SQC table */
	ASSERT_NE(0, bm_test(l->reg[0].bm, 1));	/* CQC table */
}

/* The check above would see one page the bitmaps failed to name. */
TEST_F_TIMEOUT(live, lost_page, 120)
{
	struct live *l = &self->l;
	const struct mig_job *j;
	const uint8_t *out;

	l->lose = true;
	ASSERT_EQ(0, lm_migrate(l)) TH_LOG("%s", l->step);
	ASSERT_LE(0, l->lost_job);
	ksft_print_msg("dropped page %u: job %d\n", l->lost_page, l->lost_job);
	ASSERT_EQ(1, l->wrong);
	j = &l->g.jobs[l->lost_job];
	out = mig_slot(&l->g, l->lost_job) + MIG_DST;
	ASSERT_NE(0, memcmp(out, j->exp, j->op == ACC_OP_SHA256 ||
			    j->op == ACC_OP_HMAC_SHA256 ? 32 : j->len));
}

/* A file of /dev/kmsg at its end: what the kernel logs from now on. */
static int kmsg_from_now(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Records since the last call of a DMA remapping fault, of any device:
 * dmar_fault() logs "DRHD: handling fault status reg ..." and then one
 * "... Request device [BB:DD.F] fault addr ..." per fault record (the
 * emulated IOMMU sometimes leaves the second out).
 */
static int kmsg_dma_faults(int fd)
{
	char rec[8192];
	int hits = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n <= 0)
			break;
		rec[n] = 0;
		hits += strstr(rec, "DMAR: DRHD: handling fault") ||
			strstr(rec, "Request device [");
	}
	return hits;
}

/*
 * Closing the stopped source must not let it run: it holds doorbells rung
 * while paused (in the stream, run by the destination) and its memory is
 * unmapped, so it would fault. Nothing else does DMA meanwhile (the guest
 * is idle on the destination). A DMA fault made on purpose by the
 * destination then shows that the log would show one.
 */
TEST_F_TIMEOUT(live, source_closed, 120)
{
	struct live *l = &self->l;
	struct acc_sqe sqe = {
		.op = ACC_OP_COPY,
		.len = htole32(64),
		.src = htole64(ACC_IOVA_HOLE),
		.dst = htole64(ACC_IOVA_HOLE),
	};
	struct acc_cqe cqe;
	int kfd;

	ASSERT_EQ(0, lm_migrate(l)) TH_LOG("%s", l->step);
	ASSERT_EQ(0, l->wrong);
	ASSERT_LT(0, l->res.inflight);
	kfd = kmsg_from_now();
	ASSERT_LE(0, kfd);
	acc_vf_close(&l->a);
	l->a_open = false;
	usleep(300 * 1000);
	EXPECT_EQ(0, kmsg_dma_faults(kfd))
		TH_LOG("the closed source %s ran", l->bdf[0]);

	ASSERT_EQ(0, acc_qp_submit(&l->g.qp[0], &sqe, false));
	ASSERT_EQ(0, acc_qp_wait(&l->g.qp[0], &cqe, ACC_JOB_TIMEOUT_MS));
	EXPECT_NE(ACC_ST_OK, cqe.status);
	usleep(300 * 1000);
	EXPECT_LT(0, kmsg_dma_faults(kfd));
	close(kfd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--report"))
		return lm_report();
	return test_harness_run(argc, argv);
}
