// SPDX-License-Identifier: GPL-2.0
/*
 * acc: debugfs of the PF, a test hook for the VF services:
 *
 *   /sys/kernel/debug/acc/<pf-bdf>/vfN/pause  write 1: pause, 0: resume
 *   /sys/kernel/debug/acc/<pf-bdf>/vfN/state  read: decoded VF_SAVE
 *   /sys/kernel/debug/acc/<pf-bdf>/vfN/raw    read: VF_SAVE bytes;
 *                                             write: VF_LOAD (whole state
 *                                             in one write at offset 0)
 */

#include <linux/acc_qm.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "acc.h"

static ssize_t acc_dbg_pause_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct acc_pf_vf *v = file->private_data;
	bool pause;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &pause);
	if (ret)
		return ret;
	ret = pause ? acc_pf_vf_pause(v->pf, v->id) :
		      acc_pf_vf_resume(v->pf, v->id);
	return ret ?: count;
}

static const struct file_operations acc_dbg_pause_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = acc_dbg_pause_write,
	.llseek = noop_llseek,
};

/* Save the VF state into a new buffer; *size gets its length. */
static void *acc_dbg_save(struct acc_pf_vf *v, size_t *size, int *err)
{
	void *buf;
	int ret;

	*size = acc_pf_vf_state_size(v->pf, v->id);
	buf = *size ? kzalloc(*size, GFP_KERNEL) : NULL;
	if (!buf) {
		*err = *size ? -ENOMEM : -EINVAL;
		return NULL;
	}
	ret = acc_pf_vf_save(v->pf, v->id, buf, *size);
	if (ret < 0) {
		kfree(buf);
		*err = ret;
		return NULL;
	}
	return buf;
}

static int acc_dbg_state_show(struct seq_file *m, void *unused)
{
	struct acc_pf_vf *v = m->private;
	struct acc_vf_state *st;
	struct acc_qp_state *qs;
	size_t size;
	int err, i;

	st = acc_dbg_save(v, &size, &err);
	if (!st)
		return err;
	seq_printf(m, "magic %#x version %u qp_num %u size %u\n",
		   le32_to_cpu(st->magic), le16_to_cpu(st->version),
		   le16_to_cpu(st->qp_num), le32_to_cpu(st->size));
	seq_printf(m, "func_status %#x features %#x int_mask %#x int_status %#x\n",
		   le32_to_cpu(st->func_status), le32_to_cpu(st->features),
		   le32_to_cpu(st->int_mask), le32_to_cpu(st->int_status));
	seq_printf(m, "sqc_bt %#llx cqc_bt %#llx\n",
		   le64_to_cpu(st->sqc_bt), le64_to_cpu(st->cqc_bt));
	seq_printf(m, "eq base %#llx head %u tail %u depth_log2 %u flags %#x\n",
		   le64_to_cpu(st->eq.base), le16_to_cpu(st->eq.head),
		   le16_to_cpu(st->eq.tail), st->eq.depth_log2, st->eq.flags);
	qs = (struct acc_qp_state *)(st + 1);
	for (i = 0; i < le16_to_cpu(st->qp_num); i++, qs++)
		seq_printf(m, "qp %d sq head %u tail %u flags %#x cq head %u tail %u flags %#x\n",
			   i, le16_to_cpu(qs->sq.head), le16_to_cpu(qs->sq.tail),
			   qs->sq.flags, le16_to_cpu(qs->cq.head),
			   le16_to_cpu(qs->cq.tail), qs->cq.flags);
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(acc_dbg_state);

static ssize_t acc_dbg_raw_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct acc_pf_vf *v = file->private_data;
	size_t size;
	ssize_t ret;
	void *buf;
	int err;

	buf = acc_dbg_save(v, &size, &err);
	if (!buf)
		return err;
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, size);
	kfree(buf);
	return ret;
}

static ssize_t acc_dbg_raw_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct acc_pf_vf *v = file->private_data;
	void *buf;
	int ret;

	if (*ppos || count != acc_pf_vf_state_size(v->pf, v->id))
		return -EINVAL;
	buf = memdup_user(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = acc_pf_vf_load(v->pf, v->id, buf, count);
	kfree(buf);
	return ret ?: count;
}

static const struct file_operations acc_dbg_raw_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = acc_dbg_raw_read,
	.write = acc_dbg_raw_write,
	.llseek = default_llseek,
};

void acc_pf_debugfs_init(struct acc_pf *pf)
{
	pf->debugfs = debugfs_create_dir(pci_name(pf->qm.pdev),
					 acc_debugfs_root);
}

void acc_pf_debugfs_add_vfs(struct acc_pf *pf, int num_vfs)
{
	char name[16];
	int i;

	for (i = 0; i < num_vfs; i++) {
		struct acc_pf_vf *v = &pf->vfs[i];

		snprintf(name, sizeof(name), "vf%d", i);
		v->dir = debugfs_create_dir(name, pf->debugfs);
		debugfs_create_file("pause", 0200, v->dir, v,
				    &acc_dbg_pause_fops);
		debugfs_create_file("state", 0400, v->dir, v,
				    &acc_dbg_state_fops);
		debugfs_create_file("raw", 0600, v->dir, v, &acc_dbg_raw_fops);
	}
}

/* Waits for file operations in progress. */
void acc_pf_debugfs_remove_vfs(struct acc_pf *pf)
{
	int i;

	for (i = 0; i < ACC_MAX_VFS; i++) {
		debugfs_remove_recursive(pf->vfs[i].dir);
		pf->vfs[i].dir = NULL;
	}
}

void acc_pf_debugfs_exit(struct acc_pf *pf)
{
	acc_pf_debugfs_remove_vfs(pf);
	debugfs_remove_recursive(pf->debugfs);
	pf->debugfs = NULL;
}
