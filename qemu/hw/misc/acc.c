/*
 * acc: emulated queue-manager crypto accelerator, PCIe PF "acc-pf" with
 * SR-IOV VFs "acc-vf". This file: the PCI functions, their registers, the
 * mailbox, resets, the VF migration window and VF state save/load.
 * Behaviour: docs/hw-spec.rst of the acc project.
 *
 *   -device pcie-root-port,id=rp0,chassis=1 -device acc-pf,bus=rp0,vfs=4,qps=64
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "acc.h"

/* Configuration space layout */
#define ACC_CAP_MSIX            0x70
#define ACC_CAP_EXP             0xa0
#define ACC_CAP_ARI             0x100
#define ACC_CAP_ACS             0x110
#define ACC_CAP_SRIOV           0x160
#define ACC_MSIX_PBA            0x800
#define ACC_CLASS               0x1080  /* encryption controller, other */
#define ACC_DEFAULT_QPS         64

QEMU_BUILD_BUG_ON(sizeof(struct acc_vf_state) != 96);
QEMU_BUILD_BUG_ON(sizeof(struct acc_qp_state) != 64);

/* ------------------------------------------------------------- helpers */

void acc_log(AccFunc *f, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!qemu_loglevel_mask(LOG_GUEST_ERROR)) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (f->vfn < 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "acc pf: %s", msg);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "acc vf%d: %s", f->vfn, msg);
    }
}

bool acc_dma_read(AccFunc *f, uint64_t addr, void *buf, uint64_t len)
{
    if (addr + len < addr) {
        return false;
    }
    return pci_dma_read(f->pdev, addr, buf, len) == MEMTX_OK;
}

bool acc_dma_write(AccFunc *f, uint64_t addr, const void *buf, uint64_t len)
{
    if (addr + len < addr) {
        return false;
    }
    return pci_dma_write(f->pdev, addr, buf, len) == MEMTX_OK;
}

/* The QPs of a function: a range of the device's pool, none on the PF. */
uint32_t acc_func_qps(AccFunc *f, uint32_t *base)
{
    AccPFState *d = f->dev;
    uint64_t b, n;

    if (f->vfn < 0) {
        return 0;
    }
    b = d->vf_qp_base[f->vfn];
    n = d->vf_qp_num[f->vfn];
    if (b + n > d->total_qp) {
        n = 0;
    }
    if (base) {
        *base = n ? b : 0;
    }
    return n;
}

AccQP *acc_func_qp(AccFunc *f, uint32_t qn)
{
    uint32_t base;
    uint32_t num = acc_func_qps(f, &base);

    return qn < num ? &f->dev->pool[base + qn] : NULL;
}

bool acc_func_paused(AccFunc *f)
{
    return f->status & ACC_FUNC_ST_PAUSED;
}

static uint32_t acc_func_status(AccFunc *f)
{
    return f->status | (acc_func_qps(f, NULL) ? ACC_FUNC_ST_READY : 0);
}

static void acc_func_notify(AccFunc *f, uint32_t bits)
{
    if (acc_func_paused(f) || !msix_enabled(f->pdev)) {
        return;
    }
    if (bits & ACC_INT_EQ) {
        msix_notify(f->pdev, ACC_VEC_EQ);
    }
    if (bits & ACC_INT_MB) {
        msix_notify(f->pdev, ACC_VEC_MB);
    }
}

/* Set interrupt status bits, signal the unmasked ones. */
void acc_func_raise(AccFunc *f, uint32_t bits)
{
    f->int_status |= bits;
    acc_func_notify(f, bits & ~f->int_mask);
}

/* FLR, soft reset: drop all queue state (the allotment stays). */
static void acc_func_reset(AccFunc *f)
{
    acc_qm_reset(f);
    timer_del(&f->mb_timer);
    f->mb_qn = 0;
    f->mb_addr = 0;
    f->mb_status = ACC_MB_OK;
    f->int_mask = ACC_INT_ALL;
    f->int_status = 0;
    f->status = 0;
}

