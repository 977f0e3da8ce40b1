#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# gen.sh: build kabi's ELF/DWARF test fixtures from testdata/src/.
#
# How to run (as root, or with sudo available for apt-get), from anywhere:
#
#     bash testdata/gen.sh            # (re)build every fixture into testdata/
#     bash testdata/gen.sh --check    # rebuild into a temp dir and compare
#                                     # with testdata/SHA256SUMS (no writes)
#
# What it produces (all in testdata/, committed; see testdata/README.md):
#
#     x86_64-dwarf5.elf         gcc, DWARF 5
#     x86_64-dwarf4.elf         gcc, DWARF 4 (DW_TAG_GNU_call_site)
#     x86_64-dwarf3.elf         gcc, DWARF 3
#     x86_64-dwarf2.elf         gcc, DWARF 2
#     x86_64-dwarf4-64bit.elf   gcc, DWARF 4 in the 64-bit DWARF format
#     x86_64-dwarf4-types.elf   gcc, DWARF 4 + type units in .debug_types
#     x86_64-dwarf5-types.elf   gcc, DWARF 5 + type units in .debug_info
#     x86_64-zlib.elf           gcc, DWARF 5, SHF_COMPRESSED zlib debug sections
#     x86_64-zstd.elf           gcc, DWARF 5, SHF_COMPRESSED zstd debug sections
#     i386.elf                  i686-linux-gnu-gcc, ELF32 little-endian, DWARF 5
#     aarch64.elf               aarch64-linux-gnu-gcc, ELF64 little-endian, DWARF 5
#     s390x.elf                 s390x-linux-gnu-gcc, ELF64 big-endian, DWARF 5
#     clang.elf                 Debian clang + lld, ThinLTO, DWARF 5
#     rust.elf                  gcc C objects + a rustc no_std object, DWARF 4/5
#     cmp-6.1.99-1-amd64.elf    comparison fixtures (gcc, x86_64, DWARF 5): the
#     cmp-6.2.5-1-amd64.elf     x86_64-dwarf5 units plus drivers/cmp_fix.c and
#     cmp-6.3.1-2-amd64.elf     net/cmp_twin_fix.c, built as versions 1/2/3
#     cmp-6.1.99-1-cloud-amd64.elf  (-DKFX_V2, -DKFX_V3), a cloud flavor
#     cmp-6.1.99-3-amd64.elf    (-DKFX_CLOUD) and an ABI revision 3 of version 1
#     SHA256SUMS                checksums of the above
#
# Every fixture is a static, non-PIE ET_EXEC linked without libc
# (-nostdlib -ffreestanding), entry _start in src/arch/entry.S, with
# .symtab kept (nothing is stripped).
#
# Paths: the sources are copied to a temporary tree
# /tmp/kabi-fixture/linux-6.1.99 (removed first and at exit; do not run two
# gen.sh at once; KFX_KEEP=1 keeps it) and compiled from its root, with
# -ffile-prefix-map mapping that tree to /build/reproducible-path/linux-6.1.99.
# So every CU has DW_AT_comp_dir /build/reproducible-path/linux-6.1.99 and a
# relative DW_AT_name (mm/vmalloc_fix.c), except kernel/printk_fix.c, which
# is compiled by absolute path (and with an absolute -I), so its DW_AT_name
# is /build/reproducible-path/linux-6.1.99/kernel/printk_fix.c. The script
# fails if the string "kabi-fixture" (the temporary path) appears in any
# fixture.
#
# Determinism: the output depends only on the sources and the installed
# Debian toolchain versions; two runs give byte-identical files (checked with
# --check). A different gcc/clang/binutils/rustc version changes the bytes.
#
# Tools: gcc, gcc-i686-linux-gnu, gcc-aarch64-linux-gnu, gcc-s390x-linux-gnu,
# clang, lld, binutils (objcopy with zstd support), zstd; they are installed
# with apt-get when missing. rust.elf needs rustc with the
# x86_64-unknown-linux-gnu target; without rustc it is skipped (and the old
# rust.elf is kept).

set -euo pipefail
export LC_ALL=C
export SOURCE_DATE_EPOCH=0
export ZERO_AR_DATE=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/src
KVER=6.1.99
DEBVER=$KVER-1
FAKE_ROOT=/build/reproducible-path/linux-$KVER

