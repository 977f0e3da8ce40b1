#!/bin/bash
# gen-running.sh: testdata/running/, a fake sysfs and procfs tree of a
# running kernel for kabi.OpenRunning's tests, made from the fixture build
# cmp-6.1.99-1-amd64.elf (gen.sh makes it):
#
#   sys/kernel/btf/vmlinux     its BTF, encoded from its DWARF by pahole
#   sys/kernel/notes           its .note.gnu.build-id section
#   proc/kallsyms              its symbols as kallsyms prints them, and two
#                              symbols of a loaded module
#   proc/version, proc/sys/kernel/osrelease, proc/sys/kernel/arch
#
# and testdata/running-hooks/, the same files made from the hooks fixture
# hooks-6.1.99-1-amd64.elf, whose BTF also has what a kernel's build adds
# to pahole's (btf_trace_ typedefs, bpf_kfunc declaration tags: see
# genrunning/main.go), with two loaded modules, the fixture modules
# kfx_mod.ko and kfx_trace.ko: their split BTF over that vmlinux's
# (sys/kernel/btf/MODULE) and their symbols in kallsyms; and its embedded
# configuration as proc/config.gz.
#
# Needs pahole (dwarves), nm and objcopy (binutils), and go.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ELF=$HERE/cmp-6.1.99-1-amd64.elf
OUT=$HERE/running
for tool in pahole nm objcopy go; do
	command -v $tool >/dev/null || { echo "gen-running.sh: needs $tool (apt-get install dwarves binutils)" >&2; exit 1; }
done
rm -rf "$OUT"
mkdir -p "$OUT/sys/kernel/btf" "$OUT/proc/sys/kernel"
pahole --btf_encode_detached="$OUT/sys/kernel/btf/vmlinux" "$ELF"
chmod 644 "$OUT/sys/kernel/btf/vmlinux"
objcopy -O binary --only-section=.note.gnu.build-id "$ELF" "$OUT/sys/kernel/notes"
chmod 644 "$OUT/sys/kernel/notes"
# kallsyms: "%016lx %c %s", sorted by address as the kernel lists vmlinux.
nm -n "$ELF" | while read -r addr type name; do
	[ -n "$name" ] && printf '%016x %s %s\n' $((0x$addr + 0xffffffff80000000)) "$type" "$name"
done >"$OUT/proc/kallsyms"
printf 'ffffffffc0a01000 t kfx_mod_probe\t[kfx_mod]\nffffffffc0a01100 T kfx_mod_init\t[kfx_mod]\n' >>"$OUT/proc/kallsyms"
banner=$(strings "$ELF" | grep '^Linux version ' | sed -n 1p) # no early exit: SIGPIPE under pipefail
echo "$banner" >"$OUT/proc/version"
echo "$banner" | cut -d' ' -f3 >"$OUT/proc/sys/kernel/osrelease"
echo x86_64 >"$OUT/proc/sys/kernel/arch"

# running-hooks: the hooks fixture, with a loaded module.
ELF=$HERE/hooks-6.1.99-1-amd64.elf
MODS=$HERE/modules/6.1.99-1-amd64/kernel/drivers/kfx
OUT=$HERE/running-hooks
rm -rf "$OUT"
mkdir -p "$OUT/sys/kernel/btf" "$OUT/proc/sys/kernel"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pahole --btf_encode_detached="$TMP/pahole.btf" "$ELF"
(cd "$HERE/.." && go run ./testdata/genrunning "$ELF" "$TMP/pahole.btf" "$OUT/sys/kernel/btf/vmlinux")
for m in kfx_mod kfx_trace; do
	pahole --btf_base="$OUT/sys/kernel/btf/vmlinux" --btf_encode_detached="$OUT/sys/kernel/btf/$m" "$MODS/$m.ko"
done
chmod 644 "$OUT"/sys/kernel/btf/*
objcopy -O binary --only-section=.note.gnu.build-id "$ELF" "$OUT/sys/kernel/notes"
chmod 644 "$OUT/sys/kernel/notes"
nm -n "$ELF" | while read -r addr type name; do
	[ -n "$name" ] && printf '%016x %s %s\n' $((0x$addr + 0xffffffff80000000)) "$type" "$name"
done >"$OUT/proc/kallsyms"
# The modules' defined symbols, at module addresses, as kallsyms lists them.
base=$((0xffffffffc0a01000))
for m in kfx_mod kfx_trace; do
	nm -n --defined-only "$MODS/$m.ko" | while read -r addr type name; do
		case $name in __modinfo_*) continue ;; esac
		printf '%016x %s %s\t[%s]\n' $((0x$addr + base)) "$type" "$name" "$m"
	done >>"$OUT/proc/kallsyms"
	base=$((base + 0x100000))
done
banner=$(strings "$ELF" | grep '^Linux version ' | sed -n 1p) # no early exit: SIGPIPE under pipefail
echo "$banner" >"$OUT/proc/version"
echo "$banner" | cut -d' ' -f3 >"$OUT/proc/sys/kernel/osrelease"
echo x86_64 >"$OUT/proc/sys/kernel/arch"
# The configuration the fixture embeds, as CONFIG_IKCONFIG_PROC shows it.
gzip -n -9 -c "$HERE/src/kernel/config_data" >"$OUT/proc/config.gz"
chmod 644 "$OUT/proc/config.gz"
echo "gen-running.sh: done" >&2
