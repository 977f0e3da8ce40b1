package diff

import (
	"slices"

	"github.com/kabi-dev/kabi"
)

// A SurfaceDiff is what changed between two whole builds.
type SurfaceDiff struct {
	Old, New kabi.Metadata
	// Added and Removed name the functions only one build has, in name order.
	Added, Removed []string
	// Changed lists the functions whose signature changed, in name order.
	Changed []FunctionChanges
	// Kinds counts the changed functions by change kind, in list order
	// (a function with two added parameters counts once for ParamAdded).
	Kinds []KindCount
	// Inline, Collision and Transformation count the functions present
	// in both builds whose classification moved, by transition, in a
	// stable order (from, then to).
	Inline         []Transition[kabi.InlineKind]
	Collision      []Transition[kabi.Collision]
	Transformation []Transition[bool]
	// Moved lists the functions present in both builds that moved
	// between vmlinux and a module (or between modules), in name order.
	Moved []Moved
	// Common is the number of functions both builds have.
	Common int
}

// FunctionChanges is the signature changes of one function.
type FunctionChanges struct {
	Name    string
	Changes []Change
}

// Moved is a function or type that moved between vmlinux and a module:
// From and To are where it is, "vmlinux" or modules ("nf_conntrack"): a
// function's kabi.Function.ModulesText, a type's TypeDef.Modules.
type Moved struct {
	Name     string
	From, To string
}

// KindCount is a number of functions with a change of one kind.
type KindCount struct {
	Kind  ChangeKind `json:"kind"`
	Count int        `json:"count"`
}

// A Transition counts the functions whose classification went From → To.
type Transition[T comparable] struct {
	From, To T
	Count    int
}

// Surfaces compares two builds function by function.
func Surfaces(old, new *kabi.Build) *SurfaceDiff {
	d := &SurfaceDiff{Old: old.Meta, New: new.Meta}
	kinds := map[ChangeKind]int{}
	inl := map[[2]kabi.InlineKind]int{}
	col := map[[2]kabi.Collision]int{}
	tr := map[[2]bool]int{}
	for of := range old.Functions() {
		nf, ok := new.Function(of.Name)
		if !ok || nf.Name != of.Name {
			d.Removed = append(d.Removed, of.Name)
			continue
		}
		d.Common++
		if ch := Signatures(of.Signature, nf.Signature); len(ch) > 0 {
			d.Changed = append(d.Changed, FunctionChanges{Name: of.Name, Changes: ch})
			seen := map[ChangeKind]bool{}
			for _, c := range ch {
				if !seen[c.Kind] {
					seen[c.Kind] = true
					kinds[c.Kind]++
				}
			}
		}
		if of.InModule() || nf.InModule() {
			if o, n := of.ModulesText(), nf.ModulesText(); o != n {
				d.Moved = append(d.Moved, Moved{Name: of.Name, From: o, To: n})
			}
		}
		if of.Inline != nf.Inline {
			inl[[2]kabi.InlineKind{of.Inline, nf.Inline}]++
		}
		if of.Collision != nf.Collision {
			col[[2]kabi.Collision{of.Collision, nf.Collision}]++
		}
		if of.Transformation != nf.Transformation {
			tr[[2]bool{of.Transformation, nf.Transformation}]++
		}
	}
	for nf := range new.Functions() {
		if of, ok := old.Function(nf.Name); !ok || of.Name != nf.Name {
			d.Added = append(d.Added, nf.Name)
		}
	}
	for _, k := range ChangeKinds() {
		if kinds[k] > 0 {
			d.Kinds = append(d.Kinds, KindCount{k, kinds[k]})
		}
	}
	if len(d.Added) > 0 {
		d.Kinds = append(d.Kinds, KindCount{FuncAdded, len(d.Added)})
	}
	if len(d.Removed) > 0 {
		d.Kinds = append(d.Kinds, KindCount{FuncRemoved, len(d.Removed)})
	}
	d.Inline = transitions(inl, func(a, b kabi.InlineKind) int { return int(a) - int(b) })
	d.Collision = transitions(col, func(a, b kabi.Collision) int { return int(a) - int(b) })
	d.Transformation = transitions(tr, func(a, b bool) int { return b2i(a) - b2i(b) })
	return d
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func transitions[T comparable](m map[[2]T]int, cmp func(a, b T) int) []Transition[T] {
	out := make([]Transition[T], 0, len(m))
	for k, n := range m {
		out = append(out, Transition[T]{From: k[0], To: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b Transition[T]) int {
		if c := cmp(a.From, b.From); c != 0 {
			return c
		}
		return cmp(a.To, b.To)
	})
	return out
}
