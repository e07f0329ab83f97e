/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc_vfio_pci: what each migration FSM arc does to the VF.
 *
 * Pure logic, shared with the host unit tests like stream.c.
 */
#ifndef _ACC_VFIO_FSM_H_
#define _ACC_VFIO_FSM_H_

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "kcompat.h"
#endif

/*
 * Steps of an arc, executed in this order. A step that fails ends the arc;
 * the state then stays where it was or becomes ERROR (see lm.c).
 */
enum acc_mig_act {
	ACC_ACT_PAUSE		= 1 << 0,	/* PF pauses the VF: no DMA */
	ACC_ACT_WRITEBACK	= 1 << 1,	/* PF writes back its contexts */
	ACC_ACT_SAVE_OPEN	= 1 << 2,	/* new save file, PRE_COPY data */
	ACC_ACT_SAVE_FINAL	= 1 << 3,	/* save the VF, STOP_COPY data */
	ACC_ACT_SAVE_CLOSE	= 1 << 4,	/* end the save file */
	ACC_ACT_LOAD_OPEN	= 1 << 5,	/* new resume file */
	ACC_ACT_LOAD		= 1 << 6,	/* validate the stream, load */
	ACC_ACT_LOAD_CLOSE	= 1 << 7,	/* end the resume file */
	ACC_ACT_RESUME		= 1 << 8,	/* PF lets the VF run again */
	ACC_ACT_RETURN_FD	= 1 << 9,	/* the arc returns the new file */
};

int acc_mig_arc(u32 cur, u32 next);
bool acc_mig_state_paused(u32 state);
const char *acc_mig_state_name(u32 state);

#endif /* _ACC_VFIO_FSM_H_ */
