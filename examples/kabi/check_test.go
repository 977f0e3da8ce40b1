package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	checkV1    = "../../testdata/cmp-6.1.99-1-amd64.elf"
	checkV2    = "../../testdata/cmp-6.2.5-1-amd64.elf"
	probesObj  = "../../check/testdata/probes.bpf.o"
	tracingObj = "../../check/testdata/tracing.bpf.o"
)

// TestCheckExit checks kabi check's exit statuses: 1 when a finding
// reaches -fail-on, 0 when none does, 2 for bad input.
func TestCheckExit(t *testing.T) {
	code := exitStatus
	bad := filepath.Join(t.TempDir(), "bad.bpf.o")
	good, err := os.ReadFile(probesObj)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"check", probesObj, checkV1, checkV2}, 1},                                                                            // attach failure in v2 reaches wrong-data
		{[]string{"check", "-fail-on", "never", probesObj, checkV1, checkV2}, 0},                                                       // never fails
		{[]string{"check", "-fail-on", "load-failure", probesObj, checkV1, checkV2}, 1},                                                // the fixtures have no struct pt_regs for BPF_KSYSCALL's CO-RE reads
		{[]string{"check", "-fail-on", "load-failure", "-target", "probe_any=vmap", "../../check/testdata/tracing.bpf.o", checkV1}, 1}, // lsm/file_open: no bpf_lsm_file_open
		{[]string{"check", "-fail-on", "attach", probesObj, checkV1, checkV2}, 1},                                                      // ksyscall/openat: no wrapper
		{[]string{"check", "-fail-on", "load", tracingObj, checkV1}, 1},                                                                // lsm/file_open: no bpf_lsm_file_open
		{[]string{"check", bad, checkV1}, 2},                                                                                           // truncated object
		{[]string{"check", probesObj, "../../check/testdata/nobtf.bpf.o", checkV1}, 2},                                                 // no BTF
		{[]string{"check", probesObj, "../../check/doc.go"}, 2},                                                                        // not a build
		{[]string{"check", "-fail-on", "sometimes", probesObj, checkV1}, 2},                                                            // bad flag
		{[]string{"check", probesObj}, 2},                                                                                              // no build
	} {
		_, err := runOut(t, c.args...)
		if got := code(err); got != c.want {
			t.Errorf("kabi %s: exit %d (%v), want %d", strings.Join(c.args, " "), got, err, c.want)
		}
	}
}

// TestCheckFormats runs every format and checks what each must hold.
func TestCheckFormats(t *testing.T) {
	for format, want := range map[string][]string{
		"text":  {"kprobe kfx_cmp_legacy_ioctl", "6.2.5-1-amd64: attach failure: absent: the attach fails", "worst: load failure"},
		"md":    {"# Check: <code>", "| function |", "<li>In <code>6.2.5-1-amd64</code>: ❌ attach failure: absent: the attach fails</li>"},
		"html":  {"<!DOCTYPE html>", `class="c-attach-failure"`},
		"json":  {`"schema": "kabi.check-report/v1"`, `"consequence": "attach failure"`},
		"sarif": {`"version": "2.1.0"`, `"ruleId": "kabi/attach-failure"`},
	} {
		out, err := runOut(t, "check", "-format", format, "-fail-on", "never", "-target", "probe_any=vmap", probesObj, checkV1, checkV2)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", format, w, out)
			}
		}
		if format == "json" || format == "sarif" {
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Errorf("%s: %v", format, err)
			}
		}
		if strings.Contains(out, "target set at load time") {
			t.Errorf("%s: -target did not name probe_any's target", format)
		}
	}
}
