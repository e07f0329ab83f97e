// SPDX-License-Identifier: GPL-2.0
/*
 * L1 smoke test of acc_vfio_pci: binding, the hidden migration window, the
 * migration FSM, the stream (save, load, refusals), resets with open data
 * files, and a state move from one VF to another. Device state only: the
 * job-level migration tests use tests/lib.
 *
 * Needs acc_qm and acc_vfio_pci loaded and at least one VF (two for the
 * A -> B test). Binds the VFs it uses to acc_vfio_pci.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kcompat.h"
#include "../../drivers/vfio/pci/acc/stream.h"
#include "mig_util.h"
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"

#define S(x)	VFIO_DEVICE_STATE_##x
#define BAR0	VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_BAR0_REGION_INDEX)
#define VFIO_PCI_INDEX_TO_OFFSET(i)	((__u64)(i) << 40)

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int find_vfs(char (*bdf)[16], int max)
{
	struct dirent *de;
	int n = 0, i, j;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char p[256], id[32] = "";
		FILE *f;

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(id, sizeof(id), f) && !strncmp(id, "0x10f1", 6))
			snprintf(bdf[n++], 16, "%s", de->d_name);
		fclose(f);
	}
	closedir(d);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(bdf[i], bdf[j]) > 0) {
				char t[16];

				memcpy(t, bdf[i], 16);
				memcpy(bdf[i], bdf[j], 16);
				memcpy(bdf[j], t, 16);
			}
	return n;
}

static int bind_vfio(const char *bdf)
{
	char p[256];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
	write_file(p, bdf);
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", bdf);
	if (write_file(p, "acc_vfio_pci"))
		return -1;
	write_file("/sys/bus/pci/drivers_probe", bdf);
	snprintf(p, sizeof(p), "/sys/bus/pci/drivers/acc_vfio_pci/%s", bdf);
	return access(p, F_OK) ? -1 : 0;
}

/* Open a VF through the cdev and iommufd; returns the device fd. */
static int open_vf(const char *bdf, int *iommufd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	char p[256], dev[64] = "";
	struct dirent *de;
	int fd;
	DIR *d;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(p);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(dev, sizeof(dev), "/dev/vfio/devices/%s",
				 de->d_name);
	closedir(d);
	fd = open(dev, O_RDWR);
	*iommufd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || *iommufd < 0)
		return -1;
	bind.iommufd = *iommufd;
	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -1;
	if (ioctl(*iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return -1;
	at.pt_id = ioas.out_ioas_id;
	if (ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		return -1;
	return fd;
}

static __u32 reg(int fd, __u64 off)
{
	__u32 v = ~0U;

	if (pread(fd, &v, 4, BAR0 + off) != 4)
		return ~0U;
	return v;
}

/* RESUMING with @len bytes in pieces of @chunk; returns the arc's errno. */
static int load_stream(int fd, const u8 *buf, size_t len, size_t chunk,
		       int *werr)
{
	int dfd = mig_set(fd, S(RESUMING));
	size_t off = 0;
	int ret = 0;

	*werr = 0;
	if (dfd < 0)
		return -1000 - errno;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w = write(dfd, buf + off, n);

		if (w < 0) {
			*werr = errno;
			break;
		}
		off += w;
	}
	if (mig_set(fd, S(STOP)) != -2)
		ret = errno;
	close(dfd);
	return ret;
}

FIXTURE(vf) {
	int fd, iommufd;
	char bdf[4][16];
	int nvfs;
};

FIXTURE_SETUP(vf)
{
	self->nvfs = find_vfs(self->bdf, 4);
	if (!self->nvfs)
		SKIP(return, "no acc VF");
	ASSERT_EQ(0, bind_vfio(self->bdf[0]));
	self->fd = open_vf(self->bdf[0], &self->iommufd);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(vf)
{
	if (self->nvfs) {
		close(self->fd);
		close(self->iommufd);
	}
}

TEST_F(vf, migration_flags)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} a = {
		.f.argsz = sizeof(a),
		.f.flags = VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_MIGRATION,
	};

	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_FEATURE, &a));
	ASSERT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, a.m.flags);
	ASSERT_EQ(S(RUNNING), mig_get(self->fd));
}

