package diff

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kabi-dev/kabi"
)

// The comparison fixtures (testdata/README.md, "Comparison fixtures") are
// the x86_64 DWARF 5 build with two extra units compiled as versions 1, 2
// and 3, a cloud flavor and a second revision, each change on its own
// function. The expectations below are the README's, from the C sources.

var loadFixtures = sync.OnceValues(func() (map[string]*kabi.Build, error) {
	out := map[string]*kabi.Build{}
	for _, name := range []string{
		"cmp-6.1.99-1-amd64", "cmp-6.2.5-1-amd64", "cmp-6.3.1-2-amd64", "cmp-6.1.99-1-cloud-amd64", "cmp-6.1.99-3-amd64",
		"x86_64-dwarf5", "i386", "aarch64", "s390x", "types-v1", "types-v2",
	} {
		b, err := kabi.Open(filepath.Join("..", "testdata", name+".elf"), nil)
		if err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
})

func fixtureBuilds(t *testing.T, names ...string) []*kabi.Build {
	t.Helper()
	all, err := loadFixtures()
	if err != nil {
		t.Fatal(err)
	}
	var out []*kabi.Build
	for _, n := range names {
		out = append(out, all[n])
	}
	return out
}

func changesOf(t *testing.T, old, new *kabi.Build, name string) []string {
	t.Helper()
	of, _ := old.Function(name)
	nf, _ := new.Function(name)
	p := comparePair("old", "new", of, nf)
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.String())
	}
	return out
}

func TestFixtureChanges(t *testing.T) {
	b := fixtureBuilds(t, "cmp-6.1.99-1-amd64", "cmp-6.2.5-1-amd64", "cmp-6.3.1-2-amd64", "cmp-6.1.99-1-cloud-amd64", "cmp-6.1.99-3-amd64")
	v1, v2, v3, cloud, rev3 := b[0], b[1], b[2], b[3], b[4]
	for _, tc := range []struct {
		old, new *kabi.Build
		name     string
		want     []string
	}{
		{v1, v2, "kfx_cmp_open", []string{"Param added: unsigned int flags"}},
		{v1, v2, "kfx_cmp_close", []string{"Param removed: int how"}},
		{v1, v2, "kfx_cmp_map_range", []string{"Param reordered: start, end -> end, start"}},
		{v1, v2, "kfx_cmp_copy_len", []string{"Param type changed: long unsigned int len -> size_t len"}},
		{v1, v2, "kfx_cmp_get_count", []string{"Return type changed: int -> long int"}},
		{v1, v2, "kfx_cmp_legacy_ioctl", []string{"Removed"}},
		{v1, v2, "kfx_cmp_poll", []string{"Added"}},
		{v2, v3, "kfx_cmp_poll", []string{"Param added: int timeout"}},
		{v2, v3, "kfx_cmp_release", []string{"Param removed: int wait"}},
		{v2, v3, "kfx_cmp_bind", []string{"Param reordered: cpu, node, prio -> node, cpu, prio"}},
		{v2, v3, "kfx_cmp_inspect", []string{"Param type changed: struct page *page -> const struct page *page"}},
		{v2, v3, "kfx_cmp_reset", []string{"Return type changed: void -> int"}},
		{v2, v3, "kfx_cmp_old_stats", []string{"Removed"}},
		{v2, v3, "kfx_cmp_trace_point", []string{"Added"}},
		{v1, cloud, "kfx_cmp_irq_setup", []string{"Param type changed: long unsigned int flags -> u64 flags"}},
		{v1, cloud, "kfx_cmp_hw_probe", []string{"Removed"}},
		{v1, cloud, "kfx_cmp_cloud_meta", []string{"Added"}},
		{v1, rev3, "kfx_cmp_open", nil},
	} {
		if d := cmp.Diff(tc.want, changesOf(t, tc.old, tc.new, tc.name)); d != "" {
			t.Errorf("%s %s → %s (-want +got):\n%s", tc.name, tc.old.Meta.Release, tc.new.Meta.Release, d)
		}
	}
	// kfx_cmp_submit gains a first parameter, which shifts the others.
	if d := cmp.Diff([]string{"Param added: int prio", "Param reordered: buf, len -> prio, buf, len"}, changesOf(t, v1, v2, "kfx_cmp_submit")); d != "" {
		t.Errorf("kfx_cmp_submit (-want +got):\n%s", d)
	}
}

