package check

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// FuzzObject feeds whole files to NewObject with the panic firewall off
// (a crash is a bug) and uses every dependency it derives.
func FuzzObject(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.bpf.o")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzObject")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		o, err := NewObject(bytes.NewReader(data), "fuzz.o", nil)
		if err != nil {
			return
		}
		for _, d := range o.Deps {
			_ = d.String()
			if d.Expect != nil {
				_ = d.Expect.String()
			}
		}
		_ = Check([]*Object{o}, nil)
	})
}

func BenchmarkNewObject(b *testing.B) {
	data, err := os.ReadFile("testdata/tracing.bpf.o")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewObject(bytes.NewReader(data), "tracing.bpf.o", nil); err != nil {
			b.Fatal(err)
		}
	}
}
