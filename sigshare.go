package kabi

// Signatures may be shared between instances (see shareSignatures), so
// they are never changed once made: withClones copies.

// maxShared bounds the distinct signatures shareSignatures compares an
// instance's with.
const maxShared = 4

// shareSignatures makes the instances of one function whose signatures
// are the same (name, prototype, origin, no clones) hold one of them. A
// kernel defines a header's static functions in unit after unit, each
// with a signature of its own: sharing halves the signatures a Build
// holds, and a printer that meets a signature again (the same pointer)
// copies its text instead of writing it anew.
func shareSignatures(insts []*Instance) {
	if len(insts) < 2 {
		return
	}
	var kept [maxShared]*Signature
	n := 0
	for _, in := range insts {
		s := in.Signature
		if s == nil || len(s.Clones) > 0 {
			continue
		}
		shared := false
		for _, k := range kept[:n] {
			if k.Assembler == s.Assembler && sameText(k, s) {
				in.Signature, shared = k, true
				break
			}
		}
		if !shared && n < maxShared {
			kept[n] = s
			n++
		}
	}
}

// withClones returns a copy of s whose clones are first followed by then.
func withClones(s *Signature, first, then []Clone) *Signature {
	n := *s
	n.Clones = make([]Clone, 0, len(first)+len(then))
	n.Clones = append(append(n.Clones, first...), then...)
	return &n
}

// sameText reports whether a and b declare the same signature: by their
// keys when both have one (see Signature.keep), else by Equal and name.
func sameText(a, b *Signature) bool {
	if _, ka, ok := a.cachedText(); ok {
		if _, kb, ok := b.cachedText(); ok {
			return ka == kb
		}
	}
	return a.Name == b.Name && a.Equal(b)
}
