package render

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/kabi-dev/kabi/check"
)

// SARIF writes check reports as SARIF 2.1.0 logs, as GitHub code
// scanning reads them: one rule per consequence (kabi/load-failure,
// kabi/attach-failure, kabi/wrong-data, kabi/missed-events,
// kabi/unknown), one result per dependency and distinct finding (the
// builds that share it listed in the message), located at the program's
// source lines from the object's BTF line info, else at the object.
// Fine findings are left out.
type SARIF struct {
	// SourceRoot, when not empty, is the directory the results' paths are
	// made relative to (a repository's root, as GitHub wants them); the
	// paths then carry uriBaseId "%SRCROOT%". Paths outside it, and all
	// paths when it is empty, are absolute file: URIs.
	SourceRoot string
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	FullDescription      sarifMessage `json:"fullDescription"`
	DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties sarifProperties `json:"properties"`
}

type sarifProperties struct {
	Dependency string   `json:"dependency"`
	Builds     []string `json:"builds"`
	Programs   []string `json:"programs"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int           `json:"startLine"`
	Snippet   *sarifMessage `json:"snippet,omitempty"`
}

// sarifRules are the rules, most severe first; ruleIndex refers to them.
var sarifRules = []struct {
	c                 check.Consequence
	name, level, text string
}{
	{check.LoadFailure, "LoadFailure", "error", "The object fails to load on some kernel builds: libbpf or the verifier refuses it (a BTF attach target is absent or fully inlined, a CO-RE relocation cannot be resolved, a kfunc is missing, the program reads arguments the function does not have)."},
	{check.AttachFailure, "AttachFailure", "error", "The program loads but fails to attach on some kernel builds: its kprobe target is absent, fully inlined, or only has compiler-renamed symbols (.isra, .constprop), or its pattern matches nothing."},
	{check.WrongData, "WrongData", "warning", "The program runs but reads other data than it means to on some kernel builds: the target's arguments were reordered or retyped, its return type changed, or a field's type changed."},
	{check.MissedEvents, "MissedEvents", "warning", "The program runs but misses events on some kernel builds: its target is inlined at some call sites, has transformed copies, or shares its name with other functions."},
	{check.Unknown, "Unknown", "note", "kabi cannot tell whether the dependency holds on some kernel builds: the build's model lacks the facts, or the target is chosen at load time."},
}

func ruleID(c check.Consequence) string { return "kabi/" + strings.ReplaceAll(c.String(), " ", "-") }

// Check writes the report as one SARIF run.
func (s SARIF) Check(w io.Writer, r *check.Report) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "kabi", InformationURI: "https://github.com/kabi-dev/kabi"}}, Results: []sarifResult{}}
	index := map[check.Consequence]int{}
	for i, rule := range sarifRules {
		index[rule.c] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: ruleID(rule.c), Name: rule.name,
			ShortDescription:     sarifMessage{rule.c.String()},
			FullDescription:      sarifMessage{rule.text},
			DefaultConfiguration: sarifConfig{rule.level},
		})
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		for _, g := range groupFindings(r, row, false) {
			ri := index[g.Consequence]
			res := sarifResult{
				RuleID: ruleID(g.Consequence), RuleIndex: ri, Level: sarifRules[ri].level,
				Message:    sarifMessage{row.Dep.String() + ": " + g.Consequence.String() + " on " + strings.Join(g.Builds, ", ") + ": " + g.Reason},
				Properties: sarifProperties{Dependency: row.Dep.String(), Builds: g.Builds, Programs: nonNil(row.Dep.Programs)},
			}
			for _, src := range row.Dep.Sources {
				loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: s.artifact(src.File), Region: &sarifRegion{StartLine: max(src.Line, 1)}}}
				if src.Text != "" {
					loc.PhysicalLocation.Region.Snippet = &sarifMessage{src.Text}
				}
				res.Locations = append(res.Locations, loc)
			}
			if len(res.Locations) == 0 {
				res.Locations = append(res.Locations, sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: s.artifact(r.Objects[row.Object].File)}})
			}
			run.Results = append(run.Results, res)
		}
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	return JSON{}.encode(w, log)
}

// artifact is the location of a file: relative to SourceRoot when under
// it, else an absolute file: URI (a relative path stays relative).
func (s SARIF) artifact(path string) sarifArtifact {
	if s.SourceRoot != "" {
		root, err1 := filepath.Abs(s.SourceRoot)
		abs, err2 := filepath.Abs(path)
		if err1 == nil && err2 == nil {
			if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
				return sarifArtifact{URI: (&url.URL{Path: filepath.ToSlash(rel)}).EscapedPath(), URIBaseID: "%SRCROOT%"}
			}
		}
	}
	if filepath.IsAbs(path) {
		return sarifArtifact{URI: "file://" + (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()}
	}
	return sarifArtifact{URI: (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()}
}
