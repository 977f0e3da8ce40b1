package kabi

import (
	"debug/elf"
	"os"
	"testing"
	"time"

	"github.com/kabi-dev/kabi/dwarfx"
)

// TestKernelHooksOnly reads only the hooks of $KABI_VMLINUX (no DWARF
// walk) and logs their counts and skips.
func TestKernelHooksOnly(t *testing.T) {
	p := realKernel(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dwarfx.NewFromELF(ef, f, p)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	all, err := readSymtab(ef, p, dwarfx.FileBudget(0, -1))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Since(start)
	h, err := readHooks(ef, f, p, d, all)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("symbols %v, hooks %v", t0, time.Since(start)-t0)
	sys := 0
	for _, tp := range h.tracepoints {
		if tp.Syscall {
			sys++
		}
	}
	t.Logf("%d tracepoints (%d syscall events), %d LSM hooks, %d kfuncs, %d syscalls, %d config options (%s), %d skips",
		len(h.tracepoints), sys, len(h.lsm), len(h.kfuncs), len(h.syscalls), len(h.config), h.configFrom, len(h.skips))
	for i, s := range h.skips {
		if i < 20 {
			t.Logf("skip: %v", s)
		}
	}
	for i, tp := range h.tracepoints {
		if i%300 == 0 || tp.Name == "block_rq_issue" {
			t.Logf("%+v", *tp)
		}
	}
}
