// SPDX-License-Identifier: GPL-2.0
/*
 * Migration kselftests of acc_vfio_pci with a workload (issue 3): the
 * process is the guest (a libacc driver of the VF, tests/lib) and the VMM
 * (device state through the VFIO migration data fd, guest memory copied
 * into the destination's IOAS at the same IOVAs: mig_util.h).
 *
 *   mig_test [harness options]     needs acc_qm, acc_vfio_pci, >= 2 VFs
 *
 * Environment: ACC_SEED=N replays a run; MIG_FUZZ_ITERS=N sizes the fuzz
 * loop (default 10000, the minimum the issue asks for).
 *
 * Binds the first two acc VFs to acc_vfio_pci (driver_override).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "kcompat.h"
#include "../../drivers/vfio/pci/acc/stream.h"
#include "mig_util.h"
#include "mig_stream.h"

#include "kselftest_harness.h"

#define DRV		"acc_vfio_pci"
#define BUF_MAX		65536

static int open_pair(char (*bdf)[16], struct acc_vf *a, struct acc_vf *b)
{
	int n = acc_find_vfs(bdf, 2), ret;

	if (n < 2)
		return -ENODEV;
	ret = acc_pci_bind(bdf[0], DRV);
	if (!ret)
		ret = acc_pci_bind(bdf[1], DRV);
	if (!ret)
		ret = acc_vf_open(a, bdf[0], NULL);
	if (!ret && b)
		ret = acc_vf_open(b, bdf[1], NULL);
	return ret;
}

/* The guest still computes correctly on vf: a fresh QM and one of each op. */
static int fresh_jobs(struct acc_vf *vf, uint64_t seed)
{
	struct mig_guest g;
	int ret;

	ret = mig_guest_init(&g, vf, 1, 6, 12, seed);
	if (!ret)
		ret = mig_guest_submit(&g, 12);
	if (!ret)
		ret = mig_guest_wait(&g, 10000);
	if (!ret && mig_guest_check(&g))
		ret = -EBADMSG;
	mig_guest_fini(&g);
	return ret;
}

/* ------------------------------------------------------------ fixture */
struct pair {
	char bdf[2][16];
	struct acc_vf a, b;
	uint64_t seed;
	bool ok;
};

static int pair_setup(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	p->a.devfd = p->b.devfd = -1;
	p->a.iommufd = p->b.iommufd = -1;
	p->seed = acc_seed();
	return open_pair(p->bdf, &p->a, &p->b);
}

static void pair_teardown(struct pair *p)
{
	if (!p->ok)
		return;
	acc_vf_close(&p->a);
	acc_vf_close(&p->b);
}

FIXTURE(mig) {
	struct pair p;
	struct acc_vf *a, *b;
	uint64_t seed;
};

FIXTURE_SETUP(mig)
{
	int ret = pair_setup(&self->p);

	self->a = &self->p.a;
	self->b = &self->p.b;
	self->seed = self->p.seed;
	if (ret == -ENODEV)
		SKIP(return, "needs two acc VFs");
	ASSERT_EQ(0, ret);
	self->p.ok = true;
}

FIXTURE_TEARDOWN(mig)
{
	pair_teardown(&self->p);
}

/* A "NAME: value" line of the VF's debugfs state file; -1 if none. */
static long dbg_state(const char *bdf, const char *name)
{
	char path[128], buf[1024], *line;
	size_t len = strlen(name);

	mig_debugfs_path(path, sizeof(path), bdf, "state");
	if (acc_read_file(path, buf, sizeof(buf)))
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, name, len) && line[len] == ':')
			return strtol(line + len + 1, NULL, 10);
	return -1;
}

/*
 * 1. A -> B with jobs in flight at STOP, the workload continues on B, then
 * B -> A in the same open: every job bit-exact against OpenSSL.
 */
FIXTURE(chain) {
	struct pair p;
	struct acc_vf *a, *b;
	uint64_t seed;
};

