package kabi

import "testing"

func TestEnumText(t *testing.T) {
	for _, c := range Collisions() {
		b, _ := c.MarshalText()
		var back Collision
		if err := back.UnmarshalText(b); err != nil || back != c {
			t.Errorf("%v: %v, %v", c, back, err)
		}
	}
	for _, k := range InlineKinds() {
		b, _ := k.MarshalText()
		var back InlineKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: %v, %v", k, back, err)
		}
	}
	for _, i := range []Issue{IssueDuplicate, IssueCollision, IssueFullInline, IssueSelectiveInline, IssueTransformation, IssueAbsent} {
		b, _ := i.MarshalText()
		var back Issue
		if err := back.UnmarshalText(b); err != nil || back != i {
			t.Errorf("%v: %v, %v", i, back, err)
		}
	}
	var i Issue
	if i.UnmarshalText([]byte("Renamed")) == nil {
		t.Error("an unknown issue decoded")
	}
}
