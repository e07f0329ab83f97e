// SPDX-License-Identifier: GPL-2.0
/*
 * PF events while a VF is mid-migration (issue 3, hazard 6), and a real
 * allotment mismatch between source and destination (PRE_COPY refusal).
 *
 * These tests disable SR-IOV and unbind the PF; each restores the VFs
 * (same count) before it ends. Run it last in its lab boot.
 *
 * What happens (docs/migration-stream.rst, "Limits"): disabling SR-IOV
 * unbinds the VFs, and vfio waits for the user to close a VF it holds;
 * the write to sriov_numvfs (or to the PF's unbind) therefore blocks until
 * the VMM closes the device. The tests check that it does block while the
 * device is open (or is refused), that closing the device releases it
 * within a bound, that the open data fd then reports ENODEV, and that
 * nothing warns (the lab fails the run on a kernel warning).
 */
#include <fcntl.h>
#include <pthread.h>

#include "kcompat.h"
#include "../../drivers/vfio/pci/acc/stream.h"
#include "mig_util.h"

#include "kselftest_harness.h"

#define BLOCK_MS	3000	/* how long we watch the write block */
#define RELEASE_MS	20000	/* bound on the release after close */

struct sysfs_writer {
	pthread_t th;
	char path[256];
	char val[64];
	int ret;
	volatile bool done;
	uint64_t ns;
};

static void *writer_fn(void *arg)
{
	struct sysfs_writer *w = arg;
	uint64_t t0 = mig_now_ns();

	w->ret = acc_write_file(w->path, w->val);
	w->ns = mig_now_ns() - t0;
	w->done = true;
	return NULL;
}

static bool wait_done(struct sysfs_writer *w, int ms)
{
	while (!w->done && ms-- > 0)
		usleep(1000);
	return w->done;
}

FIXTURE(pf) {
	char pf[16], pf_drv[64], vf[16];
	int nvfs;
	char qps[16];
};

static int numvfs(const char *pf)
{
	char p[128], b[16];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_numvfs", pf);
	if (acc_read_file(p, b, sizeof(b)))
		return -1;
	return atoi(b);
}

static int set_numvfs(const char *pf, int n)
{
	char p[128], b[16];
	int ret;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_numvfs", pf);
	if (numvfs(pf) == n)
		return 0;
	if (n && numvfs(pf) > 0) {
		ret = acc_write_file(p, "0");
		if (ret)
			return ret;
	}
	snprintf(b, sizeof(b), "%d", n);
	return acc_write_file(p, b);
}

/* The first VF, bound to acc_vfio_pci, opened with a QM and a queue. */
static int first_vf(char *bdf, struct acc_vf *vf)
{
	char bdfs[1][16];
	int ret;

	if (acc_find_vfs(bdfs, 1) < 1)
		return -ENODEV;
	snprintf(bdf, 16, "%s", bdfs[0]);
	ret = acc_pci_bind(bdf, "acc_vfio_pci");
	if (!ret)
		ret = acc_vf_open(vf, bdf, NULL);
	return ret;
}

FIXTURE_SETUP(pf)
{
	acc_seed();
	if (acc_find_pf(self->pf, sizeof(self->pf)))
		SKIP(return, "no acc PF");
	self->nvfs = numvfs(self->pf);
	if (self->nvfs < 1)
		SKIP(return, "no VFs enabled");
	ASSERT_EQ(0, acc_pci_driver(self->pf, self->pf_drv,
				    sizeof(self->pf_drv)));
	ASSERT_EQ(0, acc_read_file("/sys/module/acc_qm/parameters/vf_qps",
				   self->qps, sizeof(self->qps)));
}

FIXTURE_TEARDOWN(pf)
{
	char p[128];

	if (self->nvfs < 1)
		return;
	acc_write_file("/sys/module/acc_qm/parameters/vf_qps", self->qps);
	if (!self->pf_drv[0])
		return;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", self->pf);
	if (access(p, F_OK))
		acc_write_file("/sys/bus/pci/drivers_probe", self->pf);
	set_numvfs(self->pf, self->nvfs);
}

/*
 * Mid-migration (a data fd open in STOP_COPY or RESUMING), the PF goes
 * away under the VF: sriov_numvfs=0 or an unbind of the PF.
 */