func TestFixtureSurfaces(t *testing.T) {
	b := fixtureBuilds(t, "cmp-6.1.99-1-amd64", "cmp-6.2.5-1-amd64", "cmp-6.1.99-3-amd64")
	d := Surfaces(b[0], b[1])
	if d.Common == 0 {
		t.Fatal("no common functions")
	}
	if diff := cmp.Diff([]string{"kfx_cmp_poll"}, d.Added); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"kfx_cmp_legacy_ioctl"}, d.Removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	var changed []string
	for _, fc := range d.Changed {
		changed = append(changed, fc.Name)
	}
	want := []string{"kfx_cmp_close", "kfx_cmp_copy_len", "kfx_cmp_get_count", "kfx_cmp_map_range", "kfx_cmp_open", "kfx_cmp_submit"}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	kinds := map[string]int{}
	for _, k := range d.Kinds {
		kinds[k.Kind.String()] = k.Count
	}
	wantKinds := map[string]int{"Param added": 2, "Param removed": 1, "Param reordered": 2, "Param type changed": 1,
		"Return type changed": 1, "Added": 1, "Removed": 1}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	// cmp_hash becomes fully inlined; cmp_req_weight gains an .isra clone
	// (No → Selective); cmp_flush gains a static twin.
	inl := map[string]int{}
	for _, x := range d.Inline {
		inl[x.From.String()+">"+x.To.String()] = x.Count
	}
	if diff := cmp.Diff(map[string]int{"No>Full": 1, "No>Selective": 1}, inl); diff != "" {
		t.Errorf("inline transitions (-want +got):\n%s", diff)
	}
	col := map[string]int{}
	for _, x := range d.Collision {
		col[x.From.String()+">"+x.To.String()] = x.Count
	}
	if diff := cmp.Diff(map[string]int{"Unique Static>Static-Static Collision": 1}, col); diff != "" {
		t.Errorf("collision transitions (-want +got):\n%s", diff)
	}
	if len(d.Transformation) != 1 || d.Transformation[0].From || !d.Transformation[0].To || d.Transformation[0].Count != 1 {
		t.Errorf("transformation transitions: %+v", d.Transformation)
	}
	// The second revision is the same sources.
	same := Surfaces(b[0], b[2])
	if len(same.Added)+len(same.Removed)+len(same.Changed)+len(same.Inline)+len(same.Collision)+len(same.Transformation) != 0 {
		t.Errorf("revision 1 → 3: %+v", same)
	}
}

// TestFixtureGroups forms the groups from the fixtures' own metadata.
func TestFixtureGroups(t *testing.T) {
	names := []string{"cmp-6.1.99-1-amd64", "cmp-6.2.5-1-amd64", "cmp-6.3.1-2-amd64", "cmp-6.1.99-1-cloud-amd64", "cmp-6.1.99-3-amd64", "i386", "aarch64", "s390x"}
	bs := fixtureBuilds(t, names...)
	var metas []kabi.Metadata
	for _, b := range bs {
		metas = append(metas, b.Meta)
	}
	def := 0
	got := describe(Groups(metas, &GroupOptions{Default: &def}))
	want := []string{
		"Regular chain: 6.1=0 6.2=1 6.3=2",
		"Arch star: base amd64=0; arm64=6 i386=5 s390x=7",
		"Flavor star: base amd64=0; cloud-amd64=3",
		"Revision chain: 6.1.99-1=0 6.1.99-3=4",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Without a named default: 6.1.99, the version most builds share, at its
	// highest revision, 3.
	got = describe(Groups(metas, nil))
	if got[0] != "Regular chain: 6.1=4 6.2=1 6.3=2" {
		t.Errorf("default rule: %q", got)
	}

	// GroupBuilds forms the same groups from the builds themselves.
	if d := cmp.Diff(Groups(metas, &GroupOptions{Default: &def}), GroupBuilds(bs, &GroupOptions{Default: &def})); d != "" {
		t.Errorf("GroupBuilds differs from Groups (-Groups +GroupBuilds):\n%s", d)
	}
	// Builds whose metadata forms no group (two builds of one release)
	// are one chain in the order given.
	one := fixtureBuilds(t, "x86_64-dwarf5", "types-v1")
	got = describe(GroupBuilds(one, nil))
	if want := []string{"Builds chain: 6.1.99-1-amd64=0 6.1.99-1-amd64=1"}; !slices.Equal(got, want) {
		t.Errorf("GroupBuilds without groups: %q, want %q", got, want)
	}
	if g := GroupBuilds(nil, nil); g != nil {
		t.Errorf("GroupBuilds(nil) = %v", g)
	}

	// Found: a name some grouped build has, and one none has.
	if !Function("kfx_cmp_poll", bs, GroupBuilds(bs, nil)).Found() || Function("kfx_cmp_nothing", bs, GroupBuilds(bs, nil)).Found() {
		t.Error("FunctionReport.Found: kfx_cmp_poll not found, or kfx_cmp_nothing found")
	}
	// The report for kfx_cmp_poll: absent in 6.1, added in 6.2, changed in 6.3.
	r := Function("kfx_cmp_poll", bs, Groups(metas, &GroupOptions{Default: &def}))
	reg := r.Groups[0]
	if reg.Status[0].Function != nil || reg.Status[1].Function == nil || reg.Status[2].Function == nil {
		t.Errorf("status: %+v", reg.Status)
	}
	if reg.Pairs[0].Changes[0].Kind != FuncAdded || reg.Pairs[0].Compared || !reg.Pairs[1].Compared || reg.Pairs[1].Changes[0].Kind != ParamAdded {
		t.Errorf("pairs: %+v", reg.Pairs)
	}
}
