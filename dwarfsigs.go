package kabi

// The DWARF signatures of a build by function name, as the BTF check
// compares them: the function's (external instance's, else the first's)
// and every instance's, since BTF keeps one FUNC of several same-named
// statics.

// funcSigs holds the DWARF signatures of one function name.
type funcSigs struct {
	external *Signature
	all      []*Signature
	asm      bool // some instance's entry is an assembler's (gas), without a prototype
}

func (f *funcSigs) main() *Signature {
	if f.external != nil {
		return f.external
	}
	return f.all[0]
}

// buildSignatures collects the signatures of every function of b, by the
// source name they declare (DW_AT_name, as BTF names functions: for C it
// is the function's name; Rust and C++ functions are keyed by their
// linkage names in the Build).
func buildSignatures(b *Build) map[string]*funcSigs {
	out := make(map[string]*funcSigs, b.Len())
	for f := range b.Functions() {
		for _, in := range f.Instances {
			if in.Signature == nil {
				continue
			}
			fs := out[in.Signature.Name]
			if fs == nil {
				fs = &funcSigs{}
				out[in.Signature.Name] = fs
			}
			fs.all = append(fs.all, in.Signature)
			if in.External && fs.external == nil {
				fs.external = in.Signature
			}
			if in.Assembler || in.Signature.Assembler {
				fs.asm = true
			}
		}
	}
	return out
}
