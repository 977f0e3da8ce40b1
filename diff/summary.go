package diff

import (
	"fmt"

	"github.com/kabi-dev/kabi"
)

// A Trait is one kind of trouble a function has somewhere in a group, as
// index pages show it (docs/rules.md §9).
type Trait uint8

// Traits in the order index pages list them.
const (
	TraitAbsence         Trait = iota + 1 // absent from some build
	TraitChange                           // its signature changed between some pair
	TraitSelectiveInline                  // Selective Inline in some build
	TraitFullInline                       // Full Inline in some build
	TraitDuplication                      // Static Duplication in some build
	TraitCollision                        // Static-Static or Static-Global Collision in some build
	TraitTransformation                   // a suffixed symbol in some build
)

var traitNames = [...]string{
	TraitAbsence: "Absence", TraitChange: "Change", TraitSelectiveInline: "Selective Inline", TraitFullInline: "Full Inline",
	TraitDuplication: "Duplication", TraitCollision: "Collision", TraitTransformation: "Transformation",
}

func (t Trait) String() string {
	if int(t) < len(traitNames) && t != 0 {
		return traitNames[t]
	}
	return fmt.Sprintf("Trait(%d)", uint8(t))
}

// MarshalText encodes the trait as its name.
func (t Trait) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Traits returns every trait in index order.
func Traits() []Trait {
	return []Trait{TraitAbsence, TraitChange, TraitSelectiveInline, TraitFullInline, TraitDuplication, TraitCollision, TraitTransformation}
}

// Traits returns the traits the function shows anywhere in the group (its
// members, and for a star its base through the pairs), in index order.
func (g *GroupReport) Traits() []Trait {
	var has [len(traitNames)]bool
	for _, s := range g.Status {
		if s.Function == nil {
			has[TraitAbsence] = true
			continue
		}
		for _, is := range s.Function.Issues {
			switch is {
			case kabi.IssueSelectiveInline:
				has[TraitSelectiveInline] = true
			case kabi.IssueFullInline:
				has[TraitFullInline] = true
			case kabi.IssueDuplicate:
				has[TraitDuplication] = true
			case kabi.IssueCollision:
				has[TraitCollision] = true
			case kabi.IssueTransformation:
				has[TraitTransformation] = true
			}
		}
	}
	for _, p := range g.Pairs {
		if !p.OldPresent || !p.NewPresent {
			has[TraitAbsence] = true
		}
		if p.Compared && len(p.Changes) > 0 {
			has[TraitChange] = true
		}
	}
	var out []Trait
	for _, t := range Traits() {
		if has[t] {
			out = append(out, t)
		}
	}
	return out
}