FIXTURE_SETUP(chain)
{
	int ret = pair_setup(&self->p);

	self->a = &self->p.a;
	self->b = &self->p.b;
	self->seed = self->p.seed;
	if (ret == -ENODEV)
		SKIP(return, "needs two acc VFs");
	ASSERT_EQ(0, ret);
	self->p.ok = true;
}

FIXTURE_TEARDOWN(chain)
{
	pair_teardown(&self->p);
}

FIXTURE_VARIANT(chain) {
	bool precopy;
	size_t chunk;
};

FIXTURE_VARIANT_ADD(chain, stop) {
	.precopy = false, .chunk = 4096,
};

FIXTURE_VARIANT_ADD(chain, precopy) {
	.precopy = true, .chunk = 7,
};

TEST_F_TIMEOUT(chain, a_to_b_to_a_with_jobs, 120)
{
	struct mig_opts o = {
		.precopy = variant->precopy, .chunk = variant->chunk,
	};
	static struct mig_result r;
	struct mig_guest g;
	int nqp = self->a->qp_num < 4 ? self->a->qp_num : 4;
	int n = 600;

	ASSERT_EQ(0, mig_guest_init(&g, self->a, nqp, 7, n, self->seed));

	/* On A: a batch that runs, then more doorbells once A is paused. */
	ASSERT_EQ(0, mig_guest_submit(&g, 200));
	o.submit_paused = 100;
	ASSERT_EQ(0, mig_guest_migrate(&g, self->b, &o, &r)) {
		TH_LOG("A -> B failed at %s: %s", r.step, strerror(errno));
	}
	TH_LOG("A -> B: %zu byte stream, %u SQEs in flight, %d of %d done on A",
	       r.len, r.inflight, g.ndone, g.nsub);
	/* At least the jobs rung while paused were not consumed. */
	ASSERT_LE(100, r.inflight);
	/* debugfs gives the same count, for migration debugging. */
	ASSERT_EQ((long)r.inflight,
		  dbg_state(self->a->bdf, "last_save_inflight"));
	ASSERT_EQ(MS(STOP), mig_get(self->a->devfd));
	ASSERT_EQ(MS(RUNNING), mig_get(self->b->devfd));
	ASSERT_EQ(self->b, g.vf);

	/* On B: the rest completes, and new work runs. */
	ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	ASSERT_EQ(0, mig_guest_submit(&g, 150));
	ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	ASSERT_EQ(0, mig_guest_check(&g));

	/* B -> A, A still open from the first migration. */
	ASSERT_EQ(0, mig_guest_submit(&g, 80));
	o.submit_paused = 40;
	ASSERT_EQ(0, mig_guest_migrate(&g, self->a, &o, &r)) {
		TH_LOG("B -> A failed at %s: %s", r.step, strerror(errno));
	}
	TH_LOG("B -> A: %u SQEs in flight", r.inflight);
	ASSERT_LE(40, r.inflight);
	ASSERT_EQ(MS(STOP), mig_get(self->b->devfd));
	ASSERT_EQ(MS(RUNNING), mig_get(self->a->devfd));
	ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	ASSERT_EQ(0, mig_guest_submit(&g, n));
	ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	ASSERT_EQ(n, g.nsub);
	ASSERT_EQ(n, g.ndone);
	ASSERT_EQ(0, mig_guest_check(&g));
	ASSERT_EQ(0, self->a->n_errs);
	mig_guest_fini(&g);
	/* B, left in STOP by the VMM, works again after a reset. */
	ASSERT_EQ(0, acc_vf_reset(self->b));
	ASSERT_EQ(0, fresh_jobs(self->b, self->seed + 1));
}

/*
 * 1b. What QEMU does: the destination's guest has not run, so its VF's
 * Command register has memory decoding off when RESUMING starts (and a
 * source VM that never ran has it off at PRE_COPY). A VF's memory space
 * follows VF MSE in its PF, not that bit (SR-IOV), so both migrate, and
 * the guest's jobs finish bit-exact on the destination.
 */
