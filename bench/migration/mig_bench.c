// SPDX-License-Identifier: GPL-2.0
/*
 * Migration benchmark of acc_vfio_pci (issue 3): the device's share of a
 * VM's downtime. The process is the guest and the VMM of
 * tests/migration/mig_util.h; it migrates a running workload back and forth
 * between two acc VFs and times, on each migration,
 *
 *   save  STOP -> STOP_COPY until the data fd's EOF (source)
 *   load  first byte written until RUNNING (destination)
 *
 * and, interleaved in the same loop, a memcpy() of 1 MiB of RAM between
 * two resident buffers (cache-warm: the fastest copy, hence the strictest
 * denominator). Twice: with one queue pair of the VF active, then with every
 * queue pair it has. On each migration each active queue pair has one job
 * run before the pause and one rung while paused (in flight in the stream);
 * every job is checked bit-exact against OpenSSL at the end, so the figures
 * come from migrations that worked.
 *
 *   mig_bench [-n RUNS] [-w WARMUP]     needs acc_qm, acc_vfio_pci, >= 2 VFs
 *
 * First a line of context (the medians of a get-state ioctl and of a BAR0
 * register read), then one line per case (bench/migration/run parses them):
 *   case qp_num Q active A runs N: stream B bytes (data_size D), in flight I
 *     | save us p10 .. p50 .. p90 .. | load us ... | memcpy1M us ...
 *     | ratio (save+load)/memcpy R
 */
#include <endian.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "mig_util.h"

#define DRV		"acc_vfio_pci"
#define COPY_SIZE	(1 << 20)

struct stats {
	double p10, p50, p90;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank p10/p90; the median of an even count is the mean of two. */
static struct stats stats_us(uint64_t *v, int n)
{
	struct stats s;

