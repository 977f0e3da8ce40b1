package dwarfx

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/kabi-dev/kabi/internal/freelist"
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

// keptInLists returns how many values the free lists of this package
// hold: section buffers, kept units, table rooms and type memos.
func keptInLists() (bufs, units, rooms, memos int) {
	freeBufs.Lock()
	for _, l := range freeBufs.class {
		bufs += len(l)
	}
	freeBufs.Unlock()
	return bufs, keptUnits.Len(), tableRooms.Len(), typeMemos.Len()
}

// waitUnheld waits until no hold on the free lists is left: one taken by
// a Data another test did not close ends when the Data is collected.
func waitUnheld(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); freelist.Held(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the free lists are still held: a Data is still open")
		}
		runtime.GC()
	}
}

// TestCloseDropsFreeLists: the memory a Data's reading reuses is kept
// while a Data is open, for the next, and after the last is closed, or
// collected unclosed, until the next collection (which a Data read at
// once after finds in time): a program that reads a module and goes on
// with other work does not keep it.
func TestCloseDropsFreeLists(t *testing.T) {
	mods, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	if len(mods) < 2 {
		t.Fatalf("%d fixture modules", len(mods))
	}
	opts := &ExtractOptions{Concurrency: 1, Prototypes: true, Types: true, Recycle: true,
		WantType: func(int, *TypeKey) bool { return true }} // a type memo too
	read := func(p string) *Data {
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		digest(t, d, opts)
		return d
	}
	some := func(when string) {
		t.Helper()
		if bufs, u, r, m := keptInLists(); bufs == 0 || u == 0 || r == 0 || m == 0 {
			t.Errorf("%s: the free lists hold %d buffers, %d units, %d table rooms, %d type memos: want some of each", when, bufs, u, r, m)
		}
	}
	empty := func(when string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if b, u, r, m := keptInLists(); b+u+r+m == 0 {
				break
			}
			runtime.GC()
		}
		if b, u, r, m := keptInLists(); b+u+r+m != 0 || freelist.Held() {
			t.Errorf("%s: the free lists hold %d buffers, %d units, %d table rooms, %d type memos (held: %v); want none",
				when, b, u, r, m, freelist.Held())
		}
	}
	waitUnheld(t)
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection but the test's
	read(mods[0]).Close()
	some("after a module read and closed, before a collection")
	empty("after a module read and closed, and a collection")

	a, b := read(mods[0]), read(mods[1])
	a.Close()
	some("with a Data open")
	b.Close()
	empty("after the last open Data was closed, and a collection")

	func() { read(mods[0]) }() // never closed
	waitUnheld(t)
	empty("after an unclosed Data was collected")

	// A Data that fails to read holds nothing: a module whose
	// .debug_info is named otherwise fails once its sections are known.
	ko, err := os.ReadFile(mods[0])
	if err != nil {
		t.Fatal(err)
	}
	// The name may be the end of .rela.debug_info's, which changes too.
	bad := bytes.Replace(ko, []byte("debug_info\x00"), []byte("xebug_info\x00"), -1)
	if bytes.Equal(bad, ko) {
		t.Fatal("no .debug_info section name to change")
	}
	if _, err := New(bytes.NewReader(bad), "bad"); !errors.Is(err, ErrNoDWARF) {
		t.Fatalf("a module without .debug_info: error %v, want ErrNoDWARF", err)
	}
	if freelist.Held() {
		t.Error("a failed read left the free lists held")
	}
}
