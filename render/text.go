package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/internal/reftext"
)

// Text writes a compact view for a terminal: one line per build with its
// status, then each compared pair with its changes indented.
//
//	vmap
//	Regular
//	  6.1    ok                 void *vmap(struct page **pages, ...);
//	  6.12   ok
//	  6.1 → 6.12  no changes
//
// A function in a kernel module is tagged with it, as kallsyms names
// it: "(1 instance, 1 symbol)  [nf_conntrack]".
type Text struct {
	// Signatures prints each build's signature after its status, and
	// under it the out-of-line copies whose own parameters differ (gcc
	// .isra and .constprop clones that no longer receive a parameter).
	Signatures bool
}

// Function writes one function report.
func (t Text) Function(w io.Writer, r *diff.FunctionReport) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n", r.Name)
	for _, g := range r.Groups {
		fmt.Fprintf(bw, "%s\n", g.Name)
		width := 0
		for _, s := range g.Status {
			width = max(width, len(s.Label))
		}
		for _, s := range g.Status {
			if s.Elsewhere != "" {
				fmt.Fprintf(bw, "  %-*s  shown in %s\n", width, s.Label, s.Elsewhere)
				continue
			}
			status := "ok"
			if is := s.Issues(); len(is) > 0 {
				names := make([]string, len(is))
				for i, x := range is {
					names[i] = x.String()
				}
				status = strings.Join(names, ", ")
			}
			line := fmt.Sprintf("  %-*s  %s", width, s.Label, status)
			if f := s.Function; f != nil {
				if !f.InstancesKnown() {
					line += fmt.Sprintf("  (instances, inlining and callers unknown, %d symbol%s)", len(f.Symbols), plural(len(f.Symbols)))
				} else {
					line += fmt.Sprintf("  (%d instance%s, %d symbol%s)", len(f.Instances), plural(len(f.Instances)), len(f.Symbols), plural(len(f.Symbols)))
				}
				if f.InModule() {
					line += "  [" + f.ModulesText() + "]"
				}
				if t.Signatures && f.Signature != nil {
					line += "  " + f.Signature.String()
				}
			}
			fmt.Fprintln(bw, line)
			if f := s.Function; f != nil && t.Signatures {
				for _, in := range f.Instances {
					if in.Signature == nil {
						continue
					}
					for _, c := range in.Signature.Clones {
						at := ""
						if c.HasAddr {
							at = fmt.Sprintf(" at %x", c.Addr)
						}
						fmt.Fprintf(bw, "      out-of-line copy%s: %s\n", at, c.String(in.Signature))
					}
				}
			}
		}
		for _, p := range g.Pairs {
			switch {
			case !p.OldPresent && !p.NewPresent:
				continue
			case !p.NewPresent:
				fmt.Fprintf(bw, "  %s → %s  only in %s\n", p.Old, p.New, p.Old)
			case !p.OldPresent:
				fmt.Fprintf(bw, "  %s → %s  only in %s\n", p.Old, p.New, p.New)
			case len(p.Changes) > 0:
				fmt.Fprintf(bw, "  %s → %s  changed\n", p.Old, p.New)
				for _, c := range p.Changes {
					fmt.Fprintf(bw, "      %s\n", c)
				}
			case p.Compared && len(p.StatusChanges) > 0:
				fmt.Fprintf(bw, "  %s → %s  signature unchanged; status changed\n", p.Old, p.New)
			case p.Compared:
				fmt.Fprintf(bw, "  %s → %s  no changes\n", p.Old, p.New)
			default:
				fmt.Fprintf(bw, "  %s → %s  not compared (no signature)\n", p.Old, p.New)
			}
			for _, c := range p.StatusChanges {
				fmt.Fprintf(bw, "      %s\n", c)
			}
		}
	}
	return bw.Flush()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Surface writes a surface diff: counts first, then the changed
// functions, at most Limit names per list (0: 20; -1: all).
func (t Text) Surface(w io.Writer, d *diff.SurfaceDiff) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s (%s) → %s (%s)\n", d.Old.Release, d.Old.Arch, d.New.Release, d.New.Arch)
	fmt.Fprintf(bw, "functions: %d in both, %d added, %d removed, %d with signature changes\n",
		d.Common, len(d.Added), len(d.Removed), len(d.Changed))
	if len(d.Kinds) > 0 {
		fmt.Fprintln(bw, "changes by kind:")
		for _, k := range d.Kinds {
			fmt.Fprintf(bw, "  %-20s %d\n", k.Kind, k.Count)
		}
	}
	transitions := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(bw, title)
		for _, l := range lines {
			fmt.Fprintln(bw, "  "+l)
		}
	}
	var inl, col, tr []string
	for _, x := range d.Inline {
		inl = append(inl, fmt.Sprintf("%-9s → %-9s %d", x.From, x.To, x.Count))
	}
	for _, x := range d.Collision {
		col = append(col, fmt.Sprintf("%s → %s  %d", x.From, x.To, x.Count))
	}
	for _, x := range d.Transformation {
		tr = append(tr, fmt.Sprintf("%-5s → %-5s %d", reftext.Bool(x.From), reftext.Bool(x.To), x.Count))
	}
	transitions("inline kind:", inl)
	transitions("collision kind:", col)
	transitions("transformation:", tr)
	list := func(title string, names []string) {
		if len(names) == 0 {
			return
		}
		fmt.Fprintf(bw, "%s (%d):\n", title, len(names))
		listed(names, func(n string) { fmt.Fprintln(bw, "  "+n) },
			func(n int) { fmt.Fprintf(bw, "  ... and %d more (use -format json for all)\n", n) })
	}
	list("added", d.Added)
	list("removed", d.Removed)
	var changed []string
	for _, fc := range d.Changed {
		s := fc.Name + ":"
		for _, c := range fc.Changes {
			s += "\n      " + c.String()
		}
		changed = append(changed, s)
	}
	list("changed", changed)
	var moved []string
	for _, m := range d.Moved {
		moved = append(moved, fmt.Sprintf("%s: %s → %s", m.Name, m.From, m.To))
	}
	list("moved between vmlinux and modules", moved)
	return bw.Flush()
}
