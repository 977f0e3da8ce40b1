package render

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/kabi-dev/kabi/check"
)

// checkColumns are the status columns of the summary table, as the
// reference tool's program table counts them.
var checkColumns = []struct {
	title string
	match func(status string) bool
}{
	{"Absent", func(s string) bool { return strings.HasPrefix(s, "absent") }},
	{"Changed", func(s string) bool { return strings.Contains(s, "changed") }},
	{"Full Inline", func(s string) bool { return s == "Full Inline" }},
	{"Selective Inline", func(s string) bool { return s == "Selective Inline" }},
	{"Transformed", func(s string) bool { return s == "Transformation" }},
	{"Duplicated", func(s string) bool { return s == "Duplicate" || s == "Collision" }},
}

// summaryRow is one dependency kind of the summary table.
type summaryRow struct {
	Kind   string
	Total  int
	Counts []int
}

// checkSummary counts, per dependency kind (in kind order), the
// dependencies with each status in at least one build.
func checkSummary(r *check.Report) []summaryRow {
	var rows []summaryRow
	idx := map[string]int{}
	for i := range r.Rows {
		row := &r.Rows[i]
		k := depKind(row.Dep)
		j, ok := idx[k]
		if !ok {
			j = len(rows)
			idx[k] = j
			rows = append(rows, summaryRow{Kind: k, Counts: make([]int, len(checkColumns))})
		}
		rows[j].Total++
		for c, col := range checkColumns {
			for _, f := range row.Findings {
				if hasStatus(f.Status, col.match) {
					rows[j].Counts[c]++
					break
				}
			}
		}
	}
	return rows
}

func hasStatus(st []string, match func(string) bool) bool {
	for _, s := range st {
		if match(s) {
			return true
		}
	}
	return false
}

// depKind is the kind a dependency is counted under: its kind, or
// "ksym" for a kernel variable.
func depKind(d *check.Dependency) string {
	if d.Ref.Kind == 0 {
		return "ksym"
	}
	return d.Ref.Kind.String()
}

// mark is the consequence with its sign, for tables.
func mark(c check.Consequence) string {
	switch c {
	case check.Fine:
		return "✅"
	case check.Unknown:
		return "❔ unknown"
	case check.MissedEvents, check.WrongData:
		return "⚠️ " + c.String()
	}
	return "❌ " + c.String()
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// Check writes a Markdown page: a summary table per dependency kind
// (dependencies absent, changed, fully or selectively inlined,
// transformed, duplicated in some build), the matrix of each object
// (dependency × build), then a section per dependency that is not fine
// everywhere, in the reference pages' status layout.
func (Markdown) Check(w io.Writer, r *check.Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	var files []string
	for _, o := range r.Objects {
		files = append(files, "<code>"+mdEscape(o.File)+"</code>")
	}
	p("# Check: %s\n\n", strings.Join(files, ", "))
	p("Worst consequence: **%s** (%s).\n\n", r.Worst(), countsText(r))
	p("## Summary\n\n| Kind | Dependencies |")
	for _, c := range checkColumns {
		p(" %s |", c.title)
	}
	p("\n|---|---:|%s\n", strings.Repeat("---:|", len(checkColumns)))
	for _, s := range checkSummary(r) {
		p("| %s | %d |", s.Kind, s.Total)
		for _, n := range s.Counts {
			p(" %d |", n)
		}
		p("\n")
	}
	for oi, o := range r.Objects {
		p("\n## <code>%s</code>\n\n| Dependency |", mdEscape(o.File))
		for _, b := range r.Builds {
			p(" <code>%s</code> |", mdEscape(b.Label))
		}
		p("\n|---|%s\n", strings.Repeat("---|", len(r.Builds)))
		for _, row := range rowsOf(r, oi) {
			p("| <code>%s</code> |", mdEscape(row.Dep.String()))
			for _, f := range row.Findings {
				p(" %s |", mark(f.Consequence))
			}
			p("\n")
		}
		for _, row := range rowsOf(r, oi) {
			if row.Worst() == check.Fine {
				continue
			}
			p("\n### <code>%s</code>\n\n", mdEscape(row.Dep.String()))
			if where := depWhere(row.Dep); where != "" {
				p("In %s.\n\n", mdEscape(where))
			}
			for _, n := range depNotes(row.Dep) {
				p("- %s\n", mdEscape(n))
			}
			if len(depNotes(row.Dep)) > 0 {
				p("\n")
			}
			p("<ul>\n")
			for i, f := range row.Findings {
				p("<li>In <code>%s</code>: %s", mdEscape(r.Builds[i].Label), mark(f.Consequence))
				if f.Consequence != check.Fine {
					p(": %s", mdEscape(f.Reason))
				}
				p("</li>\n")
			}
			p("</ul>\n")
		}
	}
	return bw.Flush()
}

type htmlCheck struct {
	*check.Report
	CSS     template.CSS
	Summary []summaryRow
	Columns []string
	Objects []htmlCheckObject
	Counts  string
}

type htmlCheckObject struct {
	File string
	Rows []htmlCheckRow
}

type htmlCheckRow struct {
	Dep      *check.Dependency
	Where    string
	Notes    []string
	Worst    check.Consequence
	Findings []check.Finding
	Groups   []checkGroup
}

// Check writes a self-contained HTML page with what the Markdown page
// holds: the summary, each object's matrix with a colored cell per
// finding (its reason as a tooltip), and the details of every dependency
// that is not fine everywhere.
func (HTML) Check(w io.Writer, r *check.Report) error {
	page := htmlCheck{Report: r, CSS: assetCSS(), Summary: checkSummary(r), Counts: countsText(r)}
	for _, c := range checkColumns {
		page.Columns = append(page.Columns, c.title)
	}
	for oi, o := range r.Objects {
		ho := htmlCheckObject{File: o.File}
		for _, row := range rowsOf(r, oi) {
			ho.Rows = append(ho.Rows, htmlCheckRow{Dep: row.Dep, Where: depWhere(row.Dep), Notes: depNotes(row.Dep),
				Worst: row.Worst(), Findings: row.Findings, Groups: groupFindings(r, row, false)})
		}
		page.Objects = append(page.Objects, ho)
	}
	bw := bufio.NewWriter(w)
	if err := templates().ExecuteTemplate(bw, "check", page); err != nil {
		return err
	}
	return bw.Flush()
}
