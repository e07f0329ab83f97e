// SPDX-License-Identifier: GPL-2.0
/*
 * acc_vfio_pci: migration FSM and data files.
 *
 * The arcs and what they do are in fsm.c; the stream in stream.c. A failing
 * PF service, or any failure once an arc has touched the hardware, puts the
 * device in ERROR, which only a reset leaves. A stream that fails validation
 * changes nothing: the write or the RESUMING -> STOP arc fails, the error
 * sticks to the file, and the state stays RESUMING.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "acc_vfio.h"
#include "fsm.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static int acc_mig_release(struct inode *inode, struct file *filp)
{
	struct acc_mig_file *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	kvfree(migf->data);
	/* Drop the hold on adev; it may be the last (device removed). */
	put_device(&migf->adev->core.vdev.device);
	kfree(migf);
	return 0;
}

static ssize_t acc_mig_read(struct file *filp, char __user *buf, size_t len,
			    loff_t *pos)
{
	struct acc_mig_file *migf = filp->private_data;
	ssize_t ret;
	size_t n;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (READ_ONCE(migf->disabled)) {
		ret = -ENODEV;
		goto out;
	}
	if (*pos >= migf->avail) {
		/* End of the data for now (PRE_COPY), or for good. */
		ret = migf->final ? 0 : -ENOMSG;
		goto out;
	}
	n = min_t(size_t, len, migf->avail - *pos);
	if (copy_to_user(buf, migf->data + *pos, n)) {
		ret = -EFAULT;
		goto out;
	}
	*pos += n;
	atomic64_add(n, &migf->adev->bytes_saved);
	ret = n;
out:
	mutex_unlock(&migf->lock);
	return ret;
}

static long acc_mig_precopy_ioctl(struct file *filp, unsigned int cmd,
				  unsigned long arg)
{
	struct acc_mig_file *migf = filp->private_data;
	struct acc_vfio_dev *adev = migf->adev;
	struct vfio_precopy_info info;
	unsigned long minsz;
	long ret = 0;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	mutex_lock(&adev->state_mutex);
	if ((adev->state != VFIO_DEVICE_STATE_PRE_COPY &&
	     adev->state != VFIO_DEVICE_STATE_PRE_COPY_P2P) ||
	    adev->save != migf) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&migf->lock);
	if (READ_ONCE(migf->disabled)) {
		ret = -ENODEV;
	} else {
		/* All the data is known up front: nothing ever gets dirty. */
		info.initial_bytes = migf->avail - min_t(loff_t, filp->f_pos,
							 migf->avail);
		info.dirty_bytes = 0;
	}
	mutex_unlock(&migf->lock);
out:
	acc_vfio_state_unlock(adev);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static const struct file_operations acc_mig_save_fops = {
	.owner = THIS_MODULE,
	.read = acc_mig_read,
	.unlocked_ioctl = acc_mig_precopy_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = acc_mig_release,
};

static int acc_mig_fail(struct acc_mig_file *migf, int err)
{
	migf->err = err;
	return err;
}

/* Accept a complete header: size the buffer from its declared length. */
static int acc_mig_got_hdr(struct acc_mig_file *migf)
{
	int ret;

	ret = acc_mig_parse(&migf->parser, migf->hdr, sizeof(migf->hdr));
	if (ret)
		return ret;
	migf->size = migf->parser.total_len;
	migf->data = kvzalloc(migf->size, GFP_KERNEL_ACCOUNT);
	if (!migf->data)
		return -ENOMEM;
	memcpy(migf->data, migf->hdr, sizeof(migf->hdr));
	return 0;
}

/* Copy one piece in; -EFAULT leaves the file as it was. */
static ssize_t acc_mig_write_locked(struct acc_mig_file *migf,
				    const char __user *buf, size_t len)
{
	size_t hsz = sizeof(migf->hdr);
	size_t done = 0, n;
	u64 end;
	int ret;

	/* The position is migf->avail: a stream file only moves forward. */
	if (check_add_overflow((u64)migf->avail, len, &end) ||
	    end > ACC_MIG_STREAM_MAX)
		return acc_mig_fail(migf, -EFBIG);
	if (migf->avail < hsz) {
		n = min(len, hsz - migf->avail);
		if (copy_from_user(migf->hdr + migf->avail, buf, n))
			return -EFAULT;
		migf->avail += n;
		done = n;
		if (migf->avail < hsz)
			return done;
		ret = acc_mig_got_hdr(migf);
		if (ret)
			return acc_mig_fail(migf, ret);
	}
	n = len - done;
	if (n) {
		if (n > migf->size - migf->avail)
			return acc_mig_fail(migf, -EFBIG);
		if (copy_from_user(migf->data + migf->avail, buf + done, n))
			return done ? done : -EFAULT;
		migf->avail += n;
		done += n;
	}
	ret = acc_mig_parse(&migf->parser, migf->data, migf->avail);
	if (ret)
		return acc_mig_fail(migf, ret);
	/* Refuse an incompatible source as soon as its record is in. */
	if ((migf->parser.seen & ACC_MIG_SEEN_COMPAT) && !migf->compat_checked) {
		migf->compat_checked = true;
		ret = acc_mig_ident_compatible(&migf->parser.ident,
					       &migf->ident);
		if (ret)
			return acc_mig_fail(migf, ret);
	}
	return done;
}

