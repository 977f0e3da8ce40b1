package render

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// TestJSONRoundTrip encodes the reports behind the reference pages, and a
// report with clones, qualifiers and arrays, decodes them, and expects
// equal reports back — and the same bytes when encoded again.
func TestJSONRoundTrip(t *testing.T) {
	sigs := map[string]*kabi.Signature{}
	for _, s := range referenceSigs() {
		sigs[s.String()] = s
	}
	files, _ := filepath.Glob("testdata/reference/*.md")
	for _, path := range files {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := parsePage(t, string(text), sigs).report()
		var b1 bytes.Buffer
		if err := (JSON{}).Function(&b1, r); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeFunction(bytes.NewReader(b1.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d := cmp.Diff(r, back); d != "" {
			t.Errorf("%s: decoded report differs (-want +got):\n%s", path, d)
		}
		var b2 bytes.Buffer
		(JSON{}).Function(&b2, back)
		if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
			t.Errorf("%s: re-encoding differs", path)
		}
		if !strings.Contains(b1.String(), `"schema": "kabi.function-report/v2"`) {
			t.Errorf("%s: no schema field", path)
		}
	}
}

func TestJSONRefusesOtherSchemas(t *testing.T) {
	for _, in := range []string{
		`{"schema":"kabi.function-report/v3","name":"x","groups":[]}`,
		`{"name":"x","groups":[]}`,
		`not json`,
		`{"schema":"kabi.function-report/v1","name":"x","groups":[{"status":[{"label":"a","function":{"name":"x","signature":{"return":{"kind":"quux"}}}}]}]}`,
	} {
		if _, err := DecodeFunction(strings.NewReader(in)); err == nil {
			t.Errorf("decoded %s", in)
		}
	}
}

// TestSurfaceJSONRoundTrip encodes the diff of two comparison fixtures
// and decodes it back.
func TestSurfaceJSONRoundTrip(t *testing.T) {
	d := diff.Surfaces(fixtureBuild(t, "cmp-6.2.5-1-amd64.elf"), fixtureBuild(t, "cmp-6.3.1-2-amd64.elf"))
	if len(d.Changed) == 0 || len(d.Inline) == 0 || len(d.Collision) == 0 || len(d.Transformation) == 0 {
		t.Fatalf("the fixtures should differ in every way: %+v", d)
	}
	var b bytes.Buffer
	if err := (JSON{}).Surface(&b, d); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeSurface(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if c := cmp.Diff(d, back); c != "" {
		t.Errorf("decoded diff differs (-want +got):\n%s", c)
	}
	if _, err := DecodeSurface(strings.NewReader(`{"schema":"kabi.surface-diff/v9"}`)); err == nil {
		t.Error("a newer schema decoded")
	}
}

// TestJSONAddresses: addresses are hex strings that keep every bit of a
// kernel address (a float64 reader, as JavaScript's and jq's, rounds a
// number above 2^53), and version 1 documents, with addresses as numbers
// and callers' keys as Go names, still decode to the same report.
func TestJSONAddresses(t *testing.T) {
	const addr = 0xffffffff81234567 // odd: float64 cannot hold it
	f := &kabi.Function{Name: "vmap", Collision: kabi.UniqueGlobal, Inline: kabi.InlineNo,
		Instances: []*kabi.Instance{{File: "mm/vmalloc.c", Location: kabi.Location{File: "mm/vmalloc.c", Line: 2847}, Address: addr, HasAddr: true,
			External: true, DirectCallers: []kabi.Caller{{File: "kernel/relay.c", Function: "relay_open_buf", Addr: addr + 2, HasAddr: true}}}},
		Symbols: []*kabi.Symbol{{Name: "vmap", Address: addr, Size: 0x140, Bind: elf.STB_GLOBAL, Stem: "vmap", Section: ".text"}}}
	r := &diff.FunctionReport{Name: "vmap", Groups: []diff.GroupReport{{Name: "Builds", Pairing: diff.Chain,
		Status: []diff.BuildStatus{{Label: "6.1", Function: f}}}}}
	var b bytes.Buffer
	if err := (JSON{Compact: true}).Function(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"address":"0xffffffff81234567"`, `"address":"0xffffffff81234569"`, `"file":"kernel/relay.c","function":"relay_open_buf"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %s in %s", want, b.String())
		}
	}
	// As a float64 reader sees it: the string holds the exact address.
	var generic struct {
		Groups []struct {
			Status []struct {
				Function struct {
					Instances []map[string]any
					Symbols   []map[string]any
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &generic); err != nil {
		t.Fatal(err)
	}
	fn := generic.Groups[0].Status[0].Function
	for _, v := range []any{fn.Instances[0]["address"], fn.Symbols[0]["address"]} {
		if s, ok := v.(string); !ok || s != "0xffffffff81234567" {
			t.Errorf("a generic reader sees the address as %#v", v)
		}
	}
	back, err := DecodeFunction(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, back); d != "" {
		t.Errorf("decoded report differs (-want +got):\n%s", d)
	}
	// The same report as version 1 wrote it.
	v1 := strings.NewReplacer(`"kabi.function-report/v2"`, `"kabi.function-report/v1"`,
		`"address":"0xffffffff81234567"`, `"address":18446744071581156711`,
		`"file":"kernel/relay.c","function":"relay_open_buf"`, `"File":"kernel/relay.c","Function":"relay_open_buf"`,
		`"address":"0xffffffff81234569"`, `"address":"0xffffffff81234569"`).Replace(b.String())
	if v1 == b.String() || strings.Contains(v1, `"0xffffffff81234567"`) {
		t.Fatalf("no version 1 document made: %s", v1)
	}
	old, err := DecodeFunction(strings.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, old); d != "" {
		t.Errorf("version 1 decoded differently (-want +got):\n%s", d)
	}
	for _, bad := range []string{`"0xzz"`, `"ffff"`, `-1`, `1.5`} {
		doc := strings.Replace(b.String(), `"0xffffffff81234567"`, bad, 1)
		if _, err := DecodeFunction(strings.NewReader(doc)); err == nil {
			t.Errorf("address %s decoded", bad)
		}
	}
}

// TestSurfaceJSONVersion1: the metadata is written with its JSON names
// ("build_id"), and a version 1 document, which had the Go field names
// ("BuildID"), decodes to the same diff.
func TestSurfaceJSONVersion1(t *testing.T) {
	d := diff.Surfaces(fixtureBuild(t, "cmp-6.2.5-1-amd64.elf"), fixtureBuild(t, "cmp-6.3.1-2-amd64.elf"))
	var b bytes.Buffer
	if err := (JSON{Compact: true}).Surface(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"build_id":"`, `"package_version":""`, `"kinds":[{"kind":"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %s in %s", want, b.String())
		}
	}
	v1 := b.String()
	for _, k := range [][2]string{{"schema\":\"kabi.surface-diff/v2", "schema\":\"kabi.surface-diff/v1"}, {"file", "File"}, {"release", "Release"}, {"version", "Version"},
		{"revision", "Revision"}, {"flavor", "Flavor"}, {"arch", "Arch"}, {"compiler", "Compiler"}, {"banner", "Banner"},
		{"build_id", "BuildID"}, {"package", "Package"}, {"package_version", "PackageVersion"}, {"kind", "Kind"}, {"count", "Count"}} {
		v1 = strings.ReplaceAll(v1, `"`+k[0]+`"`, `"`+k[1]+`"`)
	}
	// A kabi diff stream: more documents after the first.
	v1 += "\n{\"schema\":\"kabi.hook-diff/v1\",\"kinds\":[]}\n"
	back, err := DecodeSurface(strings.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if c := cmp.Diff(d, back); c != "" {
		t.Errorf("version 1 decoded differently (-want +got):\n%s", c)
	}
	if back.Old.BuildID == "" || back.New.Release == "" {
		t.Errorf("version 1 metadata lost: %+v %+v", back.Old, back.New)
	}
}
