/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility shim: build the iommufd selftests shipped in the
 * linux-source 6.12 tree (partly written against a newer uapi) against the
 * 6.12 kernel's own headers. Force-included by the Makefile (-include), and
 * each part is enabled only when the headers in use lack the name
 * (the Makefile greps them), so newer headers build without the shim.
 *
 * Tests relying on the newer kernel behaviour behind these names fail on a
 * 6.12 kernel; run.sh lists them as known failures, with the reason.
 */
#ifndef ACC_IOMMUFD_COMPAT_H
#define ACC_IOMMUFD_COMPAT_H

#include <linux/iommufd.h>
#include "iommufd_test.h"

#ifdef ACC_COMPAT_HW_INFO_TYPE
/*
 * Newer uapi: struct iommu_hw_info's out_data_type became a union with an
 * input type (in_data_type), selected by IOMMU_HW_INFO_FLAG_INPUT_TYPE, and
 * IOMMU_HW_INFO_TYPE_DEFAULT (== 0, the old TYPE_NONE) asks for the
 * driver's native type. 6.12 has the same field at the same offset as
 * out_data_type and rejects any flags with EOPNOTSUPP.
 */
#define in_data_type out_data_type
#define IOMMU_HW_INFO_TYPE_DEFAULT IOMMU_HW_INFO_TYPE_NONE
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1U << 0)
#endif

#ifdef ACC_COMPAT_MOCK_PASID
/*
 * Newer selftest uapi: mock devices can be PASID capable. 6.12's mock
 * driver has no PASID support and rejects unknown device flags with
 * EINVAL, which would fail the fixture setup of every test of the
 * iommufd_ioas.mock_domain variant. Asking for no flag keeps those tests
 * running with a plain mock device; only the PASID-width check of
 * iommufd_ioas.mock_domain.get_hw_info depends on it (a known failure).
 */
#define MOCK_FLAGS_DEVICE_PASID 0
#define MOCK_PASID_WIDTH 20
#endif

#endif /* ACC_IOMMUFD_COMPAT_H */
