/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc_vfio_pci: vfio-pci variant driver for acc VFs, with migration v2.
 *
 * Locking (outermost first):
 *
 *   state_mutex	the migration state, the PF calls, adev->save/resume.
 *			Never held across copy_{to,from}_user: a user copy may
 *			fault on a BAR mmap and wait for vfio-pci's
 *			memory_lock, which a reset holds while it calls
 *			reset_done (see acc_vfio_state_unlock()).
 *   reset_lock		spinlock: deferred_reset, and the handover of
 *			state_mutex in acc_vfio_state_unlock().
 *   migf->lock		a data file's position, buffer and parser; held across
 *			copy_{to,from}_user, therefore never taken by a reset.
 *
 * A reset only sets migf->disabled (and drops the device's reference); the
 * file's buffer lives until its last reference goes, so a read or write in
 * progress finishes on valid memory and the next one sees -ENODEV.
 */
#ifndef _ACC_VFIO_H_
#define _ACC_VFIO_H_

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio_pci_core.h>

#include "stream.h"

struct acc_pf;
struct dentry;

/* One migration data file: a save (read) or a resume (write) stream. */
struct acc_mig_file {
	struct file *filp;
	struct acc_vfio_dev *adev;
	struct mutex lock;		/* see above */
	bool disabled;			/* WRITE_ONCE, READ_ONCE */
	bool save;			/* direction */
	u8 *data;			/* the stream, size bytes */
	u32 size;
	u32 avail;			/* readable / written bytes */
	bool final;			/* save: STOP_COPY data is in */
	struct acc_mig_layout lay;	/* save */
	struct acc_mig_ident ident;	/* this device's identity */
	/* resume */
	u8 hdr[sizeof(struct acc_mig_hdr)];
	struct acc_mig_parser parser;
	int err;			/* sticky */
	bool compat_checked;
};

#define ACC_VFIO_NSTEPS	16

struct acc_vfio_step {
	u64 when_ns;			/* ktime_get_ns() at the end */
	u64 dur_ns;
	u8 from, to;			/* enum vfio_device_mig_state */
	int err;
};

struct acc_vfio_dev {
	struct vfio_pci_core_device core;
	struct acc_pf *pf;		/* NULL: no migration */
	int vf;				/* VF index on the PF */

	struct mutex state_mutex;	/* see above */
	spinlock_t reset_lock;
	bool deferred_reset;
	enum vfio_device_mig_state state;
	bool paused;			/* we paused the VF through the PF */
	struct acc_mig_file *save;
	struct acc_mig_file *resume;
	struct acc_mig_ident ident;	/* read once per open, see cmds.c */
	bool ident_ok;

	/* statistics, for debugfs */
	int last_err;
	atomic64_t bytes_saved;		/* read by userspace */
	atomic64_t bytes_loaded;	/* written by userspace */
	u64 save_ns, load_ns;		/* last device save/load */
	u32 save_inflight;		/* SQEs unconsumed at the last save */
	struct acc_vfio_step steps[ACC_VFIO_NSTEPS];
	unsigned int nsteps;
	struct dentry *dbg;
};

static inline struct acc_vfio_dev *to_acc_vfio(struct vfio_device *vdev)
{
	return container_of(vdev, struct acc_vfio_dev, core.vdev);
}

static inline struct pci_dev *acc_vfio_pdev(struct acc_vfio_dev *adev)
{
	return adev->core.pdev;
}

/* main.c */
void acc_vfio_state_unlock(struct acc_vfio_dev *adev);

/* lm.c */
extern const struct vfio_migration_ops acc_vfio_mig_ops;
void acc_vfio_mig_reset(struct acc_vfio_dev *adev);
void acc_vfio_mig_close(struct acc_vfio_dev *adev);
void acc_vfio_mig_closed(struct acc_vfio_dev *adev);

/* cmds.c */
int acc_vfio_pf_attach(struct acc_vfio_dev *adev);
int acc_vfio_cmd_pause(struct acc_vfio_dev *adev);
int acc_vfio_cmd_resume(struct acc_vfio_dev *adev);
int acc_vfio_cmd_writeback(struct acc_vfio_dev *adev);
int acc_vfio_cmd_save(struct acc_vfio_dev *adev, void *buf, u32 len);
int acc_vfio_cmd_load(struct acc_vfio_dev *adev, const void *buf, u32 len);
int acc_vfio_ident(struct acc_vfio_dev *adev, struct acc_mig_ident *id);
void acc_vfio_ident_forget(struct acc_vfio_dev *adev);
u32 acc_vfio_inflight(const void *state, u32 len);
u32 acc_vfio_state_size(struct acc_vfio_dev *adev);

/* debugfs.c */
void acc_vfio_debugfs_init(void);
void acc_vfio_debugfs_exit(void);
void acc_vfio_debugfs_add(struct acc_vfio_dev *adev);
void acc_vfio_debugfs_remove(struct acc_vfio_dev *adev);

#endif /* _ACC_VFIO_H_ */
