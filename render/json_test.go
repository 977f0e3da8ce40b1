package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kabi-dev/kabi"
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
