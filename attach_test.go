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
		a := c.f.attachability(func(m string) AttachSources {
			if m != "" {
				t.Fatalf("%s: sources of module %q asked", c.why, m)
			}
			return c.src
		}, c.inBTF)
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

// TestAttachabilityModules checks that a module's function is judged by
// the module's own lists, not vmlinux's.
func TestAttachabilityModules(t *testing.T) {
	vm := AttachSources{FtraceList: true, KprobeBlacklist: true, BTF: true}
	srcs := map[string]AttachSources{
		"":        vm,
		"full":    vm,
		"nobtf":   {FtraceList: true, KprobeBlacklist: true},
		"nolists": {BTF: true},
	}
	srcOf := func(m string) AttachSources { return srcs[m] }
	sym := func(name, module string, mod func(*Symbol)) *Symbol {
		s := &Symbol{Name: name, Section: ".text", Ftrace: true, Module: module}
		s.Stem, s.Suffix, s.Transforms = parseSuffix(name)
		if mod != nil {
			mod(s)
		}
		return s
	}
	def := []*Instance{{File: "a.c"}}
	for _, c := range []struct {
		why     string
		syms    []*Symbol
		inBTF   bool
		want    string
		wantBTF Verdict
	}{
		{"a module's traced function in its BTF", []*Symbol{sym("f", "full", nil)}, true, "kprobe yes, fentry yes", AttachYes},
		{"not in the module's BTF", []*Symbol{sym("f", "full", nil)}, false, "kprobe yes, fentry no (not in BTF)", AttachNo},
		{"notrace in the module's list", []*Symbol{sym("f", "full", func(s *Symbol) { s.Ftrace = false })}, true, "kprobe yes, fentry no (notrace)", AttachYes},
		{"the module's blacklist", []*Symbol{sym("f", "full", func(s *Symbol) { s.NoKprobe = NoKprobeListed })}, true, "kprobe no (blacklisted), fentry yes", AttachYes},
		{"the module's init text", []*Symbol{sym("f", "full", func(s *Symbol) { s.Section = ".init.text" })}, true, "kprobe no (init text), fentry no (init text)", AttachYes},
		{"a module without BTF: the DWARF rule", []*Symbol{sym("f", "nobtf", nil)}, false, "kprobe yes, fentry yes", AttachUnknown},
		{"a module without lists", []*Symbol{sym("f", "nolists", nil)}, true, "kprobe unknown (no kprobe blacklist), fentry unknown (no ftrace list)", AttachYes},
		{"a module no lists are known of (running kernel)", []*Symbol{sym("f", "other", nil)}, false, "kprobe unknown (no kprobe blacklist), fentry unknown (no ftrace list)", AttachUnknown},
		{"vmlinux and a module", []*Symbol{sym("f", "", nil), sym("f", "full", nil)}, true, "kprobe ambiguous (collision), fentry ambiguous (collision)", AttachYes},
		{"vmlinux and a module without BTF", []*Symbol{sym("f", "", nil), sym("f", "nobtf", nil)}, false, "kprobe ambiguous (collision), fentry ambiguous (collision)", AttachUnknown},
	} {
		f := Function{Name: "f", Instances: def, Symbols: c.syms}
		a := f.attachability(srcOf, c.inBTF)
		if got := a.String(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.why, got, c.want)
		}
		if a.BTF != c.wantBTF {
			t.Errorf("%s: BTF %v, want %v", c.why, a.BTF, c.wantBTF)
		}
	}
	x := &btfFacts{vmlinux: map[string]bool{"f": true}, modules: map[moduleFunc]bool{{"full", "g"}: true}}
	for _, c := range []struct {
		f    Function
		want bool
	}{
		{Function{Name: "f", Symbols: []*Symbol{sym("f", "", nil)}}, true},
		{Function{Name: "f", Symbols: []*Symbol{sym("f", "full", nil)}}, false}, // vmlinux's FUNC f is not the module's
		{Function{Name: "g", Symbols: []*Symbol{sym("g", "full", nil)}}, true},
		{Function{Name: "g", Symbols: []*Symbol{sym("g", "nobtf", nil)}}, false},
		{Function{Name: "f", Symbols: []*Symbol{sym("f.isra.0", "full", nil)}}, true}, // no plain symbol: vmlinux's
	} {
		if got := x.has(&c.f, 0); got != c.want {
			t.Errorf("btfFacts.has(%s in %s) = %v, want %v", c.f.Name, c.f.Symbols[0].Module, got, c.want)
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
	got, _, err := btfFuncNames(raw, nil)
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
		if _, _, err := btfFuncNames(bad, nil); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

// TestBTFFuncNamesSplit reads the FUNC names of a module's split BTF over
// its vmlinux's strings; without them the names are unknown.
func TestBTFFuncNamesSplit(t *testing.T) {
	base, split := splitBTF(t)
	names, strs, err := btfFuncNames(base, nil)
	if err != nil || !names["base_fn"] {
		t.Fatalf("base: %v %v", names, err)
	}
	got, _, err := btfFuncNames(split, strs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["mod_fn"] {
		t.Errorf("split FUNC names %v, want [mod_fn]", got)
	}
}

// FuzzBTFFuncNames feeds raw BTF to the FUNC-name walker, which must
// return names or an error, never panic.
func FuzzBTFFuncNames(f *testing.F) {
	f.Add(btfBlob([][]byte{btfType(1, 1, 0, 4, 4), btfType(5, 12, 0, 1, 0)}, "\x00int\x00f\x00"), false)
	f.Add(btfBlob([][]byte{btfType(7, 12, 0, 1, 0), btfType(1, 12, 0, 1, 0)}, "mod_f\x00"), true)
	f.Fuzz(func(t *testing.T, raw []byte, split bool) {
		fuzzcount.Count("FuzzBTFFuncNames")
		var base []byte
		if split {
			base = []byte("\x00int\x00f\x00") // the base's strings: split names are offsets past them
		}
		names, _, err := btfFuncNames(raw, base)
		if err != nil && names != nil {
			t.Fatal("names with an error")
		}
	})
}
