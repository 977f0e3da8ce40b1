package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// TestTextLongLists renders the text of surface, hook and type diffs
// whose every list is longer than the 20 names text shows, and compares
// it with testdata/text-long-lists.txt (rewritten with -update).
func TestTextLongLists(t *testing.T) {
	names := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s%02d", prefix, i))
		}
		return out
	}
	var (
		hookChanged []diff.HookChanges
		typeChanged []diff.TypeChanges
		moved       []diff.Moved
		fnChanged   []diff.FunctionChanges
	)
	for i, n := range names("changed_", 23) {
		hookChanged = append(hookChanged, diff.HookChanges{Name: n, Changes: []diff.HookChange{{Kind: diff.ValueChanged, Old: "y", New: "m"}}})
		typeChanged = append(typeChanged, diff.TypeChanges{Name: n, Changes: []diff.TypeChange{{Kind: diff.FieldAdded, Name: "f", New: fmt.Sprintf("int f%d", i)}}})
		moved = append(moved, diff.Moved{Name: n, From: "vmlinux", To: "kfx"})
		fnChanged = append(fnChanged, diff.FunctionChanges{Name: n})
	}
	var b bytes.Buffer
	if err := (Text{}).Surface(&b, &diff.SurfaceDiff{Added: names("added_", 21), Removed: names("removed_", 20), Changed: fnChanged, Moved: moved, Common: 7}); err != nil {
		t.Fatal(err)
	}
	hooks := []diff.HookDiff{{Kind: kabi.KindConfig, Added: names("added_", 21), Removed: names("removed_", 25), Changed: hookChanged, Unseen: names("unseen_", 22), Common: 3}}
	if err := (Text{}).Hooks(&b, hooks); err != nil {
		t.Fatal(err)
	}
	types := []diff.TypeDiff{{Kind: kabi.KindStruct, Added: names("added_", 20), Removed: names("removed_", 21), Changed: typeChanged, Moved: moved, Common: 4}}
	if err := (Text{}).Types(&b, types); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "text-long-lists.txt")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("got\n%s\nwant\n%s", b.Bytes(), want)
	}
}
