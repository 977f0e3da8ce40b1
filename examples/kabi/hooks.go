package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/render"
)

// hookRef reads name as a reference to a hook (tracepoint:, lsm:, kfunc:,
// syscall:, config:); false for a function or a type.
func hookRef(name string) (kabi.Ref, bool) {
	r, err := kabi.ParseRef(name)
	if err != nil || !slices.Contains(kabi.HookKinds(), r.Kind) {
		return kabi.Ref{}, false
	}
	return r, true
}

// showHook runs `kabi show KIND:NAME BUILD` for a hook.
func showHook(w io.Writer, b *kabi.Build, r kabi.Ref, format string) error {
	h, err := b.LookupHook(r)
	if err != nil {
		return err
	}
	if format == "json" {
		type appender interface{ AppendJSON([]byte) []byte }
		_, err := w.Write(append(h.(appender).AppendJSON(nil), '\n'))
		return err
	}
	rep := diff.HookReportOf(r, func(int) diff.HookSide { return diff.Side(b, r) },
		[]diff.Group{{Name: "Build", Pairing: diff.Chain, Members: []diff.Member{{Label: b.Meta.Release, Build: 0}}}})
	return render.Text{}.Hook(w, rep)
}

// reportHook runs `kabi report KIND:NAME BUILD...` for a hook.
func reportHook(w io.Writer, r kabi.Ref, builds []*kabi.Build, groups []diff.Group, format string) error {
	rep := diff.Hook(r, builds, groups)
	if !rep.Found() {
		return notFound(r.String(), r.Kind.String(), groups)
	}
	return renderReport(w, rep, format, "hook", render.Markdown{}.Hook, render.JSON{}.Hook, render.HTML{}.Hook, render.Text{}.Hook)
}

// renderReport writes a report of a type or hook (what) in format with
// the renderer's method for it.
func renderReport[R any](w io.Writer, rep R, format, what string, md, json, html, text func(io.Writer, R) error) error {
	switch format {
	case "md", "markdown":
		return md(w, rep)
	case "json":
		return json(w, rep)
	case "html":
		return html(w, rep)
	case "text", "":
		return text(w, rep)
	}
	return usageError{fmt.Sprintf("format %q: a %s's report is text, json, md or html", format, what)}
}

// diffHooks writes the hook part of `kabi diff`: after the functions, in
// text a section per kind of hook; in JSON a second document,
// "kabi.hook-diff/v1".
func diffHooks(w io.Writer, old, new *kabi.Build, format string) error {
	ds := diff.HookSurfaces(old, new)
	if format == "json" {
		return render.JSON{}.Hooks(w, ds)
	}
	return render.Text{}.Hooks(w, ds)
}

// hookPages writes a site page for every hook of every kind any build has.
func hookPages(sw *render.SiteWriter, builds []*kabi.Build, groups []diff.Group) error {
	for _, k := range kabi.HookKinds() {
		for _, n := range kindNames(builds, func(b *kabi.Build, yield func(string)) {
			for h := range b.Hooks(k) {
				yield(h.Ref().Name)
			}
		}) {
			if err := sw.Hook(diff.Hook(kabi.Ref{Kind: k, Name: n}, builds, groups)); err != nil {
				return err
			}
		}
	}
	return nil
}

// addHookCounts counts the build's hooks of each kind into counts; the
// configuration is left out when it is unknown.
func addHookCounts(counts map[kabi.Kind]int, b *kabi.Build) {
	for _, k := range kabi.HookKinds() {
		if k == kabi.KindConfig && b.ConfigSource() == "" {
			continue
		}
		n := 0
		for range b.Hooks(k) {
			n++
		}
		counts[k] = n
	}
}
