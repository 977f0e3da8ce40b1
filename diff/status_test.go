package diff

import (
	"slices"
	"testing"

	"github.com/kabi-dev/kabi"
)

// TestStatusChanges: a function fully inlined in one build and attachable
// in the next (blk_account_io_start between Debian's 6.1 and 6.12) shows
// both transitions; unknown attachability shows none.
func TestStatusChanges(t *testing.T) {
	old := &kabi.Function{Name: "f", Collision: kabi.UniqueStatic, Inline: kabi.InlineFull,
		Attach: kabi.Attachability{Kprobe: kabi.AttachNo, KprobeWhy: kabi.ReasonNoSymbol, Fentry: kabi.AttachNo, FentryWhy: kabi.ReasonNoSymbol}}
	cur := &kabi.Function{Name: "f", Collision: kabi.UniqueGlobal, Inline: kabi.InlineSelective,
		Attach: kabi.Attachability{Kprobe: kabi.AttachYes, Fentry: kabi.AttachNo, FentryWhy: kabi.ReasonNotrace}}
	var got []string
	for _, c := range StatusChanges(old, cur) {
		got = append(got, c.String())
	}
	want := []string{"inline: Full → Selective", "collision: Unique Static → Unique Global",
		"kprobe: no (no symbol) → yes", "fentry: no (no symbol) → no (notrace)"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	unknown := *cur
	unknown.Attach = kabi.Attachability{}
	if c := StatusChanges(cur, &unknown); c != nil {
		t.Errorf("unknown attachability: %v", c)
	}
	// A running kernel's function: inline and collision unknown.
	running := *cur
	running.Inline, running.Collision = kabi.InlineUnknown, kabi.CollisionUnknown
	if c := StatusChanges(old, &running); len(c) != 2 || c[0].What != "kprobe" || c[1].What != "fentry" {
		t.Errorf("against unknown inline and collision: %v, want the attach changes alone", c)
	}
	if c := StatusChanges(cur, cur); c != nil {
		t.Errorf("same function: %v", c)
	}
	if c := StatusChanges(nil, cur); c != nil {
		t.Errorf("one side absent: %v", c)
	}
}
