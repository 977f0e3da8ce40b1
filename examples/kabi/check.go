package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/check"
	"github.com/kabi-dev/kabi/render"
)

// exitError ends the program with its code after printing its message
// (when there is one).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// targetFlags collects -target PROG=NAME.
type targetFlags map[string]string

func (t targetFlags) String() string { return "" }

func (t targetFlags) Set(v string) error {
	prog, target, ok := strings.Cut(v, "=")
	if !ok || prog == "" || target == "" {
		return fmt.Errorf("-target wants PROG=NAME, not %q", v)
	}
	t[prog] = target
	return nil
}

// checkCmd runs `kabi check [-format F] [-fail-on LEVEL] [-target PROG=NAME]
// [-source-root DIR] OBJECT... BUILD...`. Exit status: 0 when no finding
// reaches the -fail-on level, 1 when one does, 2 for bad input.
func checkCmd(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text, json, md, html or sarif")
	failOn := fs.String("fail-on", "wrong-data", "exit 1 when a finding is this bad or worse: load-failure, attach-failure, wrong-data, missed-events, unknown, or never")
	root := fs.String("source-root", "", "make SARIF source paths relative to this directory (the repository's root)")
	targets := targetFlags{}
	fs.Var(targets, "target", "PROG=NAME: the attach target of a program whose section leaves it to load time (repeatable)")
	if err := parseFlags(w, fs, args); err != nil {
		return err
	}
	var level check.Consequence
	if *failOn != "never" {
		var err error
		if level, err = check.ParseConsequence(*failOn); err != nil {
			return usageError{err.Error()}
		}
	}
	var rend render.CheckRenderer
	if *format == "sarif" {
		rend = render.SARIF{SourceRoot: *root}
	} else {
		var err error
		if rend, err = render.ForCheck(*format); err != nil {
			return usageError{err.Error()}
		}
	}
	var objs []*check.Object
	var buildFiles []string
	opts := &check.Options{Targets: targets}
	for _, a := range fs.Args() {
		f, err := os.Open(a)
		if err != nil {
			return exitError{2, err}
		}
		isObj := check.IsObject(f)
		if isObj {
			o, err := check.NewObject(f, a, opts)
			f.Close()
			if err != nil {
				return exitError{2, err}
			}
			objs = append(objs, o)
			continue
		}
		f.Close()
		buildFiles = append(buildFiles, a)
	}
	if len(objs) == 0 || len(buildFiles) == 0 {
		return usageError{"check takes OBJECT... BUILD... (at least one eBPF object and one build)"}
	}
	builds, err := openConcurrently(buildFiles)
	if err != nil {
		return exitError{2, err}
	}
	rep := check.Check(objs, builds)
	if err := rend.Check(w, rep); err != nil {
		return err
	}
	for _, b := range builds {
		if err := b.Err(); err != nil {
			return exitError{2, err}
		}
	}
	if level != 0 && rep.Worst() >= level {
		return exitError{1, fmt.Errorf("check: %s reaches -fail-on %s", rep.Worst(), level)}
	}
	return nil
}

// openConcurrently opens the builds, GOMAXPROCS at a time (index files
// load in milliseconds each; a vmlinux takes seconds and much memory, so
// those are opened one at a time); the first error in argument order wins.
func openConcurrently(files []string) ([]*kabi.Build, error) {
	builds := make([]*kabi.Build, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range files {
		if !isIndex(f) {
			builds[i], errs[i] = open(f)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			builds[i], errs[i] = kabi.OpenContext(ctx, f, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return builds, nil
}

// isIndex says the file is a kabi index file.
func isIndex(path string) bool {
	ok, _ := kabi.IsIndexFile(path)
	return ok
}

// exitCode is the status for err: exitError's own, 2 for usage errors, 1
// otherwise.
func exitCode(err error) (int, bool) {
	var e exitError
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}
