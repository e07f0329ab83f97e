/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libacc: a userspace driver for an acc VF through the VFIO cdev and
 * iommufd, for the kselftests. It speaks the QM protocol of
 * docs/hw-spec.rst with the layouts of include/uapi/linux/acc_qm.h.
 *
 * One struct acc_vf per opened function; several may be open in one
 * process (e.g. a migration source and destination), each with its own
 * iommufd or sharing one (struct acc_vf_opts).
 *
 * IOVA layout of a VF (explicit, so that tests can reason about it and a
 * migration test can reproduce it on another VF):
 *
 *   ACC_IOVA_CTX      SQC table, CQC table, EQC, EQ ring
 *   ACC_IOVA_QP(qn)   SQ ring of QP qn, its CQ ring at + ACC_IOVA_CQ_OFF
 *   ACC_IOVA_DATA..   data buffers, handed out upwards by acc_dma_alloc()
 *   ACC_IOVA_HOLE     never mapped: for DMA fault tests
 *
 * all shifted by acc_vf_opts.iova_off (below ACC_IOVA_HOLE), so that two
 * VFs can share one IOAS without colliding.
 *
 * Functions return 0 (or a non-negative value) on success and -errno on
 * failure; nothing exits or prints except acc_log() when ACC_DEBUG is set.
 */
#ifndef ACCDEV_H
#define ACCDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/acc_qm.h>

#include "acc_ring.h"

#define ACC_IOVA_CTX		0x00100000ULL
#define ACC_IOVA_QP_BASE	0x01000000ULL
#define ACC_IOVA_QP_STRIDE	0x00100000ULL
#define ACC_IOVA_QP(qn)		(ACC_IOVA_QP_BASE + (uint64_t)(qn) * ACC_IOVA_QP_STRIDE)
#define ACC_IOVA_CQ_OFF		0x00080000ULL
#define ACC_IOVA_DATA		0x40000000ULL
#define ACC_IOVA_HOLE		0x800000000ULL

#define ACC_MB_TIMEOUT_MS	1000
#define ACC_JOB_TIMEOUT_MS	10000
#define ACC_EQ_DEPTH_LOG2	8
#define ACC_MAX_ERR_EVENTS	32
#define ACC_MAX_SHADOWS		160

/* -------------------------------------------------------- sysfs / PCI */
/* BDFs of the acc VFs (1af4:10f1), sorted; returns how many (<= max). */
int acc_find_vfs(char (*bdfs)[16], int max);
/* BDF of the first acc PF (1af4:10f0). */
int acc_find_pf(char *bdf, size_t len);
/* Current driver of a PCI device ("" if none). */
int acc_pci_driver(const char *bdf, char *drv, size_t len);
/*
 * Bind a device to a driver through driver_override: unbind it from its
 * current driver, set driver_override and probe. With driver NULL, clear
 * driver_override and let the kernel pick the default driver again.
 */
int acc_pci_bind(const char *bdf, const char *driver);
/* /dev/vfio/devices/vfioN of a device bound to vfio-pci. */
int acc_vfio_cdev(const char *bdf, char *path, size_t len);
int acc_write_file(const char *path, const char *val);
int acc_read_file(const char *path, char *buf, size_t len);

/* ------------------------------------------------------------ the VF */
struct acc_dma {
	void *va;
	uint64_t iova;
	size_t size;		/* page-rounded */
	bool mapped;		/* currently in the IOAS */
};

struct acc_event {
	uint16_t qn;
	uint8_t type;
	uint32_t info;
};

struct acc_vf_opts {
	int iommufd;		/* share this iommufd; -1: open /dev/iommu */
	uint32_t ioas_id;	/* share this IOAS; 0: allocate one */
	uint32_t pt_id;		/* attach to this page table; 0: see below */
	bool alloc_hwpt;	/* no pt_id: allocate a HWPT on the IOAS ... */
	uint32_t hwpt_flags;	/* ... with these IOMMU_HWPT_ALLOC_* flags */
	bool no_reset;		/* skip the soft reset in acc_vf_open */
	uint64_t iova_off;	/* shift of this VF's IOVA layout */
};

struct acc_vf {
	char bdf[16];
	int iommufd;
	bool own_iommufd;
	int devfd;
	uint32_t devid;
	uint32_t ioas_id;
	bool own_ioas;
	uint32_t hwpt_id;	/* allocated by acc_vf_open, 0 if none */
	uint32_t pt_id;		/* what the device is attached to */

