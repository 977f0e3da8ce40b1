package render

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of a headless-capable Chromium, or skips.
// CI installs Debian's chromium (.ci/run); KABI_BROWSER names another.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("KABI_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no chromium: .ci/run installs it")
	}
	t.Skip("no chromium on this machine (apt-get install chromium)")
	return ""
}

// dumpDOM loads url in headless Chromium, lets its scripts run, and
// returns the resulting DOM as HTML.
func dumpDOM(t *testing.T, browser, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--disable-quic", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=5000", "--dump-dom", url)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s", browser, err, stderr)
	}
	return string(out)
}

// TestSiteHTMLInBrowser writes the HTML site of the reference reports,
// loads its index in a real browser with a search for "vmap", checks the
// script found exactly that function, then opens its page and checks
// what a reader sees there.
func TestSiteHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	if _, err := (&Site{Format: "html", Title: "Reference builds"}).Write(dir, seq(referenceReports(t))); err != nil {
		t.Fatal(err)
	}
	index := "file://" + filepath.Join(dir, "index.html")

	dom := dumpDOM(t, browser, index)
	if !strings.Contains(dom, "4 functions") {
		t.Errorf("index without a query: want the count of all 4 functions:\n%s", dom)
	}
	dom = dumpDOM(t, browser, index+"?q=vmap")
	rows := regexp.MustCompile(`<tr><td><a href="([^"]+)">([^<]+)</a>`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 1 || rows[0][2] != "vmap" || rows[0][1] != "v/vmap.html" {
		t.Fatalf("search for vmap: rows %q\n%s", rows, dom)
	}
	if !strings.Contains(dom, "1 function<") {
		t.Errorf("search for vmap: want the count 1 function")
	}
	// A search for "_r" finds do_page_cache_ra and kernel_read.
	dom = dumpDOM(t, browser, index+"?q=_r")
	if n := len(regexp.MustCompile(`<tr><td><a `).FindAllString(dom, -1)); n != 2 {
		t.Errorf("search for _r: %d rows, want 2", n)
	}

	page := dumpDOM(t, browser, "file://"+filepath.Join(dir, rows[0][1]))
	for _, want := range []string{
		`<h1 id="name">vmap</h1>`,
		`<pre class="sig">void *vmap(struct page **pages, unsigned int count, long unsigned int flags, pgprot_t prot);</pre>`,
		`<span class="label">4.4</span>`, `<span class="label">riscv64</span>`, `<span class="label">lowlatency</span>`,
		`<code>mm/vmalloc.c</code>`, `ffffffff811ceec0-ffffffff811cef6e: vmap (STB_GLOBAL)`,
		`<span class="ok">No changes</span> between <code>amd64</code> and <code>arm64</code>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("vmap page lacks %q", want)
		}
	}
	// 17 Regular, 4 Arch and 4 Flavor builds.
	if n := strings.Count(page, `<li class="build"`); n != 25 {
		t.Errorf("vmap page: %d builds, want 25", n)
	}
	// Long caller lists collapse: 6.8's vmap has 15 direct callers.
	if !strings.Contains(page, `<summary>Direct callers (15)</summary>`) {
		t.Error("vmap page: the 15 direct callers of 6.8 are not collapsed")
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("vmap page refers to the network")
	}
}
