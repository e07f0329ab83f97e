// SPDX-License-Identifier: GPL-2.0
/*
 * acc_ptfloor: the floor of the dirty-tracking benchmark (bench/dirty/).
 *
 * Issue 4 measures IOMMU_HWPT_GET_DIRTY_BITMAP against "one plain read pass
 * over the same page-table bytes". Userspace cannot reach the IOMMU's page
 * tables, so this module makes that pass. On an open file of
 * /sys/kernel/debug/acc_ptfloor, a write of
 *
 *	DOMAIN:BUS:DEV.FN	selects the PCI device, for this open file;
 *	IOVA LENGTH		(hex, 4 KiB aligned) walks the VT-d page table
 *				of the paging domain the device is attached
 *				to, from the root down to the leaves that map
 *				[IOVA, IOVA + LENGTH);
 *	IOVA LENGTH flush	makes the same walk, then flushes the IOTLB
 *				over the range as a harvest that cleared D
 *				bits across it does (iommu_iotlb_sync() of a
 *				gather of the range).
 *
 * The walk loads every entry on the way, a cache line of eight at a time,
 * summed, as a plain read of memory; above the leaves, a line that holds a
 * pointer to a lower table is then looked at entry by entry and followed
 * down. It writes nothing. A read of the file gives the number of entries
 * the last pass loaded, so that the benchmark can check that the pass read
 * the whole range. The benchmark
 * times the write(2), as it times the ioctl of the harvest; the device is
 * looked up once, at selection, as iommufd looks up the HWPT by its ID.
 *
 * A read that clears a dirty entry must also flush the IOTLB, so the walk
 * plus the flush is the least such a read can cost: the benchmark prints
 * it beside the floor, to show how much of a goal the flush alone takes.
 * The flush drops cached translations only, which the device walks again.
 *
 * Errors: EINVAL (a malformed line, an unaligned or empty range, or a range
 * beyond the domain's address width), ENODEV (no such PCI device), ENXIO
 * (no device selected), ENOENT (the device is not attached to a paging
 * domain), EOPNOTSUPP (the device is not behind a VT-d IOMMU). The caller
 * must not change the mappings of the range while a pass runs: the walk
 * takes no lock.
 */
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "iommu.h"

static struct dentry *ptfloor_file;
/* The sum of the last pass, so that the loads are not optimised away */
static u64 ptfloor_sum;
/* The number of entries the last pass loaded */
static u64 ptfloor_entries;

/* Load @n leaves at @pte, eight at a time */
static u64 ptfloor_leaves(struct dma_pte *pte, unsigned int n)
{
	unsigned int i = 0;
	u64 sum = 0;

	for (; i + 8 <= n; i += 8)
		sum += READ_ONCE(pte[i].val) + READ_ONCE(pte[i + 1].val) +
		       READ_ONCE(pte[i + 2].val) + READ_ONCE(pte[i + 3].val) +
		       READ_ONCE(pte[i + 4].val) + READ_ONCE(pte[i + 5].val) +
		       READ_ONCE(pte[i + 6].val) + READ_ONCE(pte[i + 7].val);
	for (; i < n; i++)
		sum += READ_ONCE(pte[i].val);
	return sum;
}

/*
 * Load the entries of @table, at @level, that map [pfn, last], and below;
 * add their number to @entries.
 */
static u64 ptfloor_walk(struct dma_pte *table, int level, unsigned long pfn,
			unsigned long last, u64 *entries)
{
	unsigned int shift = level_to_offset_bits(level);
	u64 base = pfn & ~((1ULL << (shift + LEVEL_STRIDE)) - 1);
	unsigned int i = pfn_level_offset(pfn, level);
	unsigned int end = pfn_level_offset(last, level);
	u64 sum = 0, n = 0;

	if (level == 1) {
		*entries += end - i + 1;
		return ptfloor_leaves(&table[i], end - i + 1);
	}

	for (; i <= end; i++) {
		u64 val, lo, hi;

		/*
		 * A whole line of entries is loaded as the leaves are, and
		 * looked at entry by entry only if one of them points to a
		 * lower table: a mapping of large pages is read as a plain
		 * pass over its entries.
		 */
		if (!(i & 7) && i + 7 <= end) {
			struct dma_pte *p = &table[i];
			u64 v[8] = {
				READ_ONCE(p[0].val), READ_ONCE(p[1].val),
				READ_ONCE(p[2].val), READ_ONCE(p[3].val),
				READ_ONCE(p[4].val), READ_ONCE(p[5].val),
				READ_ONCE(p[6].val), READ_ONCE(p[7].val),
			};
			u64 all = v[0] & v[1] & v[2] & v[3] &
				  v[4] & v[5] & v[6] & v[7];
			u64 any = v[0] | v[1] | v[2] | v[3] |
				  v[4] | v[5] | v[6] | v[7];

			/*
			 * Eight large pages, or eight empty entries: a test
			 * of the line, not of each entry, as under TCG
			 * every branch ends a translation block.
			 */
			if ((all & DMA_PTE_LARGE_PAGE) ||
			    !(any & (DMA_PTE_READ | DMA_PTE_WRITE))) {
				sum += v[0] + v[1] + v[2] + v[3] +
				       v[4] + v[5] + v[6] + v[7];
				n += 8;
				i += 7;
				continue;
			}
		}
		val = READ_ONCE(table[i].val);
		sum += val;
		n++;
		if (!(val & (DMA_PTE_READ | DMA_PTE_WRITE)) ||
		    (val & DMA_PTE_LARGE_PAGE))
			continue;
		lo = max_t(u64, pfn, base + ((u64)i << shift));
		hi = min_t(u64, last, base + ((u64)(i + 1) << shift) - 1);
		sum += ptfloor_walk(phys_to_virt(dma_pte_addr(&table[i])),
				    level - 1, lo, hi, entries);
	}
	*entries += n;
	return sum;
}

