package main

import (
	"io"
	"slices"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/render"
)

// typeKinds are the kinds of type a reference may name.
var typeKinds = []kabi.Kind{kabi.KindStruct, kabi.KindUnion, kabi.KindEnum}

// typeRef reads name as a reference to a struct, union or enum
// (struct:NAME, "struct NAME", ...); false for anything else.
func typeRef(name string) (kabi.Ref, bool) {
	r, err := kabi.ParseRef(name)
	if err != nil || !slices.Contains(typeKinds, r.Kind) {
		return kabi.Ref{}, false
	}
	return r, true
}

// showType runs `kabi show KIND:NAME BUILD` for a type: text with
// offsets, or the definitions as kabi dump writes them.
func showType(w io.Writer, b *kabi.Build, r kabi.Ref, format string) error {
	if _, err := b.LookupType(r); err != nil {
		return err
	}
	if format == "json" {
		for _, d := range b.TypeVariants(r.Kind, r.Name) {
			if _, err := w.Write(append(d.AppendJSON(nil), '\n')); err != nil {
				return err
			}
		}
		return nil
	}
	rep := diff.TypeReportOf(r, func(int) []*kabi.TypeDef { return b.TypeVariants(r.Kind, r.Name) },
		[]diff.Group{{Name: "Build", Pairing: diff.Chain, Members: []diff.Member{{Label: b.Meta.Release, Build: 0}}}})
	return render.Text{}.Type(w, rep)
}

// reportType runs `kabi report KIND:NAME BUILD...` for a type.
func reportType(w io.Writer, r kabi.Ref, builds []*kabi.Build, groups []diff.Group, format string) error {
	rep := diff.Type(r, builds, groups)
	if !rep.Found() {
		return notFound(r.String(), r.Kind.String(), groups)
	}
	return renderReport(w, rep, format, "type", render.Markdown{}.Type, render.JSON{}.Type, render.HTML{}.Type, render.Text{}.Type)
}

// diffTypes writes the type part of `kabi diff`: in text a section per
// kind; in JSON a document of its own, "kabi.type-diff/v1".
func diffTypes(w io.Writer, old, new *kabi.Build, format string) error {
	ds := diff.TypeSurfaces(old, new)
	if format == "json" {
		return render.JSON{}.Types(w, ds)
	}
	return render.Text{}.Types(w, ds)
}

// typePages writes a page per struct, union and enum of the builds.
func typePages(sw *render.SiteWriter, builds []*kabi.Build, groups []diff.Group) error {
	for _, k := range typeKinds {
		for _, n := range kindNames(builds, func(b *kabi.Build, yield func(string)) {
			for t := range b.Types(k) {
				yield(t.Name)
			}
		}) {
			if err := sw.Type(diff.Type(kabi.Ref{Kind: k, Name: n}, builds, groups)); err != nil {
				return err
			}
		}
	}
	return nil
}

// kindNames returns, in name order and once each, the names that names
// yields for any of the builds: a kind's pages cover every build.
func kindNames(builds []*kabi.Build, names func(*kabi.Build, func(string))) []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range builds {
		names(b, func(n string) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		})
	}
	slices.Sort(out)
	return out
}
