package kabi

import "testing"

// TestStatsSignatures: Stats counts the functions with a signature, the
// same from a build's file and from its index file, and none from a
// build read without signatures.
func TestStatsSignatures(t *testing.T) {
	b, err := Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for f := range b.Functions() {
		if f.Signature != nil {
			want++
		}
	}
	if want == 0 {
		t.Fatal("the fixture has no signatures")
	}
	if got := b.Stats().Signatures; got != want {
		t.Errorf("Signatures %d, want %d", got, want)
	}
	ib, _ := indexOf(t, b, false)
	if got := ib.Stats().Signatures; got != want {
		t.Errorf("from the index: Signatures %d, want %d", got, want)
	}
	nb, err := Open("testdata/x86_64-dwarf5.elf", &Options{NoSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := nb.Stats().Signatures; got != 0 {
		t.Errorf("read without signatures: Signatures %d", got)
	}
}