static AccFunc *acc_vf_func(AccPFState *d, uint32_t vfn)
{
    PCIDevice *vf;

    if (vfn >= d->total_vfs) {
        return NULL;
    }
    vf = pcie_sriov_get_vf_at_index(PCI_DEVICE(d), vfn);
    return vf ? &ACC_VF(vf)->func : NULL;
}

/* ------------------------------------------------------------ VF state */

static void *acc_state_save(AccFunc *f, uint32_t *size)
{
    uint32_t num = acc_func_qps(f, NULL);
    struct acc_vf_state *s;
    struct acc_qp_state *qs;
    uint32_t qn;

    *size = ACC_VF_STATE_SIZE(num);
    s = g_malloc0(*size);
    qs = (struct acc_qp_state *)(s + 1);
    s->magic = cpu_to_le32(ACC_STATE_MAGIC);
    s->version = cpu_to_le16(ACC_STATE_VERSION);
    s->qp_num = cpu_to_le16(num);
    s->size = cpu_to_le32(*size);
    s->func_status = cpu_to_le32(acc_func_status(f));
    s->sqc_bt = cpu_to_le64(f->sqc_bt);
    s->cqc_bt = cpu_to_le64(f->cqc_bt);
    acc_qm_eqc_to_mem(&f->eq, &s->eq);
    s->int_mask = cpu_to_le32(f->int_mask);
    s->int_status = cpu_to_le32(f->int_status);
    s->features = cpu_to_le32(ACC_FEATURES);
    /* The address WRITEBACK stores the EQ context at. */
    s->eqc_addr_lo = cpu_to_le32(f->eqc_addr);
    s->eqc_addr_hi = cpu_to_le32(f->eqc_addr >> 32);
    for (qn = 0; qn < num; qn++) {
        AccQP *qp = acc_func_qp(f, qn);

        acc_qm_sqc_to_mem(&qp->sq, &qs[qn].sq);
        acc_qm_cqc_to_mem(&qp->cq, &qs[qn].cq);
    }
    return s;
}

#define ACC_CTX_F_SQ    (ACC_CTX_F_ENABLE | ACC_CTX_F_ERROR)
#define ACC_CTX_F_CQ    (ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE | ACC_CTX_F_IRQ | \
                         ACC_CTX_F_ERROR)
#define ACC_CTX_F_EQ    (ACC_CTX_F_ENABLE | ACC_CTX_F_PHASE)

/* Check a whole VF state; fill in the queues to install. */
static bool acc_state_check(const struct acc_vf_state *s, uint32_t num,
                            AccQueue *eq, AccQP *qps)
{
    const struct acc_qp_state *qs = (const struct acc_qp_state *)(s + 1);
    uint32_t qn;

    if (le32_to_cpu(s->magic) != ACC_STATE_MAGIC ||
        le16_to_cpu(s->version) != ACC_STATE_VERSION ||
        le16_to_cpu(s->qp_num) != num ||
        le32_to_cpu(s->size) != ACC_VF_STATE_SIZE(num) ||
        le32_to_cpu(s->func_status) & ~(ACC_FUNC_ST_READY |
                                        ACC_FUNC_ST_PAUSED |
                                        ACC_FUNC_ST_ERROR) ||
        le32_to_cpu(s->int_mask) & ~ACC_INT_ALL ||
        le32_to_cpu(s->int_status) & ~ACC_INT_ALL ||
        le32_to_cpu(s->features) != ACC_FEATURES ||
        s->rsvd[0] || s->rsvd[1] || s->rsvd[2]) {
        return false;
    }
    acc_qm_eqc_from_mem(eq, &s->eq);
    if ((eq->flags & ~ACC_CTX_F_EQ) || !acc_qm_ctx_valid(eq, 8, -1)) {
        return false;
    }
    for (qn = 0; qn < num; qn++) {
        acc_qm_sqc_from_mem(&qps[qn].sq, &qs[qn].sq);
        acc_qm_cqc_from_mem(&qps[qn].cq, &qs[qn].cq);
        if ((qps[qn].sq.flags & ~ACC_CTX_F_SQ) ||
            (qps[qn].cq.flags & ~ACC_CTX_F_CQ) ||
            !acc_qm_ctx_valid(&qps[qn].sq, sizeof(struct acc_sqe), num) ||
            !acc_qm_ctx_valid(&qps[qn].cq, sizeof(struct acc_cqe), -1)) {
            return false;
        }
        if (!(qps[qn].sq.flags & ACC_CTX_F_ENABLE)) {
            memset(&qps[qn].sq, 0, sizeof(AccQueue));
        }
        if (!(qps[qn].cq.flags & ACC_CTX_F_ENABLE)) {
            memset(&qps[qn].cq, 0, sizeof(AccQueue));
        }
    }
    if (!(eq->flags & ACC_CTX_F_ENABLE)) {
        memset(eq, 0, sizeof(*eq));
    }
    return true;
}

