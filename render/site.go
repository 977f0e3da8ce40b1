package render

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/internal/reftext"
)

// A Site writes a folder of pages: one per dependency of every kind, one
// per build, one per whole-surface comparison, and index pages, like the
// reference tool's sites but one site for
// every kind (docs/rules.md, section 9). The layout, relative to the folder:
//
//	index.EXT                         builds, kinds, comparisons; search (HTML)
//	KIND/index.EXT                    the kind's letters with counts
//	KIND/LETTER/index.EXT             the kind's names under LETTER, with traits per group
//	KIND/LETTER/NAME.EXT              a dependency's page
//	build/RELEASE.EXT                 what a build is
//	diff/GROUP-OLD-NEW.EXT            what changed between two builds of a group
//	kabi.css, kabi.js, data/*.js      (HTML) the shared style and script, the search data
//
// KIND is [kabi.Kind.String] ("function", "struct", ...); LETTER is
// [Letter] of the name; characters a file name cannot hold become '_'.
// Index pages list names in the reference site's order: underscores
// ignored, then case-insensitive (see [SiteOrder]).
//
// HTML pages share one stylesheet and one script, work offline from
// file://, and reflow to one column on a phone. The main index holds no
// names: its search loads the names of a kind (one small script per
// letter) when first asked, so it shows at once whatever the site's size.
type Site struct {
	// Format is "md" or "html".
	Format string
	// Title heads the index pages; "" means "Kernel dependency surface".
	Title string
	// Builds describes the compared builds: the main index lists them
	// and each gets a page.
	Builds []SiteBuild
}

// A SiteBuild is one build a site describes.
type SiteBuild struct {
	Meta kabi.Metadata
	// Counts is the number of dependencies of each kind the build has;
	// a kind it does not hold (or did not count) is left out and shown
	// as not counted.
	Counts map[kabi.Kind]int
}

// SiteStats counts what a site writer wrote.
type SiteStats struct {
	Pages, Indexes int
	Bytes          int64
}

// A SitePage is one dependency's page, for [SiteWriter.Page].
type SitePage struct {
	Kind kabi.Kind
	Name string
	// Traits names, per group of the site, what the dependency shows in
	// that group ("Absence", "Change", ...): the index columns and the
	// search filters. The site's groups are those of the first page
	// with traits.
	Groups []string
	Traits [][]string
	// Write writes the page in the site's format. root is the path from
	// the page to the site's folder ("../../"), for links and, in HTML,
	// the shared stylesheet (root + "kabi.css").
	Write func(w io.Writer, root string) error
}

// A SiteWriter writes a site page by page; [SiteWriter.Close] writes the
// index pages. Pages may come in any order; the indexes are sorted.
type SiteWriter struct {
	s       *Site
	dir     string
	ext     string
	groups  []string
	entries map[kabi.Kind][]siteEntry
	files   map[string]bool // page paths written, to keep names apart
	diffs   []siteDiff
	st      SiteStats
	closed  bool
	ctx     context.Context // CreateContext's; nil: none
}

// ctxErr is the error of the writer's context: nil without one.
func (sw *SiteWriter) ctxErr() error {
	if sw.ctx == nil {
		return nil
	}
	return sw.ctx.Err()
}

type siteEntry struct {
	name   string
	path   string // relative to the site root, with / separators
	traits [][]string
}

type siteDiff struct {
	group, old, new string
	path            string
	added, removed  int
	changed, common int
}

// Write writes a page per function report and the site's index pages: a
// shorthand for [Site.Create], [SiteWriter.Function] and
// [SiteWriter.Close].
func (s *Site) Write(dir string, reports iter.Seq2[*diff.FunctionReport, error]) (SiteStats, error) {
	return s.WriteContext(context.Background(), dir, reports)
}

// WriteContext is [Site.Write] that stops when ctx is done, as
// [Site.CreateContext] says.
func (s *Site) WriteContext(ctx context.Context, dir string, reports iter.Seq2[*diff.FunctionReport, error]) (SiteStats, error) {
	sw, err := s.CreateContext(ctx, dir)
	if err != nil {
		return SiteStats{}, err
	}
	for r, err := range reports {
		if err != nil {
			return sw.st, err
		}
		if err := sw.Function(r); err != nil {
			return sw.st, err
		}
	}
	return sw.Close()
}