static ssize_t acc_mig_write(struct file *filp, const char __user *buf,
			     size_t len, loff_t *pos)
{
	struct acc_mig_file *migf = filp->private_data;
	ssize_t ret;
	loff_t end;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;
	if (*pos < 0 || check_add_overflow(*pos, len, &end))
		return -EINVAL;

	mutex_lock(&migf->lock);
	if (READ_ONCE(migf->disabled))
		ret = -ENODEV;
	else if (migf->err)
		ret = migf->err;
	else
		ret = acc_mig_write_locked(migf, buf, len);
	if (ret > 0) {
		*pos += ret;
		atomic64_add(ret, &migf->adev->bytes_loaded);
	}
	mutex_unlock(&migf->lock);
	return ret;
}

static const struct file_operations acc_mig_resume_fops = {
	.owner = THIS_MODULE,
	.write = acc_mig_write,
	.release = acc_mig_release,
};

static struct acc_mig_file *acc_mig_file_new(struct acc_vfio_dev *adev,
					     bool save)
{
	struct acc_mig_file *migf;
	int ret;

	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	migf->adev = adev;
	migf->save = save;
	mutex_init(&migf->lock);
	acc_mig_parser_init(&migf->parser);
	ret = acc_vfio_ident(adev, &migf->ident);
	if (ret)
		goto err;
	if (save) {
		ret = acc_mig_layout(migf->ident.state_size, &migf->lay);
		if (ret)
			goto err;
		migf->size = migf->lay.total_len;
		migf->data = kvzalloc(migf->size, GFP_KERNEL_ACCOUNT);
		if (!migf->data) {
			ret = -ENOMEM;
			goto err;
		}
		acc_mig_emit_precopy(migf->data, &migf->lay, &migf->ident);
		migf->avail = migf->lay.precopy_len;
	}
	migf->filp = anon_inode_getfile("acc_vfio_mig",
					save ? &acc_mig_save_fops :
					       &acc_mig_resume_fops,
					migf, save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(migf->filp)) {
		ret = PTR_ERR(migf->filp);
		goto err;
	}
	stream_open(migf->filp->f_inode, migf->filp);
	/* The device's reference; the one from getfile goes to the user. */
	get_file(migf->filp);
	/* adev (state_mutex, statistics) outlives every file that uses it. */
	get_device(&adev->core.vdev.device);
	return migf;
err:
	mutex_destroy(&migf->lock);
	kvfree(migf->data);
	kfree(migf);
	return ERR_PTR(ret);
}

/* End a data file: later reads and writes get -ENODEV. Never sleeps long. */
static void acc_mig_file_end(struct acc_mig_file **pmigf)
{
	struct acc_mig_file *migf = *pmigf;

	if (!migf)
		return;
	WRITE_ONCE(migf->disabled, true);
	fput(migf->filp);
	*pmigf = NULL;
}

/* Save the device and complete the stream; *hw is set if the PF failed. */
static int acc_mig_save_final(struct acc_vfio_dev *adev, bool *hw)
{
	struct acc_mig_file *migf = adev->save;
	struct pci_dev *pdev = acc_vfio_pdev(adev);
	u32 size = migf->ident.state_size;
	struct acc_mig_src_info info = { 0 };
	void *state;
	u64 t0;
	int ret;

	/* The allotment must not have changed since PRE_COPY. */
	if (acc_vfio_state_size(adev) != size)
		return -EIO;
	/*
	 * Save straight into the stream: past migf->avail, so no reader
	 * looks at those bytes until the records are complete.
	 */
	state = acc_mig_state_buf(migf->data, &migf->lay);
	t0 = ktime_get_ns();
	ret = acc_vfio_cmd_save(adev, state, size);
	adev->save_ns = ktime_get_ns() - t0;
	trace_acc_vfio_state_io(pdev, false, size, ret, adev->save_ns);
	if (ret) {
		*hw = true;
		return ret;
	}
	info.pci_id = cpu_to_le32(pci_domain_nr(pdev->bus) << 16 |
				  pci_dev_id(pdev));
	info.vf = cpu_to_le32(adev->vf);
	adev->save_inflight = acc_vfio_inflight(state, size);
	info.inflight = cpu_to_le32(adev->save_inflight);
	info.save_ns = cpu_to_le64(adev->save_ns);

	mutex_lock(&migf->lock);
	acc_mig_emit_final(migf->data, &migf->lay, &info, state, size);
	migf->avail = migf->lay.total_len;
	migf->final = true;
	mutex_unlock(&migf->lock);
	return 0;
}

