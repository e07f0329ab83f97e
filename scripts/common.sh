# Shared settings for the lab scripts. Source, do not execute.
# shellcheck shell=bash

ACC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Builds are cached outside the clone, keyed by the hash of their inputs,
# so a fresh clone on a machine that already built them rebuilds nothing.
ACC_CACHE="${ACC_CACHE:-/var/cache/acc-lab}"
ACC_LOCK="${ACC_LOCK:-$ACC_CACHE/build.lock}"
export CCACHE_DIR="${CCACHE_DIR:-$ACC_CACHE/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
# pyenv's python3 shadows Debian's; the builds need Debian's.
export PATH="/usr/lib/ccache:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
JOBS="${JOBS:-$(nproc)}"
# The linux-source-6.12 that kernel-patches/ apply to. Debian's archive
# moves the package to each new 6.12.y; one that changes what the patches
# touch stops them from applying (6.12.118 reworked iova_bitmap_set()), so
# the lab installs this release, and moving on is a rebase of the patches.
KVER_PIN=6.12.118-1~deb12u1

mkdir -p "$ACC_CACHE"

die() { echo "lab: error: $*" >&2; exit 1; }
log() { echo "lab: $*" >&2; }

# hash_inputs FILE... : short hash of the contents of the given files/dirs
hash_inputs() {
	local f
	for f in "$@"; do
		if [ -d "$f" ]; then
			find "$f" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
		else
			sha256sum "$f"
		fi
	done | sed "s#$ACC_ROOT/##" | sha256sum | cut -c1-16
}

# Paths of the cached artefacts; filled by kernel_paths / qemu_paths.
kernel_key() {
	local tarball=/usr/src/linux-source-6.12.tar.xz
	[ -f "$tarball" ] || die "linux-source-6.12 is not installed (run scripts/install-deps)"
	{
		dpkg-query -W -f='${Version}\n' linux-source-6.12
		hash_inputs "$ACC_ROOT/configs/kernel.config" \
			"$ACC_ROOT/scripts/build-kernel" \
			"$ACC_ROOT/kernel-patches"
		[ "$KFLAVOUR" = debug ] ||
			hash_inputs "$ACC_ROOT/configs/kernel-$KFLAVOUR.config"
	} | sha256sum | cut -c1-16
}

# The kernel flavour: "debug" (the default, lockdep and the other checks
# the tests want) or "perf" (configs/kernel-perf.config on top, for
# benchmarks). Each has its own cached build and its own module build.
kernel_flavour() {
	KFLAVOUR=${ACC_KERNEL_FLAVOUR:-debug}
	case "$KFLAVOUR" in
	debug) KPREFIX=kernel- MODDIR= ;;
	perf) KPREFIX=kernel-perf- MODDIR=build/perf/ ;;
	*) die "unknown kernel flavour '$KFLAVOUR' (debug or perf)" ;;
	esac
}

kernel_paths() {
	kernel_flavour
	KVER_PKG="$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null)" ||
		die "linux-source-6.12 (the 6.12.y series) is not available"
	[ "$KVER_PKG" = "$KVER_PIN" ] ||
		die "linux-source-6.12 is $KVER_PKG; kernel-patches/ are for $KVER_PIN (run scripts/install-deps)"
	KKEY="$(kernel_key)"
	KSRC="$ACC_CACHE/linux-src-$KVER_PKG"
	KDIR="$ACC_CACHE/$KPREFIX$KKEY"
	KIMAGE="$KDIR/arch/x86/boot/bzImage"
}
