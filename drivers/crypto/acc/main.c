// SPDX-License-Identifier: GPL-2.0
/*
 * acc: module glue. One module, acc_qm, with the PF driver ("acc_pf",
 * 1af4:10f0), the VF driver ("acc_vf", 1af4:10f1) and the crypto
 * algorithms the VFs serve (cbc-aes-acc, ctr-aes-acc, sha256-acc,
 * hmac-sha256-acc). The algorithms are registered when the first VF comes
 * up and unregistered at module exit; tfms hold a module reference, so
 * that is safe.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "acc.h"

unsigned int acc_mb_timeout_us = 100000;
module_param_named(mb_timeout_us, acc_mb_timeout_us, uint, 0644);
MODULE_PARM_DESC(mb_timeout_us,
		 "Mailbox command timeout in microseconds (default 100000)");

unsigned int acc_vf_qps = 4;
module_param_named(vf_qps, acc_vf_qps, uint, 0644);
MODULE_PARM_DESC(vf_qps,
		 "Queue pairs the PF allots to each VF when SR-IOV is enabled (default 4)");

unsigned int acc_queue_depth = 64;
module_param_named(queue_depth, acc_queue_depth, uint, 0444);
MODULE_PARM_DESC(queue_depth,
		 "Entries per submission/completion queue, a power of two, clamped to the device's range (default 64)");

unsigned int acc_drain_timeout_ms = 1000;
module_param_named(drain_timeout_ms, acc_drain_timeout_ms, uint, 0644);
MODULE_PARM_DESC(drain_timeout_ms,
		 "How long VF remove and reset wait for jobs in flight before failing them (default 1000)");

struct dentry *acc_debugfs_root;

static int __init acc_init(void)
{
	int ret;

	if (!is_power_of_2(acc_queue_depth)) {
		pr_err("acc: queue_depth %u is not a power of two\n",
		       acc_queue_depth);
		return -EINVAL;
	}
	acc_debugfs_root = debugfs_create_dir("acc", NULL);
	ret = pci_register_driver(&acc_pf_driver);
	if (ret)
		goto err_debugfs;
	ret = pci_register_driver(&acc_vf_driver);
	if (ret)
		goto err_pf;
	return 0;

err_pf:
	pci_unregister_driver(&acc_pf_driver);
err_debugfs:
	debugfs_remove_recursive(acc_debugfs_root);
	return ret;
}

static void __exit acc_exit(void)
{
	/* No tfm exists (they hold the module), so no request either. */
	acc_algs_unregister();
	pci_unregister_driver(&acc_vf_driver);
	pci_unregister_driver(&acc_pf_driver);
	debugfs_remove_recursive(acc_debugfs_root);
}

module_init(acc_init);
module_exit(acc_exit);

MODULE_DESCRIPTION("acc queue-manager crypto accelerator: PF, VF and crypto algorithms");
MODULE_LICENSE("GPL");
