package main

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// TestDumpDeterministic: `kabi dump` of every fixture gives the same bytes
// under GOMAXPROCS 1, 2 and 8 (the decoding concurrency follows it) and
// across runs; so does `kabi report -format json` over the comparison
// builds.
func TestDumpDeterministic(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.elf")
	if len(files) < 19 {
		t.Fatalf("%d fixtures", len(files))
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	cmds := [][]string{{"report", "-format", "json", "-default", "0", "kfx_cmp_config",
		"../../testdata/cmp-6.1.99-1-amd64.elf", "../../testdata/cmp-6.2.5-1-amd64.elf", "../../testdata/cmp-6.3.1-2-amd64.elf",
		"../../testdata/i386.elf", "../../testdata/cmp-6.1.99-1-cloud-amd64.elf"}}
	for _, f := range files {
		cmds = append(cmds, []string{"dump", f})
	}
	for _, args := range cmds {
		var first string
		for i, procs := range []int{1, 2, 8, 8, 1} {
			runtime.GOMAXPROCS(procs)
			out, err := runOut(t, args...)
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			sum := fmt.Sprintf("%x", sha256.Sum256([]byte(out)))
			if i == 0 {
				first = sum
				if len(out) < 1000 {
					t.Errorf("%v: only %d bytes", args, len(out))
				}
			} else if sum != first {
				t.Errorf("%v: output differs under GOMAXPROCS %d (run %d)", args, procs, i+1)
			}
		}
	}
}
