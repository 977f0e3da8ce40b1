package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/check"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema compiles the official SARIF 2.1.0 JSON schema
// (testdata/sarif-schema-2.1.0.json, as OASIS publishes it) with a JSON
// Schema draft-07 validator that also asserts the formats (uri,
// date-time) the schema names.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	const url = "file:///testdata/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validate checks a SARIF log, as bytes, against the schema.
func validate(sch *jsonschema.Schema, log []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// fixtureCheck checks the check package's fixture objects against the
// fixture builds they are written for.
func fixtureCheck(t *testing.T) *check.Report {
	t.Helper()
	var objs []*check.Object
	for _, n := range []string{"probes", "tracing", "core"} {
		o, err := check.Open(filepath.Join("..", "check", "testdata", n+".bpf.o"), nil)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	var builds []*kabi.Build
	for _, n := range []string{"cmp-6.1.99-1-amd64", "cmp-6.2.5-1-amd64", "cmp-6.3.1-2-amd64"} {
		b, err := kabi.Open(filepath.Join("..", "testdata", n+".elf"), nil)
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, b)
	}
	return check.Check(objs, builds)
}

// TestSARIFSchema validates kabi's SARIF against the full SARIF 2.1.0
// schema, and checks that the validation rejects logs that break it.
func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	r := fixtureCheck(t)
	for _, s := range []SARIF{{}, {SourceRoot: "/tmp/kabi-bpf-fixture"}} {
		var buf bytes.Buffer
		if err := s.Check(&buf, r); err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if err := validate(sch, buf.Bytes()); err != nil {
			t.Errorf("SARIF (source root %q) fails the schema:\n%v", s.SourceRoot, err)
		}
		res := doc.(map[string]any)["runs"].([]any)[0].(map[string]any)["results"].([]any)
		if len(res) == 0 {
			t.Fatal("no results")
		}
		loc := res[0].(map[string]any)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		uri := loc["artifactLocation"].(map[string]any)["uri"].(string)
		if s.SourceRoot != "" && strings.HasPrefix(uri, "file:") {
			t.Errorf("with a source root, a location is %s", uri)
		}
		if s.SourceRoot == "" && !strings.HasPrefix(uri, "file:///tmp/kabi-bpf-fixture/") {
			t.Errorf("without a source root, a location is %s", uri)
		}
	}
	// The validation must fail logs that break the schema.
	for name, mutate := range map[string]func(m map[string]any){
		"bad level":    func(m map[string]any) { result(m)["level"] = "fatal" },
		"no message":   func(m map[string]any) { delete(result(m), "message") },
		"line 0":       func(m map[string]any) { region(m)["startLine"] = 0.0 },
		"extra field":  func(m map[string]any) { result(m)["severity"] = "high" },
		"bad version":  func(m map[string]any) { m["version"] = "2.0.0" },
		"no tool name": func(m map[string]any) { delete(run(m)["tool"].(map[string]any)["driver"].(map[string]any), "name") },
		"relative info": func(m map[string]any) {
			run(m)["tool"].(map[string]any)["driver"].(map[string]any)["informationUri"] = "kabi"
		},
		"no driver":     func(m map[string]any) { delete(run(m)["tool"].(map[string]any), "driver") },
		"string line":   func(m map[string]any) { region(m)["startLine"] = "12" },
		"empty message": func(m map[string]any) { result(m)["message"] = map[string]any{} },
		"bad rule kind": func(m map[string]any) { result(m)["kind"] = "error" },
	} {
		var buf bytes.Buffer
		if err := (SARIF{}).Check(&buf, r); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		mutate(doc)
		bad, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(sch, bad); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

func run(m map[string]any) map[string]any { return m["runs"].([]any)[0].(map[string]any) }
func result(m map[string]any) map[string]any {
	return run(m)["results"].([]any)[0].(map[string]any)
}
func region(m map[string]any) map[string]any {
	return result(m)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)
}

// TestCheckDeterministic renders every format twice, the second time
// with one processor, and wants the same bytes.
func TestCheckDeterministic(t *testing.T) {
	for _, format := range []string{"text", "json", "md", "html", "sarif"} {
		rend, err := ForCheck(format)
		if err != nil {
			t.Fatal(err)
		}
		var a, b bytes.Buffer
		if err := rend.Check(&a, fixtureCheck(t)); err != nil {
			t.Fatal(err)
		}
		old := runtime.GOMAXPROCS(1)
		err = rend.Check(&b, fixtureCheck(t))
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: output differs between runs", format)
		}
	}
}