/* Validate the whole stream, then load it; *hw is set if the PF failed. */
static int acc_mig_load(struct acc_vfio_dev *adev, bool *hw)
{
	struct acc_mig_file *migf = adev->resume;
	struct acc_mig_parser p;
	int ret;
	u64 t0;

	mutex_lock(&migf->lock);
	ret = migf->err;
	if (!ret)
		ret = acc_mig_decode(&p, migf->data, migf->avail);
	if (!ret)
		ret = acc_mig_ident_compatible(&p.ident, &migf->ident);
	if (ret) {
		migf->err = ret;
		goto out;
	}
	t0 = ktime_get_ns();
	ret = acc_vfio_cmd_load(adev, migf->data + p.state_off, p.state_len);
	adev->load_ns = ktime_get_ns() - t0;
	trace_acc_vfio_state_io(acc_vfio_pdev(adev), true, p.state_len, ret,
				adev->load_ns);
	if (ret)
		*hw = true;
out:
	mutex_unlock(&migf->lock);
	return ret;
}

/* One arc. Returns the new data file for arcs that make one, or NULL. */
static struct file *acc_vfio_arc(struct acc_vfio_dev *adev,
				 enum vfio_device_mig_state next)
{
	struct acc_mig_file *opened = NULL;
	bool hw = false;
	int act, ret = 0;

	act = acc_mig_arc(adev->state, next);
	if (WARN_ON_ONCE(act < 0))
		return ERR_PTR(-EINVAL);

	if (act & ACC_ACT_PAUSE) {
		hw = true;
		ret = acc_vfio_cmd_pause(adev);
		if (ret)
			goto fail;
	}
	if (act & ACC_ACT_WRITEBACK) {
		ret = acc_vfio_cmd_writeback(adev);
		if (ret) {
			hw = true;
			goto fail;
		}
	}
	if (act & (ACC_ACT_SAVE_OPEN | ACC_ACT_LOAD_OPEN)) {
		opened = acc_mig_file_new(adev, act & ACC_ACT_SAVE_OPEN);
		if (IS_ERR(opened)) {
			ret = PTR_ERR(opened);
			opened = NULL;
			goto fail;
		}
		if (act & ACC_ACT_SAVE_OPEN)
			adev->save = opened;
		else
			adev->resume = opened;
	}
	if (act & ACC_ACT_SAVE_FINAL) {
		ret = acc_mig_save_final(adev, &hw);
		if (ret)
			goto fail;
	}
	if (act & ACC_ACT_SAVE_CLOSE)
		acc_mig_file_end(&adev->save);
	if (act & ACC_ACT_LOAD) {
		ret = acc_mig_load(adev, &hw);
		if (ret)
			goto fail;
	}
	if (act & ACC_ACT_LOAD_CLOSE)
		acc_mig_file_end(&adev->resume);
	if (act & ACC_ACT_RESUME) {
		ret = acc_vfio_cmd_resume(adev);
		if (ret) {
			hw = true;
			goto fail;
		}
	}
	return (act & ACC_ACT_RETURN_FD) ? opened->filp : NULL;

fail:
	if (opened) {
		/* Never returned: drop the user's reference too. */
		struct file *filp = opened->filp;

		if (opened == adev->save)
			acc_mig_file_end(&adev->save);
		else
			acc_mig_file_end(&adev->resume);
		fput(filp);
	}
	if (hw) {
		pci_err(acc_vfio_pdev(adev), "%s -> %s failed: %pe\n",
			acc_mig_state_name(adev->state),
			acc_mig_state_name(next), ERR_PTR(ret));
		acc_mig_file_end(&adev->save);
		acc_mig_file_end(&adev->resume);
		adev->state = VFIO_DEVICE_STATE_ERROR;
	}
	return ERR_PTR(ret);
}

