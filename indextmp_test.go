package kabi

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestIndexStaleTemps: a write of an index removes the temporaries that
// earlier writes of it left when they were killed (their process gone, or,
// for names without a process ID, old), and leaves the others: those of a
// running writer, and those of other index files.
func TestIndexStaleTemps(t *testing.T) {
	// A process ID that no process has any longer.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(cmd.Process.Pid)
	dir := t.TempDir()
	path := filepath.Join(dir, "6.1.99-1-amd64.kabi")
	files := map[string]bool{ // name: whether it must remain
		".6.1.99-1-amd64.kabi.tmp-" + dead + "-123456":                   false,
		".6.1.99-1-amd64.kabi.tmp987654":                                 false, // old name, old file
		".6.1.99-1-amd64.kabi.tmp-" + strconv.Itoa(os.Getpid()) + "-777": true,  // a write in progress
		".6.1.99-1-amd64.kabi.tmp555":                                    true,  // old name, recent
		".6.2.5-1-amd64.kabi.tmp-" + dead + "-1":                         true,  // another index's
		"notes.txt":                                                      true,
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleAge)
	os.Chtimes(filepath.Join(dir, ".6.1.99-1-amd64.kabi.tmp987654"), old, old)
	if err := WriteIndexFile(path, fixture(t, "cmp-6.1.99-1-amd64")); err != nil {
		t.Fatal(err)
	}
	for name, keep := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if (err == nil) != keep {
			t.Errorf("%s: exists %v, want %v", name, err == nil, keep)
		}
	}
	ents, _ := os.ReadDir(dir)
	if want := 5; len(ents) != want { // the four kept, and the index
		t.Errorf("%d files left, want %d", len(ents), want)
	}
}
