package diff

import (
	"fmt"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/internal/reftext"
)

// A StatusChange is a change of one of a function's statuses between two
// builds, beside any signature change: "blk_account_io_start" goes from
// inline Full to Selective, and kprobe from no to yes, between Debian's
// 6.1 and 6.12.
type StatusChange struct {
	// What names the status: "module", "inline", "collision",
	// "transformation", "kprobe" or "fentry". "module" is where the
	// function is (kabi.Function.ModulesText: "vmlinux",
	// "nf_conntrack"): it moved between vmlinux and a module.
	What string `json:"what"`
	Old  string `json:"old"` // the texts: "Full", "Unique Static", "True", "yes", "no (no symbol)"
	New  string `json:"new"`
}

// String is "inline: Full → Selective".
func (t StatusChange) String() string { return fmt.Sprintf("%s: %s → %s", t.What, t.Old, t.New) }

// StatusChanges lists the statuses that differ between of and nf, in the
// order module, inline, collision, transformation, kprobe, fentry; nil when
// either is nil or nothing differs. Attachability counts only where both
// builds know it (neither verdict is unknown); a verdict that stays but
// for another reason ("no (no symbol)" → "no (notrace)") counts.
func StatusChanges(of, nf *kabi.Function) []StatusChange {
	if of == nil || nf == nil {
		return nil
	}
	var out []StatusChange
	add := func(what, o, n string) {
		if o != n {
			out = append(out, StatusChange{What: what, Old: o, New: n})
		}
	}
	if of.InModule() || nf.InModule() {
		add("module", of.ModulesText(), nf.ModulesText())
	}
	// A source that cannot know (a running kernel's BTF has no inline or
	// collision facts) changes nothing: unknown is not a new value.
	if of.Inline != kabi.InlineUnknown && nf.Inline != kabi.InlineUnknown {
		add("inline", of.Inline.String(), nf.Inline.String())
	}
	if of.Collision != kabi.CollisionUnknown && nf.Collision != kabi.CollisionUnknown {
		add("collision", of.Collision.String(), nf.Collision.String())
	}
	add("transformation", reftext.Bool(of.Transformation), reftext.Bool(nf.Transformation))
	verdict := func(v kabi.Verdict, why kabi.AttachReason) string {
		if why == kabi.ReasonNone {
			return v.String()
		}
		return v.String() + " (" + why.String() + ")"
	}
	oa, na := of.Attach, nf.Attach
	if oa.Kprobe != kabi.AttachUnknown && na.Kprobe != kabi.AttachUnknown {
		add("kprobe", verdict(oa.Kprobe, oa.KprobeWhy), verdict(na.Kprobe, na.KprobeWhy))
	}
	if oa.Fentry != kabi.AttachUnknown && na.Fentry != kabi.AttachUnknown {
		add("fentry", verdict(oa.Fentry, oa.FentryWhy), verdict(na.Fentry, na.FentryWhy))
	}
	return out
}