TEST_F(vf, hidden_window)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	__u32 v[2];
	void *m;

	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	ASSERT_EQ(ACC_GUEST_SIZE, ri.size);
	ASSERT_EQ(BAR0, ri.offset);
	ASSERT_EQ(ACC_ID_MAGIC, reg(self->fd, ACC_REG_ID));
	ASSERT_EQ(4, pread(self->fd, v, 4, BAR0 + ACC_GUEST_SIZE - 4));
	/* Reaching into the window: shortened to the guest part. */
	ASSERT_EQ(4, pread(self->fd, v, 8, BAR0 + ACC_GUEST_SIZE - 4));
	ASSERT_EQ(-1, pread(self->fd, v, 4, BAR0 + ACC_MIG_WINDOW));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(self->fd, v, 4, BAR0 + ACC_MIG_INFLIGHT));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pwrite(self->fd, v, 4, BAR0 + ACC_MIG_WINDOW));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(self->fd, v, 4,
			    BAR0 + ACC_BAR_REGS_SIZE - 4));
	m = mmap(NULL, ACC_GUEST_SIZE, PROT_READ, MAP_SHARED, self->fd, BAR0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(ACC_ID_MAGIC, *(volatile __u32 *)m);
	munmap(m, ACC_GUEST_SIZE);
	m = mmap(NULL, ACC_GUEST_SIZE + 4096, PROT_READ, MAP_SHARED, self->fd,
		 BAR0);
	ASSERT_EQ(MAP_FAILED, m);
	ASSERT_EQ(EINVAL, errno);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
		 BAR0 + ACC_MIG_WINDOW);
	ASSERT_EQ(MAP_FAILED, m);
	ASSERT_EQ(EINVAL, errno);
}

/* RUNNING -> STOP -> RUNNING without a save: paused, then running. */
TEST_F(vf, stop_resumes)
{
	ASSERT_FALSE(reg(self->fd, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING_P2P)));
	ASSERT_TRUE(reg(self->fd, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	ASSERT_TRUE(reg(self->fd, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));
	ASSERT_FALSE(reg(self->fd, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);
	ASSERT_EQ(S(RUNNING), mig_get(self->fd));
}

TEST_F(vf, precopy_then_stop_copy)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	struct acc_mig_parser p;
	u8 buf[65536];
	long total;
	ssize_t n;
	int dfd, werr;

	total = mig_data_size(self->fd);
	ASSERT_LT(0, total);
	dfd = mig_set(self->fd, S(PRE_COPY));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, ioctl(dfd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	ASSERT_EQ(80, info.initial_bytes);
	ASSERT_EQ(0, info.dirty_bytes);
	ASSERT_EQ(10, read(dfd, buf, 10));
	ASSERT_EQ(0, ioctl(dfd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	ASSERT_EQ(70, info.initial_bytes);
	ASSERT_EQ(70, read(dfd, buf + 10, sizeof(buf) - 10));
	ASSERT_EQ(-1, read(dfd, buf, 1));
	ASSERT_EQ(ENOMSG, errno);
	/* PRE_COPY -> PRE_COPY_P2P -> STOP_COPY: the rest, then EOF. */
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP_COPY)));
	ASSERT_EQ(-1, ioctl(dfd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	n = mig_read(dfd, buf + 80, sizeof(buf) - 80, false);
	ASSERT_EQ(total - 80, n);
	ASSERT_EQ(0, read(dfd, buf, 1));
	ASSERT_EQ(0, acc_mig_decode(&p, buf, total));
	TH_LOG("stream %ld bytes, %u QPs", total, p.ident.qp_num);
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	ASSERT_EQ(-1, read(dfd, buf, 1));
	ASSERT_EQ(ENODEV, errno);
	close(dfd);
	/* Back in, one byte at a time. */
	ASSERT_EQ(0, load_stream(self->fd, buf, total, 1, &werr));
	ASSERT_EQ(0, werr);
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));
	ASSERT_FALSE(reg(self->fd, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);
}

TEST_F(vf, every_arc)
{
	static const __u32 st[] = { S(RUNNING), S(RUNNING_P2P), S(STOP),
		S(STOP_COPY), S(RESUMING), S(PRE_COPY), S(PRE_COPY_P2P) };
	u8 good[65536];
	unsigned int i, j;
	ssize_t len;

	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	len = mig_save(self->fd, good, sizeof(good));
	ASSERT_LT(0, len);
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));

	for (i = 0; i < ARRAY_SIZE(st); i++) {
		for (j = 0; j < ARRAY_SIZE(st); j++) {
			int dfd, ret, blocked;

			ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
			ASSERT_EQ(S(RUNNING), mig_get(self->fd));
			dfd = mig_set(self->fd, st[i]);
			ASSERT_NE(-1, dfd);
			if (st[i] == S(RESUMING) && st[j] != S(RESUMING)) {
				ASSERT_EQ(len, write(dfd, good, len));
			}
			blocked = st[i] == S(STOP_COPY) &&
				  (st[j] == S(PRE_COPY) ||
				   st[j] == S(PRE_COPY_P2P));
			ret = mig_set(self->fd, st[j]);
			if (blocked) {
				ASSERT_EQ(-1, ret);
				ASSERT_EQ(EINVAL, errno);
				ASSERT_EQ(st[i], mig_get(self->fd));
			} else {
				if (ret == -1)
					TH_LOG("%u -> %u: %s", st[i], st[j],
					       strerror(errno));
				ASSERT_NE(-1, ret);
				ASSERT_EQ(st[j], mig_get(self->fd));
				if (ret >= 0)
					close(ret);
			}
			if (dfd >= 0)
				close(dfd);
		}
	}
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
}

