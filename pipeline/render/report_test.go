package render_test

import (
	"github.com/onet-jury/jury/jury"
)

// sampleReport is a hand-built verdict on three tasks of Medical Records
// Specialists: three valid jurors and one whose ballot was not counted,
// tasks in the report's order (highest score first), one in dissent.
func sampleReport() *jury.Report {
	return &jury.Report{
		SchemaVersion: jury.SchemaVersion,
		Occupation:    jury.OccupationRef{Code: "29-2072.00", Title: "Medical Records Specialists"},
		Headline:      83,
		Band:          jury.BandVeryHigh,
		Summary:       "Medical records specialists face high automation risk. Human expertise remains vital for resolving coding conflicts.",
		Jurors: []jury.JurorResult{
			{Persona: "diplomat", Name: "The Diplomat", Model: "gpt-4o-mini", Score: 81, Reaction: jury.AboutRight, Quote: "Nearly every task here is textbook automation fodder.", Valid: true},
			{Persona: "chaos-agent", Name: "The Chaos Agent", Model: "gpt-4o-mini", Score: 90, Reaction: jury.TooLow, Quote: "Medical records clerks? 83% is cute denial.", Valid: true},
			{Persona: "contrarian", Name: "The Contrarian", Model: "gpt-4o-mini", Valid: false, Problems: []string{"tasks missing: 22888", "quote is empty"}},
			{Persona: "optimist", Name: "The Optimist", Model: "gpt-4o-mini", Score: 78, Reaction: jury.TooHigh, Quote: "The job will shift toward exception handling.", Valid: true},
		},
		Tasks: []jury.TaskResult{
			{
				ID: "22879", Text: "Consult classification manuals to locate information about disease processes.", Type: jury.Unrated,
				Score: 95, Label: jury.E1, Rationale: "Language models retrieve and synthesize manual content instantly.",
				Votes: []jury.JurorVote{{Persona: "diplomat", Score: 95, Label: jury.E1}, {Persona: "chaos-agent", Score: 98, Label: jury.E1}, {Persona: "optimist", Score: 92, Label: jury.E1}},
			},
			{
				ID: "22877", Text: "Assign the patient to diagnosis-related groups (DRGs), using appropriate computer software.", Type: jury.Core,
				Score: 88, Label: jury.E2, Rationale: "Rule-based software maps codes to DRGs.",
				Votes: []jury.JurorVote{{Persona: "diplomat", Score: 85, Label: jury.E2}, {Persona: "chaos-agent", Score: 95, Label: jury.E2}, {Persona: "optimist", Score: 84, Label: jury.E2}},
			},
			{
				ID: "22888", Text: "Resolve or clarify codes or diagnoses with conflicting, missing, or unclear information by consulting with doctors.", Type: jury.Supplemental,
				Score: 30, Label: jury.E0, Rationale: "This needs negotiation with physicians.", Dissent: true,
				Votes: []jury.JurorVote{{Persona: "diplomat", Score: 20, Label: jury.E0}, {Persona: "chaos-agent", Score: 70, Label: jury.E2}, {Persona: "optimist", Score: 10, Label: jury.E0}},
			},
		},
		Provenance: jury.Provenance{
			Models:      []string{"gpt-4o-mini"},
			PromptHash:  "sha256:1f2e3d4c",
			Temperature: 0.7,
			Seed:        42,
			Version:     "v0.3.0",
			Aggregation: "core-weighted mean",
			Quorum:      3,
			InputHash:   "sha256:9a8b7c6d",
		},
		Usage: jury.Usage{Calls: 6, Retries: 1, Reasks: 1, PromptTokens: 12345, CompletionTokens: 2345, CostUSD: 0.0125},
	}
}
