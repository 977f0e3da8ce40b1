package kabi

import (
	"testing"
)

// TestCallSites: on every gcc fixture, each inline caller has its source
// position and address, each direct caller its return address, both
// inside a symbol of the caller, and a caller listed twice for one
// instance is told apart by its site.
func TestCallSites(t *testing.T) {
	for _, name := range gccFixtures {
		b := fixture(t, name)
		repeats := 0
		for f := range b.Functions() {
			for _, in := range f.Instances {
				for _, l := range []struct {
					kind string
					cs   []Caller
				}{{"inline", in.InlineCallers}, {"direct", in.DirectCallers}} {
					seen := make(map[Caller]bool)
					named := make(map[string]int)
					for _, c := range l.cs {
						if !c.HasAddr {
							t.Errorf("%s: %s %s caller %s: no address", name, f.Name, l.kind, c)
							continue
						}
						if l.kind == "inline" && (c.Site.File == "" || c.Site.Line == 0) {
							t.Errorf("%s: %s inline caller %s: no source position", name, f.Name, c)
						}
						inside := false
						if cf, ok := b.Function(c.Function); ok {
							for _, s := range cf.Symbols {
								inside = inside || s.Address <= c.Addr && c.Addr <= s.End()
							}
						}
						if !inside {
							t.Errorf("%s: %s %s caller %s at %x: not inside a symbol of the caller", name, f.Name, l.kind, c, c.Addr)
						}
						if seen[c] {
							t.Errorf("%s: %s %s caller %s listed twice with one site", name, f.Name, l.kind, c.SiteString())
						}
						seen[c] = true
						named[c.String()]++
						if named[c.String()] == 2 {
							repeats++
						}
					}
				}
			}
		}
		if repeats == 0 {
			t.Errorf("%s: no caller listed twice for one instance; the fixtures have some", name)
		}
	}
}