static void resign(u8 *s, u32 len)
{
	struct acc_mig_hdr *h = (void *)s;
	u32 off = sizeof(*h);

	h->crc = htole32(acc_mig_crc32(0, h, 20));
	while (off + 16 <= len) {
		struct acc_mig_rec *r = (void *)(s + off);
		u32 padded = (le32toh(r->len) + 7) & ~7U;

		if (le16toh(r->type) == ACC_MIG_REC_END)
			*(u32 *)(s + off + 16) = htole32(acc_mig_crc32(0, s, off));
		r->crc = htole32(acc_mig_crc32(acc_mig_crc32(0, r, 12),
					       s + off + 16, padded));
		off += 16 + padded;
	}
}

TEST_F(vf, bad_streams)
{
	u8 good[65536], bad[65536];
	ssize_t len;
	int werr, dfd;

	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	len = mig_save(self->fd, good, sizeof(good));
	ASSERT_LT(0, len);

	/* A flipped bit: refused when its record is in, sticky after. */
	memcpy(bad, good, len);
	bad[len - 30] ^= 4;
	ASSERT_EQ(EBADMSG, load_stream(self->fd, bad, len, 7, &werr));
	ASSERT_EQ(EBADMSG, werr);
	ASSERT_EQ(S(RESUMING), mig_get(self->fd));
	ASSERT_EQ(-1, mig_set(self->fd, S(STOP)));
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(S(RUNNING), mig_get(self->fd));
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));

	/* Truncated: only the arc can tell. */
	ASSERT_EQ(ENODATA, load_stream(self->fd, good, len - 8, 4096, &werr));
	ASSERT_EQ(0, werr);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));

	/* Oversized. */
	memcpy(bad, good, len);
	ASSERT_EQ(EFBIG, load_stream(self->fd, bad, len + 1, 4096, &werr));
	ASSERT_EQ(EFBIG, werr);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));

	/* Other version: refused at the header. */
	memcpy(bad, good, len);
	bad[4] = 2;
	resign(bad, len);
	dfd = mig_set(self->fd, S(RESUMING));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(23, write(dfd, bad, 23));
	ASSERT_EQ(-1, write(dfd, bad + 23, 1));
	ASSERT_EQ(EPROTONOSUPPORT, errno);
	ASSERT_EQ(-1, write(dfd, bad + 24, 8));
	ASSERT_EQ(EPROTONOSUPPORT, errno);
	close(dfd);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));

	/* Other allotment: refused with the COMPAT record (PRE_COPY data). */
	memcpy(bad, good, len);
	*(u32 *)(bad + 40 + 16) = htole32(le32toh(*(u32 *)(bad + 40 + 16)) + 1);
	*(u32 *)(bad + 40 + 28) = htole32(le32toh(*(u32 *)(bad + 40 + 28)) + 64);
	resign(bad, len);
	dfd = mig_set(self->fd, S(RESUMING));
	ASSERT_LE(0, dfd);
	ASSERT_EQ(79, write(dfd, bad, 79));
	ASSERT_EQ(-1, write(dfd, bad + 79, 1));
	ASSERT_EQ(EOPNOTSUPP, errno);
	close(dfd);
	ASSERT_EQ(-1, mig_set(self->fd, S(STOP)));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));

	/* And a good one still loads. */
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	ASSERT_EQ(0, load_stream(self->fd, good, len, 13, &werr));
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));
}

