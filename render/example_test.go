package render_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/render"
)

func openFixtures(names ...string) []*kabi.Build {
	var builds []*kabi.Build
	for _, f := range names {
		b, err := kabi.Open(filepath.Join("..", "testdata", f), nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
	}
	return builds
}

// Render a function's report for a terminal; render.Markdown{} gives
// DepSurf's page layout, render.HTML{} and render.JSON{} the others.
func ExampleText_Function() {
	builds := openFixtures("cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf")
	r := diff.Function("kfx_cmp_poll", builds, diff.GroupBuilds(builds, nil))
	if err := (render.Text{Signatures: true}).Function(os.Stdout, r); err != nil {
		log.Fatal(err)
	}
	// Output:
	// kfx_cmp_poll
	// Regular
	//   6.1  Absent
	//   6.2  ok  (1 instance, 1 symbol)  int kfx_cmp_poll(int fd, int events);
	//   6.3  ok  (1 instance, 1 symbol)  int kfx_cmp_poll(int fd, int events, int timeout);
	//   6.1 → 6.2  only in 6.2
	//   6.2 → 6.3  changed
	//       Param added: int timeout
}

// JSON writes a report as a document that DecodeFunction reads back;
// addresses are hex strings, exact in any JSON reader.
func ExampleJSON() {
	builds := openFixtures("cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf")
	r := diff.Function("kfx_cmp_poll", builds, diff.GroupBuilds(builds, nil))
	var buf bytes.Buffer
	if err := (render.JSON{}).Function(&buf, r); err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Schema string
		Groups []struct {
			Status []struct {
				Label    string
				Function struct {
					Symbols []struct{ Name, Address string }
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Schema)
	for _, s := range doc.Groups[0].Status {
		fmt.Println(s.Label, s.Function.Symbols)
	}
	back, err := render.DecodeFunction(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Groups[0].Pairs[0].Changes)
	// Output:
	// kabi.function-report/v2
	// 6.2 [{kfx_cmp_poll 0x401b90}]
	// 6.3 [{kfx_cmp_poll 0x401b80}]
	// [Param added: int timeout]
}

// A Site is a folder of pages: one per dependency, build and compared
// pair, with indexes (and, in HTML, an offline search).
func ExampleSite() {
	builds := openFixtures("cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf")
	groups := diff.GroupBuilds(builds, nil)
	site := &render.Site{Format: "md", Title: "Two builds"}
	for _, b := range builds {
		site.Builds = append(site.Builds, render.SiteBuild{Meta: b.Meta, Counts: map[kabi.Kind]int{kabi.KindFunction: b.Len()}})
	}
	dir, err := os.MkdirTemp("", "site")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sw, err := site.Create(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"kfx_cmp_config", "kfx_cmp_poll"} {
		if err := sw.Function(diff.Function(name, builds, groups)); err != nil {
			log.Fatal(err)
		}
	}
	st, err := sw.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Pages, "pages,", st.Indexes, "indexes") // 2 builds, 2 functions; letter k, functions, main
	page, err := os.ReadFile(filepath.Join(dir, "function", "k", "kfx_cmp_poll.md"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.SplitN(string(page), "\n", 2)[0])
	// Output:
	// 4 pages, 3 indexes
	// # Function: <code>kfx_cmp_poll</code>
}
