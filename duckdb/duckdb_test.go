package duckdb

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/dataset"
	"github.com/kabi-dev/kabi/diff"
)

// export writes the fixture builds into a fresh dataset folder and opens
// it; the builds are returned in name order, as the builds table lists
// them.
func export(t *testing.T, names ...string) (*DB, []*kabi.Build) {
	t.Helper()
	dir := t.TempDir()
	var builds []*kabi.Build
	for _, n := range names {
		b, err := kabi.Open(filepath.Join("..", "testdata", n), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteParquet(dir, b); err != nil {
			t.Fatal(err)
		}
		builds = append(builds, b)
	}
	slices.SortFunc(builds, func(a, b *kabi.Build) int { return strings.Compare(dataset.BuildName(a), dataset.BuildName(b)) })
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, builds
}

func same[T any](t *testing.T, what string, duck, kabi []T) {
	t.Helper()
	if len(kabi) == 0 {
		t.Errorf("%s: kabi's answer is empty on the fixtures: the comparison checks nothing", what)
	}
	t.Logf("%s: %d rows: %v", what, len(duck), duck)
	if d := gocmp.Diff(kabi, duck, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s: DuckDB's answer differs from kabi's (-kabi +duckdb):\n%s", what, d)
	}
}

// TestFunctionQueries runs the function queries over the exported
// comparison fixtures and checks each answer against the one the library
// gives on the same builds.
func TestFunctionQueries(t *testing.T) {
	ctx := context.Background()
	db, builds := export(t, "cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf")

	names, err := db.Builds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, b := range builds {
		want = append(want, dataset.BuildName(b))
	}
	same(t, "builds", names, want)

	// Signature changes between each pair of consecutive builds.
	for i := 1; i < len(builds); i++ {
		old, new := builds[i-1], builds[i]
		got, err := db.SignatureChanges(ctx, dataset.BuildName(old), dataset.BuildName(new))
		if err != nil {
			t.Fatal(err)
		}
		var want []SignatureChange
		for f := range old.Functions() {
			g, ok := new.Function(f.Name)
			if !ok || f.Signature.Equal(g.Signature) {
				continue
			}
			c := SignatureChange{Name: f.Name}
			if f.Signature != nil {
				c.Old = f.Signature.String()
			}
			if g.Signature != nil {
				c.New = g.Signature.String()
			}
			want = append(want, c)
		}
		same(t, "signature changes "+dataset.BuildName(old)+" -> "+dataset.BuildName(new), got, want)
	}

	// The most-inlined functions of each build.
	const n = 5
	for _, b := range builds {
		got, err := db.MostInlined(ctx, dataset.BuildName(b), n)
		if err != nil {
			t.Fatal(err)
		}
		var want []Count
		for f := range b.Functions() {
			sites := 0
			for _, in := range f.Instances {
				sites += len(in.InlineCallers)
			}
			if sites > 0 {
				want = append(want, Count{f.Name, int64(sites)})
			}
		}
		slices.SortStableFunc(want, func(a, b Count) int { return cmp.Compare(b.N, a.N) })
		want = want[:min(n, len(want))]
		same(t, "most inlined in "+dataset.BuildName(b), got, want)
	}

	// The callers, in every build, of the functions with the most call
	// sites in the first build (inline and direct).
	callee := ""
	most := 0
	for f := range builds[0].Functions() {
		sites := 0
		for _, in := range f.Instances {
			sites += len(in.InlineCallers) + len(in.DirectCallers)
		}
		if sites > most {
			callee, most = f.Name, sites
		}
	}
	for _, fn := range []string{callee, "kfx_cmp_config"} {
		got, err := db.Callers(ctx, fn)
		if err != nil {
			t.Fatal(err)
		}
		var want []Caller
		for _, b := range builds {
			f, ok := b.Function(fn)
			if !ok {
				continue
			}
			count := map[Caller]int64{}
			for _, in := range f.Instances {
				for _, c := range in.InlineCallers {
					count[Caller{Build: dataset.BuildName(b), Caller: c.Function, Kind: "inline"}]++
				}
				for _, c := range in.DirectCallers {
					count[Caller{Build: dataset.BuildName(b), Caller: c.Function, Kind: "direct"}]++
				}
			}
			var one []Caller
			for c, n := range count {
				c.Sites = n
				one = append(one, c)
			}
			slices.SortFunc(one, func(a, b Caller) int {
				return cmp.Or(strings.Compare(a.Caller, b.Caller), strings.Compare(a.Kind, b.Kind))
			})
			want = append(want, one...)
		}
		same(t, "callers of "+fn, got, want)
	}
}

// TestMovedFields runs the types query over the exported type fixtures:
// its rows must be the "Field moved" changes of kabi's type comparison.
func TestMovedFields(t *testing.T) {
	ctx := context.Background()
	db, builds := export(t, "types-v1.elf", "types-v2.elf")
	old, new := builds[0], builds[1]
	got, err := db.MovedFields(ctx, dataset.BuildName(old), dataset.BuildName(new))
	if err != nil {
		t.Fatal(err)
	}
	var want []MovedField
	for _, k := range []kabi.Kind{kabi.KindStruct, kabi.KindUnion} { // the kinds in name order, as SQL sorts them
		for d := range old.Types(k) {
			n, ok := new.Type(k, d.Name)
			if !ok || d != old.TypeVariants(k, d.Name)[0] {
				continue
			}
			for _, c := range diff.TypeDefs(d, n) {
				if c.Kind == diff.FieldMoved {
					want = append(want, MovedField{Kind: k.String(), Type: d.Name, Name: c.Name, OldBit: c.OldBit, NewBit: c.NewBit})
				}
			}
		}
	}
	same(t, "moved fields", got, want)
}

// TestOpen refuses a folder without a dataset, naming it.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open of an empty folder: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "absent")); err == nil {
		t.Error("Open of a missing folder succeeded")
	}
}
