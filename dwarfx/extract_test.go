package dwarfx

import (
	"fmt"
	"path/filepath"
	"testing"
)

// funcLabel names a function the way surface-rules keys instances: an
// external function by its name, a static one by name and declaration
// location (file:line), so that two statics with one name stay apart.
func funcLabel(f *Func) string {
	if f.External || !f.HasFile {
		return f.Name
	}
	return fmt.Sprintf("%s@%s:%d", f.Name, f.File.Path(), f.Line)
}

// eventLines runs Extract and renders its output as a readable list: a
// "== UNIT" line per compile unit, then one line per event in walk order,
// "KIND FUNC" and, for inlines and calls, "<- CALLER".
func eventLines(t testing.TB, d *Data, opts *ExtractOptions) []string {
	t.Helper()
	var out []string
	err := d.Extract(opts, func(cu *CompileUnit) error {
		out = append(out, "== "+cu.Unit.Name)
		for _, ev := range cu.Events {
			s := ev.Kind.String() + " " + funcLabel(&cu.Funcs[ev.Func])
			if ev.Kind == Inlined || ev.Kind == Call {
				caller := "?"
				if ev.Caller >= 0 {
					caller = funcLabel(&cu.Funcs[ev.Caller])
				}
				s += " <- " + caller
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: Extract: %v", d.Name(), err)
	}
	return out
}

func openFixture(t testing.TB, name string) *Data {
	t.Helper()
	d, err := Open(filepath.Join("../testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
