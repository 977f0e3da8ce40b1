package render

import (
	"reflect"
	"strings"
	"testing"
)

// TestForFunction: every format a report page is written in has a
// renderer by name, the one the binary's -format takes.
func TestForFunction(t *testing.T) {
	for name, want := range map[string]FunctionRenderer{
		"md": Markdown{}, "markdown": Markdown{}, "html": HTML{}, "json": JSON{},
		"text": Text{Signatures: true}, "": Text{Signatures: true},
	} {
		got, err := ForFunction(name)
		if err != nil {
			t.Errorf("ForFunction(%q): %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ForFunction(%q) = %#v, want %#v", name, got, want)
		}
	}
	if _, err := ForFunction("pdf"); err == nil || !strings.Contains(err.Error(), "html") {
		t.Errorf("ForFunction(pdf): %v, want an error listing the formats", err)
	}
}
