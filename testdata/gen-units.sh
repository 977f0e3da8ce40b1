#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# gen-units.sh: build testdata/units.elf from testdata/src/units/, the
# fixture of two compile units whose names clean to one path (arm64's
# arch/arm64/kvm/hyp/vhe/../vgic-v3-sr.c and nvhe/../vgic-v3-sr.c), each
# defining the same static functions. Needs gcc, ld and objcopy (Debian
# 12's: other versions give other bytes). Run from anywhere:
#
#     bash testdata/gen-units.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/kabi-units.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/arch/arm64/kvm/hyp/vhe" "$work/arch/arm64/kvm/hyp/nvhe"
cp "$here/src/units/vgic-v3-sr.c" "$work/arch/arm64/kvm/hyp/"
cp "$here/src/units/start.c" "$work/"
cd "$work"
flags=(-g -gdwarf-5 -O2 -ffreestanding -fno-pic -fno-stack-protector -ffile-prefix-map="$work"=/build/linux-6.1.99)
gcc "${flags[@]}" -c arch/arm64/kvm/hyp/vhe/../vgic-v3-sr.c -o vhe.o
gcc "${flags[@]}" -c arch/arm64/kvm/hyp/nvhe/../vgic-v3-sr.c -o nvhe.o
objcopy --prefix-symbols=__kvm_nvhe_ nvhe.o
gcc "${flags[@]}" -c start.c -o start.o
ld -static -no-pie --build-id=none -e _start -o "$here/units.elf" start.o vhe.o nvhe.o
if grep -q kabi-units "$here/units.elf"; then
	echo "gen-units.sh: the temporary path leaked into units.elf" >&2
	exit 1
fi
# Its line in SHA256SUMS, which gen.sh keeps.
cd "$here"
{ grep -v ' units\.elf$' SHA256SUMS; sha256sum units.elf; } >SHA256SUMS.new
mv SHA256SUMS.new SHA256SUMS
