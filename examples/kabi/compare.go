package main

import (
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/render"
)

// report runs `kabi report [-format F] [-manifest FILE] [-default N] [-all -o DIR] FUNCTION BUILD...`.
func report(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text, json, md or html")
	manifest := fs.String("manifest", "", "a JSON file naming the groups and their builds")
	def := fs.Int("default", -1, "the default build, by its position among BUILDs (from 0; -1: the one the grouping rule picks)")
	all := fs.Bool("all", false, "write a page per function and index pages into -o DIR (md or html)")
	out := fs.String("o", "", "the folder for -all")
	if err := parseFlags(w, fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	var name string
	if !*all {
		if len(rest) < 1 {
			return usageError{"report takes FUNCTION BUILD..."}
		}
		name, rest = rest[0], rest[1:]
	} else if *out == "" || (*format != "md" && *format != "html") {
		return usageError{"report -all needs -o DIR and -format md or html"}
	}
	var files []string
	var groups []diff.Group
	if *manifest != "" {
		if len(rest) > 0 {
			return usageError{"report -manifest takes no BUILD arguments"}
		}
		m, err := diff.ReadManifest(*manifest)
		if err != nil {
			return err
		}
		files, groups = m.Files(), m.Resolve()
	} else {
		if len(rest) == 0 {
			return usageError{"report needs at least one BUILD (or -manifest)"}
		}
		files = rest
	}
	builds, err := openAll(files)
	if err != nil {
		return err
	}
	if groups == nil {
		var opts diff.GroupOptions
		if *def >= 0 {
			if *def >= len(builds) {
				return usageError{fmt.Sprintf("-default %d: there are %d builds", *def, len(builds))}
			}
			opts.Default = def
		}
		groups = diff.GroupBuilds(builds, &opts)
	}
	if *all {
		site := &render.Site{Format: *format}
		for _, b := range builds {
			site.Builds = append(site.Builds, render.SiteBuild{Meta: b.Meta, Counts: map[kabi.Kind]int{kabi.KindFunction: b.Len(),
				kabi.KindStruct: b.TypeLen(kabi.KindStruct), kabi.KindUnion: b.TypeLen(kabi.KindUnion), kabi.KindEnum: b.TypeLen(kabi.KindEnum)}})
			addHookCounts(site.Builds[len(site.Builds)-1].Counts, b)
		}
		sw, err := site.CreateContext(ctx, *out)
		if err != nil {
			return err
		}
		for _, n := range unionNames(builds) {
			if err := sw.Function(diff.Function(n, builds, groups)); err != nil {
				return err
			}
		}
		if err := typePages(sw, builds, groups); err != nil {
			return err
		}
		if err := hookPages(sw, builds, groups); err != nil {
			return err
		}
		// A page per compared pair of builds: what changed in the whole surface.
		for _, g := range groups {
			for _, p := range g.Pairs() {
				if err := sw.Diff(g.Name, p[0].Label, p[1].Label, diff.Surfaces(builds[p[0].Build], builds[p[1].Build])); err != nil {
					return err
				}
			}
		}
		st, err := sw.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %d pages and %d indexes (%d bytes) to %s\n", st.Pages, st.Indexes, st.Bytes, *out)
		return buildErr(builds)
	}
	if r, ok := hookRef(name); ok {
		if err := reportHook(w, r, builds, groups, *format); err != nil {
			return err
		}
		return buildErr(builds)
	}
	if r, ok := typeRef(name); ok {
		if err := reportType(w, r, builds, groups, *format); err != nil {
			return err
		}
		return buildErr(builds)
	}
	r, err := render.ForFunction(*format)
	if err != nil {
		return usageError{err.Error()}
	}
	rep := diff.Function(name, builds, groups)
	if !rep.Found() {
		return notFound(name, "function", groups)
	}
	if err := r.Function(w, rep); err != nil {
		return err
	}
	return buildErr(builds)
}

// notFound is the error of a report on a name that no build of the
// groups has: it is a kabi.ErrNotFound (exit status 3).
func notFound(name, kind string, groups []diff.Group) error {
	seen := map[int]bool{}
	for _, g := range groups {
		if g.Base != nil {
			seen[g.Base.Build] = true
		}
		for _, m := range g.Members {
			seen[m.Build] = true
		}
	}
	return notFoundError{name, kind, len(seen)}
}

type notFoundError struct {
	name, kind string
	builds     int
}

func (e notFoundError) Error() string {
	s := "s"
	if e.builds == 1 {
		s = ""
	}
	msg := fmt.Sprintf("%s: in none of the %d build%s reported on", e.name, e.builds, s)
	if e.kind == "function" {
		msg += " (no function of that name; a type or hook is named KIND:NAME, as struct:task_struct or lsm:file_open)"
	}
	return msg
}

func (e notFoundError) Is(target error) bool { return target == kabi.ErrNotFound }

// buildErr is the first error met decoding a build loaded from an index
// file after it was opened (see kabi.Build.Err).
func buildErr(builds []*kabi.Build) error {
	for _, b := range builds {
		if err := b.Err(); err != nil {
			return err
		}
	}
	return nil
}

// unionNames lists every function name of the builds, in name order.
func unionNames(builds []*kabi.Build) []string {
	seen := map[string]bool{}
	var names []string
	for _, b := range builds {
		for f := range b.Functions() {
			if !seen[f.Name] {
				seen[f.Name] = true
				names = append(names, f.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// diffCmd runs `kabi diff [-format text|json] OLD NEW`.
func diffCmd(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text or json")
	if err := parseFlags(w, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{"diff takes OLD NEW"}
	}
	r, err := render.ForSurface(*format)
	if err != nil {
		return usageError{err.Error()}
	}
	builds, err := openAll(fs.Args())
	if err != nil {
		return err
	}
	if err := r.Surface(w, diff.Surfaces(builds[0], builds[1])); err != nil {
		return err
	}
	if err := diffHooks(w, builds[0], builds[1], *format); err != nil {
		return err
	}
	if err := diffTypes(w, builds[0], builds[1], *format); err != nil {
		return err
	}
	return buildErr(builds)
}

// openAll opens builds one after the other (each open already uses every
// core), with one progress bar at a time. Of several builds, each is
// held in its compact form (see kabi.Build.Compact) before the next is
// read, so a command over many kernels holds one kernel's surface in
// full at a time.
func openAll(files []string) ([]*kabi.Build, error) {
	builds := make([]*kabi.Build, len(files))
	for i, f := range files {
		b, err := open(f)
		if err != nil {
			return nil, err
		}
		if len(files) > 1 {
			if b, err = b.Compact(); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
		builds[i] = b
	}
	return builds, nil
}
