package render

import (
	"io"

	"github.com/kabi-dev/kabi/check"
)

// CheckSchema names the JSON document of a check report (see docs/json.md).
const CheckSchema = "kabi.check-report/v1"

type jsonCheck struct {
	Schema  string             `json:"schema"`
	Worst   check.Consequence  `json:"worst"`
	Counts  map[string]int     `json:"counts"`
	Builds  []jsonCheckBuild   `json:"builds"`
	Objects []jsonCheckObject  `json:"objects"`
	Deps    []jsonCheckDepency `json:"dependencies"`
}

type jsonCheckBuild struct {
	Label   string `json:"label"`
	File    string `json:"file"`
	Release string `json:"release"`
	Arch    string `json:"arch"`
	Flavor  string `json:"flavor"`
}

type jsonCheckObject struct {
	File     string             `json:"file"`
	DWARF    bool               `json:"dwarf"`
	Programs []jsonCheckProgram `json:"programs"`
}

type jsonCheckProgram struct {
	Name    string       `json:"name"`
	Section string       `json:"section"`
	Attach  check.Attach `json:"attach"`
	Target  string       `json:"target"`
	Source  string       `json:"source"`
}

type jsonCheckDepency struct {
	Object       string             `json:"object"`
	Name         string             `json:"name"`
	Kind         string             `json:"kind"`
	Via          check.Via          `json:"via"`
	Attach       string             `json:"attach,omitempty"`
	Member       string             `json:"member,omitempty"`
	Pattern      bool               `json:"pattern"`
	Guarded      bool               `json:"guarded"`
	Relocs       []string           `json:"relocs"`
	Flavors      []string           `json:"flavors"`
	Alternatives []string           `json:"alternatives"`
	Expect       string             `json:"expect"`
	Slots        int                `json:"slots"`
	Programs     []string           `json:"programs"`
	Sources      []string           `json:"sources"`
	Worst        check.Consequence  `json:"worst"`
	Findings     []jsonCheckFinding `json:"findings"`
}

type jsonCheckFinding struct {
	Build       string            `json:"build"`
	Consequence check.Consequence `json:"consequence"`
	Reason      string            `json:"reason"`
	Status      []string          `json:"status"`
}

// Check writes a check report: the builds, the objects and their
// programs, and every dependency with a finding per build (see
// docs/json.md, schema kabi.check-report/v1).
func (j JSON) Check(w io.Writer, r *check.Report) error {
	out := jsonCheck{Schema: CheckSchema, Worst: r.Worst(), Counts: map[string]int{},
		Builds: []jsonCheckBuild{}, Objects: []jsonCheckObject{}, Deps: []jsonCheckDepency{}}
	for _, c := range check.Consequences() {
		out.Counts[c.String()] = r.Count(c)
	}
	for _, b := range r.Builds {
		out.Builds = append(out.Builds, jsonCheckBuild{b.Label, b.Meta.File, b.Meta.Release, b.Meta.Arch, b.Meta.Flavor})
	}
	for _, o := range r.Objects {
		jo := jsonCheckObject{File: o.File, DWARF: o.DWARF, Programs: []jsonCheckProgram{}}
		for _, p := range o.Programs {
			jo.Programs = append(jo.Programs, jsonCheckProgram{p.Name, p.Section, p.Attach, p.Target, p.Line.String()})
		}
		out.Objects = append(out.Objects, jo)
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		d := row.Dep
		jd := jsonCheckDepency{
			Object: r.Objects[row.Object].File, Name: d.Name(), Via: d.Via, Member: d.Member,
			Pattern: d.Pattern, Guarded: d.Guarded, Relocs: nonNil(d.Relocs), Flavors: nonNil(d.Flavors),
			Alternatives: nonNil(d.Alternatives), Slots: d.Slots, Programs: nonNil(d.Programs),
			Sources: []string{}, Worst: row.Worst(), Findings: []jsonCheckFinding{},
		}
		if d.Ref.Kind != 0 {
			jd.Kind = d.Ref.Kind.String()
		}
		if d.Via == check.ViaAttach {
			jd.Attach = d.Attach.String()
		}
		if d.Expect != nil {
			jd.Expect = d.Expect.String()
		}
		for _, s := range d.Sources {
			jd.Sources = append(jd.Sources, s.String())
		}
		for bi, f := range row.Findings {
			jd.Findings = append(jd.Findings, jsonCheckFinding{r.Builds[bi].Label, f.Consequence, f.Reason, nonNil(f.Status)})
		}
		out.Deps = append(out.Deps, jd)
	}
	return j.encode(w, out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
