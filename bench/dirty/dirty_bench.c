// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-tracking benchmark, run in L1 by bench/dirty/run.
 *
 * An acc VF (libacc, vfio-pci) is attached to a HWPT allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING. A buffer of BUF bytes (anonymous 4 KiB
 * pages, or 2 MiB hugetlb pages) is mapped at 1 GiB-aligned IOVAs, MAP
 * bytes in all: mappings beyond BUF alias the same physical pages
 * (iommufd allows the same user memory in several IOAS mappings), so a
 * 4 GiB mapping costs 1 GiB of L1 memory. The VF dirties 100% or 1% of
 * the mapped IOPTEs (big COPY jobs for 100% of 4 KiB IOPTEs, 64-byte
 * writes through dst SGLs otherwise), then one GET_DIRTY_BITMAP
 * (read-and-clear, 4 KiB bitmap granularity) over the whole mapping is
 * timed. The floor: one plain read pass over the same page-table bytes,
 * made by acc_ptfloor.ko (bench/dirty/ptfloor/, loaded by bench/dirty/run)
 * in a write(2) to /sys/kernel/debug/acc_ptfloor (the VF selected once),
 * timed around the call as the harvest's ioctl is; a read of that file
 * says how many entries the pass loaded, and the first pass of each row
 * must have loaded every entry of the range. Each repetition makes it
 * beside the harvest, before it in even repetitions and after it in odd
 * ones, since the first of the two reads the lines the device has just
 * written (the D bits) cold, and under TCG the code that runs first after
 * the device's work is cold too. The ratio compares like with like: the
 * harvest when it came first against the floor when it came first, and
 * the same for second (ratios of medians, printed beside it); the ratio
 * is their geometric mean. (The median of the per-repetition ratios, used
 * before and printed too, mixes the two orders: with an even count it
 * picks the lower end of the higher one.) The times are medians. For
 * comparison with earlier runs, a userspace read pass (eight 64-bit loads
 * per iteration) over a buffer of as many bytes, just before, is printed
 * as "buffer".
 *
 * The bound: a read that clears a dirty entry must walk the range and
 * flush the IOTLB over it, so it cannot cost less than acc_ptfloor's pass
 * followed by that flush ("floor+flush", one write(2), whose fixed cost is
 * below the ioctl's). After the clean read, the VF dirties the mapping
 * again and floor+flush takes the harvest's place in the same protocol
 * beside floor passes of its own; "fratio" is its ratio, computed as the
 * harvest's: the least ratio that a harvest could show in this lab (from
 * other samples, so the two can cross in a run by the noise). Under TCG,
 * the flush costs several times more when it is the first after the
 * device's work than right after another flush, since its path is cold;
 * the protocol measures it as the harvest meets it.
 *
 * Then VF DMA throughput: 16 MiB COPY jobs into a 256 MiB window of the
 * 4 KiB mapping with tracking on (the D bits cleared by a harvest before
 * each pass, so every page's first write sets D) vs off.
 *
 * With -l N, for profiling (bench/dirty/profile) instead: N times, the VF
 * dirties PCT% of a MAP MiB mapping of IOPTE-sized IOPTEs and one harvest
 * reads it; the median and mean harvest times are printed. PCT is 100, 1
 * or 0 (nothing dirtied: the cost of a clean read, to subtract). MAP may
 * be less than the buffer there, a multiple of 2 MiB. With -e, after each
 * harvest the VF dirties the mapping again and a harvest of the mapping
 * less its first and its last 4 KiB page follows: a read that starts and
 * ends inside a leaf table (4 KiB IOPTEs), as one of guest RAM split
 * around a hole does. Its median and the median of its excess over the
 * aligned harvest just before it are printed: the cost of a read's edges,
 * side by side. (Not with 2 MiB IOPTEs: a read that covers part of a
 * dirty large page fails with EPROTO, by design.)
 *
 * With -l N -s, each time the VF has dirtied the mapping, four reads split
 * a harvest's cost: with IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, first
 * (cold: the first read after the device's writes) and again (warm); then
 * the read that clears the D bits and flushes the IOTLB; then a clean
 * read; then acc_ptfloor's pass over the range, the pass with the flush
 * (floor+flush, warm here: after the clearing read's flush), and, for the
 * fixed costs of the two paths, the pass and a clean read over the first
 * 4 KiB. Their medians are printed: cold - warm is the cost of coming
 * first, clearing - warm that of the clear and the flush, warm - clean
 * that of recording the bits. -s needs acc_ptfloor.ko.
 *
 *   dirty_bench [-b BUF_MIB] [-r REPS]
 *   dirty_bench -l N [-s | -e] [-i 4K|2M] [-m MAP_MIB] [-d 100|1|0]
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accdev.h"
#include "dirty_util.h"

#define GIB		(1ULL << 30)
#define MIB		(1ULL << 20)
#define HUGE		(2 * MIB)
#define IOVA_4K		(4 * GIB)	/* 4 KiB-backed mappings: 4..8 GiB */
#define IOVA_2M		(12 * GIB)	/* 2 MiB-backed mappings: 12..16 GiB */
#define SRC_IOVA	(2 * GIB)
#define SRC_SIZE	(16 * MIB)
#define SGL_IOVA	(3 * GIB)
#define SGL_N		256

static struct acc_vf vf;
static struct acc_qp qp;
static struct acc_dma sgl;
static int reps = 8;	/* as bench/dirty/run: half for each order */

static void die(const char *what, int err)
{
	fprintf(stderr, "dirty_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void run(struct acc_sqe *s)
{
	struct acc_cqe cqe;
	int ret = acc_qp_submit(&qp, s, false);

	if (!ret)
		ret = acc_qp_wait(&qp, &cqe, 60000);
	if (ret)
		die("job", ret);
	if (cqe.status != ACC_ST_OK)
		die("job status", EIO);
	acc_eq_drain(&vf);
}

static void copy_job(uint64_t dst, uint32_t len)
{
	struct acc_sqe s;

	memset(&s, 0, sizeof(s));
	s.op = ACC_OP_COPY;
	s.len = htole32(len);
	s.src = htole64(SRC_IOVA);
	s.dst = htole64(dst);
	run(&s);
}

/* 64-byte writes at iova, iova + stride, ... (n of them). */
static void sparse_writes(uint64_t iova, uint64_t stride, uint64_t n)
{
	struct acc_sge *t = sgl.va;

	while (n) {
		unsigned int k = n < SGL_N ? n : SGL_N, i;
		struct acc_sqe s;

		for (i = 0; i < k; i++) {
			t[i].addr = htole64(iova + i * stride);
			t[i].len = htole32(64);
			t[i].rsvd = 0;
		}
		memset(&s, 0, sizeof(s));
		s.op = ACC_OP_COPY;
		s.flags = ACC_SQE_F_DST_SGL;
		s.len = htole32(k * 64);
		s.src = htole64(SRC_IOVA);
		s.dst = htole64(sgl.iova);
		s.dst_nents = htole16(k);
		run(&s);
		iova += k * stride;
		n -= k;
	}
}

/* Dirty pct% of the IOPTEs of [iova, iova + len) (iopte bytes each). */
static void dirty(uint64_t iova, uint64_t len, uint64_t iopte, int pct)
{
	uint64_t off;

	if (!pct)
		return;
	if (pct == 100 && iopte == DPAGE) {
		for (off = 0; off < len; off += SRC_SIZE)
			copy_job(iova + off, SRC_SIZE);
		return;
	}
	if (pct == 100)
		sparse_writes(iova, iopte, len / iopte);
	else
		sparse_writes(iova, iopte * 100, (len / iopte + 99) / 100);
}

static uint64_t *bitmap;

/* One read over [iova, iova + len), with GET_DIRTY_BITMAP flags; seconds */
static double harvest_flags(uint64_t iova, uint64_t len, size_t *bits,
			    uint32_t flags)
{
	uint64_t npages = len / DPAGE;
	double t;
	int ret;

	memset(bitmap, 0, BM_WORDS(npages) * 8);
	t = now_s();
	ret = dirty_get(vf.iommufd, vf.hwpt_id, iova, npages, DPAGE, flags,
			bitmap);
	t = now_s() - t;
	if (ret)
		die("GET_DIRTY_BITMAP", ret);
	if (bits) {
		size_t i, n = 0;

		for (i = 0; i < BM_WORDS(npages); i++)
			n += __builtin_popcountll(bitmap[i]);
		*bits = n;
	}
	return t;
}

/* One read-and-clear over [iova, iova + len); returns seconds, *bits. */
static double harvest(uint64_t iova, uint64_t len, size_t *bits)
{
	return harvest_flags(iova, len, bits, 0);
}

static volatile uint64_t sink;
static int ptfloor_fd = -1;

/*
 * One read pass over the page table mapping [iova, iova + len), and with
 * flush the IOTLB flush of the range that a read clearing D bits across it
 * makes; seconds.
 */
static double ptfloor_op(uint64_t iova, uint64_t len, bool flush)
{
	char cmd[80];
	int n = snprintf(cmd, sizeof(cmd), "%llx %llx%s",
			 (unsigned long long)iova, (unsigned long long)len,
			 flush ? " flush" : "");
	double t = now_s();

	if (write(ptfloor_fd, cmd, n) != n)
		die("acc_ptfloor", errno);
	return now_s() - t;
}

static double floor_pt(uint64_t iova, uint64_t len)
{
	return ptfloor_op(iova, len, false);
}

/* The least a read that clears a dirty entry costs: the pass and the flush */
static double floor_flush(uint64_t iova, uint64_t len)
{
	return ptfloor_op(iova, len, true);
}

/*
 * The floor must have read the whole range: every leaf of [iova, iova +
 * len), mapped by IOPTEs of iopte bytes from a 1 GiB-aligned iova, and
 * the entries above them (one per 2 MiB below 4 KiB leaves, one per GiB,
 * and the root's).
 */
static void floor_check(uint64_t len, uint64_t iopte)
{
	uint64_t leaves = len / iopte, above = len / GIB + 2;
	unsigned long long got;
	char buf[32];
	ssize_t n;

	if (iopte == DPAGE)
		above += len / HUGE;
	n = pread(ptfloor_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		die("acc_ptfloor: read", n < 0 ? errno : EIO);
	buf[n] = '\0';
	got = strtoull(buf, NULL, 10);
	if (got < leaves || got > leaves + above) {
		fprintf(stderr, "dirty_bench: the floor read %llu entries, not %llu leaves and at most %llu above\n",
			got, (unsigned long long)leaves,
			(unsigned long long)above);
		exit(1);
	}
}

/* A buffer of bytes of memory for the buffer read pass, filled once */
static uint64_t *floor_alloc(size_t bytes)
{
	uint64_t *p = malloc(bytes);
	size_t i;

	if (!p)
		die("malloc", ENOMEM);
	for (i = 0; i < bytes / 8; i++)
		p[i] = i * 0x9e3779b97f4a7c15ULL;
	return p;
}

/*
 * One plain read pass over bytes at p (a multiple of 64): 64-bit loads,
 * summed, a cache line of them per iteration as the kernel's scan of a
 * table of leaves does; seconds. The floor of runs before acc_ptfloor.
 */
static double floor_pass(const uint64_t *p, size_t bytes)
{
	const volatile uint64_t *v = p;
	size_t n = bytes / 8, i;
	uint64_t sum = 0;
	double t = now_s();

	for (i = 0; i < n; i += 8)
		sum += v[i] + v[i + 1] + v[i + 2] + v[i + 3] +
		       v[i + 4] + v[i + 5] + v[i + 6] + v[i + 7];
	t = now_s() - t;
	sink = sum;
	return t;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n values at v (the upper one for even n); sorts v */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_d);
	return v[n / 2];
}

/*
 * Ratios of x, a timed read, to f, its floor pass, over the repetitions of
 * a row: x came first after the VF's writes in odd repetitions, f in even
 * ones. r[1]: x first against f first, r[2]: x second against f second,
 * each a ratio of medians; r[0], the ratio, their geometric mean; r[3]:
 * the median of the per-repetition ratios, which mixes the two orders.
 */
static void order_ratios(const double *x, const double *f, double r[4])
{
	double a[8], b[8], c[8], d[8], per[16];
	int k, n = reps / 2;

	for (k = 0; k < reps; k++)
		per[k] = x[k] / f[k];
	for (k = 0; k < n; k++) {
		a[k] = x[2 * k + 1];
		b[k] = f[2 * k];
		c[k] = x[2 * k];
		d[k] = f[2 * k + 1];
	}
	r[1] = median(a, n) / median(b, n);
	r[2] = median(c, n) / median(d, n);
	r[0] = sqrt(r[1] * r[2]);
	r[3] = median(per, reps);
}

/*
 * Repetition r of a row: the harvest (*bits: the bits it found), or with
 * bound the pass and the flush in its place, timed side by side with a
 * floor pass that comes first in even repetitions and second in odd ones,
 * as order_ratios() pairs them. Returns the read's seconds and stores the
 * floor pass's in *floor.
 */
static double beside_floor(int r, uint64_t base, uint64_t len, bool bound,
			   size_t *bits, double *floor)
{
	double t;

	if (r % 2 == 0)
		*floor = floor_pt(base, len);
	t = bound ? floor_flush(base, len) : harvest(base, len, bits);
	if (r % 2)
		*floor = floor_pt(base, len);
	return t;
}

static void map_aliases(void *buf, size_t bufsz, uint64_t base, uint64_t len)
{
	uint64_t off;
	int ret;

	for (off = 0; off < len; off += bufsz) {
		ret = acc_ioas_map(&vf, buf, len < bufsz ? len : bufsz,
				   base + off);
		if (ret)
			die("IOAS_MAP", ret);
	}
}

static void unmap_all(uint64_t base, uint64_t len)
{
	int ret = acc_ioas_unmap(&vf, base, len);

	if (ret)
		die("IOAS_UNMAP", ret);
}

/* The IOPTE size backing base: how many 4 KiB bits one 64-byte write sets. */
static uint64_t probe_iopte(uint64_t base)
{
	size_t bits;

	harvest(base, HUGE, NULL);
	sparse_writes(base, DPAGE, 1);
	harvest(base, HUGE, &bits);
	return bits * DPAGE;
}

static void bench_harvest(const char *kind, void *buf, size_t bufsz,
			  uint64_t base, uint64_t iopte)
{
	static const uint64_t sizes[] = { 1 * GIB, 4 * GIB };
	static const int pcts[] = { 100, 1 };
	unsigned int si, pi;
	int r;

	for (si = 0; si < 2; si++) {
		uint64_t len = sizes[si];
		size_t ptbytes = len / iopte * 8;
		uint64_t *fbuf = floor_alloc(ptbytes);
		uint64_t real;

		map_aliases(buf, bufsz, base, len);
		real = probe_iopte(base);
		for (pi = 0; pi < 2; pi++) {
			double t[16], td = 0, tc[16], fl[16], ffl[16];
			double fb[16], bratio[16], ff[16], ratio[4], fratio[4];
			double tm;
			size_t bits = 0, cbits = 0;

			for (r = 0; r < reps; r++) {
				harvest(base, len, NULL);
				td -= now_s();
				dirty(base, len, iopte, pcts[pi]);
				td += now_s();
				fb[r] = floor_pass(fbuf, ptbytes);
				t[r] = beside_floor(r, base, len, false, &bits,
						    &fl[r]);
				if (!r)
					floor_check(len, iopte);
				tc[r] = harvest(base, len, &cbits);
				/*
				 * The bound: the same protocol, with the pass
				 * and the flush in place of the harvest.
				 */
				dirty(base, len, iopte, pcts[pi]);
				ff[r] = beside_floor(r, base, len, true, NULL,
						     &ffl[r]);
				bratio[r] = t[r] / fb[r];
			}
			order_ratios(t, fl, ratio);
			order_ratios(ff, ffl, fratio);
			tm = median(t, reps);
			printf("harvest %-3s IOPTE %4s map %4llu MiB dirty %3d%%: %9.3f ms (%8.3f ms/GiB) floor %8.3f ms ratio %6.2f (first %.2f, second %.2f; per-rep median %.2f) | floor+flush %8.3f ms fratio %5.2f (first %.2f, second %.2f) | buffer %8.3f ms bratio %6.2f | clean %9.3f ms | bits %zu, %zu after | dirtying took %.1f s/rep\n",
			       kind, real == iopte ? (iopte == DPAGE ? "4K" : "2M") : "??",
			       (unsigned long long)(len / MIB), pcts[pi],
			       tm * 1e3, tm * 1e3 / (len / GIB),
			       median(fl, reps) * 1e3, ratio[0], ratio[1],
			       ratio[2], ratio[3], median(ff, reps) * 1e3,
			       fratio[0], fratio[1], fratio[2],
			       median(fb, reps) * 1e3,
			       median(bratio, reps), median(tc, reps) * 1e3,
			       bits, cbits, td / reps);
			if (real != iopte)
				printf("  (IOPTE probe: one write dirtied %llu bytes)\n",
				       (unsigned long long)real);
		}
		fflush(stdout);
		unmap_all(base, len);
		free(fbuf);
	}
}

/* VF COPY throughput into [base, base + 256 MiB), tracking on vs off. */
static void bench_dma(uint64_t base)
{
	const uint64_t win = 256 * MIB;
	double on[16], off[16], onset[16];
	uint64_t o;
	int r, ret;

	for (r = 0; r < reps; r++) {
		double t;

		/* on, D bits clear before the pass */
		harvest(base, win, NULL);
		t = now_s();
		for (o = 0; o < win; o += SRC_SIZE)
			copy_job(base + o, SRC_SIZE);
		on[r] = win / (now_s() - t) / MIB;
		/* on, D bits already set */
		t = now_s();
		for (o = 0; o < win; o += SRC_SIZE)
			copy_job(base + o, SRC_SIZE);
		onset[r] = win / (now_s() - t) / MIB;
		/* off */
		ret = dirty_set_tracking(vf.iommufd, vf.hwpt_id, false);
		if (ret)
			die("tracking off", ret);
		t = now_s();
		for (o = 0; o < win; o += SRC_SIZE)
			copy_job(base + o, SRC_SIZE);
		off[r] = win / (now_s() - t) / MIB;
		ret = dirty_set_tracking(vf.iommufd, vf.hwpt_id, true);
		if (ret)
			die("tracking on", ret);
	}
	qsort(on, reps, sizeof(on[0]), cmp_d);
	qsort(onset, reps, sizeof(onset[0]), cmp_d);
	qsort(off, reps, sizeof(off[0]), cmp_d);
	printf("dma COPY 16 MiB jobs, 256 MiB per pass: tracking on (D clear) %.1f MiB/s, on (D set) %.1f MiB/s, off %.1f MiB/s; on/off %.3f\n",
	       on[reps / 2], onset[reps / 2], off[reps / 2],
	       on[reps / 2] / off[reps / 2]);
}

/* bytes of 2 MiB hugetlb pages, populated, the pool grown for them */
static void *hugetlb_buf(size_t bytes)
{
	int ret = dirty_hugetlb_reserve(bytes / HUGE + 8);
	void *p;

	if (ret)
		fprintf(stderr, "dirty_bench: nr_hugepages: %s\n", strerror(-ret));
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		 -1, 0);
	if (p == MAP_FAILED)
		die("mmap hugetlb", errno);
	return p;
}

/*
 * -l: n times, dirty pct% of [base, base + len) and harvest it (-s: split;
 * -e: then dirty it again and harvest all but its first and last 4 KiB)
 */
static void loop_harvest(void *buf, size_t bufsz, uint64_t base,
			 uint64_t iopte, uint64_t len, int pct, int n,
			 bool split, bool edges)
{
	static const uint32_t no_clear = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	/*
	 * columns of n times each: t (the harvests) first, then -s's seven,
	 * then -e's harvests and their excess over t's
	 */
	enum { COLS = 10 };
	double *t = calloc(n * COLS, sizeof(*t)), sum = 0;
	double *cold = t + n, *warm = t + 2 * n, *clean = t + 3 * n;
	double *fl = t + 4 * n, *fl1 = t + 5 * n, *clean1 = t + 6 * n;
	double *ff = t + 7 * n, *te = t + 8 * n, *de = t + 9 * n;
	const char *kind = iopte == DPAGE ? "4K" : "2M";
	int i;

	if (!t)
		die("calloc", ENOMEM);
	map_aliases(buf, bufsz, base, len);
	if (probe_iopte(base) != iopte)
		die("IOPTE probe: not the IOPTE size asked for", EINVAL);
	for (i = 0; i < n; i++) {
		dirty(base, len, iopte, pct);
		if (split) {
			cold[i] = harvest_flags(base, len, NULL, no_clear);
			warm[i] = harvest_flags(base, len, NULL, no_clear);
		}
		t[i] = harvest(base, len, NULL);
		if (edges) {
			dirty(base, len, iopte, pct);
			te[i] = harvest(base + DPAGE, len - 2 * DPAGE, NULL);
			de[i] = te[i] - t[i];
		}
		if (split) {
			clean[i] = harvest(base, len, NULL);
			fl[i] = floor_pt(base, len);
			if (!i)
				floor_check(len, iopte);
			ff[i] = floor_flush(base, len);
			fl1[i] = floor_pt(base, DPAGE);
			clean1[i] = harvest(base, DPAGE, NULL);
		}
		sum += t[i];
	}
	/* each column on its own, for its median */
	for (i = 0; i < COLS; i++)
		qsort(t + i * n, n, sizeof(t[0]), cmp_d);
	printf("loop %s IOPTE map %llu MiB dirty %d%%: %d harvests, median %.1f us, mean %.1f us\n",
	       kind, (unsigned long long)(len / MIB), pct, n, t[n / 2] * 1e6,
	       sum / n * 1e6);
	if (edges)
		printf("edges %s IOPTE map %llu MiB dirty %d%%: each 4 KiB in, median %.1f us; median excess over the aligned harvest before it %.1f us\n",
		       kind, (unsigned long long)(len / MIB), pct,
		       te[n / 2] * 1e6, de[n / 2] * 1e6);
	if (split) {
		printf("split %s IOPTE map %llu MiB dirty %d%%: medians, us: no-clear first %.1f, no-clear again %.1f, clearing %.1f, clean %.1f, floor %.1f, floor+flush %.1f | 4 KiB: floor %.1f, clean %.1f\n",
		       kind, (unsigned long long)(len / MIB), pct,
		       cold[n / 2] * 1e6, warm[n / 2] * 1e6, t[n / 2] * 1e6,
		       clean[n / 2] * 1e6, fl[n / 2] * 1e6, ff[n / 2] * 1e6,
		       fl1[n / 2] * 1e6,
		       clean1[n / 2] * 1e6);
	}
	unmap_all(base, len);
	free(t);
}

int main(int argc, char **argv)
{
	struct acc_vf_opts o = {
		.iommufd = -1,
		.alloc_hwpt = true,
		.hwpt_flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	char vfs[ACC_MAX_VFS][16];
	uint64_t iopte = DPAGE, maplen = GIB;
	int c, ret, loops = 0, pct = 100;
	bool split = false, edges = false;
	size_t bufsz = GIB;
	struct acc_dma src;
	void *buf, *hbuf;

	while ((c = getopt(argc, argv, "b:r:l:sei:m:d:")) != -1) {
		if (c == 'b')
			bufsz = strtoull(optarg, NULL, 0) * MIB;
		else if (c == 'r')
			reps = atoi(optarg);
		else if (c == 'l')
			loops = atoi(optarg);
		else if (c == 's')
			split = true;
		else if (c == 'e')
			edges = true;
		else if (c == 'i')
			iopte = !strcmp(optarg, "4K") ? DPAGE :
				!strcmp(optarg, "2M") ? HUGE : 0;
		else if (c == 'm')
			maplen = strtoull(optarg, NULL, 0) * MIB;
		else if (c == 'd')
			pct = atoi(optarg);
		else
			loops = -1;
	}
	if (reps < 2 || reps > 16 || bufsz % GIB || loops < 0 || !iopte ||
	    !maplen || maplen > 4 * GIB ||
	    (maplen % bufsz && !(loops && maplen < bufsz && !(maplen % HUGE))) ||
	    (pct != 100 && pct != 1 && (pct || !loops)) || (split && !loops) ||
	    (edges && (!loops || split || iopte != DPAGE)))
		die("usage: [-b MiB (multiple of 1024)] [-r 2..16] | -l N [-s | -e (4K only)] [-i 4K|2M] [-m MiB (multiple of -b, <= 4096; with -l, also a multiple of 2 below -b)] [-d 100|1|0]",
		    EINVAL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (acc_find_vfs(vfs, ACC_MAX_VFS) <= 0)
		die("no acc VF", ENODEV);
	/* The floor, for the benchmark's figures */
	if (!loops || split) {
		ptfloor_fd = open("/sys/kernel/debug/acc_ptfloor", O_RDWR);
		if (ptfloor_fd < 0)
			die("/sys/kernel/debug/acc_ptfloor (insmod acc_ptfloor.ko)",
			    errno);
		if (write(ptfloor_fd, vfs[0], strlen(vfs[0])) < 0)
			die("acc_ptfloor: select the VF", errno);
	}
	ret = acc_pci_bind(vfs[0], "vfio-pci");
	if (ret)
		die("bind vfio-pci", ret);
	ret = acc_vf_open(&vf, vfs[0], &o);
	if (!ret)
		ret = acc_qm_init(&vf, 0);
	if (!ret)
		ret = acc_qp_create(&vf, &qp, 0, 6, false);
	if (!ret)
		ret = acc_dma_alloc(&vf, &src, SRC_SIZE, SRC_IOVA);
	if (!ret)
		ret = acc_dma_alloc(&vf, &sgl, SGL_N * sizeof(struct acc_sge),
				    SGL_IOVA);
	if (!ret)
		ret = dirty_set_tracking(vf.iommufd, vf.hwpt_id, true);
	if (ret)
		die("VF setup", ret);
	bitmap = malloc(BM_WORDS(4 * GIB / DPAGE) * 8);

	if (loops && iopte == HUGE) {
		hbuf = hugetlb_buf(bufsz);
		loop_harvest(hbuf, bufsz, IOVA_2M, HUGE, maplen, pct, loops,
			     split, edges);
		return 0;
	}
	buf = mmap(NULL, bufsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap", errno);
	madvise(buf, bufsz, MADV_NOHUGEPAGE);
	if (loops) {
		loop_harvest(buf, bufsz, IOVA_4K, DPAGE, maplen, pct, loops,
			     split, edges);
		return 0;
	}
	printf("# VF %s, buffer %llu MiB, %d reps (median)\n", vfs[0],
	       (unsigned long long)(bufsz / MIB), reps);
	bench_harvest("4K", buf, bufsz, IOVA_4K, DPAGE);

	map_aliases(buf, bufsz, IOVA_4K, bufsz);
	bench_dma(IOVA_4K);
	unmap_all(IOVA_4K, bufsz);
	munmap(buf, bufsz);

	hbuf = hugetlb_buf(bufsz);
	bench_harvest("2M", hbuf, bufsz, IOVA_2M, HUGE);
	munmap(hbuf, bufsz);

	acc_qp_destroy(&qp);
	acc_vf_close(&vf);
	return 0;
}