MODE=build
case "${1:-}" in
--check) MODE=check ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# ---------------------------------------------------------------- tools
need_pkgs=()
need() { # command package
	command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2")
}
need gcc gcc
need objcopy binutils
need readelf binutils
need i686-linux-gnu-gcc gcc-i686-linux-gnu
need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
need s390x-linux-gnu-gcc gcc-s390x-linux-gnu
need arm-linux-gnueabihf-gcc gcc-arm-linux-gnueabihf
need powerpc64le-linux-gnu-gcc gcc-powerpc64le-linux-gnu
need riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
need xz xz-utils
need gzip gzip
need clang clang
need ld.lld lld
need zstd zstd
if [ ${#need_pkgs[@]} -gt 0 ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "gen.sh: installing ${need_pkgs[*]}" >&2
	if ! $SUDO apt-get install -y "${need_pkgs[@]}"; then
		$SUDO apt-get update
		$SUDO apt-get install -y "${need_pkgs[@]}"
	fi
fi

# ---------------------------------------------------------------- work tree
# A fixed path: clang's ThinLTO .llvm.<hash> suffixes hash the module's
# source_filename, which -ffile-prefix-map does not remap, so the absolute
# path of kernel/printk_fix.c must not vary between runs.
WORK=/tmp/kabi-fixture
rm -rf "$WORK"
mkdir -p "$WORK"
[ -n "${KFX_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
TREE=$WORK/linux-$KVER
mkdir -p "$TREE"
cp -r "$SRC"/. "$TREE"/
if [ "$MODE" = check ]; then OUT=$WORK/out; else OUT=$HERE; fi
mkdir -p "$OUT"
cd "$TREE"

# C units compiled by relative path; printk_fix.c is compiled by absolute path.
REL_UNITS="init/main.c mm/vmalloc_fix.c fs/file_fix.c kernel/sched_fix.c lib/sig_fix.c version_fix.c"
ABS_UNIT=kernel/printk_fix.c
ASM_UNIT=arch/entry.S		# with debug info (gas subprogram DIEs)
ASM_NODEBUG_UNIT=arch/lib.S	# -g0: its functions are declared-only in DWARF

# Without the prefix map (the comparison fixtures map the tree to their own
# linux-<version> root); COMMON_CFLAGS = these + the 6.1.99 map.
CFLAGS_NOMAP="-O2 -std=gnu11 -nostdlib -ffreestanding -fno-pie -fno-stack-protector
 -fno-asynchronous-unwind-tables -fno-unwind-tables
 -Wall -Wextra -Wno-unused-parameter -Wno-old-style-definition"
COMMON_CFLAGS="$CFLAGS_NOMAP -ffile-prefix-map=$TREE=$FAKE_ROOT"
# Extra units (compiled by relative path, linked after ABS_UNIT); set only
# while building the comparison fixtures.
EXTRA_UNITS=
CMP_UNITS="drivers/cmp_fix.c net/cmp_twin_fix.c"
GCC_CFLAGS="-freorder-blocks-and-partition"
COMMON_LDFLAGS="-nostdlib -static -no-pie -Wl,-e,_start -Wl,--build-id=sha1"

# banner_defs CC FLAVOR LINKER-VERSION-LINE [DEBIAN-VERSION]: -D flags for
# init/main.c's banner (Debian version default $DEBVER, i.e. 6.1.99-1).
banner_defs() {
	local ccver debver=${4:-$DEBVER}
	ccver=$("$1" --version | head -n1)
	printf '%s\n' "-DKFX_RELEASE=\"$debver-$2\"" \
		"-DKFX_COMPILER=\"$ccver, $3\"" \
		"-DKFX_DEBIAN_VERSION=\"$debver\""
}

# compile_units NAME CC CFLAGS...: compile every unit into $TREE/obj/NAME/.
compile_units() {
	local name=$1 cc=$2
	shift 2
	local obj=obj/$name u
	mkdir -p "$obj"
	for u in $REL_UNITS $EXTRA_UNITS $ASM_UNIT; do
		mkdir -p "$obj/$(dirname "$u")"
		"$cc" "$@" -Iinclude -c "$u" -o "$obj/${u%.*}.o"
	done
	"$cc" "$@" -g0 -c "$ASM_NODEBUG_UNIT" -o "$obj/${ASM_NODEBUG_UNIT%.*}.o"
	mkdir -p "$obj/$(dirname $ABS_UNIT)"
	"$cc" "$@" -I"$TREE/include" -c "$TREE/$ABS_UNIT" -o "$obj/${ABS_UNIT%.*}.o"
}

objs() { # NAME: object list in a fixed order (link order = CU order)
	local u
	for u in $ASM_UNIT $REL_UNITS $ABS_UNIT $EXTRA_UNITS $ASM_NODEBUG_UNIT; do printf '%s ' "obj/$1/${u%.*}.o"; done
}

# gcc_fixture NAME CC FLAVOR DEBUG-FLAGS...
gcc_fixture() {
	local name=$1 cc=$2 flavor=$3
	shift 3
	local ld=${cc%gcc}ld
	local ldver
	ldver=$("$ld" --version | head -n1)
	local -a banner
	mapfile -t banner < <(banner_defs "$cc" "$flavor" "$ldver")
	# shellcheck disable=SC2086
	compile_units "$name" "$cc" $COMMON_CFLAGS $GCC_CFLAGS "$@" "${banner[@]}"
	# shellcheck disable=SC2086,SC2046
	"$cc" $COMMON_LDFLAGS "$@" -o "obj/$name.elf" $(objs "$name")
}

echo "gen.sh: gcc fixtures" >&2
gcc_fixture x86_64-dwarf5       gcc                   amd64   -g -gdwarf-5
gcc_fixture x86_64-dwarf4       gcc                   amd64   -g -gdwarf-4
gcc_fixture x86_64-dwarf3       gcc                   amd64   -g -gdwarf-3
gcc_fixture x86_64-dwarf2       gcc                   amd64   -g -gdwarf-2
gcc_fixture x86_64-dwarf4-64bit gcc                   amd64   -g -gdwarf-4 -gdwarf64 -gno-as-loc-support
gcc_fixture x86_64-dwarf4-types gcc                   amd64   -g -gdwarf-4 -fdebug-types-section
gcc_fixture x86_64-dwarf5-types gcc                   amd64   -g -gdwarf-5 -fdebug-types-section
gcc_fixture x86_64-zlib         gcc                   amd64   -g -gdwarf-5 -gz=zlib
gcc_fixture i386                i686-linux-gnu-gcc    686-pae -g -gdwarf-5
gcc_fixture aarch64             aarch64-linux-gnu-gcc arm64   -g -gdwarf-5
gcc_fixture s390x               s390x-linux-gnu-gcc   s390x   -g -gdwarf-5

# zstd: gcc 12 has no -gz=zstd; compress the DWARF 5 build with objcopy.
objcopy --compress-debug-sections=zstd obj/x86_64-dwarf5.elf obj/x86_64-zstd.elf

# ---------------------------------------------------------------- clang
echo "gen.sh: clang ThinLTO fixture" >&2
clang_fixture() {
	local name=clang
	local ldver
	ldver=$(ld.lld --version | head -n1)
	local -a banner
	mapfile -t banner < <(banner_defs clang amd64 "$ldver")
	# shellcheck disable=SC2086
	compile_units "$name" clang $COMMON_CFLAGS -Wno-unused-command-line-argument -g -gdwarf-5 -flto=thin \
		-fdebug-compilation-dir="$FAKE_ROOT" "${banner[@]}"
	# shellcheck disable=SC2086,SC2046
	clang $COMMON_LDFLAGS -Wno-unused-command-line-argument -fuse-ld=lld -flto=thin -Wl,--thinlto-jobs=1 \
		-o "obj/$name.elf" $(objs "$name")
}
clang_fixture

# ---------------------------------------------------------------- rust
RUSTC=${RUSTC:-$(command -v rustc || true)}
RUST_OK=0
if [ -n "$RUSTC" ]; then
	echo "gen.sh: rust fixture ($("$RUSTC" --version))" >&2
	mkdir -p obj/rust/rust
	# C part: the same units as x86_64-dwarf5, with -DKFX_WITH_RUST so that
	# start_kernel calls kfx_rust_entry.
	rust_banner=()
	mapfile -t rust_banner < <(banner_defs gcc amd64 "$(ld --version | head -n1)")
	# shellcheck disable=SC2086
	compile_units rust gcc $COMMON_CFLAGS $GCC_CFLAGS -g -gdwarf-5 \
		-DKFX_WITH_RUST "${rust_banner[@]}"
	if "$RUSTC" --edition=2021 --crate-type=lib --crate-name=kfx_rust \
		--target=x86_64-unknown-linux-gnu --emit=obj \
		-C opt-level=1 -C debuginfo=2 -C panic=abort -C codegen-units=1 \
		-C relocation-model=static -C code-model=small -C force-frame-pointers=no \
		-C debug-assertions=no -C overflow-checks=no -C dwarf-version=4 \
		--remap-path-prefix="$TREE=$FAKE_ROOT" \
		-o obj/rust/rust/kfx_rust.o rust/kfx_rust.rs; then
		# shellcheck disable=SC2086,SC2046
		gcc $COMMON_LDFLAGS -o obj/rust.elf $(objs rust) obj/rust/rust/kfx_rust.o
		RUST_OK=1
	else
		echo "gen.sh: rustc failed, skipping rust.elf (the committed one is kept)" >&2
	fi
else
	echo "gen.sh: rustc not found, skipping rust.elf (the committed one is kept)" >&2
fi

# ---------------------------------------------------------------- comparison
# Builds that differ on purpose, for comparing builds (surface-rules 5): the
# x86_64-dwarf5 units plus $CMP_UNITS, gcc, DWARF 5. Each maps the tree to
# /build/reproducible-path/linux-<version>, so CU 8's DW_AT_name and every
# DW_AT_comp_dir carry that build's version. The version switches are read
# by src/include/kfx/cmp.h; the expected changes are in testdata/README.md
# ("Comparison fixtures").
echo "gen.sh: comparison fixtures" >&2
# cmp_fixture VERSION ABI FLAVOR -D...: builds cmp-VERSION-ABI-FLAVOR.elf,
# banner release VERSION-ABI-FLAVOR, Debian version VERSION-ABI.
cmp_fixture() {
	local kver=$1 abi=$2 flavor=$3
	shift 3
	local name=cmp-$kver-$abi-$flavor
	local EXTRA_UNITS=$CMP_UNITS
	local -a banner
	mapfile -t banner < <(banner_defs gcc "$flavor" "$(ld --version | head -n1)" "$kver-$abi")
	# shellcheck disable=SC2086
	compile_units "$name" gcc $CFLAGS_NOMAP -ffile-prefix-map="$TREE=/build/reproducible-path/linux-$kver" \
		$GCC_CFLAGS -g -gdwarf-5 "$@" "${banner[@]}"
	# shellcheck disable=SC2086,SC2046
	gcc $COMMON_LDFLAGS -g -gdwarf-5 -o "obj/$name.elf" $(objs "$name")
}
cmp_fixture 6.1.99 1 amd64			# version 1: the base
cmp_fixture 6.2.5  1 amd64       -DKFX_V2	# version 2
cmp_fixture 6.3.1  2 amd64       -DKFX_V3	# version 3
cmp_fixture 6.1.99 1 cloud-amd64 -DKFX_CLOUD	# version 1, cloud flavor
cmp_fixture 6.1.99 3 amd64			# version 1 sources, ABI revision 3
CMP_FIXTURES="cmp-6.1.99-1-amd64 cmp-6.2.5-1-amd64 cmp-6.3.1-2-amd64 cmp-6.1.99-1-cloud-amd64
 cmp-6.1.99-3-amd64"

fail() { echo "gen.sh: FAIL: $*" >&2; exit 1; }
# ---------------------------------------------------------------- modules
# Kernel modules: each module's units compiled with gcc -c and linked with
# ld -r into a relocatable .ko (as kbuild does), for every architecture
# Debian builds, in a module tree per release beside that architecture's
# fixture vmlinux: modules/<release>/kernel/drivers/kfx/. amd64 has four
# modules, three of them compressed as distributions ship them (.ko.xz,
# .ko.zst, .ko.gz), and kfx_trace, compiled as kbuild compiles a traced
# module (-pg -mfentry -mrecord-mcount: its __mcount_loc), with a
# _kprobe_blacklist entry, .noinstr.text and .init.text, and trace events
# in its _ftrace_events section (kfx_trace_events.c); the others have
# kfx_mod and kfx_net. Checksums in modules/SHA256SUMS.
echo "gen.sh: module fixtures" >&2
MOD_ARCHES="x86_64-linux-gnu-:6.1.99-1-amd64 i686-linux-gnu-:6.1.99-1-686-pae
 aarch64-linux-gnu-:6.1.99-1-arm64 s390x-linux-gnu-:6.1.99-1-s390x
 arm-linux-gnueabihf-:6.1.99-1-armmp powerpc64le-linux-gnu-:6.1.99-1-powerpc64le
 riscv64-linux-gnu-:6.1.99-1-riscv64"
build_module() { # PREFIX RELEASE NAME UNIT... (MOD_CFLAGS: extra flags)
	local prefix=$1 release=$2 name=$3 u
	shift 3
	local cc=${prefix}gcc ld=${prefix}ld
	[ "$prefix" = x86_64-linux-gnu- ] && cc=gcc ld=ld
	local obj=obj/modules/$release
	mkdir -p "$obj"
	local -a objs=()
	for u in "$@"; do
		# shellcheck disable=SC2086
		"$cc" $COMMON_CFLAGS ${MOD_CFLAGS:-} -g -gdwarf-5 -Iinclude -DKFX_RELEASE="\"$release\"" \
			-c "modules/$u.c" -o "$obj/$u.o"
		objs+=("$obj/$u.o")
	done
	mkdir -p "$obj/kernel/drivers/kfx"
	"$ld" -r -o "$obj/kernel/drivers/kfx/$name.ko" "${objs[@]}"
}
MOD_FILES=
for a in $MOD_ARCHES; do
	prefix=${a%%:*} release=${a#*:}
	build_module "$prefix" "$release" kfx_mod kfx_mod kfx_mod_util
	build_module "$prefix" "$release" kfx_net kfx_net kfx_net_util
	d=modules/$release/kernel/drivers/kfx
	readelf -S -W "obj/$d/kfx_mod.ko" | grep -q -E ' \.rela?\.debug_info ' ||
		fail "$release kfx_mod.ko: no relocations for .debug_info"
	if [ "$release" = 6.1.99-1-amd64 ]; then
		build_module "$prefix" "$release" kfx_blk kfx_blk
		build_module "$prefix" "$release" kfx_noname kfx_noname
		MOD_CFLAGS="-pg -mfentry -mrecord-mcount" build_module "$prefix" "$release" kfx_trace kfx_trace kfx_trace_events
		xz -T1 --check=crc32 --lzma2=dict=1MiB "obj/$d/kfx_net.ko"
		zstd -q -19 --rm "obj/$d/kfx_blk.ko"
		gzip -n -9 "obj/$d/kfx_noname.ko"
		MOD_FILES="$MOD_FILES $d/kfx_mod.ko $d/kfx_net.ko.xz $d/kfx_blk.ko.zst $d/kfx_noname.ko.gz $d/kfx_trace.ko"
	else
		MOD_FILES="$MOD_FILES $d/kfx_mod.ko $d/kfx_net.ko"
	fi
done
for f in $MOD_FILES; do
	if grep -q -a -F kabi-fixture "obj/$f"; then fail "$f contains the temp path $WORK"; fi
done

# ---------------------------------------------------------------- hooks
# Builds with a miniature of each hook mechanism (trace events between
# __start_ftrace_events and __stop_ftrace_events, struct
# security_hook_heads, a kfunc ID set in .BTF_ids, a syscall table, an
# embedded gzip configuration): the x86_64-dwarf5 units plus $HOOK_UNITS,
# in both byte orders and pointer sizes, and a version 2 with the changes
# listed in testdata/README.md ("Hooks fixtures").
echo "gen.sh: hooks fixtures" >&2
HOOK_UNITS="kernel/trace/trace_events.c security/security.c kernel/bpf/bpf_lsm.c arch/hooks/syscall.c"
# hooks_fixture CC VERSION ABI FLAVOR CONFIG -D...: builds hooks-VERSION-ABI-FLAVOR.elf
# with kernel/CONFIG as its embedded configuration.
hooks_fixture() {
	local cc=$1 kver=$2 abi=$3 flavor=$4 cfg=$5
	shift 5
	local name=hooks-$kver-$abi-$flavor
	local EXTRA_UNITS=$HOOK_UNITS
	local ld=${cc%gcc}ld
	local -a banner
	mapfile -t banner < <(banner_defs "$cc" "$flavor" "$("$ld" --version | head -n1)" "$kver-$abi")
	gzip -n -9 -c "kernel/$cfg" >kernel/config_data.gz
	# shellcheck disable=SC2086
	compile_units "$name" "$cc" $CFLAGS_NOMAP -ffile-prefix-map="$TREE=/build/reproducible-path/linux-$kver" \
		$GCC_CFLAGS -g -gdwarf-5 "$@" "${banner[@]}"
	# shellcheck disable=SC2086,SC2046
	"$cc" $COMMON_LDFLAGS -g -gdwarf-5 -o "obj/$name.elf" $(objs "$name")
}
hooks_fixture gcc                 6.1.99 1 amd64   config_data
hooks_fixture gcc                 6.2.5  1 amd64   config_data.v2 -DKFX_V2
hooks_fixture i686-linux-gnu-gcc  6.1.99 1 686-pae config_data
hooks_fixture s390x-linux-gnu-gcc 6.1.99 1 s390x   config_data
HOOK_FIXTURES="hooks-6.1.99-1-amd64 hooks-6.2.5-1-amd64 hooks-6.1.99-1-686-pae hooks-6.1.99-1-s390x"

# ---------------------------------------------------------------- checks
echo "gen.sh: type fixtures" >&2
# types-*.elf: src/types (struct, union and enum cases) with entry.S, as
# version 1 (DWARF 5, and DWARF 4, whose bitfields use DW_AT_bit_offset;
# big-endian s390x DWARF 4) and version 2 (-DKFX_V2: fields added,
# removed, retyped, moved).
types_fixture() {
	local name=$1 cc=$2 flavor=$3 kver=$4
	shift 4
	local obj=obj/$name u
	local -a banner
	mapfile -t banner < <(banner_defs "$cc" "$flavor" "$(${cc%gcc}ld --version | head -n1)" "$kver-1")
	mkdir -p "$obj/types" "$obj/arch"
	"$cc" $COMMON_CFLAGS "$@" -c $ASM_UNIT -o "$obj/arch/entry.o"
	for u in types/types_fix.c types/types_twin_fix.c; do
		"$cc" $COMMON_CFLAGS "$@" "${banner[@]}" -c "$u" -o "$obj/${u%.*}.o"
	done
	"$cc" $COMMON_LDFLAGS "$@" -o "obj/$name.elf" "$obj/arch/entry.o" "$obj/types/types_fix.o" "$obj/types/types_twin_fix.o"
}
types_fixture types-v1         gcc                 amd64 6.1.99 -g -gdwarf-5
types_fixture types-v2         gcc                 amd64 6.2.5  -g -gdwarf-5 -DKFX_V2
types_fixture types-v1-dwarf4  gcc                 amd64 6.1.99 -g -gdwarf-4
types_fixture types-v1-s390x   s390x-linux-gnu-gcc s390x 6.1.99 -g -gdwarf-4
TYPES_FIXTURES="types-v1 types-v2 types-v1-dwarf4 types-v1-s390x"

FIXTURES="x86_64-dwarf5 x86_64-dwarf4 x86_64-dwarf3 x86_64-dwarf2 x86_64-dwarf4-64bit
 x86_64-dwarf4-types x86_64-dwarf5-types x86_64-zlib x86_64-zstd i386 aarch64 s390x clang"
[ "$RUST_OK" = 1 ] && FIXTURES="$FIXTURES rust"
FIXTURES="$FIXTURES $CMP_FIXTURES $TYPES_FIXTURES $HOOK_FIXTURES"

fail() { echo "gen.sh: FAIL: $*" >&2; exit 1; }
for f in $FIXTURES; do
	e=obj/$f.elf
	[ -s "$e" ] || fail "$e not built"
	# No trace of the temporary tree (DW_AT_comp_dir, line tables, strings).
	if grep -q -a -F kabi-fixture "$e"; then fail "$f contains the temp path $WORK"; fi
	# .symtab must be there.
	readelf -S -W "$e" | grep -q ' \.symtab ' || fail "$f has no .symtab"
done
readelf -S -W obj/x86_64-zlib.elf | grep -E ' \.debug_info .* [A-Z]*C[A-Z]* ' >/dev/null ||
	fail "x86_64-zlib: .debug_info is not SHF_COMPRESSED"
# ch_type of .debug_info: 1 = ELFCOMPRESS_ZLIB, 2 = ELFCOMPRESS_ZSTD.
chtype() { # ELF: first 4 bytes (little-endian Elf64_Chdr.ch_type) of .debug_info
	local off
	off=$(readelf -S -W "$1" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".debug_info" { print $4 }')
	od -A n -t u4 -j $((16#$off)) -N 4 "$1" | tr -d ' '
}
[ "$(chtype obj/x86_64-zlib.elf)" = 1 ] || fail "x86_64-zlib: ch_type is not ELFCOMPRESS_ZLIB"
[ "$(chtype obj/x86_64-zstd.elf)" = 2 ] || fail "x86_64-zstd: ch_type is not ELFCOMPRESS_ZSTD"
readelf -S -W obj/x86_64-dwarf4-types.elf | grep -q ' \.debug_types ' ||
	fail "x86_64-dwarf4-types has no .debug_types"
# Every gcc fixture must have each clone suffix.
for f in x86_64-dwarf5 x86_64-dwarf4 x86_64-dwarf3 x86_64-dwarf2 x86_64-dwarf4-64bit \
	x86_64-dwarf4-types x86_64-dwarf5-types x86_64-zlib x86_64-zstd i386 aarch64 s390x; do
	syms=$(nm "obj/$f.elf")
	for sfx in .isra. .constprop. .part. .cold; do
		grep -q -F -- "$sfx" <<<"$syms" || fail "$f: no $sfx symbol"
	done
done
nm obj/clang.elf | grep -q -F '.llvm.' || echo "gen.sh: note: clang.elf has no .llvm. symbols" >&2

# Banners: every arch fixture is release 6.1.99-1 (the Arch group), each
# comparison fixture carries its own release.
banner_of() { # ELF: the "Linux version <release> " part of linux_banner
	grep -a -o -E 'Linux version [^ ]+ ' "$1" | head -n1
}
for f in x86_64-dwarf5:amd64 i386:686-pae aarch64:arm64 s390x:s390x clang:amd64; do
	[ "$(banner_of "obj/${f%%:*}.elf")" = "Linux version 6.1.99-1-${f#*:} " ] ||
		fail "${f%%:*}: banner is not 6.1.99-1-${f#*:}"
done
for f in $CMP_FIXTURES; do
	[ "$(banner_of "obj/$f.elf")" = "Linux version ${f#cmp-} " ] || fail "$f: wrong banner"
done
# The intended symbol-level differences (README "Comparison fixtures"):
# cmp_syms ELF prints the cmp-unit function symbols as "BIND NAME", sorted.
cmp_syms() {
	readelf -s -W "$1" | awk '$4 == "FUNC" && ($8 ~ /^cmp_/ || $8 ~ /^kfx_cmp_/) { print $5, $8 }' | sort
}
cmp_expect() { # FIXTURE SYMBOL-LINE...: exactly these cmp-unit symbols
	local f=$1
	shift
	diff -u <(printf '%s\n' "$@" | sort) <(cmp_syms "obj/$f.elf") >&2 ||
		fail "$f: cmp-unit symbols differ from the expected ones"
}
CMP_COMMON=("GLOBAL kfx_cmp_bind" "GLOBAL kfx_cmp_close" "GLOBAL kfx_cmp_config"
	"GLOBAL kfx_cmp_copy_len" "GLOBAL kfx_cmp_entry" "GLOBAL kfx_cmp_get_count"
	"GLOBAL kfx_cmp_inspect" "GLOBAL kfx_cmp_irq_setup" "GLOBAL kfx_cmp_map_range"
	"GLOBAL kfx_cmp_open" "GLOBAL kfx_cmp_release" "GLOBAL kfx_cmp_reset"
	"GLOBAL kfx_cmp_submit" "GLOBAL kfx_cmp_twin_entry" "LOCAL cmp_flush")
CMP_V1=("${CMP_COMMON[@]}" "GLOBAL kfx_cmp_legacy_ioctl" "GLOBAL kfx_cmp_old_stats"
	"LOCAL cmp_hash" "LOCAL cmp_req_weight" "LOCAL cmp_mix" "LOCAL cmp_shift" "LOCAL cmp_sync")
cmp_expect cmp-6.1.99-1-amd64 "${CMP_V1[@]}" "GLOBAL kfx_cmp_hw_probe"
cmp_expect cmp-6.1.99-3-amd64 "${CMP_V1[@]}" "GLOBAL kfx_cmp_hw_probe"
cmp_expect cmp-6.1.99-1-cloud-amd64 "${CMP_V1[@]}" "GLOBAL kfx_cmp_cloud_meta"
cmp_expect cmp-6.2.5-1-amd64 "${CMP_COMMON[@]}" "GLOBAL kfx_cmp_hw_probe" \
	"GLOBAL kfx_cmp_poll" "GLOBAL kfx_cmp_old_stats" "LOCAL cmp_flush" \
	"LOCAL cmp_req_weight.isra.0" "LOCAL cmp_mix" "LOCAL cmp_shift" "LOCAL cmp_sync"
cmp_expect cmp-6.3.1-2-amd64 "${CMP_COMMON[@]}" "GLOBAL kfx_cmp_hw_probe" \
	"GLOBAL kfx_cmp_poll" "GLOBAL kfx_cmp_trace_point" "LOCAL cmp_flush" \
	"LOCAL cmp_req_weight.isra.0" "LOCAL cmp_shift.constprop.0" "LOCAL cmp_sync" "GLOBAL cmp_sync"

# ---------------------------------------------------------------- output
for f in $MOD_FILES; do
	mkdir -p "$OUT/$(dirname "$f")"
	cp "obj/$f" "$OUT/$f"
done
mkdir -p "$OUT/modules"
(cd "obj/modules" && sha256sum $(for f in $MOD_FILES; do printf '%s ' "${f#modules/}"; done)) >"$OUT/modules/SHA256SUMS.new"
for f in $FIXTURES; do cp "obj/$f.elf" "$OUT/$f.elf"; done
(cd "$OUT" && sha256sum $(for f in $FIXTURES; do printf '%s.elf ' "$f"; done)) >"$OUT/SHA256SUMS.new"
if [ "$MODE" = check ]; then
	# Compare only what was rebuilt (rust.elf is skipped without rustc).
	if diff -u <(grep -E " ($(echo $FIXTURES | tr ' ' '|'))\.elf\$" "$HERE/SHA256SUMS") \
		"$OUT/SHA256SUMS.new"; then
		echo "gen.sh: --check: all rebuilt fixtures identical to the committed ones" >&2
		diff -u "$HERE/modules/SHA256SUMS" "$OUT/modules/SHA256SUMS.new" ||
			fail "--check: rebuilt modules differ from testdata/modules/SHA256SUMS"
	else
		fail "--check: rebuilt fixtures differ from testdata/SHA256SUMS"
	fi
else
	if [ "$RUST_OK" = 0 ] && [ -f "$OUT/SHA256SUMS" ]; then
		grep ' rust\.elf$' "$OUT/SHA256SUMS" >>"$OUT/SHA256SUMS.new" || true
	fi
	# units.elf is gen-units.sh's: keep its line.
	grep ' units\.elf$' "$OUT/SHA256SUMS" >>"$OUT/SHA256SUMS.new" || true
	mv "$OUT/SHA256SUMS.new" "$OUT/SHA256SUMS"
	mv "$OUT/modules/SHA256SUMS.new" "$OUT/modules/SHA256SUMS"
	du -cb $(for f in $FIXTURES; do printf '%s/%s.elf ' "$OUT" "$f"; done) | tail -n1 >&2
	echo "gen.sh: done" >&2
fi
