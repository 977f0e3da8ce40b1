#!/bin/bash
# gen-deb.sh: the Debian package fixtures in testdata/deb/, built with
# dpkg-deb around the committed fixture builds (gen.sh makes those).
#
#   bash testdata/gen-deb.sh            # rebuild testdata/deb/*, rewrite testdata/deb/SHA256SUMS
#   bash testdata/gen-deb.sh --check    # rebuild in a temporary folder and compare
#
# Each package is a kernel debug package as Debian and Ubuntu ship them
# (linux-image-RELEASE-dbg, linux-image-RELEASE-dbgsym), with a README
# before the kernel and a second file after it, so that reading stops at
# the kernel. Needs dpkg-deb, xz and ar (binutils). File times and owners
# are fixed, so two runs give the same bytes (with the same xz and zstd).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODE=build
[ "${1:-}" = --check ] && MODE=check
for tool in dpkg-deb xz ar zstd; do
	command -v $tool >/dev/null || { echo "gen-deb.sh: needs $tool (apt-get install dpkg xz-utils binutils zstd)" >&2; exit 1; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ "$MODE" = check ]; then OUT=$WORK/out; else OUT=$HERE/deb; fi
mkdir -p "$OUT"
export SOURCE_DATE_EPOCH=1700000000

# pkg NAME VERSION ARCH COMPRESSION FILE KERNELPATH [OUTNAME]
pkg() {
	local name=$1 version=$2 arch=$3 comp=$4 elf=$5 kpath=$6 out=${7:-${1}_${2}_${3}.deb}
	local root=$WORK/root-$out
	mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$name"
	cat >"$root/DEBIAN/control" <<CTL
Package: $name
Source: linux
Version: $version
Architecture: $arch
Maintainer: kabi fixtures <fixtures@invalid>
Section: debug
Priority: optional
Description: Debug symbols for a fixture kernel
 This package holds a kabi fixture build, not a kernel.
CTL
	echo "a kabi fixture" >"$root/usr/share/doc/$name/README"
	mkdir -p "$root/usr/lib/debug/.build-id"
	echo "before the kernel" >"$root/usr/lib/debug/.build-id/README"
	if [ -n "$kpath" ]; then
		mkdir -p "$root/$(dirname "$kpath")"
		cp "$HERE/$elf" "$root/$kpath"
		mkdir -p "$root/usr/lib/debug/lib/modules"
		echo "after the kernel" >"$root/usr/lib/debug/lib/modules/zz-after"
	fi
	if [ -n "${MODULES:-}" ]; then
		# A module tree, with a file that is not a module in it.
		mkdir -p "$root/usr/lib/debug/lib/modules/$MODULES"
		cp -r "$HERE/modules/$MODULES/." "$root/usr/lib/debug/lib/modules/$MODULES/"
		echo "not a module" >"$root/usr/lib/debug/lib/modules/$MODULES/modules.order"
	fi
	find "$root" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +
	dpkg-deb --root-owner-group -Z"$comp" --build "$root" "$OUT/$out" >/dev/null
}

pkg linux-image-6.1.99-1-amd64-dbg 6.1.99-1 amd64 xz cmp-6.1.99-1-amd64.elf usr/lib/debug/boot/vmlinux-6.1.99-1-amd64
pkg linux-image-6.1.99-1-amd64-dbg 6.1.99-1 amd64 zstd cmp-6.1.99-1-amd64.elf usr/lib/debug/boot/vmlinux-6.1.99-1-amd64 zstd.deb
pkg linux-image-6.1.99-1-amd64-dbg 6.1.99-1 amd64 gzip cmp-6.1.99-1-amd64.elf usr/lib/debug/boot/vmlinux-6.1.99-1-amd64 gzip.deb
pkg linux-image-6.1.99-1-amd64-dbg 6.1.99-1 amd64 none cmp-6.1.99-1-amd64.elf usr/lib/debug/boot/vmlinux-6.1.99-1-amd64 none.deb
# Ubuntu's older layout, as a .ddeb.
pkg linux-image-6.2.5-1-amd64-dbgsym 6.2.5-1.1 amd64 xz cmp-6.2.5-1-amd64.elf usr/lib/debug/vmlinux-6.2.5-1-amd64 linux-image-6.2.5-1-amd64-dbgsym_6.2.5-1.1_amd64.ddeb
# The fixture kernel with its module tree (its modules plain and
# compressed with xz, zstd and gzip), in each compression, and in
# Ubuntu's older layout, where the modules come before vmlinux.
for comp in xz zstd gzip none; do
	MODULES=6.1.99-1-amd64 pkg linux-image-6.1.99-1-amd64-dbg 6.1.99-1 amd64 $comp x86_64-dwarf5.elf usr/lib/debug/boot/vmlinux-6.1.99-1-amd64 modules-$comp.deb
done
MODULES=6.1.99-1-amd64 pkg linux-image-6.1.99-1-amd64-dbgsym 6.1.99-1 amd64 xz x86_64-dwarf5.elf usr/lib/debug/vmlinux-6.1.99-1-amd64 modules-old.ddeb
# A package without a kernel.
pkg linux-doc-6.1 6.1.99-1 all xz "" "" nokernel.deb
# An xz data.tar in many small blocks, as xz -T writes big ones (dpkg-deb
# cannot choose the block size): the parallel decoder's path.
mkdir -p "$WORK/mb" && (
	cd "$WORK/mb"
	ar x "$OUT/linux-image-6.1.99-1-amd64-dbg_6.1.99-1_amd64.deb"
	xz -dc data.tar.xz | xz -T1 --block-size=4KiB -6 -c >data.tar.xz.new
	mv data.tar.xz.new data.tar.xz
	touch -d @$SOURCE_DATE_EPOCH debian-binary control.tar.xz data.tar.xz
	rm -f "$OUT/multiblock.deb"
	ar qcD "$OUT/multiblock.deb" debian-binary control.tar.xz data.tar.xz
)

(cd "$OUT" && sha256sum *.deb *.ddeb) >"$WORK/SHA256SUMS"
if [ "$MODE" = check ]; then
	diff -u "$HERE/deb/SHA256SUMS" "$WORK/SHA256SUMS" && echo "gen-deb.sh: --check: identical" >&2
else
	cp "$WORK/SHA256SUMS" "$OUT/SHA256SUMS"
	du -cb "$OUT"/*.deb "$OUT"/*.ddeb | tail -n1 >&2
fi
