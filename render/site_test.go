package render

import (
	"iter"
	"os"
	"path/filepath"
	"strings"
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
	// Letters: d (do_page_cache_ra), i (init_once), k (kernel_read), v (vmap).
	if st.Indexes != 5 {
		t.Errorf("indexes = %d, want 4 letters + 1", st.Indexes)
	}
	page, err := os.ReadFile(filepath.Join(dir, "v", "vmap.md"))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := os.ReadFile("testdata/reference/vmap.md")
	if string(page) != string(ref) {
		t.Error("the site's vmap page is not the reference page")
	}
	idx, err := os.ReadFile(filepath.Join(dir, "k", "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "| [kernel_read](kernel_read.md) | Change, Selective Inline | | |\n"
	if !strings.Contains(string(idx), "| Name | Regular | Arch | Flavor |\n") || !strings.Contains(string(idx), want) {
		t.Errorf("k/index.md:\n%s\nwant a row %q", idx, want)
	}
	idx, _ = os.ReadFile(filepath.Join(dir, "d", "index.md"))
	// do_page_cache_ra: absent in old Regular builds, Selective then Full;
	// absent on every other arch and flavor.
	want = "| [do_page_cache_ra](do_page_cache_ra.md) | Absence, Selective Inline, Full Inline | Absence | Absence |\n"
	if !strings.Contains(string(idx), want) {
		t.Errorf("d/index.md:\n%s\nwant a row %q", idx, want)
	}
	main, _ := os.ReadFile(filepath.Join(dir, "index.md"))
	if !strings.Contains(string(main), "| [V](v/index.md) | 1 |") {
		t.Errorf("index.md:\n%s", main)
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