/* VF_LOAD: read the state with the PF's DMA, check it all, install it. */
static uint8_t acc_state_load(AccFunc *pf, AccFunc *f, uint64_t addr)
{
    uint32_t num = acc_func_qps(f, NULL);
    uint32_t size = ACC_VF_STATE_SIZE(num);
    g_autofree struct acc_vf_state *s = NULL;
    g_autofree AccQP *qps = NULL;
    struct acc_vf_state hdr;
    AccQueue eq;
    uint32_t qn;

    if (!acc_func_paused(f)) {
        return ACC_MB_EBUSY;
    }
    /* The header first: the size to read is the VF's, not the state's. */
    if (!acc_dma_read(pf, addr, &hdr, sizeof(hdr))) {
        return ACC_MB_EFAULT;
    }
    if (le16_to_cpu(hdr.qp_num) != num || le32_to_cpu(hdr.size) != size) {
        acc_log(pf, "VF state for %u QPs, VF has %u\n",
                le16_to_cpu(hdr.qp_num), num);
        return ACC_MB_ECORRUPT;
    }
    s = g_malloc(size);
    if (!acc_dma_read(pf, addr, s, size)) {
        return ACC_MB_EFAULT;
    }
    qps = g_new0(AccQP, MAX(num, 1));
    if (!acc_state_check(s, num, &eq, qps)) {
        acc_log(pf, "VF state failed validation\n");
        return ACC_MB_ECORRUPT;
    }

    f->sqc_bt = le64_to_cpu(s->sqc_bt);
    f->cqc_bt = le64_to_cpu(s->cqc_bt);
    f->eqc_addr = le32_to_cpu(s->eqc_addr_lo) |
                  (uint64_t)le32_to_cpu(s->eqc_addr_hi) << 32;
    f->eq = eq;
    f->int_mask = le32_to_cpu(s->int_mask);
    f->int_status = le32_to_cpu(s->int_status);
    f->status = (f->status & ~ACC_FUNC_ST_ERROR) |
                (le32_to_cpu(s->func_status) & ACC_FUNC_ST_ERROR);
    f->rr = 0;
    for (qn = 0; qn < num; qn++) {
        *acc_func_qp(f, qn) = qps[qn];
    }
    return ACC_MB_OK;
}

/* ------------------------------------------------------------- mailbox */

/* The command in flight completes ACC_MB_DELAY_NS from now. */
static void acc_mb_arm(AccFunc *f)
{
    f->mb_deadline = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + ACC_MB_DELAY_NS;
    timer_mod(&f->mb_timer, f->mb_deadline);
}

static uint8_t acc_mb_exec(AccFunc *f, uint32_t cmd, uint32_t qn,
                           uint64_t addr);

static void acc_mb_complete(AccFunc *f, uint8_t result)
{
    timer_del(&f->mb_timer);
    f->mb_status = result;
    acc_func_raise(f, ACC_INT_MB);
}

