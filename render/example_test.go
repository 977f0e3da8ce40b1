package render_test

import (
	"log"
	"os"
	"path/filepath"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/render"
)

// Render a function's report for a terminal; render.Markdown{} gives
// DepSurf's page layout, render.HTML{} and render.JSON{} the others.
func ExampleText_Function() {
	var builds []*kabi.Build
	var metas []kabi.Metadata
	for _, f := range []string{"cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf"} {
		b, err := kabi.Open(filepath.Join("..", "testdata", f), nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
		metas = append(metas, b.Meta)
	}
	r := diff.Function("kfx_cmp_poll", builds, diff.Groups(metas, nil))
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
