package dwarfx

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"unsafe"
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

// heldFile is a reader whose bytes are in memory (HeldBytes).
type heldFile struct {
	*bytes.Reader
	b []byte
}

func (h heldFile) HeldBytes() []byte { return h.b }

// TestHeldBytes: a linked file read from a reader that offers its bytes
// has its sections in those bytes, not copied (but for the string
// sections, whose strings outlive the Data); it reads as the same file
// read into memory does, and Close leaves the bytes alone.
func TestHeldBytes(t *testing.T) {
	file := mustRead(t, "../testdata/x86_64-dwarf5.elf")
	orig := bytes.Clone(file)
	d, err := New(heldFile{bytes.NewReader(file), file}, "held")
	if err != nil {
		t.Fatal(err)
	}
	if d.fmap == nil || !d.fmap.borrowed {
		t.Fatal("the held bytes are not used")
	}
	at := func(b []byte) string { return unsafe.String(&b[0], 1) } // no copy
	if !inSection(at(d.info), file) || !inSection(at(d.abbrev), file) {
		t.Fatal(".debug_info or .debug_abbrev is not a slice of the held bytes")
	}
	if len(d.str) > 0 && inSection(at(d.str), file) {
		t.Fatal(".debug_str is in the held bytes; its strings would not outlive them")
	}
	mem, err := New(bytes.NewReader(file), "mem")
	if err != nil {
		t.Fatal(err)
	}
	names := func(d *Data) string {
		var s []string
		if err := d.Extract(nil, func(cu *CompileUnit) error {
			for _, f := range cu.Funcs {
				s = append(s, f.Name)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(s, ",")
	}
	if got, want := names(d), names(mem); got != want || want == "" {
		t.Fatalf("functions %q; read into memory: %q", got, want)
	}
	d.Close()
	if !bytes.Equal(file, orig) {
		t.Fatal("the held bytes changed")
	}
}
