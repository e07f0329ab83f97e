/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc_vfio_pci tracepoints: every migration FSM arc with its duration, and
 * every device save and load.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM acc_vfio

#if !defined(_ACC_VFIO_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _ACC_VFIO_TRACE_H_

#include <linux/pci.h>
#include <linux/tracepoint.h>

TRACE_EVENT(acc_vfio_arc,
	    TP_PROTO(struct pci_dev *pdev, u32 from, u32 to, int err,
		     u64 dur_ns),
	    TP_ARGS(pdev, from, to, err, dur_ns),
	    TP_STRUCT__entry(__string(dev, pci_name(pdev))
			     __field(u32, from)
			     __field(u32, to)
			     __field(int, err)
			     __field(u64, dur_ns)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->from = from;
			   __entry->to = to;
			   __entry->err = err;
			   __entry->dur_ns = dur_ns;),
	    TP_printk("%s %s -> %s err=%d %llu ns", __get_str(dev),
		      acc_mig_state_name(__entry->from),
		      acc_mig_state_name(__entry->to), __entry->err,
		      __entry->dur_ns)
);

TRACE_EVENT(acc_vfio_state_io,
	    TP_PROTO(struct pci_dev *pdev, bool load, u32 len, int err,
		     u64 dur_ns),
	    TP_ARGS(pdev, load, len, err, dur_ns),
	    TP_STRUCT__entry(__string(dev, pci_name(pdev))
			     __field(bool, load)
			     __field(u32, len)
			     __field(int, err)
			     __field(u64, dur_ns)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->load = load;
			   __entry->len = len;
			   __entry->err = err;
			   __entry->dur_ns = dur_ns;),
	    TP_printk("%s %s %u bytes err=%d %llu ns", __get_str(dev),
		      __entry->load ? "load" : "save", __entry->len,
		      __entry->err, __entry->dur_ns)
);

#endif /* _ACC_VFIO_TRACE_H_ */

/* An out-of-tree module: the header is found relative to this directory. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
