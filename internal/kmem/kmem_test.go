package kmem

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"testing"
)

func image(t *testing.T, name string) (*Image, *elf.File) {
	t.Helper()
	data, err := os.ReadFile("../../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return New(ef, bytes.NewReader(data), name), ef
}

func TestImage(t *testing.T) {
	for _, c := range []struct {
		file string
		ptr  int
	}{{"hooks-6.1.99-1-amd64.elf", 8}, {"hooks-6.1.99-1-686-pae.elf", 4}, {"hooks-6.1.99-1-s390x.elf", 8}} {
		m, ef := image(t, c.file)
		if m.PointerSize() != c.ptr || m.ByteOrder() != ef.ByteOrder {
			t.Errorf("%s: pointer size %d, order %v", c.file, m.PointerSize(), m.ByteOrder())
		}
		syms, _ := ef.Symbols()
		var tp, bss elf.Symbol
		for _, s := range syms {
			switch s.Name {
			case "__tracepoint_sched_switch":
				tp = s
			case "kfx_sink":
				bss = s
			}
		}
		// struct tracepoint's first member points to its name.
		p, err := m.Pointer(tp.Value)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := m.String(p, 0); err != nil || s != "sched_switch" {
			t.Errorf("%s: name %q, %v", c.file, s, err)
		}
		if _, err := m.Read(0x10, 4); !errors.Is(err, ErrOutside) {
			t.Errorf("%s: read at 0x10: %v", c.file, err)
		}
		sec, ok := m.SectionOf(tp.Value)
		if !ok {
			t.Fatal("no section")
		}
		end := sec.Addr + sec.Size
		if _, err := m.Read(end-2, 4); !errors.Is(err, ErrCrossing) {
			t.Errorf("%s: read across the end: %v", c.file, err)
		}
		if _, err := m.Pointers(end-uint64(c.ptr), 2); !errors.Is(err, ErrCrossing) {
			t.Errorf("%s: pointers across the end: %v", c.file, err)
		}
		if _, err := m.Pointers(tp.Value, -1); err == nil {
			t.Errorf("%s: -1 pointers", c.file)
		}
		if bss.Value != 0 {
			if _, err := m.Read(bss.Value, 1); !errors.Is(err, ErrNoContents) {
				t.Errorf("%s: read in .bss: %v", c.file, err)
			}
		}
		// A string that reaches the end of its section without a NUL.
		last := end - 1
		if b, err := m.Read(last, 1); err == nil && b[0] != 0 {
			if _, err := m.String(last, 0); !errors.Is(err, ErrUnterminated) {
				t.Errorf("%s: unterminated: %v", c.file, err)
			}
		}
		if _, err := m.String(p, 3); !errors.Is(err, ErrUnterminated) {
			t.Errorf("%s: a string longer than its limit: %v", c.file, err)
		}
	}
}
