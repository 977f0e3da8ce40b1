package diff

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi"
)

// Pairing says which members of a group are compared.
type Pairing uint8

const (
	// Chain compares each member with the next: 5.4 → 5.8 → 5.11.
	Chain Pairing = iota + 1
	// Star compares the group's Base with each member: amd64 → arm64,
	// amd64 → armhf.
	Star
)

func (p Pairing) String() string {
	switch p {
	case Chain:
		return "chain"
	case Star:
		return "star"
	}
	return fmt.Sprintf("Pairing(%d)", uint8(p))
}

// MarshalText encodes the pairing as "chain" or "star".
func (p Pairing) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText decodes "chain" or "star".
func (p *Pairing) UnmarshalText(b []byte) error {
	switch string(b) {
	case "chain":
		*p = Chain
	case "star":
		*p = Star
	default:
		return fmt.Errorf("unknown pairing %q (want chain or star)", b)
	}
	return nil
}

// A Member is a build in a group: its label and its index in the list of
// builds the group was formed from.
type Member struct {
	Label string `json:"label"`
	Build int    `json:"build"`
}

// A Group is a named set of builds and how they are compared.
type Group struct {
	Name    string   `json:"name"` // "Regular", "Arch", "Flavor", "Revision", or a manifest's name
	Pairing Pairing  `json:"pairing"`
	Base    *Member  `json:"base,omitempty"` // Star: the build every member is compared with
	Members []Member `json:"members"`        // in order; a Star's base is not among them
}

// Pairs returns the compared pairs of members, in order.
func (g *Group) Pairs() [][2]Member {
	var out [][2]Member
	switch g.Pairing {
	case Chain:
		for i := 1; i < len(g.Members); i++ {
			out = append(out, [2]Member{g.Members[i-1], g.Members[i]})
		}
	case Star:
		if g.Base != nil {
			for _, m := range g.Members {
				out = append(out, [2]Member{*g.Base, m})
			}
		}
	}
	return out
}

// GroupOptions configures Groups. The zero value picks the default build
// by the documented rule.
type GroupOptions struct {
	// Default, when not nil, names the default build by its index.
	Default *int
}

// Groups forms the Regular, Arch, Flavor and Revision groups of a set of
// builds from their metadata; groups with fewer than two builds are left
// out. The default build, which the Arch and Flavor groups compare
// against, is, unless named:
//
//   - of the architecture amd64 when there is one, else the architecture
//     most builds have (ties: alphabetical);
//   - of that architecture's plain flavor: the flavor named like the
//     architecture (Debian's "amd64") or "generic" (Ubuntu's), else the
//     one most builds have, else the shortest name (ties: alphabetical);
//   - of the version most builds share (whatever their architecture or
//     flavor; ties: the newest), so that the Arch and Flavor groups are
//     as full as they can be, else of the newest version;
//   - then the highest revision.
//
// Regular takes one build per version (the highest revision) of the
// default build's architecture and flavor, oldest first, labelled by the
// short version ("6.1"), or the full version where two share it. Arch
// takes, for each other architecture, its plain-flavor build of the
// default build's version (highest revision), labelled by architecture.
// Flavor takes each other flavor of the default build's version and
// architecture, labelled by flavor. Revision takes every revision of the
// default build's version, architecture and flavor, labelled by version
// and revision ("6.1.0-47": a revision alone, "47", says nothing).
// Versions compare numerically, part by part.
func Groups(metas []kabi.Metadata, opts *GroupOptions) []Group {
	if len(metas) == 0 {
		return nil
	}
	def := defaultBuild(metas)
	if opts != nil && opts.Default != nil && *opts.Default >= 0 && *opts.Default < len(metas) {
		def = *opts.Default
	}
	dm := metas[def]
	var groups []Group

	// Regular: one arch and flavor across versions.
	byVersion := map[string]int{}
	for i, m := range metas {
		if m.Arch != dm.Arch || m.Flavor != dm.Flavor {
			continue
		}
		if j, ok := byVersion[m.Version]; !ok || (i == def) || (j != def && compareVersions(m.Revision, metas[j].Revision) > 0) {
			byVersion[m.Version] = i
		}
	}
	if len(byVersion) >= 2 {
		idx := mapValues(byVersion)
		slices.SortFunc(idx, func(a, b int) int { return compareVersions(metas[a].Version, metas[b].Version) })
		short := map[string]int{}
		for _, i := range idx {
			short[ShortVersion(metas[i].Version)]++
		}
		g := Group{Name: "Regular", Pairing: Chain}
		for _, i := range idx {
			l := ShortVersion(metas[i].Version)
			if short[l] > 1 {
				l = metas[i].Version
			}
			g.Members = append(g.Members, Member{Label: l, Build: i})
		}
		groups = append(groups, g)
	}

	// Arch: the default against each other architecture's plain build.
	archs := map[string][]int{}
	for i, m := range metas {
		if m.Version == dm.Version && m.Arch != dm.Arch {
			archs[m.Arch] = append(archs[m.Arch], i)
		}
	}
	if len(archs) > 0 {
		g := Group{Name: "Arch", Pairing: Star, Base: &Member{Label: dm.Arch, Build: def}}
		for _, a := range sortedKeys(archs) {
			flavor := plainFlavor(metas, archs[a], a)
			best := -1
			for _, i := range archs[a] {
				if metas[i].Flavor == flavor && (best < 0 || compareVersions(metas[i].Revision, metas[best].Revision) > 0) {
					best = i
				}
			}
			g.Members = append(g.Members, Member{Label: a, Build: best})
		}
		groups = append(groups, g)
	}

	// Flavor: the default against each other flavor.
	flavors := map[string]int{}
	for i, m := range metas {
		if m.Version != dm.Version || m.Arch != dm.Arch || m.Flavor == dm.Flavor {
			continue
		}
		if j, ok := flavors[m.Flavor]; !ok || compareVersions(m.Revision, metas[j].Revision) > 0 {
			flavors[m.Flavor] = i
		}
	}
	if len(flavors) > 0 {
		g := Group{Name: "Flavor", Pairing: Star, Base: &Member{Label: dm.Flavor, Build: def}}
		for _, f := range sortedKeys(flavors) {
			g.Members = append(g.Members, Member{Label: f, Build: flavors[f]})
		}
		groups = append(groups, g)
	}

	// Revision: one version, arch and flavor across ABI revisions.
	revs := map[string]int{}
	for i, m := range metas {
		if m.Version == dm.Version && m.Arch == dm.Arch && m.Flavor == dm.Flavor {
			if _, ok := revs[m.Revision]; !ok || i == def {
				revs[m.Revision] = i
			}
		}
	}
	if len(revs) >= 2 {
		idx := mapValues(revs)
		slices.SortFunc(idx, func(a, b int) int { return compareVersions(metas[a].Revision, metas[b].Revision) })
		g := Group{Name: "Revision", Pairing: Chain}
		for _, i := range idx {
			g.Members = append(g.Members, Member{Label: revisionLabel(metas[i]), Build: i})
		}
		groups = append(groups, g)
	}
	return groups
}

