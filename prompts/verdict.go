package prompts

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// Verdict is what the foreperson is shown of a decided report: the numbers
// and quotes, without provenance or usage.
type Verdict struct {
	Headline int            `json:"headline"`
	Band     jury.Band      `json:"band"`
	Jurors   []VerdictJuror `json:"jurors"`
	Tasks    []VerdictTask  `json:"tasks"`
}

// VerdictJuror is one valid juror's overall score and quote.
type VerdictJuror struct {
	Name  string `json:"name"`
	Score int    `json:"score"`
	Quote string `json:"quote"`
}

// VerdictTask is one task's consensus, most automatable first.
type VerdictTask struct {
	ID      string     `json:"id"`
	Score   int        `json:"score"`
	Label   jury.Label `json:"label"`
	Dissent bool       `json:"dissent"`
}

func verdictOf(r *jury.Report) Verdict {
	v := Verdict{Headline: r.Headline, Band: r.Band}
	for _, j := range r.Jurors {
		if j.Valid {
			v.Jurors = append(v.Jurors, VerdictJuror{Name: j.Name, Score: j.Score, Quote: j.Quote})
		}
	}
	for _, t := range r.Tasks {
		v.Tasks = append(v.Tasks, VerdictTask{ID: t.ID, Score: t.Score, Label: t.Label, Dissent: t.Dissent})
	}
	return v
}

// DecodeOccupation recovers the occupation from a request built by Ballot or
// Foreperson: the offline juror reads requests the way a model does.
func DecodeOccupation(msgs []Message) (jury.Occupation, error) {
	var occ jury.Occupation
	if len(msgs) < 2 {
		return occ, fmt.Errorf("prompts: request has %d messages, want the rubric and the occupation first", len(msgs))
	}
	if err := decodeBlock(msgs[1].Content, &occ); err != nil {
		return occ, fmt.Errorf("prompts: occupation message: %w", err)
	}
	return occ, nil
}

// DecodeVerdict recovers the verdict from a request built by Foreperson.
func DecodeVerdict(msgs []Message) (Verdict, error) {
	var v Verdict
	if len(msgs) < 3 {
		return v, fmt.Errorf("prompts: request has %d messages, want a foreperson request", len(msgs))
	}
	// The verdict is the third message; re-asks may follow it.
	if err := decodeBlock(msgs[2].Content, &v); err != nil {
		return v, fmt.Errorf("prompts: verdict message: %w", err)
	}
	return v, nil
}

// decodeBlock decodes the first ```json fenced block of a message.
func decodeBlock(content string, v any) error {
	const open, closing = "```json\n", "\n```"
	i := strings.Index(content, open)
	if i < 0 {
		return fmt.Errorf("no JSON block")
	}
	rest := content[i+len(open):]
	j := strings.Index(rest, closing)
	if j < 0 {
		return fmt.Errorf("JSON block not closed")
	}
	return json.Unmarshal([]byte(rest[:j]), v)
}

// DecodePersona recovers the persona a ballot request speaks to, by the
// name in its persona message, from the given panel; ok is false for a
// request without one (the foreperson's) or a name not on the panel.
func DecodePersona(msgs []Message, panel []Persona) (Persona, bool) {
	if len(msgs) < 3 {
		return Persona{}, false
	}
	const intro = "You sit on this panel as "
	line, _, _ := strings.Cut(msgs[2].Content, "\n")
	name, found := strings.CutPrefix(line, intro)
	if !found {
		return Persona{}, false
	}
	name = strings.TrimSuffix(name, ".")
	for _, p := range panel {
		if p.Name == name {
			return p, true
		}
	}
	return Persona{}, false
}
