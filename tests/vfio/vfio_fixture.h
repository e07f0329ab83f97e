/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common part of the VFIO kselftests: pick acc VFs, move them to vfio-pci
 * once for the whole program (before the harness forks the tests) and back
 * to their own driver at the end, and a few checking helpers.
 *
 * Include after kselftest_harness.h; end the test file with ACC_VFIO_MAIN.
 *
 * Environment: ACC_VF=BDF[,BDF] picks the VFs (default: the first ones
 * found); ACC_SEED=N replays a run; ACC_DEBUG=1 logs libacc's view.
 */
#ifndef VFIO_FIXTURE_H
#define VFIO_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accdev.h"

#define ACC_TEST_MAX_VFS 2

static struct {
	int nvfs;			/* VFs moved to vfio-pci */
	char bdf[ACC_TEST_MAX_VFS][16];
	char orig[ACC_TEST_MAX_VFS][64];	/* their driver before */
	int bind_err;
	char skip[128];			/* why there is no VF */
	uint64_t seed;
} acc_g;

static void acc_vfio_pick(int want)
{
	char found[ACC_MAX_VFS][16], pf[16], path[96], buf[32];
	const char *env = getenv("ACC_VF");
	int n, i, ret;

	acc_g.seed = acc_seed();
	if (env) {
		char tmp[64], *tok, *save = NULL;

		snprintf(tmp, sizeof(tmp), "%s", env);
		for (tok = strtok_r(tmp, ",", &save), n = 0;
		     tok && n < ACC_MAX_VFS; tok = strtok_r(NULL, ",", &save))
			snprintf(found[n++], 16, "%s", tok);
	} else {
		n = acc_find_vfs(found, ACC_MAX_VFS);
	}
	if (n <= 0) {
		if (acc_find_pf(pf, sizeof(pf))) {
			snprintf(acc_g.skip, sizeof(acc_g.skip),
				 "no acc device in this system");
			return;
		}
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/sriov_numvfs", pf);
		if (acc_read_file(path, buf, sizeof(buf)) || !strcmp(buf, "0")) {
			snprintf(acc_g.skip, sizeof(acc_g.skip),
				 "acc PF %s has no VFs enabled", pf);
			return;
		}
		/* VFs enabled but not found: that is a failure, not a skip */
		acc_g.bind_err = -ENODEV;
		return;
	}
	if (n > want)
		n = want;
	for (i = 0; i < n; i++) {
		memcpy(acc_g.bdf[i], found[i], sizeof(acc_g.bdf[i]));
		ret = acc_pci_driver(found[i], acc_g.orig[i], 64);
		if (!ret)
			ret = acc_pci_bind(found[i], "vfio-pci");
		if (ret) {
			fprintf(stderr, "# %s: bind to vfio-pci: %s\n", found[i],
				strerror(-ret));
			acc_g.bind_err = ret;
		}
		acc_g.nvfs = i + 1;
	}
}

static int acc_vfio_restore(void)
{
	char drv[64];
	int i, bad = 0;

	for (i = 0; i < acc_g.nvfs; i++) {
		int ret = acc_pci_bind(acc_g.bdf[i], NULL);

		if (!ret && acc_g.orig[i][0] && strcmp(acc_g.orig[i], "vfio-pci")) {
			/* give the probe a moment, then insist */
			int t;

			for (t = 0; t < 100; t++) {
				if (!acc_pci_driver(acc_g.bdf[i], drv, sizeof(drv)) &&
				    !strcmp(drv, acc_g.orig[i]))
					break;
				usleep(10000);
			}
			if (t == 100)
				ret = -ENODEV;
		}
		if (ret) {
			fprintf(stderr, "# %s: could not give it back to %s: %s\n",
				acc_g.bdf[i], acc_g.orig[i][0] ? acc_g.orig[i] :
				"(none)", strerror(-ret));
			bad = 1;
		}
	}
	return bad;
}

/* In FIXTURE_SETUP: skip or fail when the VFs are not usable. */
#define ACC_REQUIRE_VFS(n) do { \
	if (acc_g.skip[0]) \
		SKIP(return, "%s", acc_g.skip); \
	ASSERT_EQ(0, acc_g.bind_err) \
		TH_LOG("VFs not available on vfio-pci"); \
	if (acc_g.nvfs < (n)) \
		SKIP(return, "needs %d VFs, have %d", (n), acc_g.nvfs); \
} while (0)

/* The test's deterministic PRNG stream: the run's seed and a salt. */
static inline uint64_t acc_test_rng(const char *salt)
{
	uint64_t s = acc_g.seed;

	while (*salt)
		s = s * 131 + (uint8_t)*salt++;
	return s;
}

/*
 * test_harness_run() ends with exit(): give the VFs back from an atexit
 * handler (only in the main process; the tests' children use _exit()),
 * and turn a failure to do so into a failing exit status.
 */
static pid_t acc_main_pid;

static void acc_vfio_atexit(void)
{
	if (getpid() != acc_main_pid)
		return;
	if (acc_vfio_restore()) {
		fflush(NULL);
		_exit(1);
	}
}

#define ACC_VFIO_MAIN(nvfs) \
	int main(int argc, char **argv) \
	{ \
		acc_main_pid = getpid(); \
		acc_vfio_pick(nvfs); \
		atexit(acc_vfio_atexit); \
		return test_harness_run(argc, argv); \
	}

#endif /* VFIO_FIXTURE_H */
