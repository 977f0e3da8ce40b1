#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# gen.sh: build the eBPF object fixtures of package check from src/.
#
#     bash check/testdata/gen.sh          # rebuild src/vmlinux.h and *.bpf.o
#     bash check/testdata/gen.sh --check  # rebuild in a temp dir, compare with SHA256SUMS
#
# 1. src/vmlinux.h, hooks_vmlinux.h, types_vmlinux.h: the types of the
#    fixture builds testdata/cmp-6.1.99-1-amd64.elf, hooks-6.1.99-1-amd64.elf
#    and types-v1.elf (the root fixtures have DWARF but no .BTF): pahole -J
#    encodes its DWARF as BTF in a copy, and bpftool btf dump ... format c
#    writes the header, as one does for a real kernel from
#    /sys/kernel/btf/vmlinux.
# 2. each src/*.bpf.c (and nobtf.bpf.o from src/nobtf.c, without -g, so without BTF): clang -g -O2 -target bpf -D__TARGET_ARCH_x86 with
#    libbpf's headers (Debian's libbpf-dev), as libbpf-based projects do.
#    -g gives the object its .BTF and .BTF.ext (CO-RE relocations, line info)
#    and DWARF (which keeps the typed arguments of BPF_PROG and BPF_KPROBE).
#
# Tools (Debian 12): clang 14, llvm, libbpf-dev 1.1, bpftool 7.1, pahole 1.24;
# installed with apt-get when missing. Output depends on their versions.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SRC=$HERE/src

need=()
command -v clang >/dev/null || need+=(clang llvm)
command -v bpftool >/dev/null || need+=(bpftool)
command -v pahole >/dev/null || need+=(dwarves)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
if [ ${#need[@]} -gt 0 ]; then
	apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; }
fi

OUT=$HERE
if [ "${1:-}" = --check ]; then
	OUT=$(mktemp -d)
	trap 'rm -rf "$OUT"' EXIT
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK" ${OUT:+$( [ "$OUT" != "$HERE" ] && echo "$OUT")}' EXIT

# The headers, one per fixture kernel the programs are written for.
# Written into src/ only when building for real.
header() { # fixture header
	cp "$ROOT/testdata/$1.elf" "$WORK/kernel.elf"
	pahole -J "$WORK/kernel.elf"
	bpftool btf dump file "$WORK/kernel.elf" format c >"$WORK/$2"
	if [ "$OUT" = "$HERE" ]; then
		cp "$WORK/$2" "$SRC/$2"
	elif ! cmp -s "$WORK/$2" "$SRC/$2"; then
		echo "src/$2 differs from a fresh one" >&2
		exit 1
	fi
}
header cmp-6.1.99-1-amd64 vmlinux.h
header hooks-6.1.99-1-amd64 hooks_vmlinux.h
header types-v1 types_vmlinux.h

# The objects, built from a fixed directory so that the paths recorded in
# BTF line info and DWARF do not depend on the checkout.
BUILD=/tmp/kabi-bpf-fixture
rm -rf "$BUILD"
mkdir -p "$BUILD"
cp "$SRC"/*.h "$SRC"/*.c "$BUILD/"
cp "$WORK"/*.h "$BUILD/"
for c in "$BUILD"/*.bpf.c; do
	[ "$(basename "$c")" = kernel.bpf.c ] && continue
	o=$(basename "${c%.c}").o
	(cd "$BUILD" && clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -c "$(basename "$c")" -o "$OUT/$o")
done
# kernel.bpf.o, for the real-kernel tests, against a real kernel's types:
# built when vmlinux-6.1.0-47-amd64 is at hand (KABI_KERNEL, default
# ~/.cache/kabi/vmlinux-6.1.0-47-amd64), else the committed one is kept.
# Its DWARF is compressed (-gz) and its debug relocations dropped (they
# only repeat the in-place addends): 270 KB instead of 720 KB.
KERNEL=${KABI_KERNEL:-$HOME/.cache/kabi/vmlinux-6.1.0-47-amd64}
if [ -f "$KERNEL" ]; then
	mkdir -p "$BUILD/kernel"
	bpftool btf dump file "$KERNEL" format c >"$BUILD/kernel/vmlinux.h"
	cp "$SRC/kernel.bpf.c" "$BUILD/kernel/"
	(cd "$BUILD/kernel" && clang -g -gz=zlib -O2 -target bpf -D__TARGET_ARCH_x86 -I. -c kernel.bpf.c -o kernel.full.o)
	llvm-objcopy $(for s in str_offsets info addr line frame ranges rnglists loclists; do echo --remove-section=.rel.debug_$s; done) \
		"$BUILD/kernel/kernel.full.o" "$OUT/kernel.bpf.o"
else
	echo "gen.sh: $KERNEL not found: kernel.bpf.o not rebuilt" >&2
fi

# An object without BTF (no -g), for the error path.
(cd "$BUILD" && clang -O2 -target bpf -c nobtf.c -o "$OUT/nobtf.bpf.o")
rm -rf "$BUILD"

if [ "$OUT" = "$HERE" ]; then
	(cd "$HERE" && sha256sum *.bpf.o >SHA256SUMS)
else
	(cd "$OUT" && sha256sum -c --ignore-missing "$HERE/SHA256SUMS")
fi
