package render

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kabi-dev/kabi/check"
)

// A CheckRenderer writes the check of eBPF objects against builds in one
// format.
type CheckRenderer interface {
	Check(w io.Writer, r *check.Report) error
}

// ForCheck returns the renderer of check reports for a format name:
// "text", "json", "md", "html" or "sarif".
func ForCheck(format string) (CheckRenderer, error) {
	switch format {
	case "text", "":
		return Text{}, nil
	case "json":
		return JSON{}, nil
	case "md", "markdown":
		return Markdown{}, nil
	case "html":
		return HTML{}, nil
	case "sarif":
		return SARIF{}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want text, json, md, html or sarif)", format)
}

// checkGroup is the builds that share one finding of a row.
type checkGroup struct {
	Builds []string
	check.Finding
}

// groupFindings groups a row's builds by finding (consequence, reason and
// status), in build order of first appearance, leaving out fine ones
// unless all is fine.
func groupFindings(r *check.Report, row *check.Row, withFine bool) []checkGroup {
	var out []checkGroup
	for i, f := range row.Findings {
		if f.Consequence == check.Fine && !withFine {
			continue
		}
		key := f.Consequence.String() + "\x00" + f.Reason + "\x00" + strings.Join(f.Status, "\x00")
		found := false
		for j := range out {
			g := &out[j]
			if g.Consequence.String()+"\x00"+g.Reason+"\x00"+strings.Join(g.Status, "\x00") == key {
				g.Builds = append(g.Builds, r.Builds[i].Label)
				found = true
				break
			}
		}
		if !found {
			out = append(out, checkGroup{Builds: []string{r.Builds[i].Label}, Finding: f})
		}
	}
	return out
}

// depWhere is "programs (file:line, ...)" for a dependency.
func depWhere(d *check.Dependency) string {
	var parts []string
	if len(d.Programs) > 0 {
		parts = append(parts, strings.Join(d.Programs, ", "))
	}
	var srcs []string
	for _, s := range d.Sources {
		srcs = append(srcs, filepath.Base(s.File)+fmt.Sprintf(":%d", s.Line))
	}
	if len(srcs) > 0 {
		parts = append(parts, strings.Join(srcs, ", "))
	}
	return strings.Join(parts, "; ")
}

// depNotes are the facts about a dependency a reader needs besides its
// findings: guarded, flavors, the expected prototype.
func depNotes(d *check.Dependency) []string {
	var out []string
	if d.Guarded {
		out = append(out, "guarded by an existence check")
	}
	if len(d.Alternatives) > 0 {
		out = append(out, "alternatives: "+strings.Join(d.Alternatives, ", "))
	}
	if len(d.Flavors) > 1 || len(d.Flavors) == 1 && d.Flavors[0] != d.Ref.Name {
		out = append(out, "flavors: "+strings.Join(d.Flavors, ", "))
	}
	if len(d.Relocs) > 0 {
		out = append(out, "CO-RE: "+strings.Join(d.Relocs, ", "))
	}
	if d.Expect != nil {
		out = append(out, "expects: "+d.Expect.String())
	}
	return out
}

// Check writes the matrix of each object (dependency × build, one word
// each), then each dependency that is not fine everywhere with its
// reasons, builds sharing a reason on one line, and a closing summary.
func (Text) Check(w io.Writer, r *check.Report) error {
	bw := bufio.NewWriter(w)
	for oi, o := range r.Objects {
		if oi > 0 {
			fmt.Fprintln(bw)
		}
		rows := rowsOf(r, oi)
		fmt.Fprintf(bw, "%s: %d programs, %d dependencies, %d builds\n", o.File, len(o.Programs), len(rows), len(r.Builds))
		width := len("DEPENDENCY")
		for _, row := range rows {
			width = max(width, len(row.Dep.String()))
		}
		cols := make([]int, len(r.Builds))
		for i, b := range r.Builds {
			cols[i] = max(len(b.Label), len("attach failure"))
		}
		fmt.Fprintf(bw, "%-*s", width, "DEPENDENCY")
		for i, b := range r.Builds {
			fmt.Fprintf(bw, "  %-*s", cols[i], b.Label)
		}
		fmt.Fprintln(bw)
		for _, row := range rows {
			line := fmt.Sprintf("%-*s", width, row.Dep.String())
			for i, f := range row.Findings {
				line += fmt.Sprintf("  %-*s", cols[i], f.Consequence)
			}
			fmt.Fprintln(bw, strings.TrimRight(line, " "))
		}
		for _, row := range rows {
			if row.Worst() == check.Fine {
				continue
			}
			fmt.Fprintf(bw, "\n%s", row.Dep)
			if where := depWhere(row.Dep); where != "" {
				fmt.Fprintf(bw, " (%s)", where)
			}
			fmt.Fprintln(bw)
			for _, n := range depNotes(row.Dep) {
				fmt.Fprintf(bw, "  %s\n", n)
			}
			for _, g := range groupFindings(r, row, false) {
				fmt.Fprintf(bw, "  %s: %s: %s\n", strings.Join(g.Builds, ", "), g.Consequence, g.Reason)
			}
		}
	}
	fmt.Fprintf(bw, "\nworst: %s (%s)\n", r.Worst(), countsText(r))
	return bw.Flush()
}

// countsText is "2 load failure, 1 wrong data, 30 fine", most severe first.
func countsText(r *check.Report) string {
	cs := check.Consequences()
	var parts []string
	for i := len(cs) - 1; i >= 0; i-- {
		if n := r.Count(cs[i]); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, cs[i]))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// rowsOf returns the rows of object oi.
func rowsOf(r *check.Report, oi int) []*check.Row {
	var out []*check.Row
	for i := range r.Rows {
		if r.Rows[i].Object == oi {
			out = append(out, &r.Rows[i])
		}
	}
	return out
}