/* The PF's commands on VF qn. */
static uint8_t acc_pf_vf_cmd(AccFunc *pf, uint32_t cmd, uint32_t qn,
                             uint64_t addr)
{
    AccFunc *f = acc_vf_func(pf->dev, qn);
    g_autofree void *state = NULL;
    uint32_t size;

    if (!f) {
        acc_log(pf, "command 0x%x for VF %u that is not enabled\n", cmd, qn);
        return ACC_MB_EINVAL;
    }
    switch (cmd) {
    case ACC_MB_CMD_VF_PAUSE:
        if (acc_func_paused(f)) {
            return ACC_MB_OK;
        }
        /* Quiesce: finish the VF's own mailbox command first. */
        if (f->mb_status & ACC_MB_BUSY) {
            acc_mb_complete(f, acc_mb_exec(f, f->mb_cmd, f->mb_cmd_qn,
                                           f->mb_cmd_addr));
        }
        /* Jobs run whole: none is in progress. From here, no VF DMA. */
        timer_del(&f->job_timer);
        f->status |= ACC_FUNC_ST_PAUSED;
        return acc_qm_writeback(f);
    case ACC_MB_CMD_VF_RESUME:
        if (!acc_func_paused(f)) {
            return ACC_MB_OK;
        }
        f->status &= ~ACC_FUNC_ST_PAUSED;
        acc_qm_kick(f);
        if (f->mb_status & ACC_MB_BUSY) {
            acc_mb_arm(f);
        }
        acc_func_notify(f, f->int_status & ~f->int_mask);
        return ACC_MB_OK;
    case ACC_MB_CMD_VF_WRITEBACK:
        return acc_qm_writeback(f);
    case ACC_MB_CMD_VF_SAVE:
        state = acc_state_save(f, &size);
        return acc_dma_write(pf, addr, state, size) ? ACC_MB_OK
                                                    : ACC_MB_EFAULT;
    case ACC_MB_CMD_VF_LOAD:
        return acc_state_load(pf, f, addr);
    }
    return ACC_MB_EINVAL;
}

static uint8_t acc_mb_exec(AccFunc *f, uint32_t cmd, uint32_t qn,
                           uint64_t addr)
{
    switch (cmd) {
    case ACC_MB_CMD_SQC_BT:
        f->sqc_bt = addr;
        return ACC_MB_OK;
    case ACC_MB_CMD_CQC_BT:
        f->cqc_bt = addr;
        return ACC_MB_OK;
    case ACC_MB_CMD_EQC:
        return acc_qm_set_eqc(f, addr);
    case ACC_MB_CMD_SQC:
        return acc_qm_load_sqc(f, qn);
    case ACC_MB_CMD_CQC:
        return acc_qm_load_cqc(f, qn);
    case ACC_MB_CMD_QP_STOP:
        return acc_qm_qp_stop(f, qn);
    case ACC_MB_CMD_WRITEBACK:
        return acc_qm_writeback(f);
    case ACC_MB_CMD_VF_PAUSE:
    case ACC_MB_CMD_VF_RESUME:
    case ACC_MB_CMD_VF_WRITEBACK:
    case ACC_MB_CMD_VF_SAVE:
    case ACC_MB_CMD_VF_LOAD:
        if (f->vfn >= 0) {
            return ACC_MB_EPERM;
        }
        return acc_pf_vf_cmd(f, cmd, qn, addr);
    }
    acc_log(f, "unknown mailbox command 0x%x\n", cmd);
    return ACC_MB_EINVAL;
}

/* Timer: complete the command in flight (a paused VF waits for RESUME). */
static void acc_mb_run(void *opaque)
{
    AccFunc *f = opaque;
    uint8_t result;

    if (!(f->mb_status & ACC_MB_BUSY) || acc_func_paused(f)) {
        return;
    }
    f->dev->in_engine = true;
    result = acc_mb_exec(f, f->mb_cmd, f->mb_cmd_qn, f->mb_cmd_addr);
    f->dev->in_engine = false;
    acc_mb_complete(f, result);
}

