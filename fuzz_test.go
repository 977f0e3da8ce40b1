package kabi

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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
	})
}
