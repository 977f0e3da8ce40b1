package dwarfx

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Go's fuzzing coordinator often stops counting a worker's executions
// (golang/go#51484). With KABI_FUZZ_COUNTS naming a folder, each fuzzing
// process writes its own count there every second, as NAME.PID.
var (
	fuzzExecs     atomic.Int64
	fuzzCountOnce sync.Once
)

func countFuzzExec(name string) {
	fuzzExecs.Add(1)
	fuzzCountOnce.Do(func() {
		dir := os.Getenv("KABI_FUZZ_COUNTS")
		if dir == "" {
			return
		}
		path := filepath.Join(dir, fmt.Sprintf("%s.%d", name, os.Getpid()))
		go func() {
			for range time.Tick(time.Second) {
				os.WriteFile(path, []byte(fmt.Sprint(fuzzExecs.Load())), 0o644)
			}
		}()
	})
}
