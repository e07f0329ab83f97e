/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A DMA source for the IOMMU dirty-tracking tests: a PCI function bound to
 * vfio-pci that can be told to read or write a given IOVA range. The tests
 * own the iommufd side (IOAS, HWPT with dirty tracking, attach); a source
 * only finds its device, drives it through its BARs, and says when a
 * transfer has completed.
 *
 * Sources: "edu" (QEMU's educational device, -device edu). The acc VF can
 * be added as another entry of dma_sources[] in dma_source.c.
 */
#ifndef DMA_SOURCE_H
#define DMA_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct dma_dev {
	const struct dma_source *src;
	char bdf[16];
	int devfd;			/* VFIO cdev, bound to an iommufd */
	volatile uint8_t *bar0;		/* mmap of BAR0 */
	size_t bar0_size;
	uint64_t cfg_off;		/* config space region offset */
	void *priv;
};

struct dma_source {
	const char *name;
	/* Largest single transfer and highest IOVA (exclusive) it reaches. */
	size_t max_len;
	uint64_t iova_limit;
	/* Find the device: fill bdf. Returns 0 or -errno (-ENODEV: absent). */
	int (*find)(char *bdf, size_t len);
	/* After the device is attached: map BARs, bus master, reset state. */
	int (*start)(struct dma_dev *dev);
	/* The device writes (reads) [iova, iova + len); waits for completion. */
	int (*write)(struct dma_dev *dev, uint64_t iova, size_t len);
	int (*read)(struct dma_dev *dev, uint64_t iova, size_t len);
	void (*stop)(struct dma_dev *dev);
};

/* $DIRTY_DMA_SOURCE or the first source whose device is present. */
const struct dma_source *dma_source_pick(void);

/* sysfs and VFIO helpers shared by sources */
int dma_pci_bind_vfio(const char *bdf);
int dma_vfio_cdev_open(const char *bdf);
int dma_vfio_map_bar0(struct dma_dev *dev);
int dma_vfio_bus_master(struct dma_dev *dev);

#endif
