// SPDX-License-Identifier: GPL-2.0
/*
 * acc_vfio_pci: the migration FSM arcs as a table.
 *
 * vfio_mig_get_next_state() splits every requested transition into the
 * arcs below (for STOP_COPY | P2P | PRE_COPY). RUNNING_P2P, PRE_COPY_P2P,
 * STOP, STOP_COPY and RESUMING keep the VF paused; RUNNING and PRE_COPY let
 * it run. RUNNING <-> STOP and PRE_COPY -> STOP_COPY are only used without
 * P2P; they are here so the table is complete for any flag set.
 */
#include "fsm.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#endif
#include <linux/vfio.h>

#define S(x)	VFIO_DEVICE_STATE_##x
#define ACC_MIG_NSTATES	(VFIO_DEVICE_STATE_PRE_COPY_P2P + 1)
/* Marks an arc that is legal but has nothing to do. */
#define ACC_ACT_NONE	0x8000

static const u16 acc_mig_arcs[ACC_MIG_NSTATES][ACC_MIG_NSTATES] = {
	[S(RUNNING)] = {
		[S(RUNNING_P2P)] = ACC_ACT_PAUSE,
		[S(STOP)] = ACC_ACT_PAUSE | ACC_ACT_WRITEBACK,
		[S(PRE_COPY)] = ACC_ACT_SAVE_OPEN | ACC_ACT_RETURN_FD,
	},
	[S(RUNNING_P2P)] = {
		[S(RUNNING)] = ACC_ACT_RESUME,
		[S(STOP)] = ACC_ACT_WRITEBACK,
		[S(PRE_COPY_P2P)] = ACC_ACT_SAVE_OPEN | ACC_ACT_RETURN_FD,
	},
	[S(STOP)] = {
		[S(RUNNING)] = ACC_ACT_RESUME,
		/* The VF stays paused: RUNNING_P2P differs only for MMIO. */
		[S(RUNNING_P2P)] = ACC_ACT_NONE,
		[S(STOP_COPY)] = ACC_ACT_SAVE_OPEN | ACC_ACT_SAVE_FINAL |
				 ACC_ACT_RETURN_FD,
		[S(RESUMING)] = ACC_ACT_LOAD_OPEN | ACC_ACT_RETURN_FD,
	},
	[S(STOP_COPY)] = {
		[S(STOP)] = ACC_ACT_SAVE_CLOSE,
	},
	[S(RESUMING)] = {
		[S(STOP)] = ACC_ACT_LOAD | ACC_ACT_LOAD_CLOSE,
	},
	[S(PRE_COPY)] = {
		[S(RUNNING)] = ACC_ACT_SAVE_CLOSE,
		[S(PRE_COPY_P2P)] = ACC_ACT_PAUSE,
		[S(STOP_COPY)] = ACC_ACT_PAUSE | ACC_ACT_WRITEBACK |
				 ACC_ACT_SAVE_FINAL,
	},
	[S(PRE_COPY_P2P)] = {
		[S(PRE_COPY)] = ACC_ACT_RESUME,
		[S(RUNNING_P2P)] = ACC_ACT_SAVE_CLOSE,
		[S(STOP_COPY)] = ACC_ACT_WRITEBACK | ACC_ACT_SAVE_FINAL,
	},
};

/**
 * acc_mig_arc() - the steps of one FSM arc
 * @cur: current state
 * @next: next state, one arc away
 *
 * Return: a mask of enum acc_mig_act, or -EINVAL if the arc is not one this
 * driver implements.
 */
int acc_mig_arc(u32 cur, u32 next)
{
	u16 act;

	if (cur >= ACC_MIG_NSTATES || next >= ACC_MIG_NSTATES)
		return -EINVAL;
	act = acc_mig_arcs[cur][next];
	if (!act)
		return -EINVAL;
	return act & ~ACC_ACT_NONE;
}

/* Does the VF stay paused (no DMA) in this state? */
bool acc_mig_state_paused(u32 state)
{
	return state != VFIO_DEVICE_STATE_RUNNING &&
	       state != VFIO_DEVICE_STATE_PRE_COPY;
}

const char *acc_mig_state_name(u32 state)
{
	static const char * const names[ACC_MIG_NSTATES] = {
		[S(ERROR)] = "ERROR",
		[S(STOP)] = "STOP",
		[S(RUNNING)] = "RUNNING",
		[S(STOP_COPY)] = "STOP_COPY",
		[S(RESUMING)] = "RESUMING",
		[S(RUNNING_P2P)] = "RUNNING_P2P",
		[S(PRE_COPY)] = "PRE_COPY",
		[S(PRE_COPY_P2P)] = "PRE_COPY_P2P",
	};

	if (state >= ACC_MIG_NSTATES || !names[state])
		return "?";
	return names[state];
}