// revisionLabel labels a build of the Revision group: "6.1.0-47", or the
// revision alone when the version is unknown.
func revisionLabel(m kabi.Metadata) string {
	if m.Version == "" {
		return m.Revision
	}
	if m.Revision == "" {
		return m.Version
	}
	return m.Version + "-" + m.Revision
}

// defaultBuild applies the rule documented on Groups.
func defaultBuild(metas []kabi.Metadata) int {
	count := map[string]int{}
	for _, m := range metas {
		count[m.Arch]++
	}
	arch := ""
	if count["amd64"] > 0 {
		arch = "amd64"
	} else {
		for _, a := range sortedKeys(count) {
			if arch == "" || count[a] > count[arch] {
				arch = a
			}
		}
	}
	var in []int
	for i, m := range metas {
		if m.Arch == arch {
			in = append(in, i)
		}
	}
	flavor := plainFlavor(metas, in, arch)
	versions := map[string]int{}
	for _, m := range metas {
		versions[m.Version]++
	}
	best := -1
	for _, i := range in {
		if metas[i].Flavor != flavor {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		c := versions[metas[i].Version] - versions[metas[best].Version]
		if c == 0 {
			c = compareVersions(metas[i].Version, metas[best].Version)
		}
		if c == 0 {
			c = compareVersions(metas[i].Revision, metas[best].Revision)
		}
		if c > 0 {
			best = i
		}
	}
	return best
}

// plainFlavor picks the plain flavor among the builds idx of one arch.
func plainFlavor(metas []kabi.Metadata, idx []int, arch string) string {
	count := map[string]int{}
	for _, i := range idx {
		count[metas[i].Flavor]++
	}
	for _, f := range []string{arch, "generic"} {
		if count[f] > 0 {
			return f
		}
	}
	best := ""
	for _, f := range sortedKeys(count) {
		if best == "" || count[f] > count[best] || count[f] == count[best] && len(f) < len(best) {
			best = f
		}
	}
	return best
}

// GroupBuilds forms the groups of builds from their metadata, as
// [Groups] does; the groups' Build indexes refer to builds. When the
// metadata forms no group (builds of one version, architecture and
// flavor, or builds without a release), it returns a single Chain named
// "Builds" over every build in the order given, labelled by release (by
// file name where the release is unknown), so that there is always
// something to report on; it returns nil only for no builds.
func GroupBuilds(builds []*kabi.Build, opts *GroupOptions) []Group {
	if len(builds) == 0 {
		return nil
	}
	metas := make([]kabi.Metadata, len(builds))
	for i, b := range builds {
		if b != nil {
			metas[i] = b.Meta
		}
	}
	if g := Groups(metas, opts); len(g) > 0 {
		return g
	}
	g := Group{Name: "Builds", Pairing: Chain}
	for i, m := range metas {
		l := m.Release
		if l == "" {
			l = filepath.Base(m.File)
		}
		g.Members = append(g.Members, Member{Label: l, Build: i})
	}
	return []Group{g}
}

// ShortVersion returns the major.minor part of a version: "6.1.0" → "6.1".
func ShortVersion(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// compareVersions compares dotted versions part by part, numerically
// where both parts are numbers ("6.10" > "6.9"), else as text.
func compareVersions(a, b string) int {
	pa, pb := strings.FieldsFunc(a, isSep), strings.FieldsFunc(b, isSep)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.ParseUint(pa[i], 10, 64)
		nb, eb := strconv.ParseUint(pb[i], 10, 64)
		var c int
		if ea == nil && eb == nil {
			c = cmp.Compare(na, nb)
		} else {
			c = strings.Compare(pa[i], pb[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

func isSep(r rune) bool { return r == '.' || r == '-' || r == '+' || r == '~' }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mapValues(m map[string]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// A Manifest names groups explicitly, for sets of builds whose metadata
// does not give the wanted groups. Its JSON form:
//
//	{"groups": [
//	  {"name": "Regular", "pairing": "chain",
//	   "builds": [{"label": "6.1", "file": "vmlinux-6.1.0-47-amd64"},
//	              {"label": "6.12", "file": "vmlinux-6.12.111+deb12-amd64"}]},
//	  {"name": "Arch", "pairing": "star",
//	   "base": {"label": "amd64", "file": "vmlinux-6.1.0-47-amd64"},
//	   "builds": [{"label": "arm64", "file": "vmlinux-6.1.0-47-arm64"}]}
//	]}
//
// Relative file names are relative to the manifest's folder.
type Manifest struct {
	Groups []ManifestGroup `json:"groups"`
}

// A ManifestGroup is one group of a Manifest.
type ManifestGroup struct {
	Name    string           `json:"name"`
	Pairing Pairing          `json:"pairing"`
	Base    *ManifestMember  `json:"base,omitempty"`
	Builds  []ManifestMember `json:"builds"`
}

// A ManifestMember is one build of a ManifestGroup.
type ManifestMember struct {
	Label string `json:"label"`
	File  string `json:"file"`
}

// ReadManifest reads a manifest file and resolves its relative file names.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	fix := func(mm *ManifestMember, g string) error {
		if mm.File == "" || mm.Label == "" {
			return fmt.Errorf("%s: group %q: a build needs a label and a file", path, g)
		}
		if !filepath.IsAbs(mm.File) {
			mm.File = filepath.Join(dir, mm.File)
		}
		return nil
	}
	for gi := range m.Groups {
		g := &m.Groups[gi]
		if g.Name == "" {
			return nil, fmt.Errorf("%s: group %d has no name", path, gi+1)
		}
		switch g.Pairing {
		case Chain:
			if g.Base != nil {
				return nil, fmt.Errorf("%s: group %q: a chain has no base", path, g.Name)
			}
		case Star:
			if g.Base == nil {
				return nil, fmt.Errorf("%s: group %q: a star needs a base", path, g.Name)
			}
			if err := fix(g.Base, g.Name); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s: group %q: pairing must be chain or star", path, g.Name)
		}
		for i := range g.Builds {
			if err := fix(&g.Builds[i], g.Name); err != nil {
				return nil, err
			}
		}
	}
	return &m, nil
}

// Files returns the distinct build files of the manifest in first-use order.
func (m *Manifest) Files() []string {
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, g := range m.Groups {
		if g.Base != nil {
			add(g.Base.File)
		}
		for _, b := range g.Builds {
			add(b.File)
		}
	}
	return out
}

// Resolve turns the manifest into Groups over the builds listed by Files.
func (m *Manifest) Resolve() []Group {
	index := map[string]int{}
	for i, f := range m.Files() {
		index[f] = i
	}
	var out []Group
	for _, mg := range m.Groups {
		g := Group{Name: mg.Name, Pairing: mg.Pairing}
		if mg.Base != nil {
			g.Base = &Member{Label: mg.Base.Label, Build: index[mg.Base.File]}
		}
		for _, b := range mg.Builds {
			g.Members = append(g.Members, Member{Label: b.Label, Build: index[b.File]})
		}
		out = append(out, g)
	}
	return out
}
