package kabi

// Signatures may be shared between instances (see surface.share), so
// they are never changed once made: withClones copies.

// maxShared bounds the distinct signatures of one function that
// surface.share compares a new one with.
const maxShared = 4

// withClones returns a copy of s whose clones are first followed by then.
func withClones(s *Signature, first, then []Clone) *Signature {
	n := *s
	n.Clones = make([]Clone, 0, len(first)+len(then))
	n.Clones = append(append(n.Clones, first...), then...)
	return &n
}

// sameSignature reports whether a and b, neither with clones, are the
// same signature, from the same kind of entry: by their keys when both
// have one (see Signature.keep), else by name and Equal.
func sameSignature(a, b *Signature) bool {
	if a == b {
		return true
	}
	if a.Assembler != b.Assembler {
		return false
	}
	if _, ka, ok := a.cachedText(); ok {
		if _, kb, ok := b.cachedText(); ok {
			return ka == kb
		}
	}
	return a.Name == b.Name && a.Equal(b)
}
