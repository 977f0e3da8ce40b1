package dwarfx

import (
	"bytes"
	"debug/elf"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/cputime"
)

// TestPrototypesFixtures decodes every subprogram prototype of every
// fixture through Extract and checks the ones whose DWARF shape the C
// sources fix (the printed forms are tested in the root package).
func TestPrototypesFixtures(t *testing.T) {
	files := kernelFixtures(t)
	if len(files) == 0 {
		t.Skip("no fixtures in ../testdata")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*Prototype{}
			copies := map[string]*Prototype{}
			n := 0
			err = d.Extract(&ExtractOptions{Prototypes: true}, func(cu *CompileUnit) error {
				if len(cu.Protos) != len(cu.Events) {
					return fmt.Errorf("%d prototypes for %d events", len(cu.Protos), len(cu.Events))
				}
				for i, ev := range cu.Events {
					proto := cu.Protos[i]
					switch ev.Kind {
					case Definition, Declaration, ConcreteCopy:
						if proto == nil {
							return fmt.Errorf("%v event at %#x without a prototype", ev.Kind, ev.Offset)
						}
						n++
						name := cu.Funcs[ev.Func].Name
						if ev.Kind == Definition {
							got[name] = proto
						}
						if ev.Kind == ConcreteCopy {
							copies[name] = proto
						}
					default:
						if proto != nil {
							return fmt.Errorf("%v event with a prototype", ev.Kind)
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("no prototypes")
			}
			err = d.Extract(nil, func(cu *CompileUnit) error {
				if cu.Protos != nil {
					return fmt.Errorf("prototypes without ExtractOptions.Prototypes")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			check := func(name, want string) {
				t.Helper()
				p := got[name]
				if p == nil {
					t.Errorf("%s: no definition", name)
					return
				}
				var ps []string
				for _, pa := range p.Params {
					ps = append(ps, pa.Name+" "+tyString(pa.Type))
				}
				if p.Variadic {
					ps = append(ps, "...")
				}
				s := fmt.Sprintf("%s(%s) %v", tyString(p.Return), strings.Join(ps, ", "), p.Prototyped)
				if s != want {
					t.Errorf("%s:\n got %s\nwant %s", name, s, want)
				}
			}
			check("kfx_rows", "base:int(m pointer(array[4](base:int)), n base:int) true")
			check("kfx_printk", "base:int(fmt pointer(const(base:char)), ...) true")
			check("kfx_init", "void() true")
			check("kfx_old_style", "base:int() false")
			check("kfx_signal", "pointer(func(base:int)void)(sig base:int, handler pointer(func(base:int)void)) true")
			check("kfx_get_handler_t", "typedef:kfx_handler_t(idx base:int) true")
			ulong := "long unsigned int" // gcc's name; clang says "unsigned long"
			if filepath.Base(path) == "clang.elf" {
				ulong = "unsigned long"
			}
			check("vmap", "pointer(void)(pages pointer(pointer(struct:page)), count base:unsigned int, flags base:"+ulong+", prot typedef:pgprot_t) true")
			// A gcc .constprop clone of vm_scale(v, shift, mode) receives v only.
			if c := copies["vm_scale"]; c != nil && strings.Contains(d.Units()[0].Producer+d.Units()[1].Producer, "GNU C") {
				var passed []string
				for _, pa := range c.Copy {
					if !pa.Const && !pa.Derived {
						passed = append(passed, pa.Name)
					}
				}
				if fmt.Sprint(passed) != "[v]" {
					t.Errorf("vm_scale copy receives %v, want [v] (copy params %+v)", passed, c.Copy)
				}
			}
		})
	}
}

// protoString writes a prototype, its copy's parameters included, for
// comparisons.
func protoString(p *Prototype) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(", tyString(p.Return))
	for _, pa := range p.Params {
		fmt.Fprintf(&b, "%s %s, ", pa.Name, tyString(pa.Type))
	}
	fmt.Fprintf(&b, ") variadic=%v prototyped=%v", p.Variadic, p.Prototyped)
	if p.IsCopy {
		b.WriteString(" copy(")
		for _, pa := range p.Copy {
			fmt.Fprintf(&b, "%s %s const=%v:%d derived=%v artificial=%v, ", pa.Name, tyString(pa.Type), pa.Const, pa.Value, pa.Derived, pa.Artificial)
		}
		b.WriteString(")")
	}
	return b.String()
}

// TestPrototypesPrepare checks ExtractOptions.Prepare on every fixture and
// concurrency: Prepare sees every unit's prototypes, the same as a walk
// without Prepare delivers to fn, though the decoder reuses their memory
// for the next unit once Prepare returns; fn then sees Protos nil.
func TestPrototypesPrepare(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d := openFixture(t, filepath.Base(path))
			var want []string
			err := d.Extract(&ExtractOptions{Prototypes: true, Concurrency: 1}, func(cu *CompileUnit) error {
				for i, p := range cu.Protos {
					if p != nil {
						want = append(want, fmt.Sprintf("%#x %s", cu.Events[i].Offset, protoString(p)))
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("no prototypes")
			}
			for _, c := range []int{1, 2, 4} {
				var got []string
				err := d.Extract(&ExtractOptions{Prototypes: true, Concurrency: c, Prepare: func(cu *CompileUnit) error {
					var out []string
					for i, p := range cu.Protos {
						if p != nil {
							out = append(out, fmt.Sprintf("%#x %s", cu.Events[i].Offset, protoString(p)))
						}
					}
					cu.Prepared = out
					return nil
				}}, func(cu *CompileUnit) error {
					if cu.Protos != nil {
						return fmt.Errorf("unit at %#x: fn sees the prototypes Prepare had", cu.Unit.Offset)
					}
					got = append(got, cu.Prepared.([]string)...)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("Concurrency %d: Prepare saw other prototypes than fn without Prepare:\n%s", c, lineDiff(want, got))
				}
			}
		})
	}
}

// lineDiff names the first line where two listings differ.
func lineDiff(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("line %d:\n want %s\n  got %s", i, want[i], got[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(got), len(want))
}

// BenchmarkExtractPrototypes runs Extract over the whole kernel without
// (off) and with (on) prototypes. Besides the wall time it reports the
// process's CPU time per operation, steadier on a shared machine.
func BenchmarkExtractPrototypes(b *testing.B) {
	d := loadKernel(b)
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			opts := &ExtractOptions{Prototypes: on}
			start := cputime.Process()
			n := 0
			for b.Loop() {
				protos := 0
				err := d.Extract(opts, func(cu *CompileUnit) error {
					for _, p := range cu.Protos {
						if p != nil {
							protos++
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(protos), "protos")
				n++
			}
			b.ReportMetric(float64(cputime.Process()-start)/float64(n)/1e6, "cpu-ms/op")
		})
	}
}

// TestPrototypesCorrupt decodes prototypes from fixtures whose
// .debug_info has random bytes overwritten: errors are fine, panics (which
// the firewall reports as internal errors) and hangs are not.
func TestPrototypesCorrupt(t *testing.T) {
	path := filepath.Join("..", "testdata", "x86_64-dwarf5.elf")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skip("no fixtures in ../testdata")
	}
	ef, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sec := ef.Section(".debug_info")
	if sec == nil {
		t.Fatal("no .debug_info")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, len(raw))
	errs := 0
	for i := range 400 {
		copy(buf, raw)
		for range 1 + i%4 {
			buf[int(sec.Offset)+rng.IntN(int(sec.Size))] = byte(rng.UintN(256))
		}
		d, err := New(bytes.NewReader(buf), "corrupt")
		if err == nil {
			err = d.Extract(&ExtractOptions{Prototypes: true}, func(*CompileUnit) error { return nil })
		}
		if err != nil {
			errs++
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("mutation %d: %v", i, err)
			}
		}
	}
	t.Logf("%d of 400 corrupted files gave errors", errs)
}