static void acc_mb_write_cmd(AccFunc *f, uint32_t cmd)
{
    if (f->mb_status & ACC_MB_BUSY) {
        acc_log(f, "mailbox command 0x%x while busy, ignored\n", cmd);
        return;
    }
    f->mb_cmd = cmd;
    f->mb_cmd_qn = f->mb_qn;
    f->mb_cmd_addr = f->mb_addr;
    f->mb_status = ACC_MB_BUSY;
    acc_mb_arm(f);
}

/*
 * A read of MB_STATUS after the command's latency has passed completes it
 * there and then, as the timer would have. A driver polling the status
 * then sees the command done as soon as it may be, whether or not the main
 * loop has run the timer yet: under TCG the vCPU's polling takes the BQL
 * over and over, and could hold off the timer for as long as it polls.
 */
static uint32_t acc_mb_status(AccFunc *f)
{
    if ((f->mb_status & ACC_MB_BUSY) &&
        qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) >= f->mb_deadline) {
        acc_mb_run(f);
    }
    return f->mb_status;
}

/* ----------------------------------------------------------- registers */

static uint32_t acc_mig_read(AccFunc *f, hwaddr addr)
{
    uint32_t base, num;

    if (f->vfn < 0) {
        return 0;
    }
    num = acc_func_qps(f, &base);
    switch (addr) {
    case ACC_MIG_MAGIC:
        return ACC_MIG_MAGIC_VALUE;
    case ACC_MIG_VERSION:
        return ACC_STATE_VERSION;
    case ACC_MIG_STATE_SIZE:
        return ACC_VF_STATE_SIZE(num);
    case ACC_MIG_FUNC_STATE:
        return acc_func_status(f);
    case ACC_MIG_QP_BASE:
        return base;
    case ACC_MIG_QP_NUM:
        return num;
    case ACC_MIG_INFLIGHT:
        return acc_qm_inflight(f);
    case ACC_MIG_FEATURES:
        return ACC_FEATURES;
    case ACC_MIG_SQC_BT_LO:
        return f->sqc_bt;
    case ACC_MIG_SQC_BT_HI:
        return f->sqc_bt >> 32;
    case ACC_MIG_CQC_BT_LO:
        return f->cqc_bt;
    case ACC_MIG_CQC_BT_HI:
        return f->cqc_bt >> 32;
    case ACC_MIG_EQ_BASE_LO:
        return f->eq.base;
    case ACC_MIG_EQ_BASE_HI:
        return f->eq.base >> 32;
    }
    return 0;
}

static bool acc_pf_vf_reg(AccFunc *f, hwaddr addr, uint32_t **reg)
{
    AccPFState *d = f->dev;
    uint32_t vf;

    if (f->vfn >= 0 || addr < ACC_PF_VF_CFG(0) ||
        addr >= ACC_PF_VF_CFG(d->total_vfs)) {
        return false;
    }
    vf = (addr - ACC_PF_VF_CFG(0)) / 0x10;
    if (addr == ACC_PF_VF_QP_BASE(vf)) {
        *reg = &d->vf_qp_base[vf];
        return true;
    }
    if (addr == ACC_PF_VF_QP_NUM(vf)) {
        *reg = &d->vf_qp_num[vf];
        return true;
    }
    return false;
}

static uint64_t acc_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    AccFunc *f = opaque;
    uint32_t *reg;

    if (size != 4 || (addr & 3)) {
        acc_log(f, "%u-byte read at 0x%" HWADDR_PRIx "\n", size, addr);
        return 0;
    }
    if (f->dev->in_engine) {
        acc_log(f, "DMA read of the device's registers\n");
        return 0;
    }
    if (addr >= ACC_MIG_WINDOW) {
        return acc_mig_read(f, addr);
    }
    switch (addr) {
    case ACC_REG_ID:
        return ACC_ID_MAGIC;
    case ACC_REG_VERSION:
        return ACC_HW_VERSION;
    case ACC_REG_FEATURES:
        return ACC_FEATURES;
    case ACC_REG_QP_NUM:
        return acc_func_qps(f, NULL);
    case ACC_REG_QP_DEPTH_MAX:
        return ACC_DEPTH_LOG2_MAX;
    case ACC_REG_FUNC_STATUS:
        return acc_func_status(f);
    case ACC_REG_MB_QN:
        return f->mb_qn;
    case ACC_REG_MB_ADDR_LO:
        return f->mb_addr;
    case ACC_REG_MB_ADDR_HI:
        return f->mb_addr >> 32;
    case ACC_REG_MB_STATUS:
        return acc_mb_status(f);
    case ACC_REG_INT_MASK:
        return f->int_mask;
    case ACC_REG_INT_STATUS:
        return f->int_status;
    case ACC_PF_TOTAL_QP:
        return f->vfn < 0 ? f->dev->total_qp : 0;
    }
    if (acc_pf_vf_reg(f, addr, &reg)) {
        return *reg;
    }
    return 0;
}