TEST_F_TIMEOUT(mig, command_memory_off, 120)
{
	struct mig_opts o = { .precopy = true, .submit_paused = 20 };
	static struct mig_result r;
	struct mig_guest g;

	ASSERT_EQ(0, mig_guest_init(&g, self->a, 1, 7, 120, self->seed));
	ASSERT_EQ(0, mig_guest_submit(&g, 60));
	ASSERT_EQ(0, acc_cfg_command(self->a, 0, PCI_COMMAND_MEMORY));
	ASSERT_EQ(0, acc_cfg_command(self->b, 0, PCI_COMMAND_MEMORY));
	ASSERT_EQ(0, mig_guest_migrate(&g, self->b, &o, &r)) {
		TH_LOG("A -> B failed at %s: %s", r.step, strerror(errno));
	}
	ASSERT_LE(20, r.inflight);
	ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	ASSERT_EQ(0, mig_guest_submit(&g, 40));
	ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	ASSERT_EQ(g.nsub, g.ndone);
	ASSERT_EQ(0, mig_guest_check(&g));
	mig_guest_fini(&g);
}

/*
 * 6. RUNNING -> STOP -> RUNNING (and through RUNNING_P2P only) without a
 * save: nothing runs while stopped, everything queued runs after, bit-exact.
 */
TEST_F(mig, stop_resumes_queues)
{
	static const uint32_t via[] = { MS(STOP), MS(RUNNING_P2P) };
	struct mig_guest g;
	unsigned int i;
	int nqp = self->a->qp_num < 4 ? self->a->qp_num : 4;

	ASSERT_EQ(0, mig_guest_init(&g, self->a, nqp, 7, 240, self->seed));
	ASSERT_EQ(0, mig_guest_submit(&g, 40));
	ASSERT_EQ(0, mig_guest_wait(&g, 10000));
	for (i = 0; i < ARRAY_SIZE(via); i++) {
		int done;

		ASSERT_EQ(-2, mig_set(self->a->devfd, via[i]));
		ASSERT_TRUE(acc_rd(self->a, ACC_REG_FUNC_STATUS) &
			    ACC_FUNC_ST_PAUSED);
		done = g.ndone;
		ASSERT_EQ(0, mig_guest_submit(&g, 100));
		usleep(100000);
		ASSERT_EQ(0, mig_guest_poll(&g));
		ASSERT_EQ(done, g.ndone);	/* no DMA while stopped */
		ASSERT_EQ(-2, mig_set(self->a->devfd, MS(RUNNING)));
		ASSERT_EQ(0, mig_guest_wait(&g, 20000));
	}
	ASSERT_EQ(240, g.ndone);
	ASSERT_EQ(0, mig_guest_check(&g));
	mig_guest_fini(&g);
}

/* -------------------------------------------------- 2. compatibility */
/* A saved stream of A in STOP (the device fd is left in STOP). */
static ssize_t good_stream(struct acc_vf *vf, uint8_t *buf)
{
	if (mig_set(vf->devfd, MS(STOP)) != -2)
		return -errno;
	return mig_save(vf->devfd, buf, BUF_MAX);
}

/* Offsets in the COMPAT payload (docs/migration-stream.rst). */
#define C_OFF		40
#define C_VENDOR	(C_OFF + 0)
#define C_HWVER		(C_OFF + 8)
#define C_FEAT		(C_OFF + 12)
#define C_QPNUM		(C_OFF + 16)
#define C_DEPTH		(C_OFF + 20)
#define C_SVER		(C_OFF + 24)
#define C_SSIZE		(C_OFF + 28)
#define PRECOPY_LEN	80

