package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// TestHookFormats renders one hook report and one hook diff of the hooks
// fixtures in every format.
func TestHookFormats(t *testing.T) {
	var builds []*kabi.Build
	for _, f := range []string{"hooks-6.1.99-1-amd64", "hooks-6.2.5-1-amd64"} {
		b, err := kabi.Open("../testdata/"+f+".elf", nil)
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, b)
	}
	groups := []diff.Group{{Name: "Regular", Pairing: diff.Chain, Members: []diff.Member{{Label: "6.1", Build: 0}, {Label: "6.2", Build: 1}}}}
	r := diff.Hook(kabi.Ref{Kind: kabi.KindTracepoint, Name: "block_rq_issue"}, builds, groups)
	var txt, js, page bytes.Buffer
	if err := (Text{}).Hook(&txt, r); err != nil {
		t.Fatal(err)
	}
	if err := (JSON{}).Hook(&js, r); err != nil {
		t.Fatal(err)
	}
	if err := (HTML{}).Hook(&page, r); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, out string
		want      []string
	}{
		{"text", txt.String(), []string{"tracepoint:block_rq_issue\n", "  6.1 → 6.2:\n", "    Event changed: Field added: unsigned int bytes; Field moved: rwbs: offset 20 -> 24\n", "tp_btf: typedef void (*btf_trace_block_rq_issue)(void *__data, struct kfx_request *rq);"}},
		{"json", js.String(), []string{`"schema": "kabi.hook-report/v1"`, `"kind": "Func changed"`, `"func": "trace_event_raw_event_block_rq"`}},
		{"html", page.String(), []string{"<title>tracepoint:block_rq_issue", "Changed between <code>6.1</code> and <code>6.2</code>", "unsigned int bytes;"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.out, w) {
				t.Errorf("%s lacks %q:\n%s", c.name, w, c.out)
			}
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Errorf("json: %v", err)
	}
	var dtxt, djs bytes.Buffer
	ds := diff.HookSurfaces(builds[0], builds[1])
	if err := (Text{}).Hooks(&dtxt, ds); err != nil {
		t.Fatal(err)
	}
	if err := (JSON{}).Hooks(&djs, ds); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dtxt.String(), "syscall: 3 in both, 1 added, 0 removed, 1 changed\n") {
		t.Errorf("hook diff text:\n%s", dtxt.String())
	}
	if err := json.Unmarshal(djs.Bytes(), &doc); err != nil || doc["schema"] != "kabi.hook-diff/v1" {
		t.Errorf("hook diff json: %v %v", err, doc["schema"])
	}
}
