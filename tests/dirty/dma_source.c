// SPDX-License-Identifier: GPL-2.0
/*
 * DMA sources for the dirty-tracking tests, and the sysfs/VFIO plumbing
 * they share.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "dma_source.h"

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static unsigned long read_hex(const char *bdf, const char *attr)
{
	char path[256], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return ~0UL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static int find_pci(unsigned int vendor, unsigned int device, char *bdf,
		    size_t len)
{
	struct dirent *de;
	DIR *d = opendir("/sys/bus/pci/devices");
	int ret = -ENODEV;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (read_hex(de->d_name, "vendor") == vendor &&
		    read_hex(de->d_name, "device") == device) {
			snprintf(bdf, len, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

int dma_pci_bind_vfio(const char *bdf)
{
	char path[256], link[256];
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		if (!strcmp(strrchr(link, '/') + 1, "vfio-pci"))
			return 0;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		ret = write_file(path, bdf);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	ret = write_file(path, "vfio-pci");
	if (ret)
		return ret;
	return write_file("/sys/bus/pci/drivers_probe", bdf);
}

int dma_vfio_cdev_open(const char *bdf)
{
	char path[300];
	struct dirent *de;
	DIR *d;
	int fd = -ENODEV;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s",
			 de->d_name);
		fd = open(path, O_RDWR);
		if (fd < 0)
			fd = -errno;
		break;
	}
	closedir(d);
	return fd;
}

int dma_vfio_map_bar0(struct dma_dev *dev)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	void *p;

	if (ioctl(dev->devfd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -errno;
	dev->cfg_off = ri.offset;
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(dev->devfd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -errno;
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || !ri.size)
		return -EINVAL;
	p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dev->devfd, ri.offset);
	if (p == MAP_FAILED)
		return -errno;
	dev->bar0 = p;
	dev->bar0_size = ri.size;
	return 0;
}

int dma_vfio_bus_master(struct dma_dev *dev)
{
	uint16_t cmd;

	if (pread(dev->devfd, &cmd, 2, dev->cfg_off + PCI_COMMAND) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(dev->devfd, &cmd, 2, dev->cfg_off + PCI_COMMAND) != 2)
		return -EIO;
	return 0;
}

/* ------------------------------------------------------------ edu */
/*
 * QEMU's edu device (docs/specs/edu.rst): one 4 KiB buffer at device
 * address 0x40000, a DMA engine programmed through BAR0 (source,
 * destination, count, command), a 28-bit DMA mask, and a 100 ms (virtual
 * time) delay per transfer.
 */
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000
#define EDU_BUF_SIZE	4096

static int edu_find(char *bdf, size_t len)
{
	return find_pci(EDU_VENDOR, EDU_DEVICE, bdf, len);
}

static uint64_t edu_rd64(struct dma_dev *dev, unsigned int off)
{
	return *(volatile uint64_t *)(dev->bar0 + off);
}

static void edu_wr64(struct dma_dev *dev, unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(dev->bar0 + off) = val;
}

static int edu_start(struct dma_dev *dev)
{
	int ret = dma_vfio_map_bar0(dev);

	if (ret)
		return ret;
	ret = dma_vfio_bus_master(dev);
	if (ret)
		return ret;
	if ((*(volatile uint32_t *)(dev->bar0 + EDU_ID) & 0xff) != 0xed)
		return -ENODEV;
	return 0;
}

static int edu_dma(struct dma_dev *dev, uint64_t iova, size_t len,
		   bool to_ram)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	int i;

	if (!len || len > EDU_BUF_SIZE || iova + len > (1ULL << 28))
		return -EINVAL;
	if (edu_rd64(dev, EDU_DMA_CMD) & EDU_CMD_RUN)
		return -EBUSY;
	edu_wr64(dev, EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	edu_wr64(dev, EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	edu_wr64(dev, EDU_DMA_CNT, len);
	edu_wr64(dev, EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 5000; i++) {
		if (!(edu_rd64(dev, EDU_DMA_CMD) & EDU_CMD_RUN))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static int edu_write(struct dma_dev *dev, uint64_t iova, size_t len)
{
	return edu_dma(dev, iova, len, true);
}

static int edu_read(struct dma_dev *dev, uint64_t iova, size_t len)
{
	return edu_dma(dev, iova, len, false);
}

static void edu_stop(struct dma_dev *dev)
{
	if (dev->bar0)
		munmap((void *)dev->bar0, dev->bar0_size);
	dev->bar0 = NULL;
}

static const struct dma_source dma_sources[] = {
	{
		.name = "edu",
		.max_len = EDU_BUF_SIZE,
		.iova_limit = 1ULL << 28,
		.find = edu_find,
		.start = edu_start,
		.write = edu_write,
		.read = edu_read,
		.stop = edu_stop,
	},
};

const struct dma_source *dma_source_pick(void)
{
	const char *want = getenv("DIRTY_DMA_SOURCE");
	char bdf[16];
	size_t i;

	for (i = 0; i < sizeof(dma_sources) / sizeof(dma_sources[0]); i++) {
		if (want) {
			if (!strcmp(want, dma_sources[i].name))
				return &dma_sources[i];
		} else if (!dma_sources[i].find(bdf, sizeof(bdf))) {
			return &dma_sources[i];
		}
	}
	return NULL;
}
