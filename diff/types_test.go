package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
)

// TestTypeSurfaces compares the type fixtures of versions 1 and 2
// (testdata/src/types/kfx_types.h says what changes).
func TestTypeSurfaces(t *testing.T) {
	v1, v2 := fixtureBuilds(t, "types-v1")[0], fixtureBuilds(t, "types-v2")[0]
	var got []string
	for _, d := range TypeSurfaces(v1, v2) {
		got = append(got, fmt.Sprintf("%s: common %d, added %q, removed %q", d.Kind, d.Common, d.Added, d.Removed))
		for _, c := range d.Changed {
			for _, ch := range c.Changes {
				got = append(got, fmt.Sprintf("  %s %s", c.Name, ch))
			}
		}
	}
	want := []string{
		`struct: common 10, added [], removed []`,
		`  kfx_versioned Field added: unsigned int pad`,
		`  kfx_versioned Field added: char added`,
		`  kfx_versioned Field removed: int removed`,
		`  kfx_versioned Field type changed: int flags -> long int flags`,
		`  kfx_versioned Field moved: flags: offset 4 -> 0`,
		`  kfx_versioned Field moved: id: offset 0 -> 8`,
		`  kfx_versioned Field moved: mode: offset 12 -> 12 bit 2`,
		`  kfx_versioned Bitfield changed: mode: width 4 bits -> 6 bits`,
		`  kfx_versioned Size changed: 20 -> 24 bytes`,
		`  linux_binprm Field type changed: char buf[128] -> char buf[256]`,
		`  linux_binprm Field moved: vma: offset 128 -> 0`,
		`  linux_binprm Field moved: vma_pages: offset 136 -> 8`,
		`  linux_binprm Field moved: mm: offset 144 -> 16`,
		`  linux_binprm Field moved: p: offset 152 -> 24`,
		`  linux_binprm Field moved: argmin: offset 160 -> 32`,
		`  linux_binprm Field moved: called_set_creds: offset 168 -> 40`,
		`  linux_binprm Field moved: cap_elevated: offset 168 bit 1 -> 40 bit 1`,
		`  linux_binprm Field moved: secureexec: offset 168 bit 2 -> 40 bit 2`,
		`  linux_binprm Field moved: recursion_depth: offset 172 -> 44`,
		`  linux_binprm Field moved: file: offset 176 -> 48`,
		`  linux_binprm Field moved: cred: offset 184 -> 56`,
		`  linux_binprm Field moved: unsafe: offset 192 -> 64`,
		`  linux_binprm Field moved: per_clear: offset 196 -> 68`,
		`  linux_binprm Field moved: argc: offset 200 -> 72`,
		`  linux_binprm Field moved: envc: offset 204 -> 76`,
		`  linux_binprm Field moved: filename: offset 208 -> 80`,
		`  linux_binprm Field moved: interp: offset 216 -> 88`,
		`  linux_binprm Field moved: interp_flags: offset 224 -> 96`,
		`  linux_binprm Field moved: interp_data: offset 228 -> 100`,
		`  linux_binprm Field moved: loader: offset 232 -> 104`,
		`  linux_binprm Field moved: exec: offset 240 -> 112`,
		`  linux_binprm Field moved: rlim_stack: offset 248 -> 120`,
		`  linux_binprm Field moved: buf: offset 0 -> 136`,
		`  linux_binprm Size changed: 264 -> 392 bytes`,
		`union: common 1, added [], removed []`,
		`  kfx_uver Field added: long long int ll`,
		`  kfx_uver Field removed: char c`,
		`  kfx_uver Size changed: 4 -> 8 bytes`,
		`enum: common 4, added [], removed []`,
		`  kfx_ver Value added: KFX_VER_D = 4`,
		`  kfx_ver Value removed: KFX_VER_C = 3`,
		`  kfx_ver Value changed: KFX_VER_B = 2 -> KFX_VER_B = 3`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("type diff:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTypeReport: one type across builds, with absent sides and variants.
func TestTypeReport(t *testing.T) {
	bs := fixtureBuilds(t, "types-v1", "types-v2", "x86_64-dwarf5")
	groups := []Group{{Name: "Regular", Pairing: Chain, Members: []Member{{Label: "1", Build: 0}, {Label: "2", Build: 1}, {Label: "3", Build: 2}}}}
	r := Type(kabi.Ref{Kind: kabi.KindStruct, Name: "kfx_priv"}, bs, groups)
	g := r.Groups[0]
	if len(g.Status[0].Defs) != 2 || len(g.Status[2].Defs) != 0 {
		t.Errorf("kfx_priv status: %d, %d definitions", len(g.Status[0].Defs), len(g.Status[2].Defs))
	}
	if p := g.Pairs[0]; !p.OldPresent || !p.NewPresent || len(p.Changes) != 0 {
		t.Errorf("1 → 2: %+v", p)
	}
	if p := g.Pairs[1]; !p.OldPresent || p.NewPresent || len(p.Changes) != 1 || p.Changes[0].Kind != TypeRemoved {
		t.Errorf("2 → 3: %+v", p)
	}
	if !r.Found() || Type(kabi.Ref{Kind: kabi.KindUnion, Name: "kfx_priv"}, bs, groups).Found() {
		t.Error("TypeReport.Found: struct kfx_priv not found, or union kfx_priv found")
	}
}

// TestTypeFields: fields seen through anonymous members, with offsets from
// the start of the type, and named members of anonymous types inline.
func TestTypeFields(t *testing.T) {
	b := fixtureBuilds(t, "types-v1")[0]
	d, _ := b.Type(kabi.KindStruct, "kfx_anon")
	var got []string
	for _, f := range Fields(d) {
		got = append(got, fmt.Sprintf("%s@%d", f.Decl, f.BitOffset))
	}
	want := "int kind@0 int i@64 long int l@64 short int lo@64 short int hi@80 struct { char tag; int count; } named_anon@128 unsigned int flags@192"
	if strings.Join(got, " ") != want {
		t.Errorf("fields:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}