static int ptfloor_pass(struct pci_dev *pdev, u64 iova, u64 length,
			bool flush)
{
	struct iommu_iotlb_gather gather;
	struct iommu_domain *domain;
	struct dmar_domain *dmar_domain;
	struct device *iommu_dev;
	u64 last, entries = 0;

	iommu_dev = pdev->dev.iommu && pdev->dev.iommu->iommu_dev ?
		    pdev->dev.iommu->iommu_dev->dev : NULL;
	/* Intel IOMMUs register as dmar0, dmar1, ... */
	if (!iommu_dev || strncmp(dev_name(iommu_dev), "dmar", 4))
		return -EOPNOTSUPP;
	domain = iommu_get_domain_for_dev(&pdev->dev);
	if (!domain || !(domain->type & __IOMMU_DOMAIN_PAGING))
		return -ENOENT;
	dmar_domain = to_dmar_domain(domain);
	last = iova + length - 1;
	if (!length || !IS_ALIGNED(iova | length, VTD_PAGE_SIZE) ||
	    last < iova || (dmar_domain->gaw < 64 && last >> dmar_domain->gaw))
		return -EINVAL;
	WRITE_ONCE(ptfloor_sum,
		   ptfloor_walk(dmar_domain->pgd,
				agaw_to_level(dmar_domain->agaw),
				iova >> VTD_PAGE_SHIFT, last >> VTD_PAGE_SHIFT,
				&entries));
	WRITE_ONCE(ptfloor_entries, entries);
	if (flush) {
		iommu_iotlb_gather_init(&gather);
		iommu_iotlb_gather_add_range(&gather, iova, length);
		iommu_iotlb_sync(domain, &gather);
	}
	return 0;
}

static ssize_t ptfloor_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned int dom, bus, dev, fn;
	struct pci_dev *pdev;
	u64 iova, length;
	char buf[64], op[8];
	int ret, n;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	n = sscanf(buf, "%llx %llx %7s", &iova, &length, op);
	if (n == 2 || n == 3) {
		if (n == 3 && strcmp(op, "flush"))
			return -EINVAL;
		pdev = file->private_data;
		if (!pdev)
			return -ENXIO;
		ret = ptfloor_pass(pdev, iova, length, n == 3);
		return ret ? ret : count;
	}

	if (sscanf(buf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(dev, fn));
	if (!pdev)
		return -ENODEV;
	pci_dev_put(file->private_data);
	file->private_data = pdev;
	return count;
}

static ssize_t ptfloor_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[24];
	int n = scnprintf(buf, sizeof(buf), "%llu\n",
			  READ_ONCE(ptfloor_entries));

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static int ptfloor_release(struct inode *inode, struct file *file)
{
	pci_dev_put(file->private_data);
	return 0;
}

static const struct file_operations ptfloor_fops = {
	.owner = THIS_MODULE,
	.read = ptfloor_read,
	.write = ptfloor_write,
	.release = ptfloor_release,
};

static int __init ptfloor_init(void)
{
	ptfloor_file = debugfs_create_file("acc_ptfloor", 0600, NULL, NULL,
					   &ptfloor_fops);
	return 0;
}

static void __exit ptfloor_exit(void)
{
	debugfs_remove(ptfloor_file);
}

module_init(ptfloor_init);
module_exit(ptfloor_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("acc: a plain read pass over a VT-d page table (dirty-tracking benchmark floor)");
