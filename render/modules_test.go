package render

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// TestModuleNames: a module's function carries its module in every
// format: the text status line, the JSON instance and symbol (and back),
// the Markdown page (a Module line; the symbol as kallsyms names it) and
// the HTML page.
func TestModuleNames(t *testing.T) {
	b, err := kabi.Open(filepath.Join("..", "testdata", "x86_64-dwarf5.elf"),
		&kabi.Options{ModuleDir: filepath.Join("..", "testdata", "modules", "6.1.99-1-amd64")})
	if err != nil {
		t.Fatal(err)
	}
	groups := []diff.Group{{Name: "Regular", Pairing: diff.Chain, Members: []diff.Member{{Label: "6.1", Build: 0}}}}
	r := diff.Function("kfx_trace_nokprobe", []*kabi.Build{b}, groups)
	for _, c := range []struct {
		name string
		r    FunctionRenderer
		want []string
	}{
		{"text", Text{}, []string{"(1 instance, 1 symbol)  [kfx_trace]"}},
		{"json", JSON{}, []string{`"module": "kfx_trace"`}},
		{"markdown", Markdown{}, []string{"Module: kfx_trace\n", ": kfx_trace_nokprobe [kfx_trace] (STB_GLOBAL)"}},
		{"html", HTML{}, []string{"in module <code>kfx_trace</code>", "kfx_trace_nokprobe [kfx_trace] (STB_GLOBAL)"}},
	} {
		var buf bytes.Buffer
		if err := c.r.Function(&buf, r); err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, buf.String())
			}
		}
		if c.name == "json" {
			back, err := DecodeFunction(&buf)
			if err != nil {
				t.Fatal(err)
			}
			f := back.Groups[0].Status[0].Function
			if f.Instances[0].Module != "kfx_trace" || f.Symbols[0].Module != "kfx_trace" {
				t.Errorf("json: decoded without the module: %+v %+v", f.Instances[0], f.Symbols[0])
			}
		}
	}
	// A vmlinux function's page is as the reference has it.
	var buf bytes.Buffer
	if err := (Markdown{}).Function(&buf, diff.Function("vmap", []*kabi.Build{b}, groups)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Module") || strings.Contains(buf.String(), "[") && strings.Contains(buf.String(), "[kfx") {
		t.Errorf("vmap's page names a module:\n%s", buf.String())
	}
}
