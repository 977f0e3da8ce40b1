package kabi

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestOptionsFunctions checks that a Build narrowed by Options.Functions
// answers Lookup for each asked name exactly as the whole Build does
// (names, symbol names, demangled names and a miss), and holds nothing
// but what it was asked for.
func TestOptionsFunctions(t *testing.T) {
	for _, tc := range []struct{ file, modules string }{
		{"x86_64-dwarf5.elf", ""},
		{"clang.elf", ""},
		{"rust.elf", ""},
		{"x86_64-dwarf5.elf", "6.1.99-1-amd64"},
	} {
		t.Run(tc.file+"+"+tc.modules, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			opts := func(names ...string) *Options {
				o := &Options{Functions: names}
				if tc.modules != "" {
					o.ModuleDir = filepath.Join("testdata", "modules", tc.modules)
				}
				return o
			}
			full, err := Open(path, opts())
			if err != nil {
				t.Fatal(err)
			}
			queries := []string{"no_such_function"}
			for f := range full.Functions() {
				queries = append(queries, f.Name)
				if f.Demangled != "" {
					queries = append(queries, f.Demangled)
				}
			}
			for s := range full.Symbols() {
				queries = append(queries, s.Name)
			}
			narrowed := false
			for _, q := range queries {
				b, err := Open(path, opts(q))
				if err != nil {
					t.Fatal(err)
				}
				want, werr := full.Lookup(q)
				got, gerr := b.Lookup(q)
				if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
					t.Errorf("%q: Lookup error %v, whole build's %v", q, gerr, werr)
					continue
				}
				if werr == nil && !bytes.Equal(got.AppendJSON(nil), want.AppendJSON(nil)) {
					t.Errorf("%q: narrowed\n%s\nwhole\n%s", q, got.AppendJSON(nil), want.AppendJSON(nil))
				}
				for f := range b.Functions() {
					w, ok := full.Function(f.Name)
					if !ok || !bytes.Equal(f.AppendJSON(nil), w.AppendJSON(nil)) {
						t.Errorf("%q: kept %s differs from the whole build's", q, f.Name)
					}
				}
				if b.Len() > 2 {
					t.Errorf("%q: narrowed build holds %d functions", q, b.Len())
				}
				narrowed = narrowed || b.Len() < full.Len()
			}
			if !narrowed {
				t.Error("no query narrowed the build")
			}
		})
	}
}
