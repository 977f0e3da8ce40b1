package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/internal/reftext"
)

// Markdown writes function pages in the layout of DepSurf's published
// pages, byte for byte (docs/rules.md §9): a status list per group, then
// the differences per group. Like DepSurf, it prints nothing for a pair
// of builds where only one has the function or either lacks a signature,
// shows a function DWARF only declares as "In None (0)", and writes
// instance addresses and symbol ranges in lower-case hex without 0x.
type Markdown struct{}

// Function writes the page of one function report.
func (Markdown) Function(w io.Writer, r *diff.FunctionReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# Function: <code>%s</code>\n\n## Status\n", r.Name)
	for _, g := range r.Groups {
		p("<b>%s</b>\n<ul>\n", g.Name)
		for _, s := range g.Status {
			if s.Elsewhere == "" { // each build once, as the reference shows them
				writeStatus(bw, s)
			}
		}
		p("</ul>\n")
	}
	p("\n## Differences\n")
	for _, g := range r.Groups {
		if !g.Present() {
			continue
		}
		p("<b>%s</b>\n<ul>\n", g.Name)
		for _, pr := range g.Pairs {
			if !pr.Compared {
				continue
			}
			if len(pr.Changes) == 0 {
				p("<li>\nNo changes between <code>%s</code> and <code>%s</code> ✅\n</li>\n", pr.Old, pr.New)
				continue
			}
			p("<li>\n<details>\n<summary>Changed between <code>%s</code> and <code>%s</code> ⚠️</summary>\n<ul>\n", pr.Old, pr.New)
			for _, c := range pr.Changes {
				p("<li>\n<b>%s. </b>\n", c.Kind)
				before, after := c.Before(), c.After()
				switch {
				case before == "":
					p("<code>%s</code>\n", after)
				case after == "":
					p("<code>%s</code>\n", before)
				default:
					p("<code>%s</code> ➡️ <code>%s</code>\n", before, after)
				}
				p("</li>\n")
			}
			p("</ul>\n</details>\n</li>\n")
		}
		p("</ul>\n")
	}
	return bw.Flush()
}

// statusText is "✅" or the issues and "⚠️".
func statusText(issues []kabi.Issue) string {
	if len(issues) == 0 {
		return "✅"
	}
	names := make([]string, len(issues))
	for i, is := range issues {
		names[i] = is.String()
	}
	return strings.Join(names, ", ") + " ⚠️"
}

func writeStatus(w *bufio.Writer, s diff.BuildStatus) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	f := s.Function
	if f == nil {
		p("<li>\nIn <code>%s</code>: %s\n</li>\n", s.Label, statusText(s.Issues()))
		return
	}
	p("<li>\n<details>\n<summary>In <code>%s</code>: %s</summary>\n\n", s.Label, statusText(s.Issues()))
	if f.Signature != nil {
		p("```c\n%s\n```\n\n", f.Signature)
	}
	p("**Collision:** %s\n\n**Inline:** %s\n\n**Transformation:** %s\n\n**Instances:**\n\n",
		f.Collision, f.Inline, reftext.Bool(f.Transformation))
	if !f.InstancesKnown() {
		p("Unknown: the build was read without DWARF (BTF and kallsyms), so its instances, inlining and callers are unknown.\n\n")
	}
	for _, in := range f.Instances {
		if in.DeclaredOnly {
			p("```\nIn None (0)\nLocation: None\n")
		} else {
			p("```\nIn %s (%x)\nLocation: %s\n", in.File, in.Address, in.Location)
		}
		if in.Module != "" {
			p("Module: %s\n", in.Module) // not on the reference's pages, which know vmlinux only
		}
		p("Inline: %s\n", reftext.Bool(in.Inlined))
		writeCallers(w, "Inline callers", in.InlineCallers)
		writeCallers(w, "Direct callers", in.DirectCallers)
		p("```\n")
	}
	if len(f.Symbols) > 0 {
		p("**Symbols:**\n\n```\n")
		for _, sym := range f.Symbols {
			p("%x-%x: %s (%s)\n", sym.Address, sym.End(), sym.KallsymsName(), sym.Bind)
		}
		p("```\n")
	}
	p("</details>\n</li>\n")
}

func writeCallers(w *bufio.Writer, title string, cs []kabi.Caller) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, c := range cs {
		fmt.Fprintf(w, "  - %s:%s\n", c.File, c.Function)
	}
}
