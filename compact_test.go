package kabi

import "testing"

// TestCompact checks that the compact form of every fixture answers as
// its analysis, Metadata and Source included, and that compacting it
// again gives it back.
func TestCompact(t *testing.T) {
	for _, name := range allFixtures(t) {
		t.Run(name, func(t *testing.T) {
			b := fixture(t, name)
			c, err := b.Compact()
			if err != nil {
				t.Fatal(err)
			}
			compareBuilds(t, b, c)
			if c.Meta != b.Meta || c.Source() != b.Source() {
				t.Errorf("Meta %+v, Source %+v; want %+v, %+v", c.Meta, c.Source(), b.Meta, b.Source())
			}
			if again, err := c.Compact(); err != nil || again != c {
				t.Errorf("Compact of a compact build: %p, %v; want %p", again, err, c)
			}
		})
	}
}
