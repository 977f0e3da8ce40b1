package kabi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONEscaping: strings come out as encoding/json writes them (without
// HTML escaping).
func TestJSONEscaping(t *testing.T) {
	for _, s := range []string{"", "vmap", `a"b\c`, "tab\there\nnl\r\x00\x1f", "\xff\xfeinvalid", "é ü 中", "line\u2028sep\u2029", "<&>"} {
		want, _ := json.Marshal(s)
		want = []byte(string(want))
		// encoding/json escapes <, > and & by default; we do not.
		var un string
		json.Unmarshal(want, &un)
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != un {
			t.Errorf("%q: got %s, decodes to %q (%v), want %q", s, got, back, err, un)
		}
	}
}

type jsonCaller struct {
	Caller, Site string
	Address      *string
	Recursive    bool
}

// TestJSONFields: every dump line decodes to the function's values.
func TestJSONFields(t *testing.T) {
	type inst struct {
		File, Location string
		Address        *string
		AddrFromSymbol bool `json:"address_from_symbol"`
		External       bool
		DeclaredInline bool `json:"declared_inline"`
		Inlined        bool
		InlineCallers  []jsonCaller `json:"inline_callers"`
		DirectCallers  []jsonCaller `json:"direct_callers"`
		Signature      string
	}
	type sym struct {
		Name          string
		Address       string
		Size          uint64
		Bind, Section string
		Ftrace        bool
		NoKprobe      NoKprobe `json:"no_kprobe"`
	}
	type fn struct {
		Kind, Name, Collision, Inline string
		Transformation                bool
		Signature                     string
		Issues                        []string
		Instances                     []inst
		Symbols                       []sym
		Attach                        Attachability
	}
	hex := func(a uint64) string { return "0x" + strconv.FormatUint(a, 16) }
	strs := func(f *Function, cs []Caller) []jsonCaller {
		out := []jsonCaller{}
		for _, c := range cs {
			j := jsonCaller{Caller: c.String(), Site: c.Site.String(), Recursive: c.Recursive(f)}
			if c.HasAddr {
				a := hex(c.Addr)
				j.Address = &a
			}
			out = append(out, j)
		}
		return out
	}
	for _, name := range []string{"x86_64-dwarf5", "clang", "rust"} {
		for f := range fixture(t, name).Functions() {
			var got fn
			line := f.AppendJSON(nil)
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields() // exactly the documented fields
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("%s: %s: %v", f.Name, line, err)
			}
			want := fn{Kind: "function", Name: f.Name, Collision: f.Collision.String(), Inline: f.Inline.String(), Transformation: f.Transformation, Issues: []string{},
				Signature: sigString(f.Signature), Attach: f.Attach}
			if want.Attach.Clones == nil {
				want.Attach.Clones = []string{}
			}
			for _, i := range f.Issues {
				want.Issues = append(want.Issues, i.String())
			}
			for _, in := range f.Instances {
				wi := inst{File: in.File, Location: in.Location.String(), External: in.External, DeclaredInline: in.DeclaredInline,
					Inlined: in.Inlined, InlineCallers: strs(f, in.InlineCallers), DirectCallers: strs(f, in.DirectCallers),
					Signature: sigString(in.Signature)}
				if in.HasAddr {
					a := hex(in.Address)
					wi.Address = &a
					wi.AddrFromSymbol = in.AddrFromSymbol
				}
				want.Instances = append(want.Instances, wi)
			}
			for _, s := range f.Symbols {
				want.Symbols = append(want.Symbols, sym{s.Name, hex(s.Address), s.Size, s.Bind.String(), s.Section, s.Ftrace, s.NoKprobe})
			}
			if diff := cmp.Diff(want, got, cmp.Transformer("nil", func(s []sym) []sym {
				if s == nil {
					return []sym{}
				}
				return s
			})); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", name, f.Name, diff)
			}
		}
	}
}

func sigString(s *Signature) string {
	if s == nil {
		return ""
	}
	return s.String()
}
