package render

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
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

// browserSite writes the HTML site of the reference reports plus a page of
// another kind, and returns its folder and the number of names of each
// trait (in any group), which the search filters must find.
func browserSite(t *testing.T) (string, map[string]int) {
	t.Helper()
	dir := t.TempDir()
	sw, err := (&Site{Format: "html", Title: "Reference builds"}).Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	count := func(traits [][]string) {
		seen := map[string]bool{}
		for _, ts := range traits {
			for _, x := range ts {
				if !seen[x] {
					seen[x] = true
					want[x]++
				}
			}
		}
	}
	for _, r := range referenceReports(t) {
		if err := sw.Function(r); err != nil {
			t.Fatal(err)
		}
		var ts [][]string
		for i := range r.Groups {
			ts = append(ts, traitNames(r.Groups[i].Traits()))
		}
		count(ts)
	}
	st := SitePage{Kind: kabi.KindStruct, Name: "linux_binprm", Groups: []string{"Regular", "Arch", "Flavor"},
		Traits: [][]string{{"Change"}, nil, {"Absence"}},
		Write: func(w io.Writer, root string) error {
			_, err := fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="%skabi.css"></head><body><h1>linux_binprm</h1></body></html>`, root)
			return err
		}}
	if err := sw.Page(st); err != nil {
		t.Fatal(err)
	}
	count(st.Traits)
	if _, err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, want
}

// TestSiteHTMLInBrowser loads the site's index in a real browser with a
// search for "vmap", checks the script found exactly that function, then
// opens its page and checks what a reader sees there.
func TestSiteHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	dir, _ := browserSite(t)
	index := "file://" + filepath.Join(dir, "index.html")

	dom := dumpDOM(t, browser, index)
	if !strings.Contains(dom, "4 functions, 1 struct.") {
		t.Errorf("index without a query: want the count of all 4 functions and the struct:\n%s", dom)
	}
	dom = dumpDOM(t, browser, index+"?q=vmap")
	rows := regexp.MustCompile(`<tr><td data-g="Name"><a href="([^"]+)">([^<]+)</a>`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 1 || rows[0][2] != "vmap" || rows[0][1] != "function/v/vmap.html" {
		t.Fatalf("search for vmap: rows %q\n%s", rows, dom)
	}
	if !strings.Contains(dom, "1 function<") {
		t.Errorf("search for vmap: want the count 1 function")
	}
	// A search for "_r" finds do_page_cache_ra and kernel_read.
	dom = dumpDOM(t, browser, index+"?q=_r")
	if n := len(regexp.MustCompile(`<tr><td data-g="Name"><a `).FindAllString(dom, -1)); n != 2 {
		t.Errorf("search for _r: %d rows, want 2", n)
	}
	// Across kinds: "in" finds init_once and linux_binprm.
	dom = dumpDOM(t, browser, index+"?q=in")
	if !strings.Contains(dom, "2 names: 1 function, 1 struct<") {
		t.Errorf("search for in: want 1 function and 1 struct:\n%s", dom)
	}

	page := dumpDOM(t, browser, "file://"+filepath.Join(dir, rows[0][1]))
	for _, want := range []string{
		`<h1>vmap</h1>`,
		`<link rel="stylesheet" href="../../kabi.css">`,
		`<pre class="sig">void *vmap(struct page **pages, unsigned int count, long unsigned int flags, pgprot_t prot);</pre>`,
		`<summary><b>4.4</b>: <span class="ok">ok ✓</span></summary>`, `<b>riscv64</b>`, `<b>lowlatency</b>`,
		"<p>Direct callers:</p><pre>arch/x86/xen/grant-table.c: xen_pvh_gnttab_setup\ndrivers/xen/xenbus/xenbus_client.c: xenbus_map_ring_valloc_hvm\n",
		"<code>mm/vmalloc.c:1552</code> at <code>ffffffff811ceec0</code>\n", `ffffffff811ceec0-ffffffff811cef6e: vmap (STB_GLOBAL)`,
		`<span class="ok">No changes</span>: <code>amd64</code> → <code>arm64</code>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("vmap page lacks %q", want)
		}
	}
	// 17 Regular, 4 Arch and 4 Flavor builds.
	if n := strings.Count(page, `<li><details><summary>`) + strings.Count(page, `<li><b>`); n != 25 {
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

// TestSiteFiltersInBrowser ticks each trait filter of the main index in
// a real browser, alone, and checks the rows it shows against the data;
// then searches by typing, narrows by kind, and follows a result.
func TestSiteFiltersInBrowser(t *testing.T) {
	dir, want := browserSite(t)
	wd := startWebDriver(t, 1200, 900)
	wd.open("file://" + filepath.Join(dir, "index.html"))
	var ms float64
	wd.eval(`var n = performance.getEntriesByType("navigation")[0]; return n.domContentLoadedEventEnd;`, &ms)
	t.Logf("main index: DOMContentLoaded after %.1f ms", ms)
	var traits []string
	wd.eval(`return JSON.parse(document.getElementById("kabi-site").textContent).traits;`, &traits)
	if len(traits) == 0 {
		t.Fatal("the site lists no traits")
	}
	rowsNow := `return document.getElementById("count").textContent + "|" + document.querySelectorAll("#results tr").length;`
	for i, tr := range traits {
		sel := fmt.Sprintf(`input[data-trait="%d"]`, i)
		wd.click(sel)
		got := wd.waitText(rowsNow, func(s string) bool { return !strings.HasPrefix(s, "Loading") && !strings.Contains(s, "Type to search") })
		n := want[tr]
		if !strings.HasSuffix(got, fmt.Sprintf("|%d", n)) || (n > 0 && !strings.HasPrefix(got, fmt.Sprint(n)) && !strings.Contains(got, fmt.Sprintf("%d names", n))) {
			t.Errorf("filter %s: shows %q, want %d rows", tr, got, n)
		}
		if n == 0 {
			t.Errorf("filter %s: no name has it, yet it is offered", tr)
		}
		wd.click(sel) // untick
	}
	// Two filters at once: names with both traits.
	if len(traits) >= 2 {
		wd.click(`input[data-trait="0"]`)
		wd.click(`input[data-trait="1"]`)
		got := wd.waitText(rowsNow, func(s string) bool { return !strings.HasPrefix(s, "Loading") })
		t.Logf("%s and %s: %s", traits[0], traits[1], got)
		wd.click(`input[data-trait="0"]`)
		wd.click(`input[data-trait="1"]`)
	}
	// Typing searches.
	var el map[string]string
	wd.call("POST", "/element", map[string]string{"using": "css selector", "value": "#q"}, &el)
	for _, id := range el {
		wd.call("POST", "/element/"+id+"/value", map[string]string{"text": "in"}, nil)
	}
	if got := wd.waitText(rowsNow, func(s string) bool { return strings.HasSuffix(s, "|2") }); got != "2 names: 1 function, 1 struct|2" {
		t.Errorf("typing in: %q, want init_once and linux_binprm", got)
	}
	// Unticking functions leaves the struct.
	wd.click(`input[data-kind="function"]`)
	if got := wd.waitText(rowsNow, func(s string) bool { return strings.HasSuffix(s, "|1") }); got != "1 struct|1" {
		t.Errorf("in, structs only: %q", got)
	}
	wd.screenshot("index-search")
	wd.click(`#results a`)
	var h1 string
	wd.eval(`return document.querySelector("h1").textContent;`, &h1)
	if h1 != "linux_binprm" {
		t.Errorf("following the result: h1 %q", h1)
	}
}

