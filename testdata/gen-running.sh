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
# Needs pahole (dwarves), nm and objcopy (binutils).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ELF=$HERE/cmp-6.1.99-1-amd64.elf
OUT=$HERE/running
for tool in pahole nm objcopy; do
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
banner=$(strings "$ELF" | grep -m1 '^Linux version ')
echo "$banner" >"$OUT/proc/version"
echo "$banner" | cut -d' ' -f3 >"$OUT/proc/sys/kernel/osrelease"
echo x86_64 >"$OUT/proc/sys/kernel/arch"
echo "gen-running.sh: done" >&2
