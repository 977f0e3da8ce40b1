package kabi

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// FuzzHooks feeds the hooks fixtures, mutated, to New with the panic
// firewall off and reads every hook: pointers outside sections, strings
// without terminators and lying sizes must give skips or errors, never a
// panic.
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
		b, err := New(bytes.NewReader(data), "fuzz", &Options{Concurrency: 1, NoSignatures: true})
		if err != nil {
			return
		}
		out := b.AppendHooksJSON(nil)
		for s := range b.HookSkips() {
			_ = s.String()
		}
		for tp := range b.Tracepoints() {
			if _, ok := b.Tracepoint(tp.Name); !ok {
				t.Fatalf("Tracepoint(%q) fails", tp.Name)
			}
			_ = tp.RawPrototype()
		}
		var buf bytes.Buffer
		if err := b.WriteIndex(&buf); err != nil {
			return
		}
		ib, err := New(bytes.NewReader(buf.Bytes()), "fuzz.kabi", nil)
		if err != nil {
			t.Fatalf("index of a fuzzed build does not load: %v", err)
		}
		if got := ib.AppendHooksJSON(nil); !bytes.Equal(got, out) {
			t.Fatalf("hooks differ through the index")
		}
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
