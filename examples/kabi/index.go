package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kabi-dev/kabi"
)

// An indexJob is one BUILD of `kabi index`.
type indexJob struct {
	build, out string
	label      string
	moduleDir  string       // the module tree read with the vmlinux (-modules)
	pkgModules bool         // the module tree of the package (-modules auto)
	state      atomic.Value // string: "waiting", "analysing", "writing", "done", "up to date", "failed"
	done       atomic.Int64 // compile units
	total      atomic.Int64
	msg        string       // the line printed when the job ends
	mkdir      func() error // makes the output folder, once for all jobs
	err        error
}

// indexCmd runs `kabi index [-o DIR] [-j N] [-modules DIR|auto] BUILD...`: an index file per
// build, named by release and architecture, skipping those up to date.
func indexCmd(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("o", ".", "the folder to write the index files into")
	par := fs.Int("j", 0, "builds indexed at once (0: one per core, at most)")
	running := fs.Bool("running", false, "index the running kernel too (its BTF and kallsyms)")
	root := fs.String("root", "/", "with -running: the directory holding the running kernel's sys/ and proc/")
	modules := fs.String("modules", "", "index the whole kernel: the module tree DIR with the vmlinux (auto: each BUILD's own, beside it or in its package), into RELEASE+modules.kabi; from a module tree on disk, written again on every run")
	if err := parseFlags(w, fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 && !*running {
		return usageError{"index takes BUILD... or -running"}
	}
	if *modules != "" && *modules != "auto" && fs.NArg() != 1 {
		return usageError{"index -modules DIR takes one BUILD (-modules auto finds each BUILD's)"}
	}
	if *running {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		msg, err := indexRunning(*out, *root)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, msg)
		if fs.NArg() == 0 {
			return nil
		}
	}
	var jobs, todo []*indexJob
	byOut := map[string]string{}
	for _, build := range fs.Args() {
		if ix, err := kabi.IsIndexFile(build); err != nil {
			return err
		} else if ix {
			return fmt.Errorf("%s is an index file already", build)
		}
		m, err := kabi.ReadMetadata(build, nil)
		if err != nil {
			return err
		}
		j := &indexJob{build: build, out: filepath.Join(*out, kabi.IndexName(m))}
		if *modules != "" {
			// A whole kernel's index has a name of its own, so that
			// it is never taken for the vmlinux's alone (and the
			// other way round). From a package, the package holds
			// the modules too, so its up-to-date check covers them;
			// the check does not know a module tree on disk, so
			// an index of one is written again on every run.
			j.out = strings.TrimSuffix(j.out, ".kabi") + "+modules.kabi"
			if *modules == "auto" && isPackage(build) {
				j.pkgModules = true
			} else if j.moduleDir, err = moduleDir(build, *modules); err != nil {
				return err
			}
		}
		if other, dup := byOut[j.out]; dup {
			return fmt.Errorf("%s and %s would both be indexed as %s", other, build, j.out)
		}
		byOut[j.out] = build
		j.label = filepath.Base(j.out)
		ok, err := kabi.IndexUpToDate(j.out, build)
		if err != nil {
			return err
		}
		ok = ok && (*modules == "" || j.pkgModules)
		if ok {
			j.state.Store("up to date")
			j.msg = fmt.Sprintf("%s: up to date (%s)", j.out, build)
		} else {
			j.state.Store("waiting")
			todo = append(todo, j)
		}
		jobs = append(jobs, j)
	}

	cores := runtime.GOMAXPROCS(0)
	p := *par
	if p <= 0 || p > cores {
		p = cores
	}
	p = max(1, min(p, len(todo)))
	if *modules != "" && p == 1 && os.Getenv("GOMEMLIMIT") == "" {
		limitModulesMemory() // one whole kernel at a time
	}
	workers := max(1, cores/p) // compile-unit workers per build

	// The folder is made when the first index is written: a run whose
	// every build is rejected leaves no folder behind.
	var mkdir struct {
		sync.Once
		err error
	}
	for _, j := range todo {
		j.mkdir = func() error {
			mkdir.Do(func() { mkdir.err = os.MkdirAll(*out, 0o755) })
			return mkdir.err
		}
	}

	stopBars := showBars(jobs)
	queue := make(chan *indexJob)
	var wg sync.WaitGroup
	for range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				j.err = indexOne(j, workers)
				if j.err != nil {
					j.state.Store("failed")
				} else {
					j.state.Store("done")
				}
			}
		}()
	}
	for _, j := range todo {
		queue <- j
	}
	close(queue)
	wg.Wait()
	stopBars()

	var errs []error
	for _, j := range jobs {
		if j.err != nil {
			errs = append(errs, j.err)
			continue
		}
		fmt.Fprintln(w, j.msg)
	}
	return errors.Join(errs...)
}