static void acc_vfio_log_step(struct acc_vfio_dev *adev, u32 from, u32 to,
			      int err, u64 dur)
{
	struct acc_vfio_step *s = &adev->steps[adev->nsteps++ %
					       ACC_VFIO_NSTEPS];

	s->when_ns = ktime_get_ns();
	s->dur_ns = dur;
	s->from = from;
	s->to = to;
	s->err = err;
	if (err)
		adev->last_err = err;
	trace_acc_vfio_arc(acc_vfio_pdev(adev), from, to, err, dur);
}

static struct file *acc_vfio_set_state(struct vfio_device *vdev,
				       enum vfio_device_mig_state new_state)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&adev->state_mutex);
	while (new_state != adev->state) {
		enum vfio_device_mig_state from = adev->state;
		u64 t0;

		/* Only a reset leaves ERROR. */
		if (adev->state == VFIO_DEVICE_STATE_ERROR) {
			res = ERR_PTR(-EIO);
			break;
		}
		ret = vfio_mig_get_next_state(vdev, adev->state, new_state,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		t0 = ktime_get_ns();
		res = acc_vfio_arc(adev, next);
		acc_vfio_log_step(adev, from, next, PTR_ERR_OR_ZERO(res),
				  ktime_get_ns() - t0);
		if (IS_ERR(res))
			break;
		adev->state = next;
		if (WARN_ON(res && new_state != adev->state)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	acc_vfio_state_unlock(adev);
	return res;
}

static int acc_vfio_get_state(struct vfio_device *vdev,
			      enum vfio_device_mig_state *state)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);

	mutex_lock(&adev->state_mutex);
	*state = adev->state;
	acc_vfio_state_unlock(adev);
	return 0;
}

static int acc_vfio_get_data_size(struct vfio_device *vdev,
				  unsigned long *stop_copy_length)
{
	struct acc_vfio_dev *adev = to_acc_vfio(vdev);
	struct acc_mig_layout lay;
	int ret;

	mutex_lock(&adev->state_mutex);
	ret = acc_mig_layout(acc_vfio_state_size(adev), &lay);
	acc_vfio_state_unlock(adev);
	if (ret)
		return ret;
	*stop_copy_length = lay.total_len;
	return 0;
}

const struct vfio_migration_ops acc_vfio_mig_ops = {
	.migration_set_state = acc_vfio_set_state,
	.migration_get_state = acc_vfio_get_state,
	.migration_get_data_size = acc_vfio_get_data_size,
};

/* End the data files and forget the migration: back to RUNNING. */
static void acc_vfio_mig_end(struct acc_vfio_dev *adev)
{
	acc_mig_file_end(&adev->save);
	acc_mig_file_end(&adev->resume);
	acc_vfio_ident_forget(adev);
	adev->state = VFIO_DEVICE_STATE_RUNNING;
}

/* The VF is no longer paused in the device: tell the PF driver. */
static void acc_vfio_mig_unpaused(struct acc_vfio_dev *adev)
{
	if (adev->paused)
		acc_vfio_cmd_resume(adev);
	adev->paused = false;
}

/**
 * acc_vfio_mig_reset() - the VF was reset: back to RUNNING
 * @adev: the VF, state_mutex held
 *
 * Ends the data files. The FLR has already unpaused the VF in the device;
 * tell the PF driver too.
 */
void acc_vfio_mig_reset(struct acc_vfio_dev *adev)
{
	u32 from = adev->state;

	acc_vfio_mig_end(adev);
	acc_vfio_mig_unpaused(adev);
	acc_vfio_log_step(adev, from, adev->state, 0, 0);
}

/**
 * acc_vfio_mig_close() - the user is closing the device
 * @adev: the VF
 *
 * Ends the data files and forgets the migration. A paused VF stays
 * paused: its queues may hold work whose memory the user has already
 * unmapped (a migration source whose guest has moved on), so it must not
 * run again before vfio-pci has turned bus mastering off and reset it.
 * acc_vfio_mig_closed() tells the PF driver afterwards.
 */
void acc_vfio_mig_close(struct acc_vfio_dev *adev)
{
	mutex_lock(&adev->state_mutex);
	acc_vfio_mig_end(adev);
	acc_vfio_state_unlock(adev);
}

/**
 * acc_vfio_mig_closed() - vfio-pci has disabled the closed device
 * @adev: the VF
 *
 * Bus mastering is off and the VF has normally been reset, which unpauses
 * it in the device; a paused VF is resumed in the PF driver's books (and
 * in the device, should the reset have failed: it cannot reach memory).
 */
void acc_vfio_mig_closed(struct acc_vfio_dev *adev)
{
	mutex_lock(&adev->state_mutex);
	acc_vfio_mig_unpaused(adev);
	acc_vfio_state_unlock(adev);
}
