// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded fuzz of the acc_vfio_pci stream loader (issue 3, hazards 1-4):
 * mutate a real saved stream (bit flips, byte sets, u32 field sets,
 * truncations, insertions, deletions, record header fields), resign it half
 * of the time so that the semantic checks are reached, and write it in
 * random pieces into a VF in RESUMING. Each stream must load (RESUMING ->
 * STOP succeeds) or fail with a stream errno and leave RESUMING (or ERROR);
 * the lab fails the run on any kernel warning. Afterwards every VF loads a
 * good stream and runs jobs, bit-exact.
 *
 * A refused stream costs a VFIO_DEVICE_RESET, i.e. an FLR: Linux waits
 * 100 ms after it. The streams are therefore spread over every acc VF, one
 * thread each, so the FLR waits overlap.
 *
 *   mig_fuzz            MIG_FUZZ_ITERS (default 10000) streams in all,
 *                       ACC_SEED to replay, MIG_FUZZ_VFS to cap the VFs
 */
#include <fcntl.h>
#include <pthread.h>

#include "kcompat.h"
#include "../../drivers/vfio/pci/acc/stream.h"
#include "mig_util.h"
#include "mig_stream.h"

#include "kselftest_harness.h"

#define BUF_MAX		65536
#define MAX_VFS		64

struct fuzzer {
	pthread_t th;
	struct acc_vf vf;
	const uint8_t *good;
	size_t len;
	long iters;
	uint64_t rng;
	/* results */
	unsigned long ok, werr, aerr, resets, errs[160];
	char fail[256];
	uint8_t s[BUF_MAX];
};

/* Mutate good into f->s; returns the new length. */
static size_t mutate(struct fuzzer *f, int *kind)
{
	static const uint32_t vals[] = {
		0, 1, 7, 8, 0xffffffff, 0x80000000, 0x7fffffff, 0xfff8,
		ACC_MIG_STREAM_MAX, ACC_MIG_STREAM_MAX + 8, 24, 40, 0xffff,
	};
	size_t len = f->len, n = len, pos, cnt, i;
	uint8_t *s = f->s;
	int m = mig_rand(&f->rng) % 7;

	memcpy(s, f->good, len);
	pos = mig_rand(&f->rng) % len;
	switch (m) {
	case 0:		/* bit flips */
		cnt = 1 + mig_rand(&f->rng) % 4;
		while (cnt--) {
			pos = mig_rand(&f->rng) % len;
			s[pos] ^= 1 << (mig_rand(&f->rng) % 8);
		}
		break;
	case 1:		/* byte set */
		s[pos] = mig_rand(&f->rng);
		break;
	case 2:		/* a u32 to an interesting value */
		wr32(s + (pos & ~3UL),
		     vals[mig_rand(&f->rng) % ARRAY_SIZE(vals)]);
		break;
	case 3:		/* truncation */
		n = pos;
		break;
	case 4:		/* insertion of 1..16 bytes */
		cnt = 1 + mig_rand(&f->rng) % 16;
		memmove(s + pos + cnt, s + pos, len - pos);
		for (i = 0; i < cnt; i++)
			s[pos + i] = mig_rand(&f->rng);
		n = len + cnt;
		break;
	case 5:		/* deletion of 1..16 bytes */
		cnt = 1 + mig_rand(&f->rng) % 16;
		if (cnt > len - pos)
			cnt = len - pos;
		memmove(s + pos, s + pos + cnt, len - pos - cnt);
		n = len - cnt;
		break;
	default:	/* a bit of a record header (SRC_INFO, DEV_STATE) */
		pos = (mig_rand(&f->rng) % 2 ? 80 : 120) +
		      4 * (mig_rand(&f->rng) % 3);
		wr32(s + pos, rd32(s + pos) ^ (1u << (mig_rand(&f->rng) % 32)));
		break;
	}
	if (mig_rand(&f->rng) % 2) {
		/* Resigned: CRCs right, so the semantic checks are reached. */
		if (m >= 3 && m <= 5 && mig_rand(&f->rng) % 2)
			wr32(s + 8, n);
		resign(s, n);
	}
	*kind = m;
	return n;
}

#define FAIL(...) do { \
	snprintf(f->fail, sizeof(f->fail), __VA_ARGS__); \
	return NULL; \
} while (0)

static void *fuzz_fn(void *arg)
{
	struct fuzzer *f = arg;
	int fd = f->vf.devfd;
	long i;

	if (mig_set(fd, MS(STOP)) != -2)
		FAIL("%s: -> STOP: %s", f->vf.bdf, strerror(errno));
	for (i = 0; i < f->iters; i++) {
		size_t n, off = 0;
		int m, dfd, e = 0;
		bool wrote_err = false;
		uint32_t st;

		n = mutate(f, &m);
		dfd = mig_set(fd, MS(RESUMING));
		if (dfd < 0)
			FAIL("%s #%ld: RESUMING: %s", f->vf.bdf, i,
			     strerror(errno));
		while (off < n) {
			size_t c = mig_rand(&f->rng) % 4 ? n - off :
				   1 + mig_rand(&f->rng) % 64;
			ssize_t w;

			if (c > n - off)
				c = n - off;
			w = write(dfd, f->s + off, c);
			if (w < 0) {
				e = errno;
				wrote_err = true;
				break;
			}
			if (!w)
				FAIL("%s #%ld: write returned 0", f->vf.bdf, i);
			off += w;
		}
		if (!wrote_err && mig_set(fd, MS(STOP)) != -2)
			e = errno;
		close(dfd);
		if (!e) {
			f->ok++;
			if (mig_get(fd) != MS(STOP))
				FAIL("%s #%ld: loaded but not in STOP",
				     f->vf.bdf, i);
			continue;
		}
		/* Stream errors only: never EFAULT, ENOMEM, ... */
		if (e != EINVAL && e != EPROTONOSUPPORT && e != EBADMSG &&
		    e != EPROTO && e != EFBIG && e != EOPNOTSUPP &&
		    e != ENODATA && e != EIO)
			FAIL("%s #%ld (mutation %d, %s): %s", f->vf.bdf, i, m,
			     wrote_err ? "write" : "RESUMING -> STOP",
			     strerror(e));
		if (wrote_err)
			f->werr++;
		else
			f->aerr++;
		f->errs[e]++;
		st = mig_get(fd);
		if (st != MS(RESUMING) && st != MS(ERROR))
			FAIL("%s #%ld: refused, state %u", f->vf.bdf, i, st);
		if (restop(fd))
			FAIL("%s #%ld: reset: %s", f->vf.bdf, i,
			     strerror(errno));
		f->resets++;
	}
	return NULL;
}

