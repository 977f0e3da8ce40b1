package diff_test

import (
	"fmt"
	"log"
	"path/filepath"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

func openFixtures(names ...string) []*kabi.Build {
	var builds []*kabi.Build
	for _, n := range names {
		b, err := kabi.Open(filepath.Join("..", "testdata", n), nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
	}
	return builds
}

// Groups forms the comparison groups from the builds' own metadata:
// versions in a chain, other architectures and flavors against the
// default build.
func ExampleGroups() {
	builds := openFixtures("cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.1.99-1-cloud-amd64.elf", "aarch64.elf")
	for _, g := range diff.GroupBuilds(builds, nil) {
		fmt.Print(g.Name, " (", g.Pairing, "):")
		if g.Base != nil {
			fmt.Print(" base ", g.Base.Label, ";")
		}
		for _, m := range g.Members {
			fmt.Print(" ", m.Label)
		}
		fmt.Println()
	}
	// Output:
	// Regular (chain): 6.1 6.2
	// Arch (star): base amd64; arm64
	// Flavor (star): base amd64; cloud-amd64
}

// A Manifest names the groups where the builds' metadata cannot: builds
// renamed, or a comparison of one's own choosing.
func ExampleManifest() {
	m := &diff.Manifest{Groups: []diff.ManifestGroup{{
		Name: "Upgrade", Pairing: diff.Chain,
		Builds: []diff.ManifestMember{
			{Label: "before", File: "../testdata/cmp-6.1.99-1-amd64.elf"},
			{Label: "after", File: "../testdata/cmp-6.3.1-2-amd64.elf"},
		},
	}}}
	var builds []*kabi.Build
	for _, f := range m.Files() { // the groups' Build indexes refer to these
		b, err := kabi.Open(f, nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
	}
	r := diff.Function("kfx_cmp_config", builds, m.Resolve())
	for _, p := range r.Groups[0].Pairs {
		fmt.Println(p.Old, "→", p.New)
		for _, c := range p.Changes {
			fmt.Println(" ", c)
		}
	}
	// Output:
	// before → after
	//   Param added: int d
	//   Param removed: char *c
	//   Param reordered: a, b, c -> b, a, d
	//   Param type changed: int a -> unsigned int a
	//   Return type changed: int -> long int
}

// Surfaces compares two whole builds: the functions added, removed and
// changed, and how their classification moved.
func ExampleSurfaces() {
	builds := openFixtures("cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf")
	d := diff.Surfaces(builds[0], builds[1])
	fmt.Println(d.Old.Release, "→", d.New.Release)
	fmt.Println("added", d.Added, "removed", d.Removed)
	for _, c := range d.Changed {
		fmt.Println("changed", c.Name, len(c.Changes), "changes")
	}
	for _, t := range d.Inline {
		fmt.Println("inline", t.From, "→", t.To, t.Count)
	}
	// Output:
	// 6.2.5-1-amd64 → 6.3.1-2-amd64
	// added [kfx_cmp_trace_point] removed [kfx_cmp_old_stats]
	// changed kfx_cmp_bind 1 changes
	// changed kfx_cmp_config 5 changes
	// changed kfx_cmp_inspect 1 changes
	// changed kfx_cmp_poll 1 changes
	// changed kfx_cmp_release 1 changes
	// changed kfx_cmp_reset 1 changes
	// inline No → Selective 1
	// inline No → Full 1
}
