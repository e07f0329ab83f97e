// SPDX-License-Identifier: GPL-2.0
/*
 * libacc: opening a VF through the VFIO cdev and iommufd, BAR0 and config
 * space access, DMA mappings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "accdev.h"

static size_t page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

static size_t page_round(size_t len)
{
	return (len + page_size() - 1) & ~(page_size() - 1);
}

/* ------------------------------------------------------------ registers */
uint32_t acc_rd(struct acc_vf *vf, uint32_t off)
{
	uint32_t v;

	if (vf->bar)
		return vf->bar[off / 4];
	if (pread(vf->devfd, &v, 4, vf->bar_off + off) != 4)
		return ~0U;
	return v;
}

void acc_wr(struct acc_vf *vf, uint32_t off, uint32_t val)
{
	if (vf->bar) {
		vf->bar[off / 4] = val;
		return;
	}
	if (pwrite(vf->devfd, &val, 4, vf->bar_off + off) != 4)
		acc_log("%s: BAR0 write at 0x%x failed", vf->bdf, off);
}

int acc_cfg_rd(struct acc_vf *vf, uint32_t off, void *buf, size_t len)
{
	ssize_t n = pread(vf->devfd, buf, len, vf->cfg_off + off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

int acc_cfg_wr(struct acc_vf *vf, uint32_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(vf->devfd, buf, len, vf->cfg_off + off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

static int region_info(struct acc_vf *vf, uint32_t index,
		       struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(vf->devfd, VFIO_DEVICE_GET_REGION_INFO, ri))
		return -errno;
	return 0;
}

static int map_bar0(struct acc_vf *vf)
{
	struct vfio_region_info ri;
	void *p;
	int ret;

	ret = region_info(vf, VFIO_PCI_BAR0_REGION_INDEX, &ri);
	if (ret)
		return ret;
	if (ri.size < ACC_GUEST_SIZE)
		return -ENXIO;
	vf->bar_off = ri.offset;
	vf->bar_size = ri.size;
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || getenv("ACC_NO_MMAP"))
		return 0;
	p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, vf->devfd,
		 ri.offset);
	if (p == MAP_FAILED) {
		acc_log("%s: BAR0 mmap failed (%d), using pread/pwrite",
			vf->bdf, errno);
		return 0;
	}
	vf->bar = p;
	return 0;
}

/* ------------------------------------------------------------- iommufd */
int acc_ioas_map(struct acc_vf *vf, void *va, size_t len, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = vf->ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	if (ioctl(vf->iommufd, IOMMU_IOAS_MAP, &map))
		return -errno;
	return 0;
}

int acc_ioas_unmap(struct acc_vf *vf, uint64_t iova, size_t len)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = vf->ioas_id,
		.iova = iova,
		.length = len,
	};

	if (ioctl(vf->iommufd, IOMMU_IOAS_UNMAP, &unmap))
		return -errno;
	return 0;
}

int acc_dma_alloc(struct acc_vf *vf, struct acc_dma *d, size_t size,
		  uint64_t iova)
{
	size_t len = page_round(size ? size : 1);
	void *va;
	int ret;

	memset(d, 0, sizeof(*d));
	va = mmap(NULL, len, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED)
		return -errno;
	if (!iova) {
		iova = vf->next_iova;
		/* one unmapped guard page between buffers */
		vf->next_iova += len + page_size();
	}
	ret = acc_ioas_map(vf, va, len, iova);
	if (ret) {
		munmap(va, len);
		return ret;
	}
	d->va = va;
	d->iova = iova;
	d->size = len;
	d->mapped = true;
	return 0;
}

