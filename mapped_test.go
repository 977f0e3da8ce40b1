package kabi

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenMappedSameAsRead checks that a build read from a file (whose
// DWARF package dwarfx maps and releases before Open returns) and one read
// from memory give the same functions, byte for byte, and that every
// string of the build outlives the mapping (a string left pointing into it
// would fault here).
func TestOpenMappedSameAsRead(t *testing.T) {
	for _, name := range []string{"x86_64-dwarf5.elf", "x86_64-dwarf4-types.elf", "s390x.elf", "rust.elf", "x86_64-zstd.elf"} {
		p := filepath.Join("testdata", name)
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		mem, err := New(bytes.NewReader(raw), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		file, err := Open(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		dump := func(b *Build) []byte {
			var out []byte
			for f := range b.Functions() {
				out = append(f.AppendJSON(out), '\n')
			}
			for s := range b.Symbols() {
				out = append(append(out, s.String()...), '\n')
			}
			for _, k := range Kinds() {
				for t := range b.Types(k) {
					out = fmt.Appendf(out, "%+v\n", *t)
				}
			}
			return b.AppendHooksJSON(out)
		}
		want, got := dump(mem), dump(file)
		if len(want) == 0 || !bytes.Equal(want, got) {
			t.Errorf("%s: the build read from the file differs from the one read from memory (%d and %d bytes)", name, len(got), len(want))
		}
	}
}
