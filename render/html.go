package render

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

//go:embed assets
var assets embed.FS

// HTML writes function reports as self-contained pages: styles inline, no
// scripts on function pages, nothing fetched from the network, readable
// on a phone. Long caller lists collapse. Unlike the reference Markdown,
// it says when a pair of builds was not compared (a side without a
// signature) and when only one side has the function.
type HTML struct{}

var templates = sync.OnceValue(func() *template.Template {
	funcs := template.FuncMap{
		"hex":   func(v uint64) string { return fmt.Sprintf("%x", v) },
		"upper": strings.ToUpper,
		// callers lists a function's callers but the function itself,
		// which it counts (see kabi.Caller.Recursive).
		"callers": func(title string, cs []kabi.Caller, f *kabi.Function) map[string]any {
			list, self := withoutSelf(cs, f)
			return map[string]any{"Title": title, "List": list, "Self": self}
		},
		"callerLines": callerLines,
		// inFile says a location with a line is in file.
		"inFile":    func(loc kabi.Location, file string) bool { return loc.File == file && loc.Line != 0 },
		"cloneText": func(c kabi.Clone, s *kabi.Signature) string { return c.String(s) },
		// head is the data of the "head" template: a page's title, the
		// path to the site root ("" for a page on its own) and the
		// stylesheet to inline on a page on its own.
		"head": func(title, root string, css template.CSS) map[string]any {
			return map[string]any{"Title": title, "Root": root, "CSS": css}
		},
		// funcHref links a function's page from a page one folder deep.
		"funcHref": func(name string) string {
			return "../function/" + Letter(name) + "/" + fileName(name) + ".html"
		},
		"cssName": func(v fmt.Stringer) string { return strings.ReplaceAll(v.String(), " ", "-") },
	}
	return template.Must(template.New("kabi").Funcs(funcs).ParseFS(assets, "assets/*.html"))
})

func assetCSS() template.CSS {
	b, _ := assets.ReadFile("assets/style.css")
	return template.CSS(b)
}

type htmlPage struct {
	*diff.FunctionReport
	CSS  template.CSS
	Root string
}

// Function writes one function's page.
func (h HTML) Function(w io.Writer, r *diff.FunctionReport) error {
	return h.page(w, r, "")
}

// page writes a function page whose site root is root ("../" in a site).
func (HTML) page(w io.Writer, r *diff.FunctionReport, root string) error {
	return templates().ExecuteTemplate(w, "function", htmlPage{FunctionReport: r, CSS: assetCSS(), Root: root})
}

// withoutSelf returns cs without the callers that are f itself, and how
// many those were.
func withoutSelf(cs []kabi.Caller, f *kabi.Function) ([]kabi.Caller, int) {
	self := 0
	for _, c := range cs {
		if c.Recursive(f) {
			self++
		}
	}
	if self == 0 {
		return cs, 0
	}
	out := make([]kabi.Caller, 0, len(cs)-self)
	for _, c := range cs {
		if !c.Recursive(f) {
			out = append(out, c)
		}
	}
	return out, self
}

// callerLines writes callers one line per compile unit, in the order the
// units first appear, each caller once with its sites:
//
//	kernel/relay.c: relay_open_buf (:171 ffffffff811c2e1b, :180 ffffffff811c2e50), relay_late_setup_files
//
// A site is its line (":171" when in the unit's own file, else
// "FILE:LINE") and its address, as DWARF gives them; a caller listed n
// times without either is followed by (n).
func callerLines(cs []kabi.Caller) []string {
	type callerSites struct {
		name  string
		sites []string
		bare  int // entries without a site
	}
	type unitCallers struct {
		file    string
		callers []*callerSites
		by      map[string]*callerSites
	}
	var units []*unitCallers
	byFile := map[string]*unitCallers{}
	for _, c := range cs {
		u := byFile[c.File]
		if u == nil {
			u = &unitCallers{file: c.File, by: map[string]*callerSites{}}
			byFile[c.File] = u
			units = append(units, u)
		}
		cl := u.by[c.Function]
		if cl == nil {
			cl = &callerSites{name: c.Function}
			u.by[c.Function] = cl
			u.callers = append(u.callers, cl)
		}
		var site []string
		if c.Site.File != "" {
			if c.Site.File == c.File && c.Site.Line != 0 {
				site = append(site, ":"+strconv.Itoa(c.Site.Line))
			} else {
				site = append(site, c.Site.String())
			}
		}
		if c.HasAddr {
			site = append(site, strconv.FormatUint(c.Addr, 16))
		}
		if len(site) == 0 {
			cl.bare++
		} else {
			cl.sites = append(cl.sites, strings.Join(site, " "))
		}
	}
	out := make([]string, len(units))
	for i, u := range units {
		var b strings.Builder
		b.WriteString(u.file)
		b.WriteString(": ")
		for j, cl := range u.callers {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(cl.name)
			switch {
			case len(cl.sites) > 0:
				b.WriteString(" (")
				b.WriteString(strings.Join(cl.sites, ", "))
				if cl.bare > 0 {
					fmt.Fprintf(&b, ", %d more", cl.bare)
				}
				b.WriteString(")")
			case cl.bare > 1:
				fmt.Fprintf(&b, " (%d)", cl.bare)
			}
		}
		out[i] = b.String()
	}
	return out
}
