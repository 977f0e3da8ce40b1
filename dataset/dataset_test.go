package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/parquet-go/parquet-go"
)

var fixtures = []string{"cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf"}

func open(t *testing.T, name string) *kabi.Build {
	t.Helper()
	open := kabi.Open
	if !strings.Contains(name, ".") {
		open = kabi.OpenRunning // a fake sys/ and proc/ tree
	}
	b, err := open(filepath.Join("..", "testdata", name), nil)
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
	for i, dir := range dirs {
		if i == 1 { // the same bytes whatever GOMAXPROCS
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		}
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
		for _, table := range Tables {
			read(table)
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
				fns[i].Inline != f.Inline.String() || fns[i].Instances == nil || int(*fns[i].Instances) != len(f.Instances) {
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

// readTable reads a table's partition of build b under dir.
func readTable[T any](t *testing.T, dir, table string, b *kabi.Build) []T {
	t.Helper()
	rows, err := parquet.ReadFile[T](filepath.Join(dir, table, "build="+partitionValue(BuildName(b)), "part-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestTypesAndHooks reads back the type and hook tables of the type and
// hook fixtures, and of a running kernel's (whose unknowns are NULL):
// every row must be what kabi answers through the library.
func TestTypesAndHooks(t *testing.T) {
	names := []string{"types-v1.elf", "types-v2.elf", "hooks-6.1.99-1-amd64.elf", "hooks-6.2.5-1-amd64.elf", "running-hooks"}
	var counts [10]int
	for _, name := range names {
		b := open(t, name)
		dir := t.TempDir() // the type and hook fixtures share releases
		if err := WriteParquet(dir, b); err != nil {
			t.Fatal(err)
		}

		builds := readTable[Build](t, dir, "builds", b)
		if len(builds) != 1 || *builds[0].Release != b.Meta.Release || int(builds[0].Functions) != b.Len() || int(builds[0].Types) != b.TypeLen(0) {
			t.Errorf("%s: builds: %+v", name, builds)
		}

		types := readTable[Type](t, dir, "types", b)
		members := readTable[Member](t, dir, "members", b)
		values := readTable[EnumValue](t, dir, "enum_values", b)
		i := 0
		for d := range b.Types(0) {
			if i >= len(types) {
				t.Fatalf("%s: %d types rows, more types", name, len(types))
			}
			r := types[i]
			vs := b.TypeVariants(d.Kind, d.Name)
			if r.Kind != d.Kind.String() || r.Name != d.Name || int(r.Variants) != len(vs) || vs[r.Variant] != d ||
				(r.Size == nil) != (d.Size < 0) || r.Size != nil && *r.Size != d.Size || int(r.Members) != len(d.Members) || len(r.Locations) != len(d.Locations) {
				t.Errorf("%s: types row %d: %+v, want %s %s", name, i, r, d.Kind, d.Name)
			}
			if d.Kind == kabi.KindEnum {
				var got []kabi.EnumValue
				for _, v := range values {
					if v.Enum == d.Name && v.Variant == r.Variant {
						got = append(got, kabi.EnumValue{Name: v.Name, Value: v.Value})
						if v.Text != d.ValueString(kabi.EnumValue{Name: v.Name, Value: v.Value}) {
							t.Errorf("%s: enum %s %s: text %s", name, d.Name, v.Name, v.Text)
						}
					}
				}
				if !slices.Equal(got, d.Values) {
					t.Errorf("%s: enum %s: values %v, want %v", name, d.Name, got, d.Values)
				}
				counts[0] += len(got)
			} else {
				// The field rows are the fields diff compares, each
				// with the CO-RE access kabi's Field gives.
				var got []diff.Field
				for _, m := range members {
					if m.Kind != r.Kind || m.Type != d.Name || m.Variant != r.Variant || !m.Field {
						continue
					}
					bit := int64(-1)
					if m.BitOffset != nil {
						bit = *m.BitOffset
					}
					got = append(got, diff.Field{Name: m.Name, Decl: m.Decl, BitOffset: bit, BitSize: int64(m.BitSize)})
					if f, ok := d.Field(m.Name); ok && r.Variants == 1 {
						want := "0"
						for _, p := range f.Path {
							want += ":" + strconv.Itoa(p)
						}
						if m.Access != want || bit != f.BitOffset {
							t.Errorf("%s: %s %s.%s: access %s bit %d, want %s bit %d", name, d.Kind, d.Name, m.Name, m.Access, bit, want, f.BitOffset)
						}
					}
				}
				var want []diff.Field
				for _, f := range diff.Fields(d) {
					f.Member = nil
					want = append(want, f)
				}
				if !slices.Equal(got, want) || int(r.Fields) != len(want) {
					t.Errorf("%s: %s %s: fields\n%v, want\n%v", name, d.Kind, d.Name, got, want)
				}
				counts[1] += len(got)
			}
			i++
		}
		if i != len(types) {
			t.Errorf("%s: %d types rows, want %d", name, len(types), i)
		}
		counts[2] += len(types)

		tds := readTable[Typedef](t, dir, "typedefs", b)
		i = 0
		for a := range b.Typedefs() {
			if i >= len(tds) || tds[i].Name != a.Name || (tds[i].Def != nil) != (a.Def != nil) || *tds[i].CType != kabi.Declare(a.Type, "") {
				t.Fatalf("%s: typedefs row %d, want %s", name, i, a.Name)
			}
			i++
		}
		if i != len(tds) {
			t.Errorf("%s: %d typedefs rows, want %d", name, len(tds), i)
		}
		counts[3] += i

		tps := readTable[Tracepoint](t, dir, "tracepoints", b)
		i = 0
		for tp := range b.Tracepoints() {
			r := tps[i]
			known := !tp.EventUnknown
			if r.Name != tp.Name || (r.Flags != nil) != known || (r.Bare != nil) != known || (r.Syscall != nil) != known ||
				known && (*r.Flags != int64(tp.Flags) || *r.Bare != tp.Bare || *r.Syscall != tp.Syscall) || str(r.System) != tp.System ||
				str(r.EventStruct) != tp.EventStruct() || str(r.RawPrototype) != tp.RawPrototype() || str(r.Format) != tp.Format ||
				(r.ProbeSig == nil) != (tp.Probe == nil) {
				t.Errorf("%s: tracepoints row %d: %+v, want %+v", name, i, r, tp)
			}
			i++
		}
		if i != len(tps) {
			t.Errorf("%s: %d tracepoints rows, want %d", name, len(tps), i)
		}
		counts[4] += i

		lsm := readTable[LSMHook](t, dir, "lsm_hooks", b)
		i = 0
		for l := range b.LSMHooks() {
			if r := lsm[i]; r.Name != l.Name || (r.BPFSignature == nil) != (l.BPF == nil) || l.BPF != nil && *r.BPFSignature != l.BPF.String() {
				t.Errorf("%s: lsm_hooks row %d: %+v, want %s", name, i, r, l.Name)
			}
			i++
		}
		if i != len(lsm) {
			t.Errorf("%s: %d lsm_hooks rows, want %d", name, len(lsm), i)
		}
		counts[5] += i

		kfs := readTable[Kfunc](t, dir, "kfuncs", b)
		i = 0
		for k := range b.Kfuncs() {
			if r := kfs[i]; r.Name != k.Name || !slices.Equal(r.Sets, k.Sets) || r.SetsUnknown != k.SetsUnknown {
				t.Errorf("%s: kfuncs row %d: %+v, want %s %v", name, i, r, k.Name, k.Sets)
			}
			i++
		}
		if i != len(kfs) {
			t.Errorf("%s: %d kfuncs rows, want %d", name, len(kfs), i)
		}
		counts[6] += i

		scs := readTable[Syscall](t, dir, "syscalls", b)
		i = 0
		for s := range b.Syscalls() {
			for _, e := range s.Entries {
				known := e.Number >= 0
				if r := scs[i]; r.Name != s.Name || (r.Table != nil) != known || (r.Number != nil) != known ||
					known && (*r.Table != e.Table || int(*r.Number) != e.Number) || r.Wrapper != e.Wrapper {
					t.Errorf("%s: syscalls row %d: %+v, want %s %+v", name, i, r, s.Name, e)
				}
				i++
			}
		}
		if i != len(scs) {
			t.Errorf("%s: %d syscalls rows, want %d", name, len(scs), i)
		}
		counts[7] += i

		cfg := readTable[ConfigOption](t, dir, "config", b)
		i = 0
		for o := range b.Config() {
			if r := cfg[i]; r.Name != o.Name || r.Value != o.Value {
				t.Errorf("%s: config row %d: %+v, want %+v", name, i, r, o)
			}
			i++
		}
		if i != len(cfg) || str(builds[0].ConfigSource) != b.ConfigSource() {
			t.Errorf("%s: %d config rows, want %d; source %v", name, len(cfg), i, builds[0].ConfigSource)
		}
		counts[8] += i
	}
	for i, n := range counts[:9] {
		if n == 0 {
			t.Errorf("the fixtures gave no rows of kind %d: the test checks nothing there", i)
		}
	}
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestDocumented checks that docs/parquet.md has a section per table
// listing exactly the columns the table's files have.
func TestDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "parquet.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]string{}
	cur := ""
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "## ") {
			cur, _, _ = strings.Cut(strings.TrimPrefix(line, "## "), " ")
			continue
		}
		if cur != "" && strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| column") {
			col, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " ")
			sections[cur] = append(sections[cur], col)
		}
	}
	schemas := map[string]*parquet.Schema{
		"builds": parquet.SchemaOf(Build{}), "functions": parquet.SchemaOf(Function{}), "instances": parquet.SchemaOf(Instance{}),
		"calls": parquet.SchemaOf(Call{}), "symbols": parquet.SchemaOf(Symbol{}), "types": parquet.SchemaOf(Type{}),
		"members": parquet.SchemaOf(Member{}), "enum_values": parquet.SchemaOf(EnumValue{}), "typedefs": parquet.SchemaOf(Typedef{}),
		"tracepoints": parquet.SchemaOf(Tracepoint{}), "lsm_hooks": parquet.SchemaOf(LSMHook{}), "kfuncs": parquet.SchemaOf(Kfunc{}),
		"syscalls": parquet.SchemaOf(Syscall{}), "config": parquet.SchemaOf(ConfigOption{}),
	}
	for _, table := range Tables {
		s, ok := schemas[table]
		if !ok {
			t.Errorf("table %s: no row type in the test", table)
			continue
		}
		var cols []string
		for _, f := range s.Fields() {
			cols = append(cols, f.Name())
		}
		if !slices.Equal(sections[table], cols) {
			t.Errorf("docs/parquet.md, table %s: documents %q, the files have %q", table, sections[table], cols)
		}
	}
}

// TestRunningUnknown: a running kernel's functions (no DWARF: where they
// are defined is unknown) have NULL instances, not 0, and Unknown inline
// and collision kinds.
func TestRunningUnknown(t *testing.T) {
	b, err := kabi.OpenRunning("../testdata/running", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteParquet(dir, b); err != nil {
		t.Fatal(err)
	}
	fns := readTable[Function](t, dir, "functions", b)
	if len(fns) != b.Len() || len(fns) == 0 {
		t.Fatalf("%d rows for %d functions", len(fns), b.Len())
	}
	for _, r := range fns {
		if r.Instances != nil || r.Inline != "Unknown" || r.Collision != "Unknown" {
			t.Errorf("%s: instances %v, inline %q, collision %q", r.Name, r.Instances, r.Inline, r.Collision)
		}
	}
}