	volatile uint32_t *bar;	/* mmap of BAR0 or NULL: then pread/pwrite */
	size_t bar_size;
	uint64_t bar_off;	/* region offset in devfd */
	uint64_t cfg_off;	/* config space region offset */

	uint32_t qp_num;
	uint32_t depth_max_log2;
	uint32_t features;

	/* QM state set up by acc_qm_init() */
	bool qm_ready;
	struct acc_dma ctx;
	struct acc_sqc *sqc;
	struct acc_cqc *cqc;
	struct acc_eqc *eqc;
	struct acc_eqe *eq;
	uint64_t sqc_iova, cqc_iova, eqc_iova, eq_iova;
	unsigned int eq_depth_log2;
	uint16_t eq_head;
	uint8_t eq_phase;

	/* MSI-X */
	int irq_fd[ACC_MSIX_VECTORS];
	bool irq_on;

	/* what the EQ said */
	unsigned long n_irq, n_eqe_cq, n_eqe;
	struct acc_event errs[ACC_MAX_ERR_EVENTS];
	unsigned int n_errs;	/* may exceed ACC_MAX_ERR_EVENTS */
	uint16_t *cq_events;	/* per qn: ACC_EQE_CQ events not yet taken */

	uint64_t iova_off;	/* layout shift (acc_vf_opts.iova_off) */
	uint64_t next_iova;	/* data allocator */
	/* acc_dma_shadow(): filled by a live migration, taken by a clone */
	struct acc_dma shadow[ACC_MAX_SHADOWS];
	unsigned int n_shadow;
};

/* IOVAs of this VF's layout. */
static inline uint64_t acc_iova_ctx(const struct acc_vf *vf)
{
	return ACC_IOVA_CTX + vf->iova_off;
}

static inline uint64_t acc_iova_sq(const struct acc_vf *vf, uint16_t qn)
{
	return ACC_IOVA_QP(qn) + vf->iova_off;
}

static inline uint64_t acc_iova_cq(const struct acc_vf *vf, uint16_t qn)
{
	return ACC_IOVA_QP(qn) + ACC_IOVA_CQ_OFF + vf->iova_off;
}

/*
 * Open a VF already bound to vfio-pci: iommufd bind, IOAS, attach, BAR0,
 * bus mastering, ID check, soft reset (unless opts->no_reset). opts may be
 * NULL (own iommufd and IOAS, attach the IOAS).
 */
int acc_vf_open(struct acc_vf *vf, const char *bdf,
		const struct acc_vf_opts *opts);
void acc_vf_close(struct acc_vf *vf);
/* Attach (or replace) the device's page table: an IOAS or HWPT id. */
int acc_vf_attach(struct acc_vf *vf, uint32_t pt_id);
/* VFIO_DEVICE_RESET (FLR); the QM state must be set up again after it. */
int acc_vf_reset(struct acc_vf *vf);

uint32_t acc_rd(struct acc_vf *vf, uint32_t off);
void acc_wr(struct acc_vf *vf, uint32_t off, uint32_t val);
int acc_cfg_rd(struct acc_vf *vf, uint32_t off, void *buf, size_t len);
int acc_cfg_wr(struct acc_vf *vf, uint32_t off, const void *buf, size_t len);
/* Read-modify-write of the Command register: clear bits, then set bits. */
int acc_cfg_command(struct acc_vf *vf, uint16_t set, uint16_t clear);

/* --------------------------------------------------------- DMA memory */
/*
 * Allocate zeroed memory and map it read/write at iova (0: the next free
 * data IOVA of this VF).
 */
int acc_dma_alloc(struct acc_vf *vf, struct acc_dma *d, size_t size,
		  uint64_t iova);
void acc_dma_free(struct acc_vf *vf, struct acc_dma *d);
/* Take the mapping out of / back into the IOAS; memory is kept. */
int acc_dma_unmap(struct acc_vf *vf, struct acc_dma *d);
int acc_dma_remap(struct acc_vf *vf, struct acc_dma *d);
/*
 * Migration helpers for a "VMM": allocate memory on vf at src's IOVA and
 * size, map it, and copy src's contents (the destination's copy of guest
 * memory, at the same IOVA in its own IOAS).
 */
int acc_dma_clone(struct acc_vf *vf, struct acc_dma *d,
		  const struct acc_dma *src);