FIXTURE(fz) {
	int unused;
};

FIXTURE_SETUP(fz)
{
}

FIXTURE_TEARDOWN(fz)
{
}

TEST_F_TIMEOUT(fz, fuzz, 900)
{
	static char bdf[MAX_VFS][16];
	static uint8_t good[BUF_MAX];
	static struct fuzzer fz[MAX_VFS];
	const char *env = getenv("MIG_FUZZ_ITERS");
	const char *cap = getenv("MIG_FUZZ_VFS");
	long iters = env ? atol(env) : 10000;
	unsigned long tot[160] = { 0 }, ok = 0, werr = 0, aerr = 0;
	uint64_t seed = acc_seed(), t0;
	int nvf, i, e, where;
	ssize_t len;

	nvf = acc_find_vfs(bdf, MAX_VFS);
	if (cap && atoi(cap) > 0 && atoi(cap) < nvf)
		nvf = atoi(cap);
	if (nvf < 1)
		SKIP(return, "no acc VF");
	for (i = 0; i < nvf; i++) {
		ASSERT_EQ(0, acc_pci_bind(bdf[i], "acc_vfio_pci"));
		ASSERT_EQ(0, acc_vf_open(&fz[i].vf, bdf[i], NULL));
	}
	/* A real stream: VF 0 with a QM and queues set up. */
	{
		struct mig_guest g;

		ASSERT_EQ(0, mig_guest_init(&g, &fz[0].vf, 1, 6, 4, seed));
		ASSERT_EQ(0, mig_guest_submit(&g, 4));
		ASSERT_EQ(0, mig_guest_wait(&g, 10000));
		ASSERT_EQ(-2, mig_set(fz[0].vf.devfd, MS(STOP)));
		len = mig_save(fz[0].vf.devfd, good, sizeof(good));
		ASSERT_LT(0, len);
		mig_guest_fini(&g);
		ASSERT_EQ(0, acc_vf_reset(&fz[0].vf));
	}

	t0 = mig_now_ns();
	for (i = 0; i < nvf; i++) {
		fz[i].good = good;
		fz[i].len = len;
		fz[i].iters = iters / nvf + (i < iters % nvf);
		fz[i].rng = (seed + 0x9e3779b97f4a7c15ULL * (i + 1)) | 1;
		ASSERT_EQ(0, pthread_create(&fz[i].th, NULL, fuzz_fn, &fz[i]));
	}
	for (i = 0; i < nvf; i++)
		pthread_join(fz[i].th, NULL);
	for (i = 0; i < nvf; i++) {
		EXPECT_STREQ("", fz[i].fail);
		ok += fz[i].ok;
		werr += fz[i].werr;
		aerr += fz[i].aerr;
		for (e = 0; e < 160; e++)
			tot[e] += fz[i].errs[e];
	}
	TH_LOG("%ld streams on %d VFs in %.1f s: %lu loaded, %lu refused at write, %lu at RESUMING -> STOP",
	       iters, nvf, (mig_now_ns() - t0) / 1e9, ok, werr, aerr);
	TH_LOG("EINVAL %lu EBADMSG %lu EFBIG %lu EPROTO %lu EPROTONOSUPPORT %lu EOPNOTSUPP %lu ENODATA %lu EIO %lu",
	       tot[EINVAL], tot[EBADMSG], tot[EFBIG], tot[EPROTO],
	       tot[EPROTONOSUPPORT], tot[EOPNOTSUPP], tot[ENODATA], tot[EIO]);
	ASSERT_EQ((unsigned long)iters, ok + werr + aerr);

	/* Every VF still loads a good stream and computes correctly. */
	for (i = 0; i < nvf; i++) {
		struct mig_guest g;

		ASSERT_EQ(0, restop(fz[i].vf.devfd));
		ASSERT_EQ(0, mig_load(fz[i].vf.devfd, good, len, 4096, &where));
		ASSERT_EQ(0, acc_vf_reset(&fz[i].vf));
		ASSERT_EQ(0, mig_guest_init(&g, &fz[i].vf, 1, 6, 12, seed + i));
		ASSERT_EQ(0, mig_guest_submit(&g, 12));
		ASSERT_EQ(0, mig_guest_wait(&g, 10000));
		ASSERT_EQ(0, mig_guest_check(&g));
		mig_guest_fini(&g);
		acc_vf_close(&fz[i].vf);
	}
}

TEST_HARNESS_MAIN