// Create starts a site in dir (made if missing) and writes its build pages.
func (s *Site) Create(dir string) (*SiteWriter, error) {
	return s.CreateContext(context.Background(), dir)
}

// CreateContext is [Site.Create] whose writer stops when ctx is done: it
// checks ctx before each page (build, dependency, comparison, index) and
// then returns ctx.Err(). The pages written so far stay; the indexes of
// a stopped site are not written.
func (s *Site) CreateContext(ctx context.Context, dir string) (*SiteWriter, error) {
	if s.Format != "md" && s.Format != "html" {
		return nil, fmt.Errorf("site: unknown format %q (want md or html)", s.Format)
	}
	sw := &SiteWriter{s: s, dir: dir, ext: s.Format, entries: map[kabi.Kind][]siteEntry{}, files: map[string]bool{}, ctx: ctx}
	if err := sw.ctxErr(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for i := range s.Builds {
		if err := sw.ctxErr(); err != nil {
			return nil, err
		}
		b := &s.Builds[i]
		path := sw.buildPath(i)
		n, err := writeFile(filepath.Join(dir, filepath.FromSlash(path)), func(w *bufio.Writer) error {
			if s.Format == "html" {
				return htmlBuildPage(w, s.title(), b)
			}
			return mdBuildPage(w, s.title(), b)
		})
		if err != nil {
			return nil, err
		}
		sw.st.Pages++
		sw.st.Bytes += n
	}
	return sw, nil
}

func (s *Site) title() string {
	if s.Title == "" {
		return "Kernel dependency surface"
	}
	return s.Title
}

// buildPath is where build i's page goes: named by its release, with the
// build's number after it where two builds share one.
func (sw *SiteWriter) buildPath(i int) string {
	rel := sw.s.Builds[i].Meta.Release
	if rel == "" {
		rel = filepath.Base(sw.s.Builds[i].Meta.File)
	}
	for j := range i {
		if sw.s.Builds[j].Meta.Release == rel {
			rel = fmt.Sprintf("%s-%d", rel, i+1)
			break
		}
	}
	return "build/" + fileName(rel) + "." + sw.ext
}

// Function writes one function's page.
func (sw *SiteWriter) Function(r *diff.FunctionReport) error {
	p := SitePage{Kind: kabi.KindFunction, Name: r.Name}
	for i := range r.Groups {
		p.Groups = append(p.Groups, r.Groups[i].Name)
		p.Traits = append(p.Traits, traitNames(r.Groups[i].Traits()))
	}
	p.Write = reportWrite(sw, r, HTML.page, Markdown.Function)
	return sw.Page(p)
}

// Page writes one dependency's page at KIND/LETTER/NAME.EXT and lists it in
// the indexes. Two pages of one kind and name are an error.
func (sw *SiteWriter) Page(p SitePage) error {
	if sw.closed {
		return fmt.Errorf("site: page %s after Close", p.Name)
	}
	if err := sw.ctxErr(); err != nil {
		return err
	}
	if sw.groups == nil && len(p.Groups) > 0 {
		sw.groups = slices.Clone(p.Groups)
	}
	base := fileName(p.Name)
	path := p.Kind.String() + "/" + Letter(p.Name) + "/" + base + "." + sw.ext
	for i := 2; sw.files[path]; i++ {
		// Two names that make one file name ("a::b" and "a__b").
		path = fmt.Sprintf("%s/%s/%s~%d.%s", p.Kind, Letter(p.Name), base, i, sw.ext)
	}
	sw.files[path] = true
	n, err := writeFile(filepath.Join(sw.dir, filepath.FromSlash(path)), func(w *bufio.Writer) error {
		return p.Write(w, "../../")
	})
	if err != nil {
		return err
	}
	sw.st.Pages++
	sw.st.Bytes += n
	sw.entries[p.Kind] = append(sw.entries[p.Kind], siteEntry{name: p.Name, path: path, traits: p.Traits})
	return nil
}

// Diff writes the page of a whole-surface comparison between two builds
// of a group, labelled as the group labels them, and lists it on the main
// index.
func (sw *SiteWriter) Diff(group, oldLabel, newLabel string, d *diff.SurfaceDiff) error {
	if err := sw.ctxErr(); err != nil {
		return err
	}
	path := "diff/" + fileName(group+"-"+oldLabel+"-"+newLabel) + "." + sw.ext
	for i := 2; sw.files[path]; i++ {
		path = fmt.Sprintf("diff/%s~%d.%s", fileName(group+"-"+oldLabel+"-"+newLabel), i, sw.ext)
	}
	sw.files[path] = true
	n, err := writeFile(filepath.Join(sw.dir, filepath.FromSlash(path)), func(w *bufio.Writer) error {
		if sw.ext == "html" {
			return htmlDiffPage(w, sw.s.title(), group, oldLabel, newLabel, d)
		}
		return mdDiffPage(w, sw.s.title(), group, oldLabel, newLabel, d)
	})
	if err != nil {
		return err
	}
	sw.st.Pages++
	sw.st.Bytes += n
	sw.diffs = append(sw.diffs, siteDiff{group: group, old: oldLabel, new: newLabel, path: path,
		added: len(d.Added), removed: len(d.Removed), changed: len(d.Changed), common: d.Common})
	return nil
}

// Close writes the index pages (and, in HTML, the shared assets and the
// search data) and returns what the site holds.
func (sw *SiteWriter) Close() (SiteStats, error) {
	if sw.closed {
		return sw.st, nil
	}
	sw.closed = true
	idx := siteIndex{title: sw.s.title(), ext: sw.ext, groups: sw.groups, traits: sw.traitOrder()}
	for i := range sw.s.Builds {
		idx.builds = append(idx.builds, siteBuildLink{b: &sw.s.Builds[i], path: sw.buildPath(i)})
	}
	idx.diffs = sw.diffs
	for _, k := range kabi.Kinds() {
		es := sw.entries[k]
		if len(es) == 0 {
			continue
		}
		slices.SortFunc(es, func(a, b siteEntry) int { return SiteOrder(a.name, b.name) })
		ks := siteKind{kind: k}
		for len(es) > 0 {
			l := Letter(es[0].name)
			n := 1
			for n < len(es) && Letter(es[n].name) == l {
				n++
			}
			ks.letters = append(ks.letters, siteLetter{letter: l, entries: es[:n]})
			es = es[n:]
		}
		// Letters in their own order: SiteOrder groups a letter's names
		// together, and letters sort as strings.
		slices.SortStableFunc(ks.letters, func(a, b siteLetter) int { return cmp.Compare(a.letter, b.letter) })
		ks.letters = mergeLetters(ks.letters)
		idx.kinds = append(idx.kinds, ks)
	}
	write := func(path string, fill func(*bufio.Writer) error) error {
		if err := sw.ctxErr(); err != nil {
			return err
		}
		n, err := writeFile(filepath.Join(sw.dir, filepath.FromSlash(path)), fill)
		if err != nil {
			return err
		}
		sw.st.Indexes++
		sw.st.Bytes += n
		return nil
	}
	for _, ks := range idx.kinds {
		for _, l := range ks.letters {
			if err := write(ks.kind.String()+"/"+l.letter+"/index."+sw.ext, func(w *bufio.Writer) error {
				if sw.ext == "html" {
					return htmlLetterIndex(w, &idx, ks, l)
				}
				return mdLetterIndex(w, &idx, ks, l)
			}); err != nil {
				return sw.st, err
			}
		}
		if err := write(ks.kind.String()+"/index."+sw.ext, func(w *bufio.Writer) error {
			if sw.ext == "html" {
				return htmlKindIndex(w, &idx, ks)
			}
			return mdKindIndex(w, &idx, ks)
		}); err != nil {
			return sw.st, err
		}
	}
	if err := write("index."+sw.ext, func(w *bufio.Writer) error {
		if sw.ext == "html" {
			return htmlMainIndex(w, &idx)
		}
		return mdMainIndex(w, &idx)
	}); err != nil {
		return sw.st, err
	}
	if sw.ext == "html" {
		if err := writeHTMLAssets(sw, &idx); err != nil {
			return sw.st, err
		}
	}
	return sw.st, nil
}

// mergeLetters joins runs of one letter (which SiteOrder can split when
// names differ only in underscores and case) into one.
func mergeLetters(ls []siteLetter) []siteLetter {
	var out []siteLetter
	for _, l := range ls {
		if n := len(out); n > 0 && out[n-1].letter == l.letter {
			out[n-1].entries = append(slices.Clip(out[n-1].entries), l.entries...)
			slices.SortFunc(out[n-1].entries, func(a, b siteEntry) int { return SiteOrder(a.name, b.name) })
			continue
		}
		out = append(out, l)
	}
	return out
}

// traitOrder is the site's traits: those of [diff.Traits] in that order,
// then any other a page named, alphabetically.
func (sw *SiteWriter) traitOrder() []string {
	seen := map[string]bool{}
	for _, es := range sw.entries {
		for _, e := range es {
			for _, ts := range e.traits {
				for _, t := range ts {
					seen[t] = true
				}
			}
		}
	}
	var out []string
	for _, t := range diff.Traits() {
		if seen[t.String()] {
			out = append(out, t.String())
			delete(seen, t.String())
		}
	}
	rest := make([]string, 0, len(seen))
	for t := range seen {
		rest = append(rest, t)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

type siteIndex struct {
	title  string
	ext    string
	groups []string
	traits []string
	builds []siteBuildLink
	kinds  []siteKind
	diffs  []siteDiff
}

type siteBuildLink struct {
	b    *SiteBuild
	path string
}

type siteKind struct {
	kind    kabi.Kind
	letters []siteLetter
}

func (k siteKind) count() int {
	n := 0
	for _, l := range k.letters {
		n += len(l.entries)
	}
	return n
}

type siteLetter struct {
	letter  string
	entries []siteEntry
}

// SiteOrder orders names as the reference site's indexes do: compared
// with underscores left out and case ignored ("__fentry__" sorts with
// "fentry"), then as plain strings so the order is total.
func SiteOrder(a, b string) int {
	ka, kb := siteKey(a), siteKey(b)
	if c := cmp.Compare(ka, kb); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

func siteKey(s string) string {
	if strings.IndexByte(s, '_') < 0 && strings.ToLower(s) == s {
		return s
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// kindTitle is a kind's plural for headings: "Functions", "Structs", ...
func kindTitle(k kabi.Kind) string {
	s := kindNoun(k, 2)
	if k == kabi.KindKfunc {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// kindNoun names n dependencies of a kind: "1 function", "2 LSM hooks".
func kindNoun(k kabi.Kind, n int) string {
	s := k.String()
	switch k {
	case kabi.KindLSM:
		s = "LSM hook"
	case kabi.KindConfig:
		s = "config option"
	}
	if n == 1 {
		return s
	}
	return s + "s"
}

// Letter returns the index letter of a name: its first character after
// leading underscores, lower-cased, or "_" for anything but a letter or
// digit.
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

// fileName makes a name safe as a file name.
func fileName(name string) string {
	ok := func(r rune) bool {
		return r == '_' || r == '.' || r == '$' || r == '-' || r == '+' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if strings.IndexFunc(name, func(r rune) bool { return !ok(r) }) < 0 && name != "index" && !strings.HasPrefix(name, ".") {
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
	s := b.String()
	if s == "index" {
		return "index_"
	}
	if strings.HasPrefix(s, ".") {
		s = "_" + s[1:]
	}
	return s
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

func traitNames(ts []diff.Trait) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

// buildLabel describes a build in a line: "6.1.0-47-amd64 (amd64, gcc 12.2.0)".
func buildLabel(m *kabi.Metadata) string {
	rel := m.Release
	if rel == "" {
		rel = filepath.Base(m.File)
	}
	var parts []string
	if m.Arch != "" {
		parts = append(parts, m.Arch)
	}
	if m.Flavor != "" && m.Flavor != m.Arch {
		parts = append(parts, m.Flavor)
	}
	if len(parts) == 0 {
		return rel
	}
	return rel + " (" + strings.Join(parts, ", ") + ")"
}

// unknown is what a fact the source did not give reads as.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// --- Markdown ---

func mdLetterBar(w *bufio.Writer, ks siteKind, current, prefix string) {
	for i, l := range ks.letters {
		if i > 0 {
			w.WriteString(" · ")
		}
		if l.letter == current {
			fmt.Fprintf(w, "**%s**", strings.ToUpper(l.letter))
		} else {
			fmt.Fprintf(w, "[%s](%s%s/index.md)", strings.ToUpper(l.letter), prefix, l.letter)
		}
	}
	w.WriteString("\n\n")
}

func mdLetterIndex(w *bufio.Writer, idx *siteIndex, ks siteKind, l siteLetter) error {
	fmt.Fprintf(w, "# %s: %s, %s\n\n[All kinds](../../index.md) · [All %s](../index.md)\n\n", idx.title, kindTitle(ks.kind), strings.ToUpper(l.letter), strings.ToLower(kindTitle(ks.kind)))
	mdLetterBar(w, ks, l.letter, "../")
	fmt.Fprint(w, "| Name |")
	for _, g := range idx.groups {
		fmt.Fprintf(w, " %s |", g)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(idx.groups)))
	for _, e := range l.entries {
		fmt.Fprintf(w, "| [`%s`](%s) |", e.name, strings.TrimPrefix(e.path, ks.kind.String()+"/"+l.letter+"/"))
		for i := range idx.groups {
			var ts []string
			if i < len(e.traits) {
				ts = e.traits[i]
			}
			if len(ts) > 0 {
				fmt.Fprintf(w, " %s |", strings.Join(ts, ", "))
			} else {
				fmt.Fprint(w, " |")
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}

func mdKindIndex(w *bufio.Writer, idx *siteIndex, ks siteKind) error {
	fmt.Fprintf(w, "# %s: %s\n\n[All kinds](../index.md)\n\n", idx.title, kindTitle(ks.kind))
	mdLetterBar(w, ks, "", "")
	fmt.Fprintf(w, "| Letter | %s |\n|---|---|\n", kindTitle(ks.kind))
	for _, l := range ks.letters {
		fmt.Fprintf(w, "| [%s](%s/index.md) | %d |\n", strings.ToUpper(l.letter), l.letter, len(l.entries))
	}
	return nil
}

func mdMainIndex(w *bufio.Writer, idx *siteIndex) error {
	fmt.Fprintf(w, "# %s\n\n", idx.title)
	if len(idx.builds) > 0 {
		fmt.Fprintln(w, "## Builds")
		fmt.Fprintln(w)
		for _, b := range idx.builds {
			fmt.Fprintf(w, "- [%s](%s)\n", buildLabel(&b.b.Meta), b.path)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "## Kinds")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Kind | Count | Letters |\n|---|---|---|")
	for _, ks := range idx.kinds {
		fmt.Fprintf(w, "| [%s](%s/index.md) | %d | ", kindTitle(ks.kind), ks.kind, ks.count())
		for i, l := range ks.letters {
			if i > 0 {
				w.WriteString(" ")
			}
			fmt.Fprintf(w, "[%s](%s/%s/index.md)", strings.ToUpper(l.letter), ks.kind, l.letter)
		}
		fmt.Fprintln(w, " |")
	}
	if len(idx.diffs) > 0 {
		fmt.Fprintln(w, "\n## Comparisons")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| Group | Builds | Added | Removed | Changed |\n|---|---|---|---|---|")
		for _, d := range idx.diffs {
			fmt.Fprintf(w, "| %s | [%s → %s](%s) | %d | %d | %d |\n", d.group, d.old, d.new, d.path, d.added, d.removed, d.changed)
		}
	}
	return nil
}

func mdBuildPage(w *bufio.Writer, title string, b *SiteBuild) error {
	m := &b.Meta
	fmt.Fprintf(w, "# Build: `%s`\n\n[%s](../index.md)\n\n", orUnknown(m.Release), title)
	fmt.Fprint(w, "| | |\n|---|---|\n")
	for _, f := range buildFacts(m) {
		fmt.Fprintf(w, "| %s | %s |\n", f[0], strings.ReplaceAll(f[1], "|", "\\|"))
	}
	fmt.Fprintln(w, "\n| Kind | Count |\n|---|---|")
	for _, k := range kabi.Kinds() {
		if n, ok := b.Counts[k]; ok {
			fmt.Fprintf(w, "| %s | %d |\n", kindTitle(k), n)
		} else {
			fmt.Fprintf(w, "| %s | not counted |\n", kindTitle(k))
		}
	}
	return nil
}

// buildFacts lists what a build page says of the build, unknown where its
// source did not say.
func buildFacts(m *kabi.Metadata) [][2]string {
	return [][2]string{
		{"Release", orUnknown(m.Release)},
		{"Version", orUnknown(m.Version)},
		{"ABI revision", orUnknown(m.Revision)},
		{"Architecture", orUnknown(m.Arch)},
		{"Flavor", orUnknown(m.Flavor)},
		{"Compiler", orUnknown(m.Compiler)},
		{"Build ID", orUnknown(m.BuildID)},
		{"File", orUnknown(filepath.Base(m.File))},
	}
}

func mdDiffPage(w *bufio.Writer, title, group, old, new string, d *diff.SurfaceDiff) error {
	fmt.Fprintf(w, "# %s: `%s` → `%s`\n\n[%s](../index.md)\n\n", group, old, new, title)
	fmt.Fprintf(w, "`%s` (%s) → `%s` (%s)\n\n", d.Old.Release, d.Old.Arch, d.New.Release, d.New.Arch)
	fmt.Fprintf(w, "Functions: %d in both, %d added, %d removed, %d with signature changes.\n\n",
		d.Common, len(d.Added), len(d.Removed), len(d.Changed))
	for _, t := range surfaceTransitions(d) {
		fmt.Fprintf(w, "- %s\n", t)
	}
	mdNames := func(title string, names []string) {
		if len(names) == 0 {
			return
		}
		fmt.Fprintf(w, "\n## %s (%d)\n\n", title, len(names))
		for _, n := range names {
			fmt.Fprintf(w, "- [`%s`](../function/%s/%s.md)\n", n, Letter(n), fileName(n))
		}
	}
	mdNames("Added", d.Added)
	mdNames("Removed", d.Removed)
	if len(d.Changed) > 0 {
		fmt.Fprintf(w, "\n## Changed (%d)\n\n", len(d.Changed))
		for _, fc := range d.Changed {
			fmt.Fprintf(w, "- [`%s`](../function/%s/%s.md)\n", fc.Name, Letter(fc.Name), fileName(fc.Name))
			for _, c := range fc.Changes {
				fmt.Fprintf(w, "  - %s\n", c.String())
			}
		}
	}
	if len(d.Moved) > 0 {
		fmt.Fprintf(w, "\n## Moved between vmlinux and modules (%d)\n\n", len(d.Moved))
		for _, m := range d.Moved {
			fmt.Fprintf(w, "- [`%s`](../function/%s/%s.md): %s → %s\n", m.Name, Letter(m.Name), fileName(m.Name), m.From, m.To)
		}
	}
	return nil
}

// surfaceTransitions lists a surface diff's classification moves as lines.
func surfaceTransitions(d *diff.SurfaceDiff) []string {
	var out []string
	for _, x := range d.Inline {
		out = append(out, fmt.Sprintf("Inline %s → %s: %d", x.From, x.To, x.Count))
	}
	for _, x := range d.Collision {
		out = append(out, fmt.Sprintf("Collision %s → %s: %d", x.From, x.To, x.Count))
	}
	for _, x := range d.Transformation {
		out = append(out, fmt.Sprintf("Transformation %s → %s: %d", reftext.Bool(x.From), reftext.Bool(x.To), x.Count))
	}
	return out
}

// reportWrite is the Write of the page of report r: as HTML (html, given
// the site root) in an HTML site, as Markdown (md) in a Markdown one.
func reportWrite[R any](sw *SiteWriter, r R, html func(HTML, io.Writer, R, string) error, md func(Markdown, io.Writer, R) error) func(io.Writer, string) error {
	return func(w io.Writer, root string) error {
		if sw.ext == "html" {
			return html(HTML{}, w, r, root)
		}
		return md(Markdown{}, w, r)
	}
}
