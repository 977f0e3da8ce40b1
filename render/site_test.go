package render

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

func referenceReports(t *testing.T) []*diff.FunctionReport {
	t.Helper()
	sigs := map[string]*kabi.Signature{}
	for _, s := range referenceSigs() {
		sigs[s.String()] = s
	}
	files, _ := filepath.Glob("testdata/reference/*.md")
	var out []*diff.FunctionReport
	for _, path := range files {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, parsePage(t, string(text), sigs).report())
	}
	return out
}

func seq(rs []*diff.FunctionReport) iter.Seq2[*diff.FunctionReport, error] {
	return func(yield func(*diff.FunctionReport, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func TestSiteMarkdown(t *testing.T) {
	dir := t.TempDir()
	st, err := (&Site{Format: "md"}).Write(dir, seq(referenceReports(t)))
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages != 4 {
		t.Errorf("pages = %d, want 4", st.Pages)
	}
	// Letters: d (do_page_cache_ra), i (init_once), k (kernel_read), v
	// (vmap); the function kind's index; the main index.
	if st.Indexes != 6 {
		t.Errorf("indexes = %d, want 4 letters + 1 kind + 1", st.Indexes)
	}
	page, err := os.ReadFile(filepath.Join(dir, "function", "v", "vmap.md"))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := os.ReadFile("testdata/reference/vmap.md")
	if string(page) != string(ref) {
		t.Error("the site's vmap page is not the reference page")
	}
	idx, err := os.ReadFile(filepath.Join(dir, "function", "k", "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "| [`kernel_read`](kernel_read.md) | Change, Selective Inline | | |\n"
	if !strings.Contains(string(idx), "| Name | Regular | Arch | Flavor |\n") || !strings.Contains(string(idx), want) {
		t.Errorf("function/k/index.md:\n%s\nwant a row %q", idx, want)
	}
	// The letter bar: the page's own letter in bold, the others linked.
	if bar := "[D](../d/index.md) · [I](../i/index.md) · **K** · [V](../v/index.md)\n"; !strings.Contains(string(idx), bar) {
		t.Errorf("function/k/index.md lacks the letter bar %q:\n%s", bar, idx)
	}
	idx, _ = os.ReadFile(filepath.Join(dir, "function", "d", "index.md"))
	// do_page_cache_ra: absent in old Regular builds, Selective then Full;
	// absent on every other arch and flavor.
	want = "| [`do_page_cache_ra`](do_page_cache_ra.md) | Absence, Selective Inline, Full Inline | Absence | Absence |\n"
	if !strings.Contains(string(idx), want) {
		t.Errorf("function/d/index.md:\n%s\nwant a row %q", idx, want)
	}
	main, _ := os.ReadFile(filepath.Join(dir, "index.md"))
	if !strings.Contains(string(main), "| [Functions](function/index.md) | 4 | [D](function/d/index.md) [I](function/i/index.md) [K](function/k/index.md) [V](function/v/index.md) |") {
		t.Errorf("index.md:\n%s", main)
	}
}

// TestSiteKindsBuildsDiffs writes a site with a page of another kind, two
// build pages and a comparison, in both formats, and checks where each
// lands and what the indexes say of it.
func TestSiteKindsBuildsDiffs(t *testing.T) {
	for _, format := range []string{"md", "html"} {
		dir := t.TempDir()
		site := &Site{Format: format, Title: "Test site", Builds: []SiteBuild{
			{Meta: kabi.Metadata{Release: "6.1.0-47-amd64", Arch: "amd64", Flavor: "amd64", Compiler: "gcc 12.2.0"},
				Counts: map[kabi.Kind]int{kabi.KindFunction: 3}},
			{Meta: kabi.Metadata{Release: "6.1.0-56-amd64", Arch: "amd64", Flavor: "amd64"}},
		}}
		sw, err := site.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range referenceReports(t) {
			if err := sw.Function(r); err != nil {
				t.Fatal(err)
			}
		}
		err = sw.Page(SitePage{Kind: kabi.KindStruct, Name: "linux_binprm", Groups: []string{"Regular"},
			Traits: [][]string{{"Change", "Layout"}},
			Write: func(w io.Writer, root string) error {
				_, err := fmt.Fprintf(w, "struct page, root %s", root)
				return err
			}})
		if err != nil {
			t.Fatal(err)
		}
		d := &diff.SurfaceDiff{Old: site.Builds[0].Meta, New: site.Builds[1].Meta, Common: 2,
			Added: []string{"vmap"}, Removed: []string{"kernel_read"}}
		if err := sw.Diff("Revision", "6.1.0-47", "6.1.0-56", d); err != nil {
			t.Fatal(err)
		}
		st, err := sw.Close()
		if err != nil {
			t.Fatal(err)
		}
		// 4 functions, 1 struct, 2 builds, 1 comparison.
		if st.Pages != 8 {
			t.Errorf("%s: pages = %d, want 8", format, st.Pages)
		}
		read := func(path string) string {
			t.Helper()
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if got := read("struct/l/linux_binprm." + format); got != "struct page, root ../../" {
			t.Errorf("%s: struct page = %q", format, got)
		}
		b1 := read("build/6.1.0-47-amd64." + format)
		for _, want := range []string{"gcc 12.2.0", "amd64", "3"} {
			if !strings.Contains(b1, want) {
				t.Errorf("%s: build page lacks %q:\n%s", format, want, b1)
			}
		}
		// What the second build's source did not say is unknown, and a
		// kind nobody counted is not shown as 0.
		b2 := read("build/6.1.0-56-amd64." + format)
		if !strings.Contains(b2, "unknown") || !strings.Contains(b2, "not counted") || strings.Contains(b2, ">0<") || strings.Contains(b2, "| 0 |") {
			t.Errorf("%s: build page of a build without compiler or counts:\n%s", format, b2)
		}
		dp := read("diff/Revision-6.1.0-47-6.1.0-56." + format)
		for _, want := range []string{"1 added", "1 removed", "vmap", "kernel_read"} {
			if !strings.Contains(dp, want) {
				t.Errorf("%s: comparison page lacks %q:\n%s", format, want, dp)
			}
		}
		main := read("index." + format)
		for _, want := range []string{"6.1.0-47-amd64 (amd64)", "build/6.1.0-47-amd64." + format, "diff/Revision-6.1.0-47-6.1.0-56." + format, "struct/index." + format} {
			if !strings.Contains(main, want) {
				t.Errorf("%s: main index lacks %q:\n%s", format, want, main)
			}
		}
		if format == "html" {
			data := read("data/struct-l.js")
			// Traits are bits over the site's list: the known ones in
			// their order (Change is bit 1 after Absence), then others.
			if !strings.Contains(data, `kabi.add("struct","l",[["linux_binprm",`) {
				t.Errorf("struct search data: %s", data)
			}
			if strings.Contains(main, "kernel_read") {
				t.Error("the HTML main index inlines names: it should load them on demand")
			}
			for _, f := range []string{"kabi.css", "kabi.js"} {
				read(f)
			}
		}
	}
}

func TestSiteOrder(t *testing.T) {
	names := []string{"vmap", "__fentry__", "_copy_to_user", "copy_from_user", "Fentry", "fentry", "a_b", "ab", "__a"}
	slices.SortFunc(names, SiteOrder)
	want := []string{"__a", "a_b", "ab", "copy_from_user", "_copy_to_user", "Fentry", "__fentry__", "fentry", "vmap"}
	if !slices.Equal(names, want) {
		t.Errorf("SiteOrder: %q, want %q", names, want)
	}
}

func TestLetterAndFileName(t *testing.T) {
	for in, want := range map[string]string{"vmap": "v", "__x64_sys_read": "x", "_Zfoo": "z", "___": "_", "9p_fs": "9", "Ärger": "_"} {
		if got := Letter(in); got != want {
			t.Errorf("Letter(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"vmap": "vmap", "a::b": "a__b", "index": "index_", "x/../y": "x_.._y"} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCallerLines(t *testing.T) {
	cs := []kabi.Caller{{File: "fs/read_write.c", Function: "ksys_read"}, {File: "fs/exec.c", Function: "kernel_read_file"},
		{File: "fs/read_write.c", Function: "ksys_pread64"}, {File: "fs/read_write.c", Function: "ksys_read"},
		{File: "kernel/relay.c", Function: "relay_open_buf", Site: kabi.Location{File: "kernel/relay.c", Line: 171}, Addr: 0xffffffff811c2e1b, HasAddr: true},
		{File: "kernel/relay.c", Function: "relay_open_buf", Site: kabi.Location{File: "include/linux/relay.h", Line: 9}},
		{File: "kernel/relay.c", Function: "relay_open_buf"},
		{File: "kernel/relay.c", Function: "relay_reset", Addr: 0x10, HasAddr: true}}
	want := []string{"fs/read_write.c: ksys_read (2), ksys_pread64", "fs/exec.c: kernel_read_file",
		"kernel/relay.c: relay_open_buf (:171 ffffffff811c2e1b, include/linux/relay.h:9, 1 more), relay_reset (10)"}
	if got := callerLines(cs); !slices.Equal(got, want) {
		t.Errorf("callerLines = %q, want %q", got, want)
	}
	if got := callerLines(nil); len(got) != 0 {
		t.Errorf("callerLines(nil) = %q", got)
	}
}

// countdown is a context done from its n-th Err call on.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) <= 0 {
		return context.Canceled
	}
	return nil
}

// TestSiteContext: a site being written stops at each page and index page
// with ctx.Err(), and completes as Write does with a context never done.
func TestSiteContext(t *testing.T) {
	reports := referenceReports(t)
	site := &Site{Format: "html", Builds: []SiteBuild{{Meta: kabi.Metadata{Release: "6.1.0-47-amd64"}}}}
	checks := 0
	for n := 1; ; n++ {
		ctx := &countdown{Context: context.Background()}
		ctx.n.Store(int64(n))
		_, err := site.WriteContext(ctx, t.TempDir(), seq(reports))
		if err == nil {
			checks = n - 1
			break
		}
		if err != context.Canceled {
			t.Fatalf("stopped at check %d: %v, want context.Canceled", n, err)
		}
		if n > 1000 {
			t.Fatal("never completes")
		}
	}
	// Create, a build page, 4 function pages, 6 index pages at least.
	if checks < 1+1+4+6 {
		t.Errorf("%d checks, want one per page at least", checks)
	}
	want, err := site.Write(t.TempDir(), seq(reports))
	if err != nil {
		t.Fatal(err)
	}
	got, err := site.WriteContext(context.Background(), t.TempDir(), seq(reports))
	if err != nil || got != want {
		t.Errorf("WriteContext: %+v, %v; Write: %+v", got, err, want)
	}
}
