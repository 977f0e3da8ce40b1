package diff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kabi-dev/kabi"
)

func meta(release, arch string) kabi.Metadata {
	v, r, f := kabi.ParseRelease(release)
	return kabi.Metadata{Release: release, Version: v, Revision: r, Flavor: f, Arch: arch}
}

// describe writes groups compactly: "Regular chain: 6.1=0 6.12=3".
func describe(gs []Group) []string {
	var out []string
	for _, g := range gs {
		s := g.Name + " " + g.Pairing.String() + ":"
		if g.Base != nil {
			s += " base " + g.Base.Label + "=" + itoa(g.Base.Build) + ";"
		}
		for _, m := range g.Members {
			s += " " + m.Label + "=" + itoa(m.Build)
		}
		out = append(out, s)
	}
	return out
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestGroupsDebian(t *testing.T) {
	metas := []kabi.Metadata{
		0: meta("6.1.0-47-amd64", "amd64"),
		1: meta("6.1.0-47-arm64", "arm64"),
		2: meta("6.1.0-47-686-pae", "i386"),
		3: meta("6.12.111+deb12-amd64", "amd64"),
		4: meta("6.1.0-47-cloud-amd64", "amd64"),
		5: meta("6.1.0-56-amd64", "amd64"),
		6: meta("6.12.111+deb12-cloud-amd64", "amd64"),
	}
	got := describe(Groups(metas, nil))
	// The default is the amd64 build of the plain flavor of the version
	// most builds share (6.1.0: five builds), highest revision: 56 (5).
	want := []string{
		"Regular chain: 6.1=5 6.12=3",
		"Arch star: base amd64=5; arm64=1 i386=2",
		"Flavor star: base amd64=5; cloud-amd64=4",
		"Revision chain: 6.1.0-47=0 6.1.0-56=5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default rule (-want +got):\n%s", diff)
	}

	def := 0
	got = describe(Groups(metas, &GroupOptions{Default: &def}))
	want = []string{
		// The named default stands for its version, though 56 is newer.
		"Regular chain: 6.1=0 6.12=3",
		"Arch star: base amd64=0; arm64=1 i386=2",
		"Flavor star: base amd64=0; cloud-amd64=4",
		"Revision chain: 6.1.0-47=0 6.1.0-56=5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("named default (-want +got):\n%s", diff)
	}
}

func TestGroupsUbuntu(t *testing.T) {
	metas := []kabi.Metadata{
		0: meta("5.4.0-26-generic", "amd64"),
		1: meta("4.4.0-21-generic", "amd64"),
		2: meta("6.8.0-31-generic", "amd64"),
		3: meta("6.8.0-1008-aws", "amd64"),
		4: meta("6.8.0-31-generic", "arm64"),
		5: meta("5.10.0-8-generic", "amd64"), // 5.10 sorts after 5.4 and before 6.8
	}
	got := describe(Groups(metas, nil))
	want := []string{
		"Regular chain: 4.4=1 5.4=0 5.10=5 6.8=2",
		"Arch star: base amd64=2; arm64=4",
		"Flavor star: base generic=2; aws=3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPairs(t *testing.T) {
	chain := Group{Pairing: Chain, Members: []Member{{"a", 0}, {"b", 1}, {"c", 2}}}
	star := Group{Pairing: Star, Base: &Member{"x", 3}, Members: []Member{{"a", 0}, {"b", 1}}}
	label := func(ps [][2]Member) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p[0].Label+">"+p[1].Label)
		}
		return out
	}
	if diff := cmp.Diff([]string{"a>b", "b>c"}, label(chain.Pairs())); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"x>a", "x>b"}, label(star.Pairs())); diff != "" {
		t.Error(diff)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"6.1.0", "6.12.111", -1}, {"6.9", "6.10", -1}, {"5.4.0", "5.4.0", 0}, {"47", "56", -1},
		{"1009", "26", 1}, {"deb12", "deb13", -1}, {"6.1", "6.1.0", -1},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestManifest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.json")
	os.WriteFile(path, []byte(`{"groups":[
		{"name":"Regular","pairing":"chain","builds":[{"label":"6.1","file":"a"},{"label":"6.12","file":"/abs/b"}]},
		{"name":"Arch","pairing":"star","base":{"label":"amd64","file":"a"},"builds":[{"label":"arm64","file":"c"}]}]}`), 0o644)
	m, err := ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "a"), "/abs/b", filepath.Join(dir, "c")}, m.Files()); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	want := []string{"Regular chain: 6.1=0 6.12=1", "Arch star: base amd64=0; arm64=2"}
	if diff := cmp.Diff(want, describe(m.Resolve())); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	for _, bad := range []string{
		`{"groups":[{"name":"X","pairing":"star","builds":[]}]}`,
		`{"groups":[{"name":"X","pairing":"ring","builds":[]}]}`,
		`{"groups":[{"name":"X","pairing":"chain","builds":[{"label":"a"}]}]}`,
		`{"groups":[{"pairing":"chain","builds":[]}]}`,
		`{"groups":[], "extra": 1}`,
	} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := ReadManifest(path); err == nil {
			t.Errorf("manifest %s: no error", bad)
		}
	}
}
