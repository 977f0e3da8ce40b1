package dwarfx

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrototypesFixtures decodes every subprogram prototype of every
// fixture through Extract and checks the ones whose DWARF shape the C
// sources fix (the printed forms are tested in the root package).
func TestPrototypesFixtures(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.elf")
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
				for _, ev := range cu.Events {
					switch ev.Kind {
					case Definition, Declaration, ConcreteCopy:
						if ev.Proto == nil {
							return fmt.Errorf("%v event at %#x without a prototype", ev.Kind, ev.Offset)
						}
						n++
						name := cu.Funcs[ev.Func].Name
						if ev.Kind == Definition {
							got[name] = ev.Proto
						}
						if ev.Kind == ConcreteCopy {
							copies[name] = ev.Proto
						}
					default:
						if ev.Proto != nil {
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

// BenchmarkExtractPrototypes is BenchmarkExtract with prototypes decoded.
func BenchmarkExtractPrototypes(b *testing.B) {
	d := loadKernel(b)
	b.ReportAllocs()
	opts := &ExtractOptions{Prototypes: true}
	for b.Loop() {
		protos := 0
		err := d.Extract(opts, func(cu *CompileUnit) error {
			for i := range cu.Events {
				if cu.Events[i].Proto != nil {
					protos++
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(protos), "protos")
	}
}