static void pf_event(struct __test_metadata *_metadata,
		     FIXTURE_DATA(pf) *self, bool resuming, bool unbind)
{
	struct sysfs_writer w = { 0 };
	static uint8_t buf[65536];
	struct acc_vf vf;
	ssize_t len;
	int dfd;
	bool blocked;

	ASSERT_EQ(0, first_vf(self->vf, &vf));
	ASSERT_EQ(-2, mig_set(vf.devfd, MS(STOP)));
	len = mig_save(vf.devfd, buf, sizeof(buf));
	ASSERT_LT(0, len);
	if (resuming) {
		dfd = mig_set(vf.devfd, MS(RESUMING));
		ASSERT_LE(0, dfd);
		ASSERT_EQ(100, write(dfd, buf, 100));
	} else {
		dfd = mig_set(vf.devfd, MS(STOP_COPY));
		ASSERT_LE(0, dfd);
		ASSERT_EQ(8, read(dfd, buf, 8));
	}

	if (unbind) {
		snprintf(w.path, sizeof(w.path),
			 "/sys/bus/pci/drivers/%s/unbind", self->pf_drv);
		snprintf(w.val, sizeof(w.val), "%s", self->pf);
	} else {
		snprintf(w.path, sizeof(w.path),
			 "/sys/bus/pci/devices/%s/sriov_numvfs", self->pf);
		snprintf(w.val, sizeof(w.val), "0");
	}
	ASSERT_EQ(0, pthread_create(&w.th, NULL, writer_fn, &w));
	blocked = !wait_done(&w, BLOCK_MS);
	if (blocked) {
		/* The VF is still ours: its migration file still works. */
		TH_LOG("%s blocks while the VF is open (as documented)",
		       unbind ? "PF unbind" : "sriov_numvfs=0");
		if (resuming) {
			ASSERT_EQ(8, write(dfd, buf + 100, 8));
		} else {
			ASSERT_EQ(8, read(dfd, buf + 8, 8));
		}
		ASSERT_EQ(resuming ? MS(RESUMING) : MS(STOP_COPY),
			  mig_get(vf.devfd));
	} else {
		TH_LOG("%s refused or done with the VF open: %s",
		       unbind ? "PF unbind" : "sriov_numvfs=0",
		       strerror(-w.ret));
	}
	/* The VMM gives up the VF, keeping the data fd. */
	acc_vf_close(&vf);
	ASSERT_TRUE(wait_done(&w, RELEASE_MS)) {
		TH_LOG("still blocked %d ms after the close", RELEASE_MS);
	}
	pthread_join(w.th, NULL);
	TH_LOG("the write returned %s after %.2f s", strerror(-w.ret),
	       w.ns / 1e9);
	if (blocked)
		ASSERT_EQ(0, w.ret);
	/* The data fd outlives the device: ENODEV, then a clean release. */
	if (resuming) {
		ASSERT_EQ(-1, write(dfd, buf, 8));
	} else {
		ASSERT_EQ(-1, read(dfd, buf, 8));
	}
	ASSERT_EQ(ENODEV, errno);
	close(dfd);
	if (!w.ret && !unbind)
		ASSERT_EQ(0, numvfs(self->pf));
}

TEST_F_TIMEOUT(pf, numvfs_zero_in_stop_copy, 90)
{
	pf_event(_metadata, self, false, false);
}

TEST_F_TIMEOUT(pf, numvfs_zero_in_resuming, 90)
{
	pf_event(_metadata, self, true, false);
}

TEST_F_TIMEOUT(pf, pf_unbind_in_stop_copy, 90)
{
	pf_event(_metadata, self, false, true);
}

TEST_F_TIMEOUT(pf, pf_unbind_in_resuming, 90)
{
	pf_event(_metadata, self, true, true);
}

/*
 * A destination VF with another allotment (vf_qps changed, SR-IOV
 * re-enabled): the real COMPAT record of the source is refused as soon as
 * it is in (PRE_COPY data), with EOPNOTSUPP.
 */
TEST_F_TIMEOUT(pf, allotment_mismatch, 90)
{
	static uint8_t buf[65536];
	struct acc_vf vf;
	char val[16];
	long before;
	ssize_t len;
	int dfd, qps = atoi(self->qps);

	ASSERT_EQ(0, first_vf(self->vf, &vf));
	before = mig_data_size(vf.devfd);
	ASSERT_EQ(-2, mig_set(vf.devfd, MS(STOP)));
	len = mig_save(vf.devfd, buf, sizeof(buf));
	ASSERT_EQ(before, len);
	acc_vf_close(&vf);

	ASSERT_EQ(0, set_numvfs(self->pf, 0));
	snprintf(val, sizeof(val), "%d", qps > 1 ? qps / 2 : 2);
	ASSERT_EQ(0, acc_write_file("/sys/module/acc_qm/parameters/vf_qps",
				    val));
	ASSERT_EQ(0, set_numvfs(self->pf, self->nvfs));
	ASSERT_EQ(0, first_vf(self->vf, &vf));
	TH_LOG("source: %u queue pairs, %ld bytes; destination: %u, %ld bytes",
	       qps, before, vf.qp_num, mig_data_size(vf.devfd));
	ASSERT_NE((uint32_t)qps, vf.qp_num);
	ASSERT_NE(before, mig_data_size(vf.devfd));
	dfd = mig_set(vf.devfd, MS(RESUMING));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(79, write(dfd, buf, 79));
	ASSERT_EQ(-1, write(dfd, buf + 79, 1));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, mig_set(vf.devfd, MS(STOP)));
	ASSERT_EQ(EOPNOTSUPP, errno);
	close(dfd);
	ASSERT_EQ(0, ioctl(vf.devfd, VFIO_DEVICE_RESET));
	acc_vf_close(&vf);
	ASSERT_EQ(0, set_numvfs(self->pf, 0));
	ASSERT_EQ(0, acc_write_file("/sys/module/acc_qm/parameters/vf_qps",
				    self->qps));
	ASSERT_EQ(0, set_numvfs(self->pf, self->nvfs));
}

TEST_HARNESS_MAIN
