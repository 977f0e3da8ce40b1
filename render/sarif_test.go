package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/check"
)

// schemaValidator checks JSON values against a JSON Schema (draft 7),
// for the keywords the SARIF schema subset in testdata uses; a keyword it
// does not know fails the check, so the subset cannot use one silently.
type schemaValidator struct {
	root map[string]any
}

var ignoredKeywords = map[string]bool{"$schema": true, "$id": true, "$comment": true, "description": true, "default": true, "definitions": true}

func (v *schemaValidator) validate(s map[string]any, x any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if ref, ok := s["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		def, ok2 := v.root["definitions"].(map[string]any)[name].(map[string]any)
		if !ok || !ok2 {
			return []string{path + ": unresolved $ref " + ref}
		}
		errs = append(errs, v.validate(def, x, path)...)
	}
	obj, isObj := x.(map[string]any)
	arr, isArr := x.([]any)
	str, isStr := x.(string)
	num, isNum := x.(float64)
	for k, val := range s {
		switch k {
		case "$ref":
		case "type":
			ok := false
			switch val {
			case "object":
				ok = isObj
			case "array":
				ok = isArr
			case "string":
				ok = isStr
			case "number":
				ok = isNum
			case "integer":
				ok = isNum && num == float64(int64(num))
			case "boolean":
				_, ok = x.(bool)
			}
			if !ok {
				fail("not of type %v", val)
			}
		case "properties":
			if isObj {
				for name, sub := range val.(map[string]any) {
					if y, ok := obj[name]; ok {
						errs = append(errs, v.validate(sub.(map[string]any), y, path+"."+name)...)
					}
				}
			}
		case "additionalProperties":
			if !isObj {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for name, y := range obj {
				if _, ok := props[name]; ok {
					continue
				}
				switch a := val.(type) {
				case bool:
					if !a {
						fail("property %q not allowed", name)
					}
				case map[string]any:
					errs = append(errs, v.validate(a, y, path+"."+name)...)
				}
			}
		case "required":
			if isObj {
				for _, r := range val.([]any) {
					if _, ok := obj[r.(string)]; !ok {
						fail("missing required %q", r)
					}
				}
			}
		case "enum":
			found := false
			for _, e := range val.([]any) {
				if e == x {
					found = true
				}
			}
			if !found {
				fail("%v not in enum %v", x, val)
			}
		case "items":
			for i, y := range arr {
				errs = append(errs, v.validate(val.(map[string]any), y, fmt.Sprintf("%s[%d]", path, i))...)
			}
		case "minItems":
			if isArr && float64(len(arr)) < val.(float64) {
				fail("fewer than %v items", val)
			}
		case "uniqueItems":
			if isArr && val.(bool) {
				seen := map[string]bool{}
				for _, y := range arr {
					b, _ := json.Marshal(y)
					if seen[string(b)] {
						fail("duplicate item %s", b)
					}
					seen[string(b)] = true
				}
			}
		case "minimum":
			if isNum && num < val.(float64) {
				fail("%v below minimum %v", num, val)
			}
		case "maximum":
			if isNum && num > val.(float64) {
				fail("%v above maximum %v", num, val)
			}
		case "pattern":
			if isStr && !regexp.MustCompile(val.(string)).MatchString(str) {
				fail("%q does not match %s", str, val)
			}
		case "format":
			if !isStr {
				continue
			}
			u, err := url.Parse(str)
			switch {
			case err != nil:
				fail("%q is no URI reference: %v", str, err)
			case val == "uri" && u.Scheme == "":
				fail("%q is no absolute URI", str)
			case val != "uri" && val != "uri-reference":
				fail("unknown format %v", val)
			}
		case "anyOf":
			ok := false
			for _, alt := range val.([]any) {
				if len(v.validate(alt.(map[string]any), x, path)) == 0 {
					ok = true
				}
			}
			if !ok {
				fail("matches none of anyOf")
			}
		default:
			if !ignoredKeywords[k] {
				fail("schema keyword %q not supported by this validator", k)
			}
		}
	}
	slices.Sort(errs)
	return errs
}

func loadSARIFSchema(t *testing.T) *schemaValidator {
	t.Helper()
	b, err := os.ReadFile("testdata/sarif-schema-2.1.0-subset.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	return &schemaValidator{root: root}
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

// TestSARIFSchema validates kabi's SARIF against the SARIF 2.1.0 schema
// (the objects it uses; testdata/sarif-schema-2.1.0-subset.json), and
// checks that the validator rejects broken logs.
func TestSARIFSchema(t *testing.T) {
	v := loadSARIFSchema(t)
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
		if errs := v.validate(v.root, doc, "$"); len(errs) > 0 {
			t.Errorf("SARIF (source root %q) fails the schema:\n%s", s.SourceRoot, strings.Join(errs, "\n"))
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
	// The validator must fail broken logs.
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
		if errs := v.validate(v.root, doc, "$"); len(errs) == 0 {
			t.Errorf("%s: the validator accepts it", name)
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
