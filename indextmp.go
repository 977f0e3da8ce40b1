package kabi

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// An index file is written to a hidden temporary file beside it, named
// ".NAME.tmp-PID-RANDOM", and renamed into place: a reader never sees half
// a file. A writer killed before the rename leaves its temporary behind;
// the next write of the same index removes those whose process is gone.

// tempPrefix is the prefix of the temporaries for the index file path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// createIndexTemp creates the temporary file for writing the index file
// path, after removing stale temporaries of earlier writes of it.
func createIndexTemp(path string) (*os.File, error) {
	removeStaleTemps(path)
	return os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"-"+strconv.Itoa(os.Getpid())+"-*")
}

// staleAge is the age after which a temporary that names no process (as
// older versions named them) is stale: writing one takes seconds.
const staleAge = time.Hour

// removeStaleTemps removes the temporaries of the index file path whose
// writer is gone: its process no longer runs, or, for a name without a
// process ID, it is older than staleAge. Errors are ignored: a temporary
// that cannot be removed is left as it is.
func removeStaleTemps(path string) {
	prefix := tempPrefix(path)
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	for _, e := range ents {
		name, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		stale := false
		if rest, ok := strings.CutPrefix(name, "-"); ok {
			pidText, _, _ := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidText)
			stale = err == nil && pid > 0 && pid != os.Getpid() && !processRuns(pid)
		} else if fi, err := e.Info(); err == nil {
			stale = time.Since(fi.ModTime()) > staleAge
		}
		if stale {
			os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}

// processRuns reports whether a process with the ID pid runs on this
// machine (true when it cannot tell).
func processRuns(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	if runtime.GOOS == "windows" {
		return true // FindProcess succeeded: it exists
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
