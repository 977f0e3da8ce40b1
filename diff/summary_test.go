package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kabi-dev/kabi"
)

func TestTraits(t *testing.T) {
	a := &kabi.Function{Name: "f", Signature: sig(tInt, p("a", tInt)), Issues: []kabi.Issue{kabi.IssueCollision, kabi.IssueTransformation}}
	b := &kabi.Function{Name: "f", Signature: sig(tInt, p("a", tULong)), Issues: []kabi.Issue{kabi.IssueFullInline}}
	fns := []*kabi.Function{a, b, nil}
	look := func(i int) *kabi.Function { return fns[i] }
	chain := Group{Name: "Regular", Pairing: Chain, Members: []Member{{"1", 0}, {"2", 1}, {"3", 2}}}
	star := Group{Name: "Arch", Pairing: Star, Base: &Member{"x", 0}, Members: []Member{{"y", 0}}}
	r := Report("f", look, []Group{chain, star})
	names := func(ts []Trait) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.String())
		}
		return out
	}
	// Index order, whatever order the facts come in.
	if d := cmp.Diff([]string{"Absence", "Change", "Full Inline", "Collision", "Transformation"}, names(r.Groups[0].Traits())); d != "" {
		t.Errorf("Regular (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Collision", "Transformation"}, names(r.Groups[1].Traits())); d != "" {
		t.Errorf("Arch (-want +got):\n%s", d)
	}
	// 2 → 3 removes the function; 1 → 2 changes a parameter type.
	p2 := r.Groups[0].Pairs
	if len(p2) != 2 || !p2[0].Compared || len(p2[0].Changes) != 1 || p2[1].Compared || p2[1].Changes[0].Kind != FuncRemoved {
		t.Errorf("pairs: %+v", p2)
	}
}
