package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"path/filepath"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// The HTML side of a Site: index pages, build and comparison pages, the
// shared stylesheet and script, and the search data, one script per kind
// and letter (loadable from file://, where a page cannot fetch).

type htmlLetterLink struct {
	Letter string
	Count  int
}

type htmlLetterBar struct {
	Letters []htmlLetterLink
	Current string
	Prefix  string // from the page to the kind's folder
}

func letterBar(ks siteKind, current, prefix string) htmlLetterBar {
	b := htmlLetterBar{Current: current, Prefix: prefix}
	for _, l := range ks.letters {
		b.Letters = append(b.Letters, htmlLetterLink{Letter: l.letter, Count: len(l.entries)})
	}
	return b
}

type htmlRow struct {
	Name, Href string
	Traits     [][]string
}

func htmlLetterIndex(w *bufio.Writer, idx *siteIndex, ks siteKind, l siteLetter) error {
	rows := make([]htmlRow, len(l.entries))
	prefix := ks.kind.String() + "/" + l.letter + "/"
	for i, e := range l.entries {
		ts := make([][]string, len(idx.groups))
		copy(ts, e.traits)
		rows[i] = htmlRow{Name: e.name, Href: strings.TrimPrefix(e.path, prefix), Traits: ts}
	}
	return templates().ExecuteTemplate(w, "letter", map[string]any{
		"Title":     fmt.Sprintf("%s: %s", kindTitle(ks.kind), strings.ToUpper(l.letter)),
		"KindTitle": kindTitle(ks.kind), "Groups": idx.groups, "Entries": rows,
		"Bar": letterBar(ks, l.letter, "../"),
	})
}

func htmlKindIndex(w *bufio.Writer, idx *siteIndex, ks siteKind) error {
	return templates().ExecuteTemplate(w, "kind", map[string]any{
		"Title": kindTitle(ks.kind), "Bar": letterBar(ks, "", ""),
	})
}

// siteData is the description of the site the main index's script reads.
type siteData struct {
	Ext    string         `json:"ext"`
	Groups []string       `json:"groups"`
	Traits []string       `json:"traits"`
	Kinds  []siteDataKind `json:"kinds"`
}

type siteDataKind struct {
	Kind    string   `json:"k"`
	Title   string   `json:"title"`
	One     string   `json:"one"`  // "function", "LSM hook"
	Many    string   `json:"many"` // "functions", "LSM hooks"
	Count   int      `json:"count"`
	Letters []string `json:"letters"`
}

func htmlMainIndex(w *bufio.Writer, idx *siteIndex) error {
	data := siteData{Ext: "html", Groups: idx.groups, Traits: idx.traits}
	type kindView struct {
		Kind        kabi.Kind
		Title, Noun string
		Count       int
		Bar         htmlLetterBar
	}
	var kinds []kindView
	total := 0
	for _, ks := range idx.kinds {
		dk := siteDataKind{Kind: ks.kind.String(), Title: kindTitle(ks.kind), One: kindNoun(ks.kind, 1), Many: kindNoun(ks.kind, 2), Count: ks.count()}
		for _, l := range ks.letters {
			dk.Letters = append(dk.Letters, l.letter)
		}
		data.Kinds = append(data.Kinds, dk)
		kinds = append(kinds, kindView{Kind: ks.kind, Title: kindTitle(ks.kind), Noun: kindNoun(ks.kind, ks.count()),
			Count: ks.count(), Bar: letterBar(ks, "", ks.kind.String()+"/")})
		total += ks.count()
	}
	js, err := json.Marshal(data) // escapes <, > and & for a script element
	if err != nil {
		return err
	}
	type buildView struct{ Label, Path string }
	var builds []buildView
	for _, b := range idx.builds {
		builds = append(builds, buildView{Label: buildLabel(&b.b.Meta), Path: b.path})
	}
	type diffView struct {
		Group, Old, New, Path   string
		Added, Removed, Changed int
	}
	var diffs []diffView
	for _, d := range idx.diffs {
		diffs = append(diffs, diffView{d.group, d.old, d.new, d.path, d.added, d.removed, d.changed})
	}
	return templates().ExecuteTemplate(w, "main", map[string]any{
		"Title": idx.title, "Total": total, "Kinds": kinds, "Traits": idx.traits, "Groups": idx.groups,
		"Builds": builds, "Diffs": diffs, "Site": template.JS(js),
	})
}

func htmlBuildPage(w *bufio.Writer, site string, b *SiteBuild) error {
	var counts [][2]string
	for _, k := range kabi.Kinds() {
		if n, ok := b.Counts[k]; ok {
			counts = append(counts, [2]string{kindTitle(k), fmt.Sprint(n)})
		} else {
			counts = append(counts, [2]string{kindTitle(k), "not counted"})
		}
	}
	return templates().ExecuteTemplate(w, "build", map[string]any{
		"Title": "Build " + orUnknown(b.Meta.Release), "Site": site, "Facts": buildFacts(&b.Meta), "Counts": counts,
	})
}

func htmlDiffPage(w *bufio.Writer, site, group, old, new string, d *diff.SurfaceDiff) error {
	return templates().ExecuteTemplate(w, "diff", map[string]any{
		"Title": fmt.Sprintf("%s: %s → %s", group, old, new), "Site": site, "D": d,
		"Transitions": surfaceTransitions(d),
	})
}

// writeHTMLAssets writes kabi.css, kabi.js and the search data: for each
// kind and letter, data/KIND-LETTER.js calling kabi.add(kind, letter,
// rows), each row [name, traits of group 1, ..., path if not the usual],
// the traits of a group a bit set over the site's trait list.
func writeHTMLAssets(sw *SiteWriter, idx *siteIndex) error {
	for _, a := range [][2]string{{"kabi.css", "assets/style.css"}, {"kabi.js", "assets/search.js"}} {
		b, err := assets.ReadFile(a[1])
		if err != nil {
			return err
		}
		n, err := writeFile(filepath.Join(sw.dir, a[0]), func(w *bufio.Writer) error {
			_, err := w.Write(b)
			return err
		})
		if err != nil {
			return err
		}
		sw.st.Bytes += n
	}
	bit := map[string]uint64{}
	for i, t := range idx.traits {
		bit[t] = 1 << i
	}
	for _, ks := range idx.kinds {
		for _, l := range ks.letters {
			var buf bytes.Buffer
			for i, e := range l.entries {
				if i > 0 {
					buf.WriteByte(',')
				}
				row := []any{e.name}
				for g := range idx.groups {
					var m uint64
					if g < len(e.traits) {
						for _, t := range e.traits[g] {
							m |= bit[t]
						}
					}
					row = append(row, m)
				}
				if usual := ks.kind.String() + "/" + l.letter + "/" + e.name + ".html"; e.path != usual {
					row = append(row, e.path)
				}
				js, err := json.Marshal(row)
				if err != nil {
					return err
				}
				buf.Write(js)
			}
			path := "data/" + ks.kind.String() + "-" + l.letter + ".js"
			n, err := writeFile(filepath.Join(sw.dir, filepath.FromSlash(path)), func(w *bufio.Writer) error {
				fmt.Fprintf(w, "kabi.add(%q,%q,[", ks.kind, l.letter)
				w.Write(buf.Bytes())
				_, err := w.WriteString("]);\n")
				return err
			})
			if err != nil {
				return err
			}
			sw.st.Bytes += n
		}
	}
	return nil
}