/*
 * A live migration copies guest memory while the guest runs: allocate
 * zeroed memory on vf at src's IOVA and size and map it, without copying;
 * *shadow points to it (stable until vf is closed) and the caller copies
 * pages into it as they become dirty. acc_dma_clone() of the same IOVA and
 * size on vf then takes the shadow over instead of copying. -ENOSPC beyond
 * ACC_MAX_SHADOWS; shadows never taken are freed by acc_vf_close().
 */
int acc_dma_shadow(struct acc_vf *vf, const struct acc_dma *src,
		   struct acc_dma **shadow);
/* Raw IOAS operations on caller memory. */
int acc_ioas_map(struct acc_vf *vf, void *va, size_t len, uint64_t iova);
int acc_ioas_unmap(struct acc_vf *vf, uint64_t iova, size_t len);

/* -------------------------------------------------------------- the QM */
/* Mailbox command; returns the ACC_MB_* result (>= 0) or -ETIMEDOUT. */
int acc_mb(struct acc_vf *vf, uint32_t cmd, uint32_t qn, uint64_t addr);
int acc_soft_reset(struct acc_vf *vf);
/*
 * Set up the context area at acc_iova_ctx(): SQC/CQC tables (SQC_BT,
 * CQC_BT) and an EQ of depth 1 << eq_depth_log2 (0: default).
 */
int acc_qm_init(struct acc_vf *vf, unsigned int eq_depth_log2);
void acc_qm_fini(struct acc_vf *vf);
/*
 * Take over the QM software state of src (a VF whose device state was
 * migrated to vf): clone its context area (acc_dma_clone) and copy its EQ
 * position, CQ event counts and data allocator. No mailbox command: the
 * device state came with the migration stream. vf and src must have the
 * same allotment and IOVA layout.
 */
int acc_qm_adopt(struct acc_vf *vf, const struct acc_vf *src);

/*
 * MSI-X through VFIO_DEVICE_SET_IRQS: one eventfd per vector, and
 * ACC_INT_EQ unmasked (ACC_INT_MB as well with mb_irq).
 */
int acc_irq_enable(struct acc_vf *vf, bool mb_irq);
void acc_irq_disable(struct acc_vf *vf);
/*
 * Wait up to timeout_ms for vector vec to fire; consumes the eventfd.
 * Returns the eventfd count (> 0), or -ETIMEDOUT.
 */
int acc_irq_wait(struct acc_vf *vf, unsigned int vec, int timeout_ms);

/*
 * Consume every EQE present: count CQ events per queue, record error
 * events, write the EQ doorbell. Returns how many were consumed.
 */
int acc_eq_drain(struct acc_vf *vf);
/* Poll the EQ (drain) until an error event for qn arrives. */
int acc_eq_wait_error(struct acc_vf *vf, uint16_t qn, struct acc_event *ev,
		      int timeout_ms);

struct acc_qp {
	struct acc_vf *vf;
	uint16_t qn;
	unsigned int depth_log2;
	bool irq;		/* CQC has ACC_CTX_F_IRQ */
	bool wait_irq;		/* acc_run() always waits by MSI-X */
	struct acc_dma sq, cq;
	uint16_t sq_tail;	/* next slot software writes */
	uint16_t sq_head;	/* device's head as of the last CQE */
	uint16_t cq_head;
	uint8_t cq_phase;
	uint64_t next_tag;
	unsigned int inflight;
	struct acc_dma scratch;	/* for acc_run() */
};

/*
 * Allocate the rings of QP qn at acc_iova_sq/cq() and start it (write its
 * SQC and CQC, load CQC then SQC).
 */
int acc_qp_create(struct acc_vf *vf, struct acc_qp *qp, uint16_t qn,
		  unsigned int depth_log2, bool irq);
/* Zero the rings and software indices, write and load fresh contexts. */
int acc_qp_start(struct acc_qp *qp);
/*
 * The same for one QP of src: clone its rings and scratch area onto vf
 * (after acc_qm_adopt) and copy its software indices into qp.
 */
int acc_qp_adopt(struct acc_vf *vf, struct acc_qp *qp,
		 const struct acc_qp *src);
/* ACC_MB_CMD_QP_STOP; returns the ACC_MB_* result or -errno. */
int acc_qp_stop(struct acc_qp *qp);
/* Stop, then start again: how a stopped (faulted) queue is restarted. */
int acc_qp_restart(struct acc_qp *qp);
void acc_qp_destroy(struct acc_qp *qp);

