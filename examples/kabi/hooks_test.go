package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
)

const (
	hooksV1 = "../../testdata/hooks-6.1.99-1-amd64.elf"
	hooksV2 = "../../testdata/hooks-6.2.5-1-amd64.elf"
)

func TestHookCommands(t *testing.T) {
	out, err := runOut(t, "report", "-format", "md", "tracepoint:block_rq_issue", hooksV1, hooksV2)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Tracepoint: <code>block_rq_issue</code>\n", "Event:\n\n```c\nstruct trace_event_raw_block_rq {\n",
		"<b>Func changed. </b>\n", "<b>Param removed. </b>\n<code>void *q</code>\n", "<b>Event changed. </b>\n", "<b>Field added. </b>\n<code>unsigned int bytes</code>\n", "<b>Field moved. </b>\n<code>rwbs: offset 20 -> 24</code>\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("report md lacks %q:\n%s", want, out)
		}
	}
	out, err = runOut(t, "report", "-format", "json", "syscall:openat", hooksV1, hooksV2)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string
		Groups []struct {
			Pairs []struct{ Changes []struct{ Text string } }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Schema != "kabi.hook-report/v1" ||
		doc.Groups[0].Pairs[0].Changes[0].Text != "Renumbered in sys_call_table: 3 -> 4" {
		t.Errorf("report json: %v\n%s", err, out)
	}
	out, err = runOut(t, "diff", hooksV1, hooksV2)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kabi.HookKinds() {
		if !strings.Contains(out, "\n"+k.String()+": ") {
			t.Errorf("diff does not summarise %s:\n%s", k, out)
		}
	}
	out, err = runOut(t, "show", "-format", "json", "config:CONFIG_HZ", hooksV2)
	if err != nil || out != `{"kind":"config","name":"CONFIG_HZ","value":"1000"}`+"\n" {
		t.Errorf("show config: %v %q", err, out)
	}
	if _, err := runOut(t, "show", "lsm:no_such_hook", hooksV1); !errors.Is(err, kabi.ErrNotFound) {
		t.Errorf("show of a missing hook: %v", err)
	}
	out, err = runOut(t, "dump", hooksV1)
	if err != nil || !strings.Contains(out, `{"kind":"tracepoint","name":"block_rq_insert",`) {
		t.Errorf("dump: %v", err)
	}
	out2, err := runOut(t, "dump", "-hooks=false", hooksV1)
	if err != nil || strings.Contains(out2, `"kind":"tracepoint"`) || !strings.HasPrefix(out, out2) {
		t.Errorf("dump -hooks=false: %v", err)
	}
}

func TestHookSitePages(t *testing.T) {
	dir := t.TempDir()
	if _, err := runOut(t, "report", "-all", "-format", "md", "-o", dir, hooksV1, hooksV2); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"tracepoint/b/block_rq_issue.md", "lsm/f/file_open.md", "kfunc/b/bpf_kfx_file_mode.md",
		"syscall/o/openat.md", "config/c/CONFIG_HZ.md"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if !strings.HasPrefix(string(b), "# ") {
			t.Errorf("%s: %q", p, b)
		}
	}
}