TEST_F(mig, precopy_compat_refusal)
{
	static uint8_t good[BUF_MAX], bad[BUF_MAX], pre[256];
	struct {
		const char *what;
		int off;
		uint32_t xor_or_set;
		bool set;
		int err;
	} cases[] = {
		{ "qp_num + state_size", C_QPNUM, 0, false, EOPNOTSUPP },
		{ "hw_version", C_HWVER, 0x100, false, EOPNOTSUPP },
		{ "a feature the VF lacks", C_FEAT, 0x80000000, false, EOPNOTSUPP },
		{ "deeper queues", C_DEPTH, 0, false, EOPNOTSUPP },
		{ "state version", C_SVER, 0x1, false, EOPNOTSUPP },
		{ "device id", C_VENDOR, 0x00010000, false, EOPNOTSUPP },
	};
	unsigned int i;
	ssize_t len;
	int dfd, pfd, where;

	len = good_stream(self->a, good);
	ASSERT_LT(PRECOPY_LEN, len);
	ASSERT_EQ(0, mig_set(self->b->devfd, MS(STOP)) == -2 ? 0 : -1);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t v = rd32(good + cases[i].off);

		memcpy(bad, good, len);
		if (cases[i].off == C_QPNUM) {
			wr32(bad + C_QPNUM, v + 1);
			wr32(bad + C_SSIZE, rd32(good + C_SSIZE) + 64);
		} else if (cases[i].off == C_DEPTH) {
			/* deeper than this VF, or beyond the format */
			wr32(bad + C_DEPTH, v + 1);
			if (v + 1 > ACC_DEPTH_LOG2_MAX)
				cases[i].err = EINVAL;
		} else {
			wr32(bad + cases[i].off, v ^ cases[i].xor_or_set);
		}
		resign(bad, len);
		/* Only the PRE_COPY data: the refusal comes with it. */
		dfd = mig_set(self->b->devfd, MS(RESUMING));
		ASSERT_LE(0, dfd);
		ASSERT_EQ(PRECOPY_LEN - 1, write(dfd, bad, PRECOPY_LEN - 1));
		errno = 0;
		ASSERT_EQ(-1, write(dfd, bad + PRECOPY_LEN - 1, 1)) {
			TH_LOG("%s: accepted", cases[i].what);
		}
		ASSERT_EQ(cases[i].err, errno) {
			TH_LOG("%s: %s", cases[i].what, strerror(errno));
		}
		/* Sticky: the rest and the arc fail the same way. */
		ASSERT_EQ(-1, write(dfd, bad + PRECOPY_LEN, len - PRECOPY_LEN));
		ASSERT_EQ(cases[i].err, errno);
		ASSERT_EQ(-1, mig_set(self->b->devfd, MS(STOP)));
		ASSERT_EQ(cases[i].err, errno);
		ASSERT_EQ(MS(RESUMING), mig_get(self->b->devfd));
		close(dfd);
		ASSERT_EQ(0, restop(self->b->devfd));
	}

	/* Other stream version: refused at the header. */
	memcpy(bad, good, len);
	bad[4] = 2;
	resign(bad, len);
	ASSERT_EQ(-EPROTONOSUPPORT, mig_load(self->b->devfd, bad, len, 4096,
					     &where));
	ASSERT_EQ(1, where);
	ASSERT_EQ(0, restop(self->b->devfd));

	/*
	 * The live flow: A in PRE_COPY hands its compatibility record to B,
	 * which refuses it (forged), while A keeps running and goes back.
	 */
	ASSERT_EQ(-2, mig_set(self->a->devfd, MS(RUNNING)));
	pfd = mig_set(self->a->devfd, MS(PRE_COPY));
	ASSERT_LE(0, pfd);
	ASSERT_EQ(PRECOPY_LEN, mig_read(pfd, pre, sizeof(pre), true));
	ASSERT_EQ(0, memcmp(pre, good, PRECOPY_LEN));
	wr32(pre + C_FEAT, rd32(pre + C_FEAT) | 0x40000000);
	resign(pre, PRECOPY_LEN);
	dfd = mig_set(self->b->devfd, MS(RESUMING));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(-1, write(dfd, pre, PRECOPY_LEN));
	ASSERT_EQ(EOPNOTSUPP, errno);
	close(dfd);
	ASSERT_EQ(-2, mig_set(self->a->devfd, MS(RUNNING)));
	close(pfd);
	ASSERT_EQ(0, restop(self->b->devfd));
	/* And the genuine record is accepted, the whole stream loads. */
	ASSERT_EQ(0, mig_load(self->b->devfd, good, len, 80, &where));
	ASSERT_EQ(-2, mig_set(self->b->devfd, MS(RUNNING)));
}

