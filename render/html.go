package render

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
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
		"callers": func(title string, cs []kabi.Caller) map[string]any {
			return map[string]any{"Title": title, "List": cs}
		},
		"cloneText": func(c kabi.Clone, s *kabi.Signature) string { return c.String(s) },
	}
	return template.Must(template.New("kabi").Funcs(funcs).ParseFS(assets, "assets/*.html"))
})

func assetCSS() template.CSS {
	b, _ := assets.ReadFile("assets/style.css")
	return template.CSS(b)
}

func assetJS() template.JS {
	b, _ := assets.ReadFile("assets/search.js")
	return template.JS(b)
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

type htmlEntry struct {
	Name, Href string
	Traits     [][]diff.Trait
}

func htmlLetterIndex(w *bufio.Writer, title, letter string, groups []string, es []siteEntry) error {
	entries := make([]htmlEntry, len(es))
	for i, e := range es {
		entries[i] = htmlEntry{Name: e.name, Href: strings.TrimPrefix(e.path, letter+"/"), Traits: e.traits}
	}
	return templates().ExecuteTemplate(w, "letter", map[string]any{
		"Title": title, "Letter": letter, "Groups": groups, "Entries": entries, "CSS": assetCSS(),
	})
}

// indexData is the search data inlined in the main index.
type indexData struct {
	Groups    []string        `json:"groups"`
	Traits    []string        `json:"traits"`
	Functions []indexFunction `json:"functions"`
}

type indexFunction struct {
	Name   string  `json:"n"`
	Path   string  `json:"p"`
	Traits [][]int `json:"t"`
}

func htmlMainIndex(w *bufio.Writer, title string, builds, groups, letters []string, es []siteEntry) error {
	data := indexData{Groups: groups, Functions: make([]indexFunction, len(es))}
	traitIdx := map[diff.Trait]int{}
	for i, t := range diff.Traits() {
		data.Traits = append(data.Traits, t.String())
		traitIdx[t] = i
	}
	for i, e := range es {
		f := indexFunction{Name: e.name, Path: e.path, Traits: make([][]int, len(e.traits))}
		for g, ts := range e.traits {
			f.Traits[g] = []int{}
			for _, t := range ts {
				f.Traits[g] = append(f.Traits[g], traitIdx[t])
			}
		}
		data.Functions[i] = f
	}
	js, err := json.Marshal(data) // escapes <, > and & for a script element
	if err != nil {
		return err
	}
	return templates().ExecuteTemplate(w, "main", map[string]any{
		"Title": title, "Builds": builds, "Groups": groups, "Letters": letters, "Traits": data.Traits,
		"Count": len(es), "Data": template.JS(js), "CSS": assetCSS(), "JS": assetJS(),
	})
}