static void acc_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    AccFunc *f = opaque;
    uint32_t *reg;
    uint32_t old;

    if (size != 4 || (addr & 3)) {
        acc_log(f, "%u-byte write at 0x%" HWADDR_PRIx "\n", size, addr);
        return;
    }
    if (f->dev->in_engine) {
        acc_log(f, "DMA write to the device's registers, ignored\n");
        return;
    }
    switch (addr) {
    case ACC_REG_FUNC_CTRL:
        if (val & ACC_FUNC_CTRL_SOFT_RESET) {
            acc_func_reset(f);
        }
        return;
    case ACC_REG_MB_CMD:
        acc_mb_write_cmd(f, val);
        return;
    case ACC_REG_MB_QN:
        f->mb_qn = val;
        return;
    case ACC_REG_MB_ADDR_LO:
        f->mb_addr = deposit64(f->mb_addr, 0, 32, val);
        return;
    case ACC_REG_MB_ADDR_HI:
        f->mb_addr = deposit64(f->mb_addr, 32, 32, val);
        return;
    case ACC_REG_DB_SQ:
        acc_qm_db_sq(f, val);
        return;
    case ACC_REG_DB_CQ:
        acc_qm_db_cq(f, val);
        return;
    case ACC_REG_DB_EQ:
        acc_qm_db_eq(f, val);
        return;
    case ACC_REG_INT_MASK:
        old = f->int_mask;
        f->int_mask = val & ACC_INT_ALL;
        /* Unmasking a pending cause signals it. */
        acc_func_notify(f, f->int_status & old & ~f->int_mask);
        return;
    case ACC_REG_INT_STATUS:
        f->int_status &= ~val;
        return;
    }
    if (acc_pf_vf_reg(f, addr, &reg)) {
        *reg = val;
        return;
    }
    acc_log(f, "write 0x%" PRIx64 " to 0x%" HWADDR_PRIx " ignored\n",
            val, addr);
}

static const MemoryRegionOps acc_mmio_ops = {
    .read = acc_mmio_read,
    .write = acc_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Only aligned 32-bit accesses are defined; see acc_mmio_read(). */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ------------------------------------------------------ PCI functions */

static const VMStateDescription acc_vmstate = {
    .name = "acc",
    .unmigratable = 1,
};

static void acc_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                             int len)
{
    AccFunc *f = object_dynamic_cast(OBJECT(dev), TYPE_ACC_PF) ?
                 &ACC_PF(dev)->func : &ACC_VF(dev)->func;

    /* A DMA of ours that reaches ECAM must not reset us mid-job. */
    if (f->dev && f->dev->in_engine) {
        acc_log(f, "DMA write to the config space, ignored\n");
        return;
    }
    pci_default_write_config(dev, addr, val, len);
    pcie_cap_flr_write_config(dev, addr, val, len);
}

/* ACS without optional features: no peer-to-peer between functions. */
static void acc_acs_init(PCIDevice *dev)
{
    pcie_add_capability(dev, PCI_EXT_CAP_ID_ACS, PCI_ACS_VER, ACC_CAP_ACS,
                        PCI_ACS_SIZEOF);
    dev->exp.acs_cap = ACC_CAP_ACS;
}