/* ---------------------------------------------- 3. negative streams */
TEST_F(mig, bad_streams)
{
	static uint8_t good[BUF_MAX], bad[BUF_MAX];
	uint32_t info_off = 80, state_off = 120, end_off;
	ssize_t len;
	int where, ret, dfd;
	size_t k;

	len = good_stream(self->a, good);
	ASSERT_LT(0, len);
	end_off = len - 24;
	ASSERT_EQ(ACC_MIG_REC_END, le16toh(*(uint16_t *)(good + end_off)));
	ASSERT_EQ(ACC_MIG_REC_SRC_INFO, le16toh(*(uint16_t *)(good + info_off)));
	ASSERT_EQ(ACC_MIG_REC_DEV_STATE,
		  le16toh(*(uint16_t *)(good + state_off)));
	ASSERT_EQ(-2, mig_set(self->b->devfd, MS(STOP)));

	/* Truncated at every record boundary and inside each record. */
	{
		const size_t cuts[] = { 0, 1, 23, 24, 25, 79, 80, 81, 119, 120,
					121, end_off - 1, end_off, len - 1 };
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(cuts); i++) {
			ret = mig_load(self->b->devfd, good, cuts[i], 4096,
				       &where);
			ASSERT_EQ(-ENODATA, ret) {
				TH_LOG("cut at %zu: %d at %d", cuts[i], ret,
				       where);
			}
			ASSERT_EQ(2, where);
			ASSERT_EQ(0, restop(self->b->devfd));
		}
	}

	/* Oversized: one more byte, one more record, total_len too big. */
	ASSERT_EQ(-EFBIG, mig_load(self->b->devfd, good, len + 8, 4096, &where));
	ASSERT_EQ(1, where);
	ASSERT_EQ(0, restop(self->b->devfd));
	memcpy(bad, good, len);
	wr32(bad + 8, ACC_MIG_STREAM_MAX + 8);
	resign(bad, len);
	ASSERT_EQ(-EFBIG, mig_load(self->b->devfd, bad, len, 4096, &where));
	ASSERT_EQ(0, restop(self->b->devfd));
	/* total_len larger but allowed: END is not at the end. */
	memcpy(bad, good, len);
	wr32(bad + 8, len + 8);
	memset(bad + len, 0, 8);
	resign(bad, len);
	ret = mig_load(self->b->devfd, bad, len + 8, 4096, &where);
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_EQ(0, restop(self->b->devfd));

	/* Corrupted fields with valid CRCs: the semantic checks. */
	{
		struct {
			const char *what;
			size_t off;
			uint32_t xor;
			int err;
		} f[] = {
			{ "magic", 0, 1, -EINVAL },
			{ "hdr_size", 6, 8, -EINVAL },
			{ "total_len not aligned", 8, 4, -EINVAL },
			{ "hdr flags", 12, 1, -EINVAL },
			{ "hdr rsvd", 16, 1, -EINVAL },
			{ "compat type", 24, 0x2, -EINVAL },
			{ "compat not mandatory", 26, 1, -EINVAL },
			{ "record flag bit 1", 26, 2, -EINVAL },
			{ "record rsvd", 32, 1, -EINVAL },
			{ "compat rsvd", C_OFF + 32, 1, -EINVAL },
			{ "compat qp_num 0", C_QPNUM, 0, -EINVAL },
			{ "info rsvd", info_off + 16 + 12, 1, -EINVAL },
			{ "info len", info_off + 4, 8, -EINVAL },
			{ "info -> unknown mandatory", info_off, 0x00010300, -EPROTO },
			{ "state magic", state_off + 16, 1, -EINVAL },
			{ "state size", state_off + 4, 8, -EINVAL },
			{ "state -> second compat", state_off, 0x3, -EINVAL },
			{ "end rsvd", end_off + 16 + 4, 1, -EINVAL },
			{ "end -> unknown mandatory type", end_off, 0x1, -EPROTO },
		};
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(f); i++) {
			memcpy(bad, good, len);
			if (f[i].off == C_QPNUM)
				wr32(bad + C_QPNUM, 0);
			else
				wr32(bad + f[i].off,
				     rd32(bad + f[i].off) ^ f[i].xor);
			resign(bad, len);
			ret = mig_load(self->b->devfd, bad, len, 16, &where);
			ASSERT_EQ(f[i].err, ret) {
				TH_LOG("%s: %s at %d", f[i].what,
				       strerror(-ret), where);
			}
			ASSERT_EQ(0, restop(self->b->devfd));
		}
	}
	/* An unknown optional record is skipped: the stream loads. */
	memcpy(bad, good, len);
	wr32(bad + info_off, 0x0200);	/* type 0x200, flags 0 */
	resign(bad, len);
	ASSERT_EQ(0, mig_load(self->b->devfd, bad, len, 16, &where));

	/* A flipped bit without resigning: EBADMSG, sticky. */
	memcpy(bad, good, len);
	bad[state_off + 40] ^= 0x10;
	dfd = mig_set(self->b->devfd, MS(RESUMING));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(state_off, write(dfd, bad, state_off));
	ASSERT_EQ(-1, write(dfd, bad + state_off, len - state_off));
	ASSERT_EQ(EBADMSG, errno);
	/* A write after a rejected write, even of good bytes, fails too. */
	ASSERT_EQ(-1, write(dfd, good + state_off, 8));
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ(-1, mig_set(self->b->devfd, MS(STOP)));
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ(MS(RESUMING), mig_get(self->b->devfd));
	/* EFAULT is not sticky and consumes nothing. */
	close(dfd);
	ASSERT_EQ(0, restop(self->b->devfd));
	dfd = mig_set(self->b->devfd, MS(RESUMING));
	ASSERT_LE(0, dfd);
	{
		void *none = mmap(NULL, 4096, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, none);
		ASSERT_EQ(-1, write(dfd, none, 16));
		ASSERT_EQ(EFAULT, errno);
		munmap(none, 4096);
	}
	ASSERT_EQ(0, mig_write(dfd, good, len, 100));
	ASSERT_EQ(-2, mig_set(self->b->devfd, MS(STOP)));
	close(dfd);

	/* Byte at a time. */
	ASSERT_EQ(0, mig_load(self->b->devfd, good, len, 1, &where));
	/* Every split point in two writes. */
	for (k = 0; k <= (size_t)len; k++) {
		dfd = mig_set(self->b->devfd, MS(RESUMING));
		ASSERT_LE(0, dfd);
		if (k)
			ASSERT_EQ((ssize_t)k, write(dfd, good, k));
		if (k < (size_t)len)
			ASSERT_EQ(len - (ssize_t)k,
				  write(dfd, good + k, len - k));
		ASSERT_EQ(-2, mig_set(self->b->devfd, MS(STOP))) {
			TH_LOG("split at %zu: %s", k, strerror(errno));
		}
		close(dfd);
	}
	/* Two sessions in one open: cancel (reset) one, retry. */
	dfd = mig_set(self->b->devfd, MS(RESUMING));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(100, write(dfd, good, 100));
	ASSERT_EQ(0, ioctl(self->b->devfd, VFIO_DEVICE_RESET));
	ASSERT_EQ(-1, write(dfd, good + 100, 8));
	ASSERT_EQ(ENODEV, errno);
	close(dfd);
	ASSERT_EQ(-2, mig_set(self->b->devfd, MS(STOP)));
	ASSERT_EQ(0, mig_load(self->b->devfd, good, len, 64, &where));
	ASSERT_EQ(-2, mig_set(self->b->devfd, MS(RUNNING)));
}

