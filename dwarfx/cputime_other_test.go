//go:build !unix

package dwarfx

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
