package render

import (
	"bufio"
	"cmp"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/diff"
)

// A Site writes a page per function and index pages into a folder, like
// DepSurf's site (surface-rules §7): pages at DIR/<letter>/<name>.<ext>,
// where letter is the name's first character after leading underscores,
// lower-cased; an index per letter with a table of names and, per group,
// the traits the function shows there; and DIR/index.<ext>. Characters a
// file name cannot hold become '_' (C and linkage names have none). In HTML the
// main index also searches all names and filters by trait, offline.
type Site struct {
	// Format is "md" or "html".
	Format string
	// Title heads the index pages; "" means "Function dependency surface".
	Title string
	// Builds describes the compared builds, shown on the main index.
	Builds []string
}

// SiteStats counts what Write wrote.
type SiteStats struct {
	Pages, Indexes int
	Bytes          int64
}

type siteEntry struct {
	name   string
	path   string // relative to the site root, with / separators
	traits [][]diff.Trait
}

// Letter returns the index letter of a function name.
func Letter(name string) string {
	n := strings.TrimLeft(name, "_")
	if n == "" {
		return "_"
	}
	c := n[0]
	switch {
	case 'A' <= c && c <= 'Z':
		return string(c + 'a' - 'A')
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return string(c)
	}
	return "_"
}

// fileName makes a function name safe as a file name.
func fileName(name string) string {
	ok := func(r rune) bool {
		return r == '_' || r == '.' || r == '$' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if strings.IndexFunc(name, func(r rune) bool { return !ok(r) }) < 0 && name != "index" {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		if ok(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.String() == "index" {
		return "index_"
	}
	return b.String()
}

// Write writes the pages of every report and the index pages.
func (s *Site) Write(dir string, reports iter.Seq2[*diff.FunctionReport, error]) (SiteStats, error) {
	var st SiteStats
	ext := s.Format
	var page FunctionRenderer
	switch s.Format {
	case "md":
		page = Markdown{}
	case "html":
		page = HTML{}
	default:
		return st, fmt.Errorf("site: unknown format %q (want md or html)", s.Format)
	}
	var entries []siteEntry
	var groups []string
	for r, err := range reports {
		if err != nil {
			return st, err
		}
		if groups == nil {
			for _, g := range r.Groups {
				groups = append(groups, g.Name)
			}
		}
		e := siteEntry{name: r.Name, path: Letter(r.Name) + "/" + fileName(r.Name) + "." + ext}
		for i := range r.Groups {
			e.traits = append(e.traits, r.Groups[i].Traits())
		}
		n, err := writeFile(filepath.Join(dir, filepath.FromSlash(e.path)), func(w *bufio.Writer) error {
			if h, ok := page.(HTML); ok {
				return h.page(w, r, "../")
			}
			return page.Function(w, r)
		})
		if err != nil {
			return st, err
		}
		st.Pages++
		st.Bytes += n
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b siteEntry) int { return cmp.Compare(a.name, b.name) })
	title := s.Title
	if title == "" {
		title = "Function dependency surface"
	}
	byLetter := map[string][]siteEntry{}
	var letters []string
	for _, e := range entries {
		l := Letter(e.name)
		if byLetter[l] == nil {
			letters = append(letters, l)
		}
		byLetter[l] = append(byLetter[l], e)
	}
	slices.Sort(letters)
	for _, l := range letters {
		n, err := writeFile(filepath.Join(dir, l, "index."+ext), func(w *bufio.Writer) error {
			if s.Format == "html" {
				return htmlLetterIndex(w, title, l, groups, byLetter[l])
			}
			return mdLetterIndex(w, title, l, groups, byLetter[l])
		})
		if err != nil {
			return st, err
		}
		st.Indexes++
		st.Bytes += n
	}
	n, err := writeFile(filepath.Join(dir, "index."+ext), func(w *bufio.Writer) error {
		if s.Format == "html" {
			return htmlMainIndex(w, title, s.Builds, groups, letters, entries)
		}
		return mdMainIndex(w, title, s.Builds, letters, byLetter)
	})
	if err != nil {
		return st, err
	}
	st.Indexes++
	st.Bytes += n
	return st, nil
}

// writeFile writes one file through a buffer and returns its size.
func writeFile(path string, fill func(*bufio.Writer) error) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	if err := fill(w); err != nil {
		f.Close()
		return 0, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return info.Size(), f.Close()
}

func traitText(ts []diff.Trait) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return strings.Join(names, ", ")
}

func mdLetterIndex(w *bufio.Writer, title, letter string, groups []string, es []siteEntry) error {
	fmt.Fprintf(w, "# %s: %s\n\n[All letters](../index.md)\n\n| Name |", title, strings.ToUpper(letter))
	for _, g := range groups {
		fmt.Fprintf(w, " %s |", g)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(groups)))
	for _, e := range es {
		fmt.Fprintf(w, "| [%s](%s) |", e.name, strings.TrimPrefix(e.path, letter+"/"))
		for i := range groups {
			var ts []diff.Trait
			if i < len(e.traits) {
				ts = e.traits[i]
			}
			if tt := traitText(ts); tt != "" {
				fmt.Fprintf(w, " %s |", tt)
			} else {
				fmt.Fprint(w, " |")
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}

func mdMainIndex(w *bufio.Writer, title string, builds, letters []string, byLetter map[string][]siteEntry) error {
	fmt.Fprintf(w, "# %s\n\n", title)
	if len(builds) > 0 {
		fmt.Fprintln(w, "Builds:")
		fmt.Fprintln(w)
		for _, b := range builds {
			fmt.Fprintf(w, "- %s\n", b)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "| Letter | Functions |\n|---|---|")
	for _, l := range letters {
		fmt.Fprintf(w, "| [%s](%s/index.md) | %d |\n", strings.ToUpper(l), l, len(byLetter[l]))
	}
	return nil
}