// indexOne analyses one build and writes its index.
func indexOne(j *indexJob, workers int) error {
	start := time.Now()
	j.state.Store("analysing")
	b, err := kabi.OpenContext(ctx, j.build, &kabi.Options{Concurrency: workers, Progress: func(d, n int) {
		j.done.Store(int64(d))
		j.total.Store(int64(n))
	}, ModuleDir: j.moduleDir, PackageModules: j.pkgModules})
	if err != nil {
		return err
	}
	analysed := time.Since(start)
	j.state.Store("writing")
	if err := j.mkdir(); err != nil {
		return err
	}
	if err := kabi.WriteIndexFileContext(ctx, j.out, b); err != nil {
		return err
	}
	fi, err := os.Stat(j.out)
	if err != nil {
		return err
	}
	j.msg = fmt.Sprintf("%s: %d functions, %s (%.1f%% of %s), analysed in %.1fs, written in %.1fs",
		j.out, b.Len(), size(fi.Size()), 100*float64(fi.Size())/float64(max(b.Source().Size, 1)), j.build,
		analysed.Seconds(), (time.Since(start) - analysed).Seconds())
	return nil
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// showBars draws a progress bar per job on stderr, when it is a terminal,
// until the returned function is called.
func showBars(jobs []*indexJob) (stop func()) {
	if st, err := os.Stderr.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 || len(jobs) == 0 {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	width := 0
	for _, j := range jobs {
		width = max(width, len(j.label))
	}
	draw := func(first bool) {
		var b strings.Builder
		if !first {
			fmt.Fprintf(&b, "\033[%dA", len(jobs))
		}
		for _, j := range jobs {
			fmt.Fprintf(&b, "\r\033[K%-*s %s\n", width, j.label, barText(j))
		}
		os.Stderr.WriteString(b.String())
	}
	go func() {
		defer close(finished)
		draw(true)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				draw(false)
				return
			case <-tick.C:
				draw(false)
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

func barText(j *indexJob) string {
	const width = 30
	state, _ := j.state.Load().(string)
	done, total := j.done.Load(), j.total.Load()
	switch state {
	case "analysing":
		if total <= 0 {
			return "[" + strings.Repeat(" ", width) + "] opening"
		}
		n := int(width * done / total)
		return fmt.Sprintf("[%s%s] %d/%d units", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
	case "writing":
		return "[" + strings.Repeat("=", width) + "] writing"
	}
	return state
}

// indexRunning writes the index of the running kernel (the sys/ and proc/
// under root) into dir, unless an index of the same release and build ID
// is there already.
func indexRunning(dir, root string) (string, error) {
	start := time.Now()
	b, err := kabi.OpenRunning(root, nil)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, kabi.IndexName(b.Meta))
	if m, err := kabi.ReadMetadata(out, nil); err == nil && b.Meta.BuildID != "" &&
		m.BuildID == b.Meta.BuildID && m.Release == b.Meta.Release {
		return fmt.Sprintf("%s: up to date (running kernel %s, build ID %s)", out, m.Release, m.BuildID), nil
	}
	if err := kabi.WriteIndexFileContext(ctx, out, b); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: %d functions of the running kernel %s (BTF and kallsyms; no inline or caller information), in %.1fs",
		out, b.Len(), b.Meta.Release, time.Since(start).Seconds()), nil
}
