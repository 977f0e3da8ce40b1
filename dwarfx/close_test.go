package dwarfx

import (
	"bytes"
	"runtime"
	"testing"
	"weak"
)

// TestCloseFreesSections: the sections of a Data read into memory can be
// collected once it is closed, though the Data itself is still reachable
// (a caller's deferred Close holds it to the end of a long function).
func TestCloseFreesSections(t *testing.T) {
	d, err := New(bytes.NewReader(mustRead(t, "../testdata/x86_64-dwarf5.elf")), "mem")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.info) == 0 {
		t.Fatal("no .debug_info")
	}
	info := weak.Make(&d.info[0])
	runtime.GC()
	if info.Value() == nil {
		t.Fatal(".debug_info collected before Close")
	}
	d.Close()
	runtime.GC()
	if info.Value() != nil {
		t.Fatal(".debug_info still held after Close")
	}
	runtime.KeepAlive(d)
}
