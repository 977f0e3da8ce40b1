package kabi

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// FuzzHooks feeds the hooks fixtures, mutated, to the hook reader with
// the panic firewall off: the ELF and DWARF are opened as New opens them,
// but the function walk is skipped, so that the fuzzer spends its time on
// the hook data. Pointers outside sections, strings without terminators
// and lying sizes must give skips or errors, never a panic; what is read
// is in name order and its JSON is deterministic. (FuzzNew covers the
// whole of New, hooks included.)
func FuzzHooks(f *testing.F) {
	files, _ := filepath.Glob("testdata/hooks-*.elf")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzHooks")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		r := bytes.NewReader(data)
		ef, err := elf.NewFile(r)
		if err != nil {
			return
		}
		budget := dwarfx.FileBudget(int64(len(data)), 0)
		d, err := dwarfx.NewFromELFOptions(ef, r, "fuzz", &dwarfx.Options{Budget: budget})
		if err != nil {
			return
		}
		all, err := readSymtab(ef, "fuzz", budget)
		if err != nil {
			return
		}
		h, err := readHooks(ef, r, "fuzz", d, all)
		if err != nil {
			t.Fatalf("readHooks: %v", err)
		}
		b := &Build{hk: h}
		out := b.AppendHooksJSON(nil)
		if again := b.AppendHooksJSON(nil); !bytes.Equal(out, again) {
			t.Fatal("hook JSON not deterministic")
		}
		for _, k := range HookKinds() {
			prev := ""
			for x := range b.Hooks(k) {
				n := x.Ref().Name
				if prev != "" && n <= prev {
					t.Fatalf("%s: %q after %q", k, n, prev)
				}
				prev = n
				if _, ok := b.Hook(x.Ref()); !ok {
					t.Fatalf("Hook(%v) fails", x.Ref())
				}
			}
		}
		for s := range b.HookSkips() {
			_ = s.String()
		}
		_ = h.encode()
	})
}

// FuzzParseConfig: ParseConfig never panics, and what it returns is
// sorted and parses back to itself.
func FuzzParseConfig(f *testing.F) {
	for _, p := range []string{"testdata/src/kernel/config_data", "testdata/src/kernel/config_data.v2"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzParseConfig")
		opts, err := ParseConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		for i, o := range opts {
			if i > 0 && opts[i-1].Name >= o.Name {
				t.Fatalf("out of order: %q %q", opts[i-1].Name, o.Name)
			}
			if o.Value == "n" {
				buf.WriteString("# " + o.Name + " is not set\n")
			} else {
				buf.WriteString(o.Name + "=" + o.Value + "\n")
			}
		}
		again, err := ParseConfig(&buf)
		if err != nil || len(again) != len(opts) {
			t.Fatalf("round trip: %v, %d options, want %d", err, len(again), len(opts))
		}
	})
}
