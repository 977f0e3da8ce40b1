package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

var reStyle = regexp.MustCompile(`(?s)<style>.*?</style>`)

// Golden cases for the type pages, as testdata/golden's for functions:
// inputs "builds" (fixture files) and "type" (a reference, KIND:NAME);
// outputs "markdown", "text", "json", "html", regenerated with -update.
func TestTypeGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden-types/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a := parseTxtar(string(raw))
			if strings.TrimSpace(a.comment) == "" {
				t.Error("a golden case says why it exists in its comment")
			}
			var builds []*kabi.Build
			var metas []kabi.Metadata
			for _, f := range lines(a.files["builds"]) {
				b := fixtureBuild(t, f)
				builds = append(builds, b)
				metas = append(metas, b.Meta)
			}
			ref, err := kabi.ParseRef(strings.TrimSpace(a.files["type"]))
			if err != nil {
				t.Fatal(err)
			}
			r := diff.Type(ref, builds, diff.Groups(metas, nil))
			outs := map[string]func(*bytes.Buffer) error{
				"markdown": func(b *bytes.Buffer) error { return Markdown{}.Type(b, r) },
				"text":     func(b *bytes.Buffer) error { return Text{}.Type(b, r) },
				"json":     func(b *bytes.Buffer) error { return JSON{}.Type(b, r) },
				"html": func(b *bytes.Buffer) error {
					// The shared stylesheet is not this test's business.
					var page bytes.Buffer
					if err := (HTML{}).Type(&page, r); err != nil {
						return err
					}
					b.Write(reStyle.ReplaceAll(page.Bytes(), []byte("<style>...</style>")))
					return nil
				},
			}
			changed := false
			for _, name := range []string{"markdown", "text", "json", "html"} {
				var got bytes.Buffer
				if err := outs[name](&got); err != nil {
					t.Fatal(err)
				}
				if _, ok := a.files[name]; !ok {
					a.names = append(a.names, name)
				}
				if a.files[name] != got.String() {
					if *update {
						a.files[name] = got.String()
						changed = true
					} else {
						t.Errorf("%s differs from the golden output; run go test -run TestTypeGolden -update after checking:\n%s", name, got.String())
					}
				}
			}
			if changed {
				if err := os.WriteFile(path, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
