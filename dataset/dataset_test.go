package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/parquet-go/parquet-go"
)

var fixtures = []string{"cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf"}

func open(t *testing.T, name string) *kabi.Build {
	t.Helper()
	b, err := kabi.Open(filepath.Join("..", "testdata", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWriteParquet writes the fixture builds and reads every table back:
// its rows must be kabi's own answers, row for row, and a second export
// must give the same bytes.
func TestWriteParquet(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, dir := range dirs {
		for _, name := range fixtures {
			if err := WriteParquet(dir, open(t, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range fixtures {
		b := open(t, name)
		part := "build=" + partitionValue(BuildName(b))
		read := func(table string) string {
			p := filepath.Join(dirs[0], table, part, "part-0.parquet")
			one, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			two, err := os.ReadFile(filepath.Join(dirs[1], table, part, "part-0.parquet"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(one, two) {
				t.Errorf("%s: two exports differ", p)
			}
			return p
		}
		fns, err := parquet.ReadFile[Function](read("functions"))
		if err != nil {
			t.Fatal(err)
		}
		insts, err := parquet.ReadFile[Instance](read("instances"))
		if err != nil {
			t.Fatal(err)
		}
		calls, err := parquet.ReadFile[Call](read("calls"))
		if err != nil {
			t.Fatal(err)
		}
		syms, err := parquet.ReadFile[Symbol](read("symbols"))
		if err != nil {
			t.Fatal(err)
		}
		i, ni, nc, ns := 0, 0, 0, 0
		for f := range b.Functions() {
			if i >= len(fns) || fns[i].Name != f.Name || fns[i].Collision != f.Collision.String() ||
				fns[i].Inline != f.Inline.String() || int(fns[i].Instances) != len(f.Instances) {
				t.Fatalf("%s: functions row %d is not %s", name, i, f.Name)
			}
			if (fns[i].Signature == nil) != (f.Signature == nil) || f.Signature != nil && *fns[i].Signature != f.Signature.String() {
				t.Errorf("%s: %s: signature %v, want %v", name, f.Name, fns[i].Signature, f.Signature)
			}
			for k, in := range f.Instances {
				r := insts[ni]
				if r.Function != f.Name || int(r.Index) != k || (r.Address != nil) != in.HasAddr || r.Inlined != in.Inlined || r.External != in.External {
					t.Fatalf("%s: instances row %d is not %s #%d: %+v", name, ni, f.Name, k, r)
				}
				ni++
				for _, c := range in.InlineCallers {
					if r := calls[nc]; r.Callee != f.Name || r.Kind != "inline" || r.Caller != c.Function || r.CallerFile != c.File {
						t.Fatalf("%s: calls row %d: %+v, want inline %s <- %s", name, nc, r, f.Name, c)
					}
					nc++
				}
				for _, c := range in.DirectCallers {
					if r := calls[nc]; r.Callee != f.Name || r.Kind != "direct" || r.Caller != c.Function || r.CallerFile != c.File {
						t.Fatalf("%s: calls row %d: %+v, want direct %s <- %s", name, nc, r, f.Name, c)
					}
					nc++
				}
			}
			i++
		}
		for s := range b.Symbols() {
			if r := syms[ns]; r.Name != s.Name || uint64(r.Address) != s.Address || r.Bind != s.Bind.String() {
				t.Fatalf("%s: symbols row %d: %+v, want %s", name, ns, r, s)
			}
			ns++
		}
		if i != len(fns) || ni != len(insts) || nc != len(calls) || ns != len(syms) || nc == 0 {
			t.Errorf("%s: %d/%d functions, %d/%d instances, %d/%d calls, %d/%d symbols", name, i, len(fns), ni, len(insts), nc, len(calls), ns, len(syms))
		}
	}
	// A second export of the same release into the same folder is refused.
	if err := WriteParquet(dirs[0], open(t, fixtures[0])); err == nil {
		t.Error("a second export of the same build replaced its partition")
	}
}

func TestPartitionValue(t *testing.T) {
	for in, want := range map[string]string{"6.1.0-47-amd64": "6.1.0-47-amd64", "a/b=c": "a%2Fb%3Dc", "": "__HIVE_DEFAULT_PARTITION__"} {
		if got := partitionValue(in); got != want {
			t.Errorf("partitionValue(%q) = %q, want %q", in, got, want)
		}
	}
}
