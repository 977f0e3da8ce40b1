package diff

import (
	"github.com/kabi-dev/kabi"
)

// A FunctionReport is one function across groups of builds: its status
// in each build and the changes between compared builds.
type FunctionReport struct {
	Name   string
	Groups []GroupReport
}

// Found reports whether any build of the report has the function. It is
// false when the name is in none of them (a typo, or the name of another
// kind of dependency); a caller should say so rather than show the
// function Absent everywhere.
func (r *FunctionReport) Found() bool {
	for i := range r.Groups {
		if r.Groups[i].Present() {
			return true
		}
	}
	return false
}

// A GroupReport is a FunctionReport's view of one group.
type GroupReport struct {
	Name    string
	Pairing Pairing
	// Status has one entry per member, in order. A Star's base is not a
	// member: it has its status in the group it is a member of, or, when
	// it is no group's member, first in the first star around it. A
	// build an earlier group already has (the default build in the
	// Revision group, say) says so in Elsewhere: pages show each build's
	// status once, as the reference layout does.
	Status []BuildStatus
	// Pairs has one entry per compared pair, in order.
	Pairs []PairReport
}

// Present reports whether any member of the group (a Star's base aside)
// has the function.
func (g *GroupReport) Present() bool {
	for _, s := range g.Status {
		if s.Function != nil {
			return true
		}
	}
	return false
}

// A BuildStatus is the function in one build.
type BuildStatus struct {
	Label string
	// Elsewhere names the earlier group whose status already shows this
	// build, or is "" when this is its first.
	Elsewhere string
	// Function is the function in this build, nil when absent.
	Function *kabi.Function
}

// Issues returns the build's issues: [kabi.IssueAbsent] when the function
// is absent, else the function's own issues (none when all is well).
func (s BuildStatus) Issues() []kabi.Issue {
	if s.Function == nil {
		return []kabi.Issue{kabi.IssueAbsent}
	}
	return s.Function.Issues
}

// A PairReport is the comparison of one pair of builds.
type PairReport struct {
	Old, New               string // labels
	OldPresent, NewPresent bool
	// Compared says both builds have the function with a signature, so
	// Changes lists every signature change (none: unchanged).
	Compared bool
	// Changes lists the signature changes when Compared, or the single
	// FuncAdded or FuncRemoved when only one build has the function; it
	// is empty otherwise.
	Changes []Change
	// StatusChanges lists the statuses (inline, collision,
	// transformation, attachability) that differ when both builds have
	// the function. The reference Markdown does not show them.
	StatusChanges []StatusChange
}

// Function reports on the function name across groups of builds; the
// groups' Build indexes refer to builds.
func Function(name string, builds []*kabi.Build, groups []Group) *FunctionReport {
	return Report(name, func(i int) *kabi.Function {
		if i < 0 || i >= len(builds) || builds[i] == nil {
			return nil
		}
		f, ok := builds[i].Function(name)
		if !ok || f.Name != name && f.Demangled != name {
			return nil
		}
		return f
	}, groups)
}

// Report is Function for callers that hold functions rather than builds:
// look returns the function in build i, or nil when it is absent.
func Report(name string, look func(build int) *kabi.Function, groups []Group) *FunctionReport {
	r := &FunctionReport{Name: name}
	member, shown := map[int]bool{}, map[int]string{}
	for _, g := range groups {
		for _, m := range g.Members {
			member[m.Build] = true
		}
	}
	for _, g := range groups {
		gr := GroupReport{Name: g.Name, Pairing: g.Pairing}
		if g.Base != nil && !member[g.Base.Build] {
			// A base that is no group's member (no Regular group, say)
			// heads the first star that compares against it.
			gr.Status = append(gr.Status, BuildStatus{Label: g.Base.Label, Function: look(g.Base.Build)})
			member[g.Base.Build] = true
			shown[g.Base.Build] = g.Name
		}
		for _, m := range g.Members {
			gr.Status = append(gr.Status, BuildStatus{Label: m.Label, Elsewhere: shown[m.Build], Function: look(m.Build)})
			if shown[m.Build] == "" {
				shown[m.Build] = g.Name
			}
		}
		for _, p := range g.Pairs() {
			gr.Pairs = append(gr.Pairs, comparePair(p[0].Label, p[1].Label, look(p[0].Build), look(p[1].Build)))
		}
		r.Groups = append(r.Groups, gr)
	}
	return r
}

// comparePair compares one function in two builds.
func comparePair(oldLabel, newLabel string, of, nf *kabi.Function) PairReport {
	p := PairReport{Old: oldLabel, New: newLabel, OldPresent: of != nil, NewPresent: nf != nil}
	switch {
	case of == nil && nf == nil:
	case of == nil:
		p.Changes = []Change{{Kind: FuncAdded}}
	case nf == nil:
		p.Changes = []Change{{Kind: FuncRemoved}}
	default:
		p.Compared = of.Signature != nil && nf.Signature != nil
		p.Changes = Signatures(of.Signature, nf.Signature)
		p.StatusChanges = StatusChanges(of, nf)
	}
	return p
}