// TestSitePhoneWidth loads each kind of page at a phone's width and checks
// that nothing makes the document wider than the screen.
func TestSitePhoneWidth(t *testing.T) {
	dir, _ := browserSite(t)
	wd := startWebDriver(t, 400, 900)
	for _, page := range []string{"index.html?q=_", "function/index.html", "function/d/index.html", "function/i/init_once.html",
		"function/v/vmap.html", "function/d/do_page_cache_ra.html", "struct/l/linux_binprm.html"} {
		wd.open("file://" + filepath.Join(dir, page))
		var widths []float64
		wd.eval(`var d = document.documentElement; return [d.scrollWidth, d.clientWidth];`, &widths)
		if len(widths) != 2 || widths[0] > widths[1] || widths[1] > 400 {
			t.Errorf("%s at 400 px: document %v px wide (scroll, client)", page, widths)
		}
		wd.screenshot("phone-" + strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(page))
	}
}

// TestSiteRealInBrowser opens a site written beforehand (KABI_SITE names
// its folder, e.g. one `kabi report -all -format html` wrote over real
// kernels), reports how soon the main index renders and how long the
// first search takes, and checks that the search finds vmap.
func TestSiteRealInBrowser(t *testing.T) {
	dir := os.Getenv("KABI_SITE")
	if dir == "" {
		t.Skip("KABI_SITE is not set")
	}
	wd := startWebDriver(t, 1200, 900)
	wd.open("file://" + filepath.Join(dir, "index.html"))
	var timing map[string]float64
	wd.eval(`var n = performance.getEntriesByType("navigation")[0];
		var p = performance.getEntriesByName("first-contentful-paint")[0];
		return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: p ? p.startTime : -1};`, &timing)
	t.Logf("main index: first contentful paint %.0f ms, DOMContentLoaded %.0f ms, load %.0f ms", timing["fcp"], timing["dcl"], timing["load"])
	start := time.Now()
	wd.open("file://" + filepath.Join(dir, "index.html") + "?q=vmap&kind=function")
	got := wd.waitText(`return document.getElementById("count").textContent;`, func(s string) bool { return !strings.HasPrefix(s, "Loading") && !strings.Contains(s, "Type to search") })
	t.Logf("search for vmap over every function: %q after %v", got, time.Since(start).Round(time.Millisecond))
	var first string
	wd.eval(`var a = document.querySelector("#results a"); return a ? a.textContent : "";`, &first)
	if first != "vmap" {
		t.Errorf("search for vmap: first result %q", first)
	}
}