/* What the PF and a VF have in common: BAR contents, MSI-X, PCIe caps. */
static bool acc_func_realize(AccFunc *f, PCIDevice *dev, AccPFState *d,
                             int vfn, Error **errp)
{
    f->pdev = dev;
    f->dev = d;
    f->vfn = vfn;
    dev->config_write = acc_config_write;

    memory_region_init_io(&f->mmio, OBJECT(dev), &acc_mmio_ops, f,
                          "acc-mmio", ACC_BAR_REGS_SIZE);
    memory_region_init(&f->msix, OBJECT(dev), "acc-msix", ACC_BAR_MSIX_SIZE);
    if (vfn < 0) {
        pci_register_bar(dev, ACC_BAR_REGS, PCI_BASE_ADDRESS_MEM_TYPE_64,
                         &f->mmio);
        pci_register_bar(dev, ACC_BAR_MSIX, PCI_BASE_ADDRESS_MEM_TYPE_64,
                         &f->msix);
    } else {
        pcie_sriov_vf_register_bar(dev, ACC_BAR_REGS, &f->mmio);
        pcie_sriov_vf_register_bar(dev, ACC_BAR_MSIX, &f->msix);
    }

    if (pcie_endpoint_cap_init(dev, ACC_CAP_EXP) < 0) {
        error_setg(errp, "acc: cannot add the PCIe capability");
        return false;
    }
    if (msix_init(dev, ACC_MSIX_VECTORS, &f->msix, ACC_BAR_MSIX, 0,
                  &f->msix, ACC_BAR_MSIX, ACC_MSIX_PBA, ACC_CAP_MSIX,
                  errp) < 0) {
        pcie_cap_exit(dev);
        return false;
    }
    msix_vector_use(dev, ACC_VEC_EQ);
    msix_vector_use(dev, ACC_VEC_MB);
    pcie_cap_flr_init(dev);
    /* Resets take effect at once: software need not wait after an FLR. */
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) |
                 PCI_STATUS_IMM_READY);
    pcie_ari_init(dev, ACC_CAP_ARI);
    acc_acs_init(dev);

    acc_qm_init(f);
    timer_init_ns(&f->mb_timer, QEMU_CLOCK_VIRTUAL, acc_mb_run, f);
    f->int_mask = ACC_INT_ALL;
    return true;
}

static void acc_func_exit(AccFunc *f)
{
    timer_del(&f->job_timer);
    timer_del(&f->mb_timer);
    msix_unuse_all_vectors(f->pdev);
    msix_uninit(f->pdev, &f->msix, &f->msix);
    pcie_cap_exit(f->pdev);
}

static void acc_pf_realize(PCIDevice *dev, Error **errp)
{
    AccPFState *d = ACC_PF(dev);

    if (d->total_vfs < 1 || d->total_vfs > ACC_MAX_VFS) {
        error_setg(errp, "acc-pf: vfs must be 1..%d", ACC_MAX_VFS);
        return;
    }
    if (d->total_qp < 1 || d->total_qp > ACC_MODEL_MAX_QPS) {
        error_setg(errp, "acc-pf: qps must be 1..%d", ACC_MODEL_MAX_QPS);
        return;
    }
    d->pool = g_new0(AccQP, d->total_qp);
    if (!acc_func_realize(&d->func, dev, d, -1, errp)) {
        g_free(d->pool);
        return;
    }

    /* The VFs are created (and realized) here. */
    if (!pcie_sriov_pf_init(dev, ACC_CAP_SRIOV, TYPE_ACC_VF,
                            ACC_PCI_DEVICE_VF, d->total_vfs, d->total_vfs,
                            1, 1, errp)) {
        acc_func_exit(&d->func);
        g_free(d->pool);
        return;
    }
    pcie_sriov_pf_init_vf_bar(dev, ACC_BAR_REGS,
                              PCI_BASE_ADDRESS_MEM_TYPE_64,
                              ACC_BAR_REGS_SIZE);
    pcie_sriov_pf_init_vf_bar(dev, ACC_BAR_MSIX,
                              PCI_BASE_ADDRESS_MEM_TYPE_64,
                              ACC_BAR_MSIX_SIZE);
}

