// Package fuzzcount lets fuzz targets count their own executions. Go's
// fuzzing coordinator often stops counting a worker's executions
// (golang/go#51484); with KABI_FUZZ_COUNTS naming a folder, each fuzzing
// process writes its count there every second, as NAME.PID.
package fuzzcount

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

var (
	execs atomic.Int64
	once  sync.Once
)

// Count records one execution of the fuzz target name.
func Count(name string) {
	execs.Add(1)
	once.Do(func() {
		dir := os.Getenv("KABI_FUZZ_COUNTS")
		if dir == "" {
			return
		}
		path := filepath.Join(dir, fmt.Sprintf("%s.%d", name, os.Getpid()))
		go func() {
			for range time.Tick(time.Second) {
				os.WriteFile(path, []byte(fmt.Sprint(execs.Load())), 0o644)
			}
		}()
	})
}
