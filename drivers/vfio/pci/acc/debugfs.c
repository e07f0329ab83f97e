// SPDX-License-Identifier: GPL-2.0
/*
 * acc_vfio_pci: /sys/kernel/debug/acc_vfio/<bdf>/
 *
 *   state		migration state, whether the VF is paused, open files,
 *			last device save and load durations, SQEs the VF had
 *			not consumed at the last save
 *   last_error		errno of the last failed arc (0 if none)
 *   bytes_saved	stream bytes read by userspace, all sessions
 *   bytes_loaded	stream bytes written by userspace, all sessions
 *   steps		the last ACC_VFIO_NSTEPS arcs: end time, arc, duration,
 *			result
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "acc_vfio.h"
#include "fsm.h"

static struct dentry *acc_vfio_dbg_root;

static int state_show(struct seq_file *s, void *unused)
{
	struct acc_vfio_dev *adev = s->private;

	if (!adev->pf) {
		seq_puts(s, "no migration\n");
		return 0;
	}
	mutex_lock(&adev->state_mutex);
	seq_printf(s, "state: %s\npaused: %d\nsave_file: %d\nresume_file: %d\n",
		   acc_mig_state_name(adev->state), adev->paused, !!adev->save,
		   !!adev->resume);
	seq_printf(s, "vf: %d\nlast_save_ns: %llu\nlast_load_ns: %llu\n",
		   adev->vf, adev->save_ns, adev->load_ns);
	seq_printf(s, "last_save_inflight: %u\n", adev->save_inflight);
	acc_vfio_state_unlock(adev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

static int last_error_show(struct seq_file *s, void *unused)
{
	struct acc_vfio_dev *adev = s->private;

	seq_printf(s, "%d\n", READ_ONCE(adev->last_err));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(last_error);

static int bytes_saved_show(struct seq_file *s, void *unused)
{
	struct acc_vfio_dev *adev = s->private;

	seq_printf(s, "%lld\n", atomic64_read(&adev->bytes_saved));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bytes_saved);

static int bytes_loaded_show(struct seq_file *s, void *unused)
{
	struct acc_vfio_dev *adev = s->private;

	seq_printf(s, "%lld\n", atomic64_read(&adev->bytes_loaded));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bytes_loaded);

static int steps_show(struct seq_file *s, void *unused)
{
	struct acc_vfio_dev *adev = s->private;
	unsigned int i, first;

	mutex_lock(&adev->state_mutex);
	first = adev->nsteps > ACC_VFIO_NSTEPS ?
		adev->nsteps - ACC_VFIO_NSTEPS : 0;
	for (i = first; i < adev->nsteps; i++) {
		const struct acc_vfio_step *st =
			&adev->steps[i % ACC_VFIO_NSTEPS];

		seq_printf(s, "%llu %s -> %s %llu ns err %d\n", st->when_ns,
			   acc_mig_state_name(st->from),
			   acc_mig_state_name(st->to), st->dur_ns, st->err);
	}
	acc_vfio_state_unlock(adev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(steps);

void acc_vfio_debugfs_add(struct acc_vfio_dev *adev)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(acc_vfio_dbg_root))
		return;
	d = debugfs_create_dir(pci_name(acc_vfio_pdev(adev)),
			       acc_vfio_dbg_root);
	adev->dbg = d;
	debugfs_create_file("state", 0400, d, adev, &state_fops);
	debugfs_create_file("last_error", 0400, d, adev, &last_error_fops);
	debugfs_create_file("bytes_saved", 0400, d, adev, &bytes_saved_fops);
	debugfs_create_file("bytes_loaded", 0400, d, adev, &bytes_loaded_fops);
	debugfs_create_file("steps", 0400, d, adev, &steps_fops);
}

void acc_vfio_debugfs_remove(struct acc_vfio_dev *adev)
{
	debugfs_remove_recursive(adev->dbg);
	adev->dbg = NULL;
}

void acc_vfio_debugfs_init(void)
{
	acc_vfio_dbg_root = debugfs_create_dir("acc_vfio", NULL);
}

void acc_vfio_debugfs_exit(void)
{
	debugfs_remove_recursive(acc_vfio_dbg_root);
	acc_vfio_dbg_root = NULL;
}
