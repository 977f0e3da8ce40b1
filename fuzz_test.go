package kabi

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/elfcraft"
	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// FuzzNew feeds whole files to New with the panic firewall off and uses
// everything a Build offers: a crash is a bug. It exercises the ELF
// symbol, banner and note readers as well as the DWARF walk, the
// signature conversion and the JSON encoder.
func FuzzNew(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.elf")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzNew")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		b, err := New(bytes.NewReader(data), "fuzz", &Options{Concurrency: 2})
		if err != nil {
			return
		}
		var buf []byte
		for fn := range b.Functions() {
			buf = fn.AppendJSON(buf[:0])
			if fn.Signature != nil {
				_ = fn.Signature.String()
			}
		}
		_ = b.Stats()
		for s := range b.Symbols() {
			_ = s.String()
		}
		for d := range b.Types(0) {
			_ = layout(d, "")
			for _, m := range d.Members {
				_, _ = d.Field(m.Name)
			}
		}
	})
}

// FuzzSymtab replaces the symbol table of a fixture with the fuzzer's
// bytes and reads it as New does, with the panic firewall off. A table
// that is accepted must hold only named function symbols within their
// sections; anything else must be an error.
func FuzzSymtab(f *testing.F) {
	good, err := os.ReadFile("testdata/x86_64-dwarf5.elf")
	if err != nil {
		f.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(good))
	if err != nil {
		f.Fatal(err)
	}
	symtab, err := ef.Section(".symtab").Data()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(symtab)
	f.Add(symtab[:len(symtab)/2])
	damaged := bytes.Clone(symtab)
	for i := 24 * 3; i < min(len(damaged), 24*9); i++ {
		damaged[i] = byte(i * 37)
	}
	f.Add(damaged)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzSymtab")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		b, err := elfcraft.ReplaceSection(good, ".symtab", data)
		if err != nil {
			t.Fatal(err)
		}
		ef, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		syms, banner, err := readSymbols(ef, "fuzz", dwarfx.NewBudget(1<<20))
		if err != nil {
			if !errors.Is(err, ErrBadSymbols) && !errors.Is(err, ErrNoSymbols) {
				t.Fatalf("error %v wraps neither ErrBadSymbols nor ErrNoSymbols", err)
			}
			return
		}
		_ = readMetadata(ef, "fuzz", banner, &Options{}, dwarfx.NewBudget(1<<20))
		for _, s := range syms {
			if s.Name == "" || s.End() < s.Address {
				t.Fatalf("accepted a bad function symbol %+v", s)
			}
			if s.Section != "" {
				sec := ef.Section(s.Section)
				if sec == nil || s.Address < sec.Addr || s.End() > sec.Addr+sec.Size {
					t.Fatalf("accepted a function symbol outside its section: %+v", s)
				}
			}
		}
	})
}