int acc_dma_clone(struct acc_vf *vf, struct acc_dma *d,
		  const struct acc_dma *src)
{
	unsigned int i;
	int ret;

	if (!src->va) {
		memset(d, 0, sizeof(*d));
		return 0;
	}
	for (i = 0; i < vf->n_shadow; i++) {
		struct acc_dma *s = &vf->shadow[i];

		if (s->va && s->iova == src->iova && s->size == src->size) {
			*d = *s;	/* filled by the caller: no copy */
			memset(s, 0, sizeof(*s));
			return 0;
		}
	}
	ret = acc_dma_alloc(vf, d, src->size, src->iova);
	if (ret)
		return ret;
	memcpy(d->va, src->va, src->size);
	return 0;
}

int acc_dma_shadow(struct acc_vf *vf, const struct acc_dma *src,
		   struct acc_dma **shadow)
{
	struct acc_dma *s;
	int ret;

	if (vf->n_shadow >= ACC_MAX_SHADOWS)
		return -ENOSPC;
	s = &vf->shadow[vf->n_shadow];
	ret = acc_dma_alloc(vf, s, src->size, src->iova);
	if (ret)
		return ret;
	vf->n_shadow++;
	*shadow = s;
	return 0;
}

int acc_dma_unmap(struct acc_vf *vf, struct acc_dma *d)
{
	int ret;

	if (!d->mapped)
		return 0;
	ret = acc_ioas_unmap(vf, d->iova, d->size);
	if (!ret)
		d->mapped = false;
	return ret;
}

int acc_dma_remap(struct acc_vf *vf, struct acc_dma *d)
{
	int ret;

	if (d->mapped)
		return 0;
	ret = acc_ioas_map(vf, d->va, d->size, d->iova);
	if (!ret)
		d->mapped = true;
	return ret;
}

void acc_dma_free(struct acc_vf *vf, struct acc_dma *d)
{
	if (!d->va)
		return;
	acc_dma_unmap(vf, d);
	munmap(d->va, d->size);
	memset(d, 0, sizeof(*d));
}