/*
 * Put one SQE on the ring and ring the doorbell. Sets sqe->tag (unless
 * keep_tag) and returns 0, or -EAGAIN if the SQ is full.
 */
int acc_qp_submit(struct acc_qp *qp, struct acc_sqe *sqe, bool keep_tag);
/* Take one CQE if present: 1 taken, 0 none. Writes the CQ doorbell. */
int acc_qp_poll(struct acc_qp *qp, struct acc_cqe *cqe);
/* Poll for a CQE for up to timeout_ms: 0 or -ETIMEDOUT. */
int acc_qp_wait(struct acc_qp *qp, struct acc_cqe *cqe, int timeout_ms);
/*
 * Wait for a CQE by MSI-X: sleep on the ACC_VEC_EQ eventfd, drain the EQ,
 * take the CQE. Needs acc_irq_enable() and a QP created with irq. Fails
 * with -ETIMEDOUT if no interrupt came, -EPROTO if a CQE came without its
 * ACC_EQE_CQ event.
 */
int acc_qp_wait_irq(struct acc_qp *qp, struct acc_cqe *cqe, int timeout_ms);

/* ------------------------------------------------------ job helpers */
/*
 * A job in host memory: acc_run() copies key, IV/state and src into the
 * QP's scratch DMA area, builds the SQE, runs it, checks the CQE (tag,
 * sqn) and copies dst and the IV/state back.
 */
struct acc_req {
	uint8_t op;		/* enum acc_op */
	uint8_t flags;		/* ACC_SQE_F_IV_OUT, _HASH_INIT, _HASH_FINAL */
	const void *key;
	uint16_t key_len;
	void *iv;		/* 16 bytes (cipher) or struct acc_hash_state */
	const void *src;
	void *dst;		/* len bytes, or the 32-byte digest */
	uint32_t len;
	unsigned int src_nents;	/* > 0: pass src as an SGL of that many */
	unsigned int dst_nents;	/* > 0: pass dst as an SGL of that many */
	bool in_place;		/* dst is the src buffer (src_nents layout) */
	bool use_irq;		/* wait by MSI-X instead of polling */
	int timeout_ms;		/* 0: ACC_JOB_TIMEOUT_MS */
	struct acc_cqe cqe;	/* out: the completion */
};

/* Returns the CQE status (enum acc_status, >= 0) or -errno. */
int acc_run(struct acc_qp *qp, struct acc_req *req);

/* The SQE acc_run() would submit, with buffers in the QP's scratch area. */
int acc_req_prepare(struct acc_qp *qp, struct acc_req *req,
		    struct acc_sqe *sqe);
/* Copy the results of a prepared request back (dst, IV/state). */
/* Host address of an IOVA inside a DMA buffer, NULL if outside. */
void *acc_dma_va(const struct acc_dma *d, uint64_t iova);
void acc_req_finish(struct acc_qp *qp, struct acc_req *req);

int acc_copy(struct acc_qp *qp, const void *src, void *dst, uint32_t len);
/* op: ACC_OP_AES_CBC_ENC/DEC or ACC_OP_AES_CTR; iv is updated. */
int acc_aes(struct acc_qp *qp, uint8_t op, const void *key,
	    unsigned int key_len, uint8_t iv[16], const void *src, void *dst,
	    uint32_t len);
int acc_sha256(struct acc_qp *qp, const void *src, uint32_t len,
	       uint8_t digest[32]);
int acc_hmac_sha256(struct acc_qp *qp, const void *key, unsigned int key_len,
		    const void *src, uint32_t len, uint8_t digest[32]);

/* ------------------------------------------- reference (libcrypto) */
/* Same contract as the device, iv updated as ACC_SQE_F_IV_OUT would. */
int acc_ref_aes(uint8_t op, const void *key, unsigned int key_len,
		uint8_t iv[16], const void *src, void *dst, size_t len);
int acc_ref_sha256(const void *src, size_t len, uint8_t digest[32]);
int acc_ref_hmac_sha256(const void *key, unsigned int key_len,
			const void *src, size_t len, uint8_t digest[32]);

const char *acc_op_name(uint8_t op);
const char *acc_status_name(int status);
/* Seed from $ACC_SEED, else from the clock; logs it to stderr. */
uint64_t acc_seed(void);
void acc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* ACCDEV_H */