	qsort(v, n, sizeof(*v), cmp_u64);
	s.p10 = v[(n * 10 + 99) / 100 - 1] / 1000.0;
	s.p90 = v[(n * 90 + 99) / 100 - 1] / 1000.0;
	s.p50 = (n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) / 1000.0;
	return s;
}

static uint64_t time_copy(uint8_t *dst, const uint8_t *src)
{
	uint64_t t0 = mig_now_ns(), t;

	memcpy(dst, src, COPY_SIZE);
	/* The copy must happen before the second clock read. */
	__asm__ __volatile__("" : : "r"(dst) : "memory");
	t = mig_now_ns() - t0;
	return t;
}

struct bench {
	struct acc_vf vf[2];
	int runs, warmup;
	uint64_t *save, *load, *copy;
	uint8_t *cbuf[2];
	uint64_t seed;
};

static struct mig_result res;

/*
 * One case: a guest with nqp active queue pairs starts on vf[0] and moves
 * warmup + runs times between the two VFs. Both VFs are reset after.
 */
static int run_case(struct bench *b, int nqp)
{
	struct mig_opts o = { .submit_paused = nqp, .chunk = 4096 };
	int total = b->warmup + b->runs, i, ret, bad;
	struct mig_guest g;
	long dsize;
	size_t len = 0;
	uint32_t inflight = 0;
	struct stats s, l, c;

	ret = mig_guest_init(&g, &b->vf[0], nqp, 6, total * 2 * nqp,
			     b->seed + nqp);
	if (ret) {
		fprintf(stderr, "mig_bench: guest init (%d qps): %s\n", nqp,
			strerror(-ret));
		goto out;
	}
	dsize = mig_data_size(b->vf[0].devfd);
	for (i = 0; i < total; i++) {
		struct acc_vf *dst = &b->vf[(i + 1) % 2];
		uint64_t t;

		/* One job per queue runs, then one more each once paused. */
		ret = mig_guest_submit(&g, nqp);
		if (!ret)
			ret = mig_guest_wait(&g, 20000);
		if (ret) {
			fprintf(stderr, "mig_bench: jobs before run %d: %s\n",
				i, strerror(-ret));
			goto out;
		}
		ret = mig_guest_migrate(&g, dst, &o, &res);
		if (ret) {
			fprintf(stderr, "mig_bench: run %d failed at %s: %s\n",
				i, res.step, strerror(-ret));
			goto out;
		}
		ret = mig_guest_wait(&g, 20000);
		if (ret) {
			fprintf(stderr, "mig_bench: jobs after run %d: %s\n",
				i, strerror(-ret));
			goto out;
		}
		/* With the device idle, as the migration found it. */
		t = time_copy(b->cbuf[i & 1], b->cbuf[!(i & 1)]);
		if (i && res.len != len) {
			fprintf(stderr, "mig_bench: stream length changed: %zu then %zu\n",
				len, res.len);
			ret = -EPROTO;
			goto out;
		}
		len = res.len;
		if (i < b->warmup)
			continue;
		b->save[i - b->warmup] = res.save_ns;
		b->load[i - b->warmup] = res.load_ns;
		b->copy[i - b->warmup] = t;
		inflight = res.inflight;
	}
	bad = mig_guest_check(&g);
	if (bad || g.ndone != total * 2 * nqp) {
		fprintf(stderr, "mig_bench: %d of %d jobs wrong (%d done)\n",
			bad, g.nsub, g.ndone);
		ret = -EBADMSG;
		goto out;
	}
	s = stats_us(b->save, b->runs);
	l = stats_us(b->load, b->runs);
	c = stats_us(b->copy, b->runs);
	printf("case qp_num %u active %d runs %d: stream %zu bytes (data_size %ld), in flight %u"
	       " | save us p10 %.1f p50 %.1f p90 %.1f"
	       " | load us p10 %.1f p50 %.1f p90 %.1f"
	       " | memcpy1M us p10 %.1f p50 %.1f p90 %.1f"
	       " | ratio (save+load)/memcpy %.3f\n",
	       b->vf[0].qp_num, nqp, b->runs, len, dsize, inflight,
	       s.p10, s.p50, s.p90, l.p10, l.p50, l.p90, c.p10, c.p50, c.p90,
	       (s.p50 + l.p50) / c.p50);
	fflush(stdout);
out:
	mig_guest_fini(&g);
	for (i = 0; i < 2; i++) {
		int r = acc_vf_reset(&b->vf[i]);

		if (!ret && r)
			ret = r;
	}
	return ret;
}

int main(int argc, char **argv)
{
	static struct bench b = { .runs = 100, .warmup = 2 };
	char bdf[2][16];
	int opt, i, ret, n;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		switch (opt) {
		case 'n':
			b.runs = atoi(optarg);
			break;
		case 'w':
			b.warmup = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n RUNS] [-w WARMUP]\n",
				argv[0]);
			return 2;
		}
	}
	if (b.runs < 1 || b.warmup < 0) {
		fprintf(stderr, "mig_bench: bad -n or -w\n");
		return 2;
	}
	b.seed = acc_seed();
	b.save = calloc(b.runs, sizeof(uint64_t));
	b.load = calloc(b.runs, sizeof(uint64_t));
	b.copy = calloc(b.runs, sizeof(uint64_t));
	for (i = 0; i < 2; i++) {
		b.cbuf[i] = aligned_alloc(4096, COPY_SIZE);
		if (b.cbuf[i])
			memset(b.cbuf[i], 0x11 * (i + 1), COPY_SIZE);
	}
	if (!b.save || !b.load || !b.copy || !b.cbuf[0] || !b.cbuf[1]) {
		fprintf(stderr, "mig_bench: out of memory\n");
		return 1;
	}

	n = acc_find_vfs(bdf, 2);
	if (n < 2) {
		fprintf(stderr, "mig_bench: needs two acc VFs (found %d)\n", n);
		return 1;
	}
	for (i = 0; i < 2; i++) {
		b.vf[i].devfd = b.vf[i].iommufd = -1;
		ret = acc_pci_bind(bdf[i], DRV);
		if (!ret)
			ret = acc_vf_open(&b.vf[i], bdf[i], NULL);
		if (ret) {
			fprintf(stderr, "mig_bench: %s on %s: %s\n", bdf[i],
				DRV, strerror(-ret));
			return 1;
		}
	}
	printf("vfs %s %s: qp_num %u, depth_max_log2 %u; %d runs after %d warm-up\n",
	       bdf[0], bdf[1], b.vf[0].qp_num, b.vf[0].depth_max_log2, b.runs,
	       b.warmup);
	if (b.vf[0].qp_num != b.vf[1].qp_num ||
	    b.vf[0].qp_num > MIG_MAX_QPS) {
		fprintf(stderr, "mig_bench: the VFs need the same allotment of at most %d QPs\n",
			MIG_MAX_QPS);
		return 1;
	}

	/*
	 * Context for the figures: the cost of one VFIO feature ioctl that
	 * touches no hardware (GET of the state) and of one BAR0 register
	 * read (an MMIO exit to the device model), medians of RUNS.
	 */
	{
		struct stats si, sr;

		for (i = 0; i < b.runs; i++) {
			uint64_t t0 = mig_now_ns();

			if (mig_get(b.vf[0].devfd) != MS(RUNNING)) {
				fprintf(stderr, "mig_bench: VF not RUNNING\n");
				return 1;
			}
			b.save[i] = mig_now_ns() - t0;
			t0 = mig_now_ns();
			(void)acc_rd(&b.vf[0], ACC_REG_QP_NUM);
			b.load[i] = mig_now_ns() - t0;
		}
		si = stats_us(b.save, b.runs);
		sr = stats_us(b.load, b.runs);
		printf("floor: get-state ioctl us p50 %.1f, BAR0 register read us p50 %.1f\n",
		       si.p50, sr.p50);
	}

	ret = run_case(&b, 1);
	if (!ret && b.vf[0].qp_num > 1)
		ret = run_case(&b, b.vf[0].qp_num);
	for (i = 0; i < 2; i++)
		acc_vf_close(&b.vf[i]);
	return ret ? 1 : 0;
}