int acc_vf_attach(struct acc_vf *vf, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.pt_id = pt_id,
	};

	if (ioctl(vf->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		return -errno;
	vf->pt_id = at.pt_id;
	return 0;
}

static int iommufd_setup(struct acc_vf *vf, const struct acc_vf_opts *o)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	uint32_t pt;

	if (o && o->iommufd >= 0) {
		vf->iommufd = o->iommufd;
	} else {
		vf->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (vf->iommufd < 0)
			return -errno;
		vf->own_iommufd = true;
	}
	bind.iommufd = vf->iommufd;
	if (ioctl(vf->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	vf->devid = bind.out_devid;

	if (o && o->ioas_id) {
		vf->ioas_id = o->ioas_id;
	} else {
		if (ioctl(vf->iommufd, IOMMU_IOAS_ALLOC, &ioas))
			return -errno;
		vf->ioas_id = ioas.out_ioas_id;
		vf->own_ioas = true;
	}

	pt = vf->ioas_id;
	if (o && o->pt_id) {
		pt = o->pt_id;
	} else if (o && o->alloc_hwpt) {
		struct iommu_hwpt_alloc ha = {
			.size = sizeof(ha),
			.flags = o->hwpt_flags,
			.dev_id = vf->devid,
			.pt_id = vf->ioas_id,
		};

		if (ioctl(vf->iommufd, IOMMU_HWPT_ALLOC, &ha))
			return -errno;
		vf->hwpt_id = ha.out_hwpt_id;
		pt = vf->hwpt_id;
	}
	return acc_vf_attach(vf, pt);
}

static void destroy_obj(int iommufd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	if (ioctl(iommufd, IOMMU_DESTROY, &d))
		acc_log("IOMMU_DESTROY %u: %d", id, errno);
}

int acc_cfg_command(struct acc_vf *vf, uint16_t set, uint16_t clear)
{
	uint16_t cmd;
	int ret = acc_cfg_rd(vf, PCI_COMMAND, &cmd, 2);

	if (ret)
		return ret;
	cmd = (cmd & ~clear) | set;
	return acc_cfg_wr(vf, PCI_COMMAND, &cmd, 2);
}

/* ------------------------------------------------------------------ VF */
static int enable_bus_master(struct acc_vf *vf)
{
	struct vfio_region_info ri;
	int ret;

	ret = region_info(vf, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
	if (ret)
		return ret;
	vf->cfg_off = ri.offset;
	return acc_cfg_command(vf, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
}

int acc_vf_open(struct acc_vf *vf, const char *bdf,
		const struct acc_vf_opts *opts)
{
	char path[64];
	int ret, i;

	memset(vf, 0, sizeof(*vf));
	vf->iommufd = -1;
	vf->devfd = -1;
	for (i = 0; i < ACC_MSIX_VECTORS; i++)
		vf->irq_fd[i] = -1;
	snprintf(vf->bdf, sizeof(vf->bdf), "%s", bdf);
	if (opts && opts->iova_off) {
		if (opts->iova_off + ACC_IOVA_DATA >= ACC_IOVA_HOLE ||
		    opts->iova_off % ACC_IOVA_QP_STRIDE)
			return -EINVAL;
		vf->iova_off = opts->iova_off;
	}
	vf->next_iova = ACC_IOVA_DATA + vf->iova_off;

	ret = acc_vfio_cdev(bdf, path, sizeof(path));
	if (ret) {
		acc_log("%s: no vfio cdev (bound to vfio-pci?)", bdf);
		goto err;
	}
	vf->devfd = open(path, O_RDWR | O_CLOEXEC);
	if (vf->devfd < 0) {
		ret = -errno;
		acc_log("%s: open %s: %d", bdf, path, ret);
		goto err;
	}
	ret = iommufd_setup(vf, opts);
	if (ret) {
		acc_log("%s: iommufd setup: %d", bdf, ret);
		goto err;
	}
	ret = map_bar0(vf);
	if (ret)
		goto err;
	ret = enable_bus_master(vf);
	if (ret)
		goto err;

	if (acc_rd(vf, ACC_REG_ID) != ACC_ID_MAGIC) {
		acc_log("%s: bad ID 0x%x", bdf, acc_rd(vf, ACC_REG_ID));
		ret = -ENODEV;
		goto err;
	}
	vf->qp_num = acc_rd(vf, ACC_REG_QP_NUM);
	vf->depth_max_log2 = acc_rd(vf, ACC_REG_QP_DEPTH_MAX);
	vf->features = acc_rd(vf, ACC_REG_FEATURES);
	if (!opts || !opts->no_reset) {
		ret = acc_soft_reset(vf);
		if (ret)
			goto err;
	}
	return 0;
err:
	acc_vf_close(vf);
	return ret;
}

int acc_vf_reset(struct acc_vf *vf)
{
	if (ioctl(vf->devfd, VFIO_DEVICE_RESET))
		return -errno;
	vf->qm_ready = false;
	return 0;
}

void acc_vf_close(struct acc_vf *vf)
{
	if (vf->devfd >= 0 && vf->qm_ready)
		acc_soft_reset(vf);	/* stop all DMA before unmapping */
	acc_irq_disable(vf);
	acc_qm_fini(vf);
	while (vf->n_shadow)
		acc_dma_free(vf, &vf->shadow[--vf->n_shadow]);
	if (vf->bar)
		munmap((void *)vf->bar, vf->bar_size);
	vf->bar = NULL;
	if (vf->devfd >= 0)
		close(vf->devfd);	/* detaches and unbinds */
	vf->devfd = -1;
	if (vf->iommufd >= 0) {
		if (vf->hwpt_id)
			destroy_obj(vf->iommufd, vf->hwpt_id);
		if (vf->own_ioas)
			destroy_obj(vf->iommufd, vf->ioas_id);
		if (vf->own_iommufd)
			close(vf->iommufd);
	}
	vf->iommufd = -1;
	free(vf->cq_events);
	vf->cq_events = NULL;
}
