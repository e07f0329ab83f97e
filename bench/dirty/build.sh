# shellcheck shell=bash
# Sourced by bench/dirty/run, profile and spans, after they set ROOT.
#
# dirty_bench_build FLAVOUR: builds, if needed, the L1 kernel of FLAVOUR
# (scripts/build-kernel), its acc modules (scripts/build-modules) and
# tests/build/dirty_bench; sets moddir (the modules' build directory) and
# kdir (the kernel's).
dirty_bench_build() {
	# shellcheck disable=SC2034 # moddir is for the caller
	moddir=$(ACC_KERNEL_FLAVOUR=$1 "$ROOT/scripts/build-modules" | tail -1)
	kdir=$(ACC_KERNEL_FLAVOUR=$1 "$ROOT/scripts/build-kernel" | tail -1)
	make -s -C "$ROOT/tests/dirty" KDIR="$kdir" \
		"$ROOT/tests/build/dirty_bench" >/dev/null
}
