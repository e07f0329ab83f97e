#!/bin/sh
# The dirty-tracking refusal test alone, for an L1 booted with --no-ssads
# (an IOMMU without dirty tracking): the capability is not reported and a
# dirty-tracking HWPT is refused with EOPNOTSUPP.
exec "$(dirname "$0")/../build/iommufd_dirty" -t refused_without_capability
