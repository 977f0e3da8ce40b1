package render

import (
	"bytes"
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
		if !strings.Contains(b1.String(), `"schema": "kabi.function-report/v1"`) {
			t.Errorf("%s: no schema field", path)
		}
	}
}

func TestJSONRefusesOtherSchemas(t *testing.T) {
	for _, in := range []string{
		`{"schema":"kabi.function-report/v2","name":"x","groups":[]}`,
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
