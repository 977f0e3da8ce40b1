package kabi

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countdown is a context that is done from its n-th Err call on: it
// stops a long call at each of its checks in turn, deterministically.
type countdown struct {
	context.Context
	n atomic.Int64
}

func newCountdown(n int) *countdown {
	c := &countdown{Context: context.Background()}
	c.n.Store(int64(n))
	return c
}

func (c *countdown) Err() error {
	if c.n.Add(-1) <= 0 {
		return context.Canceled
	}
	return nil
}

// stopsAtEveryCheck calls f with a context done at its first check, its
// second, ... until f completes: each call before must fail with
// context.Canceled, and f must have been stopped at least min times
// (checks exist along the way). It returns the number of checks.
func stopsAtEveryCheck(t *testing.T, what string, min int, f func(ctx context.Context) error) int {
	t.Helper()
	for n := 1; ; n++ {
		err := f(newCountdown(n))
		if err == nil {
			if n-1 < min {
				t.Errorf("%s: completed after %d checks, want at least %d", what, n-1, min)
			}
			return n - 1
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: stopped at check %d: %v, want context.Canceled", what, n, err)
		}
		if n > 100000 {
			t.Fatalf("%s: never completes", what)
		}
	}
}

// TestOpenContext: OpenContext stops at each compile unit, each module
// and each package member, with ctx.Err(); a context never done reads the
// same build as Open.
func TestOpenContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := OpenContext(ctx, "testdata/x86_64-dwarf5.elf", nil); err != context.Canceled {
		t.Errorf("a done context: %v", err)
	}

	// Cancelled from the progress callback after the first unit: no
	// further unit is analysed.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	_, err := OpenContext(ctx, "testdata/x86_64-dwarf5.elf", &Options{Progress: func(done, total int) {
		calls++
		cancel()
	}})
	if err != context.Canceled || calls != 1 {
		t.Errorf("cancelled after the first unit: %v, %d progress calls, want context.Canceled after 1", err, calls)
	}

	units := stopsAtEveryCheck(t, "vmlinux", 3, func(ctx context.Context) error {
		_, err := OpenContext(ctx, "testdata/x86_64-dwarf5.elf", nil)
		return err
	})
	mods := stopsAtEveryCheck(t, "vmlinux and modules", units+2, func(ctx context.Context) error {
		_, err := OpenContext(ctx, "testdata/x86_64-dwarf5.elf", &Options{ModuleDir: filepath.Join("testdata", "modules", "6.1.99-1-amd64")})
		return err
	})
	stopsAtEveryCheck(t, "package", units+2, func(ctx context.Context) error {
		_, err := OpenContext(ctx, "testdata/deb/linux-image-6.1.99-1-amd64-dbg_6.1.99-1_amd64.deb", nil)
		return err
	})
	stopsAtEveryCheck(t, "package in xz blocks, read at offsets", units+1, func(ctx context.Context) error {
		_, err := OpenContext(ctx, "testdata/deb/multiblock.deb", nil)
		return err
	})
	t.Logf("checks: %d for the vmlinux, %d with its modules", units, mods)

	// A context never done: the same build as Open.
	b, err := OpenContext(context.Background(), "testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, got bytes.Buffer
	if err := fixture(t, "x86_64-dwarf5").WriteIndex(&want); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteIndex(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Error("OpenContext read another build than Open")
	}
}

// TestWriteIndexContext: writing an index stops at each block and
// section with ctx.Err(); the file is then left as it was.
func TestWriteIndexContext(t *testing.T) {
	b := fixture(t, "x86_64-dwarf5")
	stopsAtEveryCheck(t, "index", 2, func(ctx context.Context) error {
		return b.WriteIndexContext(ctx, &bytes.Buffer{})
	})
	path := filepath.Join(t.TempDir(), "x.kabi")
	if err := os.WriteFile(path, []byte("before"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteIndexFileContext(newCountdown(2), path, b); err != context.Canceled {
		t.Errorf("WriteIndexFileContext: %v, want context.Canceled", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "before" {
		t.Errorf("a stopped write changed the file: %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("a stopped write left files: %v", entries)
	}
}

// TestOpenContextKernel: cancelling the read of a real kernel a quarter
// of the way through its compile units (whatever the machine's speed)
// returns promptly (it logs how long after the cancel).
func TestOpenContextKernel(t *testing.T) {
	path := realKernel(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var at atomic.Int64
	var once sync.Once
	opts := &Options{Progress: func(done, total int) {
		if total > 0 && done >= total/4 {
			once.Do(func() {
				at.Store(time.Now().UnixNano())
				cancel()
			})
		}
	}}
	_, err := OpenContext(ctx, path, opts)
	if err != context.Canceled {
		t.Fatalf("%v, want context.Canceled", err)
	}
	took := time.Duration(time.Now().UnixNano() - at.Load())
	t.Logf("returned %v after the cancel", took)
	if took > 3*time.Second { // a shared machine: a generous bound
		t.Errorf("returned %v after the cancel, want within 3 s", took)
	}
}
