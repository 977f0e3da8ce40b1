package kabi

// Stats counts a build's functions by kind (the figures of docs/rules.md §10).
type Stats struct {
	Functions    int // function names with DWARF instances
	Instances    int
	DeclaredOnly int // functions whose every instance is only a declaration
	Transformed  int // functions with Transformation

	Symbols           int // function symbols (padding excluded)
	SuffixedSymbols   int // function symbols with a suffix
	UnattachedSymbols int // function symbols whose stem names no function

	Collision map[Collision]int
	Inline    map[InlineKind]int
	// Transforms counts the transformed functions by the kind of their
	// symbols' suffixes: "isra", "constprop", "part", "cold",
	// "localalias", "llvm", "other", or "two or more" when the symbols of
	// one function name several kinds.
	Transforms map[string]int
}

// TwoOrMore is the Stats.Transforms key for functions with several kinds.
const TwoOrMore = "two or more"

// TransformKinds lists the keys of Stats.Transforms in order.
func TransformKinds() []string {
	return append(append([]string(nil), transformNames[:]...), TwoOrMore)
}

// Stats counts the build's functions by kind.
func (b *Build) Stats() Stats {
	if b.ix != nil {
		return b.ix.stats()
	}
	s := Stats{
		Functions: len(b.funcs), Symbols: len(b.symbols), UnattachedSymbols: len(b.orphans),
		Collision: make(map[Collision]int), Inline: make(map[InlineKind]int), Transforms: make(map[string]int),
	}
	for i := range b.symbols {
		if b.symbols[i].Suffix != "" {
			s.SuffixedSymbols++
		}
	}
	for _, f := range b.funcs {
		s.Instances += len(f.Instances)
		s.Collision[f.Collision]++
		s.Inline[f.Inline]++
		declared := len(f.Instances) > 0 // not when they are unknown
		for _, in := range f.Instances {
			declared = declared && in.DeclaredOnly
		}
		if declared {
			s.DeclaredOnly++
		}
		if f.Transformation {
			s.Transformed++
			switch t := f.Transforms(); t.Count() {
			case 0:
			case 1:
				s.Transforms[t.String()]++
			default:
				s.Transforms[TwoOrMore]++
			}
		}
	}
	return s
}
