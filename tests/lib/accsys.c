// SPDX-License-Identifier: GPL-2.0
/*
 * libacc: finding acc functions in sysfs and moving them between drivers
 * with driver_override.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accdev.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

void acc_log(const char *fmt, ...)
{
	static int debug = -1;
	va_list ap;

	if (debug < 0)
		debug = getenv("ACC_DEBUG") != NULL;
	if (!debug)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "# libacc: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

int acc_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

int acc_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static unsigned long read_hex(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	if (acc_read_file(path, buf, sizeof(buf)))
		return ~0UL;
	return strtoul(buf, NULL, 16);
}

static int cmp_bdf(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The first max BDFs with this device ID, in BDF order. */
static int find_by_id(unsigned int device, char (*bdfs)[16], int max)
{
	char (*all)[16] = NULL;
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *d;

	d = opendir(PCI_DEVICES);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 16)
			continue;
		if (read_hex(de->d_name, "vendor") != ACC_PCI_VENDOR_ID ||
		    read_hex(de->d_name, "device") != device)
			continue;
		if (n == cap) {
			char (*grown)[16];

			cap = cap ? 2 * cap : 16;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				free(all);
				closedir(d);
				return -ENOMEM;
			}
			all = grown;
		}
		strcpy(all[n++], de->d_name);
	}
	closedir(d);
	if (n) {
		qsort(all, n, sizeof(all[0]), cmp_bdf);
		if (n > max)
			n = max;
		memcpy(bdfs, all, n * sizeof(all[0]));
	}
	free(all);
	return n;
}

int acc_find_vfs(char (*bdfs)[16], int max)
{
	return find_by_id(ACC_PCI_DEVICE_VF, bdfs, max);
}

int acc_find_pf(char *bdf, size_t len)
{
	char b[4][16];
	int n = find_by_id(ACC_PCI_DEVICE_PF, b, 4);

	if (n < 0)
		return n;
	if (!n)
		return -ENODEV;
	snprintf(bdf, len, "%s", b[0]);
	return 0;
}

int acc_pci_driver(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s", bdf);
		if (access(path, F_OK))
			return -ENODEV;
		drv[0] = 0;
		return 0;
	}
	link[n] = 0;
	base = strrchr(link, '/');
	snprintf(drv, len, "%s", base ? base + 1 : link);
	return 0;
}

int acc_pci_bind(const char *bdf, const char *driver)
{
	char path[PATH_MAX], cur[64];
	int ret, i;

	ret = acc_pci_driver(bdf, cur, sizeof(cur));
	if (ret)
		return ret;
	if (driver && !strcmp(cur, driver))
		return 0;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", bdf);
	ret = acc_write_file(path, driver ? driver : "\n");
	if (ret)
		return ret;
	if (cur[0]) {
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind",
			 bdf);
		ret = acc_write_file(path, bdf);
		if (ret && ret != -ENODEV)
			return ret;
	}
	/* drivers_probe fails with an error if no driver takes the device. */
	ret = acc_write_file("/sys/bus/pci/drivers_probe", bdf);
	if (!driver)
		return 0;
	for (i = 0; i < 100; i++) {
		if (!acc_pci_driver(bdf, cur, sizeof(cur)) &&
		    !strcmp(cur, driver))
			return 0;
		usleep(10000);
	}
	acc_log("%s: not bound to %s (probe: %d)", bdf, driver, ret);
	return ret ? ret : -ENODEV;
}

int acc_vfio_cdev(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	int ret = -ENODEV;
	DIR *d;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		snprintf(out, len, "/dev/vfio/devices/%s", de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

uint64_t acc_seed(void)
{
	const char *s = getenv("ACC_SEED");
	struct timespec ts;
	uint64_t seed;

	if (s) {
		seed = strtoull(s, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)ts.tv_nsec;
	}
	fprintf(stderr, "# seed: ACC_SEED=%llu\n", (unsigned long long)seed);
	return seed;
}

const char *acc_op_name(uint8_t op)
{
	static const char *const names[] = {
		[ACC_OP_COPY] = "copy",
		[ACC_OP_AES_CBC_ENC] = "cbc-enc",
		[ACC_OP_AES_CBC_DEC] = "cbc-dec",
		[ACC_OP_AES_CTR] = "ctr",
		[ACC_OP_SHA256] = "sha256",
		[ACC_OP_HMAC_SHA256] = "hmac-sha256",
	};

	return op <= ACC_OP_MAX ? names[op] : "unknown-op";
}

const char *acc_status_name(int status)
{
	static const char *const names[] = {
		[ACC_ST_OK] = "OK",
		[ACC_ST_BAD_OP] = "BAD_OP",
		[ACC_ST_BAD_LEN] = "BAD_LEN",
		[ACC_ST_BAD_KEY] = "BAD_KEY",
		[ACC_ST_BAD_SGL] = "BAD_SGL",
		[ACC_ST_DMA_FAULT] = "DMA_FAULT",
		[ACC_ST_BAD_FLAGS] = "BAD_FLAGS",
	};

	if (status < 0)
		return strerror(-status);
	if (status < (int)(sizeof(names) / sizeof(names[0])))
		return names[status];
	return "unknown-status";
}
