package kabi

import "github.com/kabi-dev/kabi/dwarfx"

// The DWARF signatures of a whole file, by function name, computed
// straight from dwarfx.Extract. This stands in for the Build's instances
// until signatures are wired into them: the rules are the same (surface
// rules §1 and §4).

// funcSigs holds the DWARF signatures of one function name: the
// external instance's, if any, and every instance's in walk order.
type funcSigs struct {
	external *Signature
	all      []*Signature
	asm      bool // some instance has an assembler's entry (gas), without a prototype
}

func (f *funcSigs) main() *Signature {
	if f.external != nil {
		return f.external
	}
	return f.all[0]
}

// instKey identifies an instance (surface rules §1): external functions
// by name, static ones by declaration location and compile unit.
type instKey struct {
	name, file, cu string
	line           uint64
	static         bool
}

// instSig is an instance's best prototype so far: a definition (or its
// concrete copy, whose source prototype is the definition's) has
// parameter names, a declaration usually has none, and an assembler's
// entry (gas writes one per routine) has no prototype at all.
type instSig struct {
	sig  Signature
	rank int // 0 none, 1 declaration, 2 definition or copy
}

// dwarfSignatures derives the signature of every instance, walking the
// compile units with dwarfx.Extract.
func dwarfSignatures(d *dwarfx.Data) (map[string]*funcSigs, error) {
	insts := make(map[instKey]*instSig)
	asm := make(map[string]bool)
	var order []instKey
	conv := newDWARFSigs()
	err := d.Extract(&dwarfx.ExtractOptions{Prototypes: true}, func(cu *dwarfx.CompileUnit) error {
		conv.reset()
		for i := range cu.Events {
			ev, proto := &cu.Events[i], cu.Protos[i]
			if proto == nil {
				continue
			}
			fn := &cu.Funcs[ev.Func]
			k := instKey{name: fn.Name}
			if !fn.External {
				k.static, k.line, k.cu = true, fn.Line, d.Units()[fn.Unit].Name
				if fn.HasFile {
					k.file = fn.File.Path()
				}
			}
			in := insts[k]
			if in == nil {
				in = &instSig{}
				insts[k] = in
				order = append(order, k)
			}
			rank := 3
			if ev.Kind == dwarfx.Declaration {
				rank = 2
			}
			if rank <= in.rank {
				continue
			}
			sig := conv.signature(cu.Unit, fn.Name, proto, ev.Addr, ev.HasAddr)
			if !sig.Known() {
				rank = 1
				asm[fn.Name] = true
			}
			if rank > in.rank {
				in.sig, in.rank = sig, rank
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*funcSigs)
	for _, k := range order {
		in := insts[k]
		f := out[k.name]
		if f == nil {
			f = &funcSigs{}
			out[k.name] = f
		}
		f.all = append(f.all, &in.sig)
		f.asm = asm[k.name]
		if !k.static {
			f.external = &in.sig
		}
	}
	return out, nil
}
