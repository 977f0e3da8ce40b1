package dwarfx

import (
	"debug/elf"
	"sync"
	"testing"
)

var kernelData = sync.OnceValues(func() (*Data, error) {
	return Open(realKernelPath)
})

var realKernelPath string

func loadKernel(b *testing.B) *Data {
	b.Helper()
	realKernelPath = realKernel(b)
	d, err := kernelData()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkStdlibWalk is the baseline: debug/dwarf reading every entry.
func BenchmarkStdlibWalk(b *testing.B) {
	p := realKernel(b)
	ef, err := elf.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer ef.Close()
	d, err := ef.DWARF()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := d.Reader()
		n := 0
		for {
			e, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if e == nil {
				break
			}
			n++
		}
		b.ReportMetric(float64(n), "entries")
	}
}

// BenchmarkWalk reads every entry and every attribute with dwarfx.
func BenchmarkWalk(b *testing.B) {
	d := loadKernel(b)
	b.ReportAllocs()
	for b.Loop() {
		r := d.Reader(nil)
		r.limit = d.nInfo
		n := 0
		for {
			e, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if e == nil {
				break
			}
			n++
		}
		b.ReportMetric(float64(n), "entries")
	}
}

// BenchmarkExtract runs the caller-graph extraction over the whole kernel.
func BenchmarkExtract(b *testing.B) {
	d := loadKernel(b)
	b.ReportAllocs()
	for b.Loop() {
		events := 0
		err := d.Extract(nil, func(cu *CompileUnit) error {
			events += len(cu.Events)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(events), "events")
	}
}
