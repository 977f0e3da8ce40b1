package kabi

import "iter"

// Stats counts a build's functions by kind (the figures of docs/rules.md §10).
type Stats struct {
	Functions    int // function names with DWARF instances
	Instances    int
	DeclaredOnly int // functions whose every instance is only a declaration
	Transformed  int // functions with Transformation
	Signatures   int // functions with a signature (none where the build was read without them)

	Symbols           int // function symbols (padding excluded)
	SuffixedSymbols   int // function symbols with a suffix
	UnattachedSymbols int // function symbols whose stem names no function

	Collision map[Collision]int
	Inline    map[InlineKind]int
	// Transforms counts the transformed functions by the set of
	// transformations their symbols name together (the union of
	// [Function.Transforms]): a function with the symbols
	// foo.constprop.0 and foo.constprop.0.cold counts under
	// TransformConstProp|TransformCold. A transformed function whose
	// suffixes name no kind (numeric parts only) is not counted here.
	Transforms map[Transform]int
}

// TransformKinds lists the single transformation kinds, in the order of
// the constants: TransformISRA, TransformConstProp, ..., TransformOther.
func TransformKinds() []Transform {
	out := make([]Transform, len(transformNames))
	for i := range out {
		out[i] = 1 << i
	}
	return out
}

// TwoOrMore is the number of transformed functions whose symbols name two
// or more kinds of transformation together, the "two or more" of
// docs/rules.md §10.
func (s Stats) TwoOrMore() int {
	n := 0
	for t, c := range s.Transforms {
		if t.Count() > 1 {
			n += c
		}
	}
	return n
}

// Stats counts the build's functions by kind. For a build loaded from an
// index file it decodes every function.
func (b *Build) Stats() Stats {
	if b.ix != nil {
		return b.ix.stats(b)
	}
	syms := make([]*Symbol, len(b.symbols))
	for i := range b.symbols {
		syms[i] = &b.symbols[i]
	}
	return countStats(b.Functions(), syms, len(b.orphans))
}

// countStats counts the functions and the symbols.
func countStats(fns iter.Seq[*Function], syms []*Symbol, orphans int) Stats {
	s := newStats()
	for f := range fns {
		s.addFunction(f)
	}
	s.addSymbols(syms, orphans)
	return s
}

// newStats returns Stats with nothing counted.
func newStats() Stats {
	return Stats{Collision: make(map[Collision]int), Inline: make(map[InlineKind]int), Transforms: make(map[Transform]int)}
}

// addSymbols counts syms, every symbol of the build, orphans of them
// unattached.
func (s *Stats) addSymbols(syms []*Symbol, orphans int) {
	s.Symbols, s.UnattachedSymbols = len(syms), orphans
	for _, sym := range syms {
		if sym.Suffix != "" {
			s.SuffixedSymbols++
		}
	}
}

// addFunction counts the function f.
func (s *Stats) addFunction(f *Function) {
	s.Functions++
	s.Instances += len(f.Instances)
	s.Collision[f.Collision]++
	s.Inline[f.Inline]++
	if f.Signature != nil {
		s.Signatures++
	}
	declared := len(f.Instances) > 0 // not when they are unknown
	for _, in := range f.Instances {
		declared = declared && in.DeclaredOnly
	}
	if declared {
		s.DeclaredOnly++
	}
	if f.Transformation {
		s.Transformed++
		if t := f.Transforms(); t != 0 {
			s.Transforms[t]++
		}
	}
}
