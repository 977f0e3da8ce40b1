package kabi

import (
	"strings"
	"testing"
)

// TestTypeJSONUnknownPlace: a definition with no known place (a running
// kernel's BTF) writes "locations":null, and still its modules.
func TestTypeJSONUnknownPlace(t *testing.T) {
	d := &TypeDef{Kind: KindStruct, Name: "kfx_priv", Size: 8, Modules: []string{"kfx_blk"}}
	got := string(d.AppendJSON(nil))
	if !strings.Contains(got, `"locations":null`) || !strings.Contains(got, `"modules":["kfx_blk"]`) {
		t.Errorf("%s", got)
	}
	d.Locations = []Location{{File: "kfx/blk.c", Line: 3}}
	if got := string(d.AppendJSON(nil)); !strings.Contains(got, `"locations":[{"file":"kfx/blk.c","line":3}]`) {
		t.Errorf("%s", got)
	}
}
