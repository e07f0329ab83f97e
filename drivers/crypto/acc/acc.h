/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acc: declarations shared by the files of the acc_qm module.
 */
#ifndef _ACC_DRV_H
#define _ACC_DRV_H

#include <linux/crypto.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <uapi/linux/acc_qm.h>

#include "qm.h"

/* Module parameters (main.c). */
extern unsigned int acc_mb_timeout_us;
extern unsigned int acc_vf_qps;
extern unsigned int acc_queue_depth;
extern unsigned int acc_drain_timeout_ms;

extern struct pci_driver acc_pf_driver;
extern struct pci_driver acc_vf_driver;
extern struct dentry *acc_debugfs_root;

/*
 * Per-job DMA block, from acc_qm.ctx_pool of the function the job runs on:
 * everything the device reads or writes besides the data.
 */
struct acc_req_dma {
	u8 key[ACC_HMAC_KEY_MAX];
	union {
		u8 iv[ACC_AES_BLOCK];
		struct acc_hash_state hs;
	};
	u8 hbuf[ACC_SHA256_BLOCK];	/* hash: buffered partial block */
	u8 digest[ACC_SHA256_DIGEST];
};

/* SQEs one request may take; longer requests fail with -E2BIG. */
#define ACC_REQ_MAX_SQE		16

struct acc_req;

/**
 * struct acc_req_ops - what differs between request kinds
 * @build: fill the SQEs of @req for @qp; called with @qp->lock held, after
 *	acc_req_map(); returns the number of SQEs or a negative errno
 * @finish: copy results out of the DMA block; called before unmapping
 */
struct acc_req_ops {
	int (*build)(struct acc_req *req, struct acc_qp *qp,
		     unsigned int max);
	void (*finish)(struct acc_req *req, int err);
};

/**
 * struct acc_req - driver part of every crypto request context
 * @job: the QM job
 * @areq: the crypto request
 * @ops: request kind
 * @backlog: linkage in the backlog
 * @backlogged: was backlogged; owes the user an -EINPROGRESS notification
 * @dev: device the DMA mappings below belong to, NULL if none
 * @dma: DMA block from the function's ctx_pool
 * @dma_addr: its DMA address
 * @src: data in, @src_len bytes, mapped to @src_nents entries
 * @dst: data out (may be @src), @dst_nents mapped entries
 * @src_len: bytes of @src the request reads
 * @dst_len: bytes of @dst the request writes (0: no data out)
 * @prefix_len: bytes of @dma->hbuf that go before @src (hash)
 * @src_sg_nents: entries of @src passed to dma_map_sg()
 * @dst_sg_nents: entries of @dst passed to dma_map_sg()
 * @src_nents: mapped entries of @src
 * @dst_nents: mapped entries of @dst
 * @need: SQEs the request needs, found by the last build
 * @nr_sgl: SGL tables in @sgl
 * @sgl: SGL tables from the function's sgl_pool
 * @sgl_dma: their DMA addresses
 */
struct acc_req {
	struct acc_job job;
	struct crypto_async_request *areq;
	const struct acc_req_ops *ops;
	struct list_head backlog;
	bool backlogged;
	struct device *dev;
	struct acc_req_dma *dma;
	dma_addr_t dma_addr;
	struct scatterlist *src;
	struct scatterlist *dst;
	unsigned int src_len;
	unsigned int dst_len;
	unsigned int prefix_len;
	int src_sg_nents;
	int dst_sg_nents;
	int src_nents;
	int dst_nents;
	unsigned int need;
	unsigned int nr_sgl;
	struct acc_sge *sgl[2 * ACC_REQ_MAX_SQE];
	dma_addr_t sgl_dma[2 * ACC_REQ_MAX_SQE];
};

/**
 * struct acc_sqe_tmpl - fields every SQE of a request shares
 * @op: enum acc_op
 * @flags: ACC_SQE_F_* of every SQE
 * @first_flags: ACC_SQE_F_* of the first SQE only
 * @last_flags: ACC_SQE_F_* of the last SQE only
 * @key_len: sqe->key_len
 * @key: sqe->key
 * @iv: sqe->iv
 * @last_dst: contiguous dst of the last SQE (hash digest), if @dst_len == 0
 * @gran: every SQE but the last handles a multiple of this many bytes
 */
struct acc_sqe_tmpl {
	u8 op;
	u8 flags;
	u8 first_flags;
	u8 last_flags;
	u16 key_len;
	dma_addr_t key;
	dma_addr_t iv;
	dma_addr_t last_dst;
	unsigned int gran;
};

/* dispatch.c */
void acc_dispatch_add(struct acc_qm *qm);
void acc_dispatch_remove(struct acc_qm *qm);
void acc_dispatch_kick(void);
int acc_req_submit(struct acc_req *req);
void acc_req_init(struct acc_req *req, struct crypto_async_request *areq,
		  const struct acc_req_ops *ops);
int acc_req_build_sqes(struct acc_req *req, struct acc_qp *qp,
		       unsigned int max, const struct acc_sqe_tmpl *t);
int acc_algs_register(void);
void acc_algs_unregister(void);

/* skcipher.c, hash.c */
int acc_skcipher_register(void);
void acc_skcipher_unregister(void);
int acc_hash_register(void);
void acc_hash_unregister(void);

/**
 * struct acc_pf_vf - per-VF data of the PF driver
 * @pf: the PF
 * @id: VF number, 0-based
 * @qps: queue pairs allotted to the VF; under @pf->qm.mb_lock
 * @dir: debugfs directory
 */
struct acc_pf_vf {
	struct acc_pf *pf;
	int id;
	u32 qps;
	struct dentry *dir;
};

/**
 * struct acc_pf - the PF driver's device
 * @qm: registers and mailbox (the PF has no queue pairs)
 * @total_qp: ACC_PF_TOTAL_QP
 * @num_vfs: VFs with an allotment; under @qm.mb_lock
 * @state: PF-owned DMA buffer for VF_SAVE / VF_LOAD; under @qm.mb_lock
 * @state_dma: its DMA address
 * @state_size: its size, ACC_VF_STATE_SIZE(@total_qp)
 * @debugfs: debugfs directory of the PF
 * @vfs: per-VF data
 */
struct acc_pf {
	struct acc_qm qm;
	u32 total_qp;
	int num_vfs;
	void *state;
	dma_addr_t state_dma;
	size_t state_size;
	struct dentry *debugfs;
	struct acc_pf_vf vfs[ACC_MAX_VFS];
};

/* pf_debugfs.c */
void acc_pf_debugfs_init(struct acc_pf *pf);
void acc_pf_debugfs_add_vfs(struct acc_pf *pf, int num_vfs);
void acc_pf_debugfs_remove_vfs(struct acc_pf *pf);
void acc_pf_debugfs_exit(struct acc_pf *pf);

#endif /* _ACC_DRV_H */
