package kabi

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// TestAttachabilityRules checks each rule of Attachability on functions
// made by hand: the fixtures carry none of the kernel's lists.
func TestAttachabilityRules(t *testing.T) {
	all := AttachSources{FtraceList: true, KprobeBlacklist: true, BTF: true}
	sym := func(name string, mod func(*Symbol)) *Symbol {
		s := &Symbol{Name: name, Section: ".text", Ftrace: true}
		s.Stem, s.Suffix, s.Transforms = parseSuffix(name)
		if mod != nil {
			mod(s)
		}
		return s
	}
	def := []*Instance{{File: "a.c"}}
	inlined := []*Instance{{File: "a.c", Inlined: true, InlineCallers: []Caller{{File: "b.c", Function: "g"}}}}
	for _, c := range []struct {
		why   string
		f     Function
		src   AttachSources
		inBTF bool
		want  string
	}{
		{"a plain symbol with everything", Function{Instances: def, Symbols: []*Symbol{sym("f", nil)}}, all, true,
			"kprobe yes, fentry yes"},
		{"only a clone: attach to it; .cold is no entry", Function{Instances: def, Symbols: []*Symbol{sym("f.isra.0", nil), sym("f.cold", nil)}}, all, false,
			"kprobe no (no symbol), fentry no (no symbol); instead: f.isra.0"},
		{"fully inlined: its callers", Function{Instances: inlined}, all, false,
			"kprobe no (no symbol), fentry no (no symbol); instead: its callers"},
		{"static functions of one name", Function{Instances: def, Symbols: []*Symbol{sym("f", nil), sym("f", nil)}}, all, true,
			"kprobe ambiguous (collision), fentry ambiguous (collision)"},
		{"colliding, not in BTF", Function{Instances: def, Symbols: []*Symbol{sym("f", nil), sym("f", nil)}}, all, false,
			"kprobe ambiguous (collision), fentry no (not in BTF)"},
		{"init text", Function{Instances: def, Symbols: []*Symbol{sym("f", func(s *Symbol) { s.Section = ".init.text" })}}, all, true,
			"kprobe no (init text), fentry no (init text)"},
		{"NOKPROBE_SYMBOL", Function{Instances: def, Symbols: []*Symbol{sym("f", func(s *Symbol) { s.NoKprobe = NoKprobeListed })}}, all, true,
			"kprobe no (blacklisted), fentry yes"},
		{"noinstr text, notrace", Function{Instances: def, Symbols: []*Symbol{sym("f", func(s *Symbol) { s.NoKprobe, s.Ftrace = NoKprobeText, false })}}, all, true,
			"kprobe no (no-probe text), fentry no (notrace)"},
		{"not in BTF", Function{Instances: def, Symbols: []*Symbol{sym("f", nil)}}, all, false,
			"kprobe yes, fentry no (not in BTF)"},
		{"no lists at all: unknown", Function{Instances: def, Symbols: []*Symbol{sym("f", nil)}}, AttachSources{}, false,
			"kprobe unknown (no kprobe blacklist), fentry unknown (no ftrace list)"},
		{"no BTF: the DWARF rule", Function{Instances: def, Symbols: []*Symbol{sym("f", nil)}}, AttachSources{FtraceList: true, KprobeBlacklist: true}, false,
			"kprobe yes, fentry yes"},
		{"no BTF, only declared", Function{Instances: []*Instance{{DeclaredOnly: true}}, Symbols: []*Symbol{sym("f", nil)}}, AttachSources{FtraceList: true, KprobeBlacklist: true}, false,
			"kprobe yes, fentry no (not in BTF)"},
	} {
		c.f.Name = "f"
		a := c.f.attachability(c.src, c.inBTF)
		if got := a.String(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.why, got, c.want)
		}
		wantBTF := AttachUnknown
		if c.src.BTF {
			wantBTF = AttachNo
			if c.inBTF {
				wantBTF = AttachYes
			}
		}
		if a.BTF != wantBTF {
			t.Errorf("%s: BTF %v, want %v", c.why, a.BTF, wantBTF)
		}
	}
}

// btfBlob makes raw little-endian BTF of the given types (each the 12-byte
// common part and its trailing data) and strings.
func btfBlob(types [][]byte, strs string) []byte {
	var tb []byte
	for _, t := range types {
		tb = append(tb, t...)
	}
	h := make([]byte, 24)
	binary.LittleEndian.PutUint16(h, 0xeb9f)
	h[2] = 1
	binary.LittleEndian.PutUint32(h[4:], 24)
	binary.LittleEndian.PutUint32(h[8:], 0)
	binary.LittleEndian.PutUint32(h[12:], uint32(len(tb)))
	binary.LittleEndian.PutUint32(h[16:], uint32(len(tb)))
	binary.LittleEndian.PutUint32(h[20:], uint32(len(strs)))
	return append(append(h, tb...), strs...)
}

func btfType(name uint32, kind, vlen int, typ uint32, extra int) []byte {
	b := make([]byte, 12+extra)
	binary.LittleEndian.PutUint32(b, name)
	binary.LittleEndian.PutUint32(b[4:], uint32(kind)<<24|uint32(vlen))
	binary.LittleEndian.PutUint32(b[8:], typ)
	return b
}

// TestBTFFuncNames reads FUNC names past types of every size.
func TestBTFFuncNames(t *testing.T) {
	strs := "\x00int\x00f\x00s\x00g\x00"
	raw := btfBlob([][]byte{
		btfType(1, 1, 0, 4, 4),   // INT
		btfType(7, 4, 2, 8, 24),  // STRUCT of 2 members
		btfType(0, 13, 1, 1, 8),  // FUNC_PROTO of 1 param
		btfType(5, 12, 0, 3, 0),  // FUNC f
		btfType(0, 6, 3, 4, 24),  // ENUM of 3
		btfType(9, 12, 0, 3, 0),  // FUNC g
		btfType(0, 15, 2, 8, 24), // DATASEC of 2
		btfType(0, 3, 0, 0, 12),  // ARRAY
		btfType(0, 19, 1, 8, 12), // ENUM64 of 1
		btfType(0, 17, 0, 1, 4),  // DECL_TAG
	}, strs)
	got, err := btfFuncNames(raw)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"f", "g"}) {
		t.Errorf("FUNC names %v, want [f g]", names)
	}
	for _, bad := range [][]byte{
		btfBlob([][]byte{btfType(1, 30, 0, 0, 0)}, strs),     // unknown kind
		btfBlob([][]byte{btfType(1, 4, 5, 0, 12)}, strs),     // members past the end
		btfBlob([][]byte{btfType(100, 12, 0, 0, 0)}, strs),   // name outside the strings
		btfBlob([][]byte{btfType(1, 1, 0, 0, 4)[:10]}, strs), // truncated
	} {
		if _, err := btfFuncNames(bad); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

// FuzzBTFFuncNames feeds raw BTF to the FUNC-name walker, which must
// return names or an error, never panic.
func FuzzBTFFuncNames(f *testing.F) {
	f.Add(btfBlob([][]byte{btfType(1, 1, 0, 4, 4), btfType(5, 12, 0, 1, 0)}, "\x00int\x00f\x00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzcount.Count("FuzzBTFFuncNames")
		names, err := btfFuncNames(raw)
		if err != nil && names != nil {
			t.Fatal("names with an error")
		}
	})
}