static void acc_pf_exit(PCIDevice *dev)
{
    AccPFState *d = ACC_PF(dev);

    pcie_sriov_pf_exit(dev);
    acc_func_exit(&d->func);
    g_free(d->pool);
    d->pool = NULL;
}

/* PF reset (FLR, system reset): the PF, every VF and the allotments. */
static void acc_pf_reset_hold(Object *obj, ResetType type)
{
    AccPFState *d = ACC_PF(obj);
    int i;

    acc_func_reset(&d->func);
    for (i = 0; i < d->total_vfs; i++) {
        if (d->vf[i]) {
            acc_func_reset(&d->vf[i]->func);
        }
    }
    memset(d->vf_qp_base, 0, sizeof(d->vf_qp_base));
    memset(d->vf_qp_num, 0, sizeof(d->vf_qp_num));
    memset(d->pool, 0, d->total_qp * sizeof(*d->pool));
}

static void acc_vf_realize(PCIDevice *dev, Error **errp)
{
    AccVFState *v = ACC_VF(dev);
    PCIDevice *pf = pcie_sriov_get_pf(dev);
    AccPFState *d;
    uint16_t vfn;

    if (!pf || !object_dynamic_cast(OBJECT(pf), TYPE_ACC_PF)) {
        error_setg(errp, "acc-vf is created by acc-pf only");
        return;
    }
    d = ACC_PF(pf);
    vfn = pcie_sriov_vf_number(dev);
    if (!acc_func_realize(&v->func, dev, d, vfn, errp)) {
        return;
    }
    d->vf[vfn] = v;
}

static void acc_vf_exit(PCIDevice *dev)
{
    AccVFState *v = ACC_VF(dev);

    if (v->func.dev) {
        v->func.dev->vf[v->func.vfn] = NULL;
        acc_func_exit(&v->func);
    }
}

/* VF reset: FLR, SR-IOV enable/disable, system reset. */
static void acc_vf_reset_hold(Object *obj, ResetType type)
{
    AccVFState *v = ACC_VF(obj);

    if (v->func.dev) {
        acc_func_reset(&v->func);
    }
}

static const Property acc_pf_properties[] = {
    DEFINE_PROP_UINT16("vfs", AccPFState, total_vfs, ACC_DEFAULT_VFS),
    DEFINE_PROP_UINT32("qps", AccPFState, total_qp, ACC_DEFAULT_QPS),
};

static void acc_pf_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = acc_pf_realize;
    k->exit = acc_pf_exit;
    k->vendor_id = ACC_PCI_VENDOR_ID;
    k->device_id = ACC_PCI_DEVICE_PF;
    k->revision = ACC_PCI_REVISION;
    k->class_id = ACC_CLASS;
    rc->phases.hold = acc_pf_reset_hold;
    dc->desc = "acc queue-manager crypto accelerator (SR-IOV PF)";
    dc->vmsd = &acc_vmstate;
    device_class_set_props(dc, acc_pf_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static void acc_vf_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = acc_vf_realize;
    k->exit = acc_vf_exit;
    k->vendor_id = ACC_PCI_VENDOR_ID;
    k->device_id = ACC_PCI_DEVICE_VF;
    k->revision = ACC_PCI_REVISION;
    k->class_id = ACC_CLASS;
    rc->phases.hold = acc_vf_reset_hold;
    dc->desc = "acc queue-manager crypto accelerator (SR-IOV VF)";
    dc->vmsd = &acc_vmstate;
    dc->user_creatable = false;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo acc_types[] = {
    {
        .name = TYPE_ACC_PF,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(AccPFState),
        .class_init = acc_pf_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_PCIE_DEVICE },
            { }
        },
    },
    {
        .name = TYPE_ACC_VF,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(AccVFState),
        .class_init = acc_vf_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_PCIE_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(acc_types)