/* Reset with a data file open in each state that has one. */
TEST_F(vf, reset_ends_files)
{
	static const __u32 st[] = { S(PRE_COPY), S(PRE_COPY_P2P),
				    S(STOP_COPY), S(RESUMING) };
	unsigned int i;
	u8 b[8] = { 0 };

	for (i = 0; i < ARRAY_SIZE(st); i++) {
		int dfd = mig_set(self->fd, st[i]);

		ASSERT_LE(0, dfd);
		if (st[i] == S(RESUMING)) {
			ASSERT_EQ(8, write(dfd, b, 8));
		} else {
			ASSERT_EQ(8, read(dfd, b, 8));
		}
		ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
		ASSERT_EQ(S(RUNNING), mig_get(self->fd));
		if (st[i] == S(RESUMING)) {
			ASSERT_EQ(-1, write(dfd, b, 8));
		} else {
			ASSERT_EQ(-1, read(dfd, b, 8));
		}
		ASSERT_EQ(ENODEV, errno);
		close(dfd);
		ASSERT_FALSE(reg(self->fd, ACC_REG_FUNC_STATUS) &
			     ACC_FUNC_ST_PAUSED);
	}
}

/* The state of VF A moves to VF B. */
TEST_F(vf, a_to_b)
{
	u8 buf[65536];
	int fdb, iofdb, werr;
	ssize_t len;

	if (self->nvfs < 2)
		SKIP(return, "one VF only");
	ASSERT_EQ(0, bind_vfio(self->bdf[1]));
	fdb = open_vf(self->bdf[1], &iofdb);
	ASSERT_LE(0, fdb);
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	len = mig_save(self->fd, buf, sizeof(buf));
	ASSERT_LT(0, len);
	ASSERT_EQ(-2, mig_set(fdb, S(STOP)));
	ASSERT_EQ(0, load_stream(fdb, buf, len, 64, &werr));
	ASSERT_EQ(-2, mig_set(fdb, S(RUNNING)));
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));
	close(fdb);
	close(iofdb);
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* debugfs files and the arc tracepoint follow the FSM. */
TEST_F(vf, debugfs_and_trace)
{
	char p[192], buf[8192];
	u8 s[65536];

	mig_debugfs_path(p, sizeof(p), self->bdf[0], "state");
	if (access("/sys/kernel/tracing/events", F_OK))
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	ASSERT_EQ(0, read_text(p, buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(buf, "state: RUNNING\n"));

	ASSERT_EQ(0, write_file("/sys/kernel/tracing/trace", ""));
	ASSERT_EQ(0, write_file("/sys/kernel/tracing/events/acc_vfio/enable",
				"1"));
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	ASSERT_EQ(0, read_text(p, buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(buf, "state: STOP\n"));
	ASSERT_NE(NULL, strstr(buf, "paused: 1\n"));
	ASSERT_LT(0, mig_save(self->fd, s, sizeof(s)));
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));
	ASSERT_EQ(0, write_file("/sys/kernel/tracing/events/acc_vfio/enable",
				"0"));

	mig_debugfs_path(p, sizeof(p), self->bdf[0], "steps");
	ASSERT_EQ(0, read_text(p, buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(buf, "STOP -> STOP_COPY"));
	ASSERT_NE(NULL, strstr(buf, "STOP_COPY -> STOP"));
	mig_debugfs_path(p, sizeof(p), self->bdf[0], "bytes_saved");
	ASSERT_EQ(0, read_text(p, buf, sizeof(buf)));
	ASSERT_LT(0, atoi(buf));
	mig_debugfs_path(p, sizeof(p), self->bdf[0], "last_error");
	ASSERT_EQ(0, read_text(p, buf, sizeof(buf)));

	ASSERT_EQ(0, read_text("/sys/kernel/tracing/trace", buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(buf, "acc_vfio_arc:"));
	ASSERT_NE(NULL, strstr(buf, "RUNNING -> RUNNING_P2P err=0"));
	ASSERT_NE(NULL, strstr(buf, "acc_vfio_state_io:"));
	ASSERT_NE(NULL, strstr(buf, " save "));
}

struct race {
	int fd;
	volatile int stop;
	int resets;
};

static void *resetter(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		if (!ioctl(r->fd, VFIO_DEVICE_RESET))
			r->resets++;
		usleep(1000);
	}
	return NULL;
}

/*
 * Resets racing with arcs, reads and writes of data files: the deferred
 * reset path. Any error is fine; a hang, a kernel warning (the lab fails
 * the run) or a state other than RUNNING after the last reset is not.
 */
TEST_F(vf, reset_races)
{
	struct race r = { .fd = self->fd };
	u8 buf[65536];
	pthread_t t;
	int i, werr;

	ASSERT_EQ(0, pthread_create(&t, NULL, resetter, &r));
	for (i = 0; i < 300; i++) {
		ssize_t n;
		int dfd;

		switch (i % 3) {
		case 0:
			dfd = mig_set(self->fd, S(PRE_COPY));
			if (dfd >= 0) {
				int d2;

				n = read(dfd, buf, 40);
				/* A new fd if a reset came in between. */
				d2 = mig_set(self->fd, S(STOP_COPY));
				if (d2 >= 0)
					close(d2);
				mig_read(dfd, buf, sizeof(buf), false);
				close(dfd);
			}
			break;
		case 1:
			mig_set(self->fd, S(STOP));
			n = mig_save(self->fd, buf, sizeof(buf));
			if (n > 0)
				load_stream(self->fd, buf, n, 16, &werr);
			break;
		default:
			mig_set(self->fd, S(RUNNING_P2P));
			mig_set(self->fd, S(RUNNING));
			break;
		}
	}
	r.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%d resets", r.resets);
	ASSERT_LT(0, r.resets);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(S(RUNNING), mig_get(self->fd));
	ASSERT_FALSE(reg(self->fd, ACC_REG_FUNC_STATUS) & ACC_FUNC_ST_PAUSED);
	/* And it still migrates. */
	ASSERT_EQ(-2, mig_set(self->fd, S(STOP)));
	ASSERT_LT(0, mig_save(self->fd, buf, sizeof(buf)));
	ASSERT_EQ(-2, mig_set(self->fd, S(RUNNING)));
}

/*
 * The legacy group path: the same VF through /dev/vfio/GROUP and a type1
 * container instead of the cdev and iommufd. Migration, the hidden window
 * and a save must work the same.
 */
TEST(group_path)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} a = {
		.f.argsz = sizeof(a),
		.f.flags = VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_MIGRATION,
	};
	char bdf[4][16], p[256], link[256] = "", *grp;
	int container, group, fd, dfd;
	u8 buf[8192];
	ssize_t n;

	if (!find_vfs(bdf, 4))
		SKIP(return, "no acc VF");
	ASSERT_EQ(0, bind_vfio(bdf[0]));
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", bdf[0]);
	ASSERT_LT(0, readlink(p, link, sizeof(link) - 1));
	grp = strrchr(link, '/');
	ASSERT_NE(NULL, grp);
	snprintf(p, sizeof(p), "/dev/vfio%s", grp);

	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(VFIO_API_VERSION, ioctl(container, VFIO_GET_API_VERSION));
	group = open(p, O_RDWR);
	ASSERT_LE(0, group) TH_LOG("%s: %s", p, strerror(errno));
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_GET_STATUS, &st));
	ASSERT_TRUE(st.flags & VFIO_GROUP_FLAGS_VIABLE);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf[0]);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_FEATURE, &a));
	ASSERT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, a.m.flags);
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	ASSERT_EQ(ACC_GUEST_SIZE, ri.size);

	ASSERT_EQ(S(RUNNING), mig_get(fd));
	ASSERT_EQ(-2, mig_set(fd, S(STOP)));
	dfd = mig_set(fd, S(STOP_COPY));
	ASSERT_LE(0, dfd);
	n = mig_read(dfd, buf, sizeof(buf), false);
	close(dfd);
	ASSERT_LT(0, n);
	ASSERT_EQ(-2, mig_set(fd, S(STOP)));
	ASSERT_EQ(-2, mig_set(fd, S(RUNNING)));
	ASSERT_EQ(S(RUNNING), mig_get(fd));
	close(fd);
	close(group);
	close(container);
}

TEST_HARNESS_MAIN