// TestSiteEveryKindInBrowser writes a site over two fixture builds with a
// page of every kind, then loads each page, the indexes, a build page and a
// comparison at a phone's width: nothing may make the document wider than
// the screen. It also searches across kinds at a desktop's width.
func TestSiteEveryKindInBrowser(t *testing.T) {
	var builds []*kabi.Build
	var metas []kabi.Metadata
	for _, f := range []string{"hooks-6.1.99-1-amd64.elf", "hooks-6.2.5-1-amd64.elf"} {
		b, err := kabi.Open(filepath.Join("..", "testdata", f), nil)
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, b)
		metas = append(metas, b.Meta)
	}
	groups := diff.Groups(metas, nil)
	dir := t.TempDir()
	site := &Site{Format: "html", Title: "Fixture builds"}
	for _, b := range builds {
		site.Builds = append(site.Builds, SiteBuild{Meta: b.Meta, Counts: map[kabi.Kind]int{kabi.KindFunction: b.Len()}})
	}
	sw, err := site.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Function(diff.Function("__x64_sys_openat", builds, groups)); err != nil {
		t.Fatal(err)
	}
	pages := []string{"function/x/__x64_sys_openat.html"}
	for _, r := range []kabi.Ref{{Kind: kabi.KindStruct, Name: "kfx_file"}, {Kind: kabi.KindUnion, Name: "kfx_key"}, {Kind: kabi.KindEnum, Name: "kfx_state"}} {
		if err := sw.Type(diff.Type(r, builds, groups)); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, fmt.Sprintf("%s/%s/%s.html", r.Kind, Letter(r.Name), r.Name))
	}
	for _, r := range []kabi.Ref{{Kind: kabi.KindTracepoint, Name: "block_rq_issue"}, {Kind: kabi.KindLSM, Name: "file_open"},
		{Kind: kabi.KindKfunc, Name: "bpf_kfx_file_acquire"}, {Kind: kabi.KindSyscall, Name: "openat"}, {Kind: kabi.KindConfig, Name: "CONFIG_BPF"}} {
		if err := sw.Hook(diff.Hook(r, builds, groups)); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, fmt.Sprintf("%s/%s/%s.html", r.Kind, Letter(r.Name), r.Name))
	}
	for _, g := range groups {
		for _, p := range g.Pairs() {
			if err := sw.Diff(g.Name, p[0].Label, p[1].Label, diff.Surfaces(builds[p[0].Build], builds[p[1].Build])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	diffs, _ := filepath.Glob(filepath.Join(dir, "diff", "*.html"))
	builds2, _ := filepath.Glob(filepath.Join(dir, "build", "*.html"))
	if len(diffs) == 0 || len(builds2) != 2 {
		t.Fatalf("comparison pages %q, build pages %q", diffs, builds2)
	}
	for _, p := range []string{diffs[0], builds2[0]} {
		rel, _ := filepath.Rel(dir, p)
		pages = append(pages, rel)
	}
	pages = append(pages, "index.html?q=kfx", "struct/index.html", "tracepoint/b/index.html")

	wd := startWebDriver(t, 400, 900)
	for _, page := range pages {
		wd.open("file://" + filepath.Join(dir, page))
		var got struct {
			H1     string    `json:"h1"`
			Widths []float64 `json:"w"`
			Shared bool      `json:"shared"`
		}
		wd.eval(`var d = document.documentElement, h = document.querySelector("h1");
			var l = document.querySelector('link[rel="stylesheet"]');
			return {h1: h ? h.textContent : "", w: [d.scrollWidth, d.clientWidth],
				shared: !!l && /kabi\.css$/.test(l.href) && !document.querySelector("style")};`, &got)
		if got.H1 == "" {
			t.Errorf("%s: no heading (page missing?)", page)
		}
		if !got.Shared {
			t.Errorf("%s: does not use the site's one stylesheet (kabi.css), or inlines styles", page)
		}
		if len(got.Widths) != 2 || got.Widths[0] > got.Widths[1] || got.Widths[1] > 400 {
			t.Errorf("%s at 400 px: document %v px wide (scroll, client)", page, got.Widths)
		}
		wd.screenshot("kind-" + strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(page))
	}
	// One search finds names of several kinds.
	wd.open("file://" + filepath.Join(dir, "index.html") + "?q=kfx")
	text := wd.waitText(`return document.getElementById("count").textContent;`, func(s string) bool { return strings.Contains(s, "names:") })
	for _, kind := range []string{"struct", "union", "enum", "kfunc"} {
		if !strings.Contains(text, kind) {
			t.Errorf("search for kfx: %q names no %s", text, kind)
		}
	}
}