/* ------------------------------------ 4. reset with an I/O thread */
struct io_thread {
	int dfd;
	bool write;
	const uint8_t *src;	/* what a writer writes */
	size_t len;
	atomic_size_t done;	/* bytes moved */
	int err;		/* errno that ended it, 0 for EOF */
	atomic_bool stop;
};

/* Move the stream one byte at a time, slowly, until an error or the end. */
static void *io_fn(void *arg)
{
	struct io_thread *t = arg;
	uint8_t b;

	while (!atomic_load(&t->stop)) {
		size_t d = atomic_load(&t->done);
		ssize_t r;

		if (t->write) {
			if (d == t->len) {
				usleep(1000);
				continue;
			}
			r = write(t->dfd, t->src + d, 1);
		} else {
			r = read(t->dfd, &b, 1);
		}
		if (r == 1) {
			atomic_fetch_add(&t->done, 1);
		} else if (!r) {
			t->err = 0;
			return NULL;
		} else if (errno != ENOMSG) {
			t->err = errno;
			return NULL;
		}
		usleep(2000);
	}
	t->err = -1;
	return NULL;
}

TEST_F_TIMEOUT(mig, reset_with_io_thread, 120)
{
	static const uint32_t st[] = { MS(PRE_COPY), MS(PRE_COPY_P2P),
				       MS(STOP_COPY), MS(RESUMING) };
	static uint8_t good[BUF_MAX];
	ssize_t len;
	unsigned int i;

	len = good_stream(self->a, good);
	ASSERT_LT(0, len);
	for (i = 0; i < ARRAY_SIZE(st); i++) {
		struct io_thread t = { .write = st[i] == MS(RESUMING),
				       .src = good, .len = len };
		pthread_t th;
		uint8_t b;
		int k;

		ASSERT_EQ(0, acc_vf_reset(self->a));
		if (st[i] == MS(RESUMING) || st[i] == MS(STOP_COPY))
			ASSERT_EQ(-2, mig_set(self->a->devfd, MS(STOP)));
		t.dfd = mig_set(self->a->devfd, st[i]);
		ASSERT_LE(0, t.dfd);
		ASSERT_EQ(0, pthread_create(&th, NULL, io_fn, &t));
		/* Mid-stream: some bytes moved, far from the end. */
		for (k = 0; k < 5000 && atomic_load(&t.done) < 16; k++)
			usleep(1000);
		ASSERT_LE(16, atomic_load(&t.done));
		ASSERT_EQ(0, ioctl(self->a->devfd, VFIO_DEVICE_RESET));
		ASSERT_EQ(MS(RUNNING), mig_get(self->a->devfd));
		/* The thread sees ENODEV at its next call, bounded. */
		for (k = 0; k < 5000; k++) {
			if (!pthread_tryjoin_np(th, NULL))
				break;
			usleep(1000);
		}
		if (k == 5000) {
			atomic_store(&t.stop, true);
			pthread_join(th, NULL);
		}
		ASSERT_EQ(ENODEV, t.err) {
			TH_LOG("state %u: thread ended with %d after %zu bytes",
			       st[i], t.err, atomic_load(&t.done));
		}
		ASSERT_GT((size_t)len, atomic_load(&t.done));
		if (t.write) {
			ASSERT_EQ(-1, write(t.dfd, good, 1));
		} else {
			ASSERT_EQ(-1, read(t.dfd, &b, 1));
		}
		ASSERT_EQ(ENODEV, errno);
		close(t.dfd);
		ASSERT_FALSE(acc_rd(self->a, ACC_REG_FUNC_STATUS) &
			     ACC_FUNC_ST_PAUSED);
		/* The VF runs jobs again after the reset. */
		ASSERT_EQ(0, fresh_jobs(self->a, self->seed + i));
	}
}

TEST_HARNESS_MAIN
