# SPDX-License-Identifier: GPL-2.0
#
# acc: live migration of accelerator VFs — lab porcelain.
#
#   make check   install what is needed, build the lab, run every test tier;
#                ends with "N passed, M failed"
#   make demo    build the lab, show the accelerator at work, live-migrate a guest
#
# Other targets: deps kernel qemu modules tests lint bench shell clean.
# Kernel modules are built by Kbuild (see ./Kbuild) against the lab kernel.

SHELL := /bin/bash
ROOT := $(CURDIR)
KDIR_CMD := $(ROOT)/scripts/build-kernel

.PHONY: all check demo deps kernel qemu initramfs lab modules tests lint \
	bench shell clean

all: lab

deps:
	@$(ROOT)/scripts/install-deps

kernel: deps
	@$(ROOT)/scripts/build-kernel >/dev/null

qemu: deps kernel
	@$(ROOT)/scripts/build-qemu >/dev/null

initramfs: deps
	@$(ROOT)/scripts/build-initramfs >/dev/null

modules: kernel
	@$(ROOT)/scripts/build-modules >/dev/null

tests: kernel
	@$(MAKE) -s -C $(ROOT)/tests KDIR="$$($(KDIR_CMD))"
	@$(MAKE) -s -C $(ROOT)/tests/unit KDIR="$$($(KDIR_CMD))"
	@$(MAKE) -s -C $(ROOT)/tests/migration KDIR="$$($(KDIR_CMD))"
	@$(MAKE) -s -C $(ROOT)/tests/dirty KDIR="$$($(KDIR_CMD))"
	@$(MAKE) -s -C $(ROOT)/tests/iommu-upstream KDIR="$$($(KDIR_CMD))"
	@$(MAKE) -s -C $(ROOT)/bench/migration KDIR="$$($(KDIR_CMD))"

lab: kernel qemu initramfs modules tests

check: lab
	@$(ROOT)/tests/run

demo: lab
	@$(ROOT)/scripts/demo

lint: modules
	@$(ROOT)/scripts/lint

bench: lab
	@$(ROOT)/bench/run

shell: lab
	@$(ROOT)/scripts/lab shell --vfs 4

clean:
	@if kdir=$$(ACC_NO_BUILD=1 $(KDIR_CMD) 2>/dev/null) && [ -d "$$kdir" ]; then \
		$(MAKE) -s -C "$$kdir" M=$(ROOT) clean; fi
	@$(MAKE) -s -C $(ROOT)/tests clean 2>/dev/null || true
	@rm -rf $(ROOT)/build
