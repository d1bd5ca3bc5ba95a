package prompts

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// Verdict is what the foreperson is shown of a decided report: the
// numbers, the jurors' round-2 reactions and quotes, and every task's
// round-1 reasons, without provenance or usage.
type Verdict struct {
	Headline int            `json:"headline"`
	Band     jury.Band      `json:"band"`
	Jurors   []VerdictJuror `json:"jurors"`
	Tasks    []VerdictTask  `json:"tasks"`
}

// VerdictJuror is one valid juror's overall score, reaction and quote
// (both empty when its statement failed).
type VerdictJuror struct {
	Name     string        `json:"name"`
	Score    int           `json:"score"`
	Reaction jury.Reaction `json:"reaction"`
	Quote    string        `json:"quote"`
}

// VerdictTask is one task's consensus, most automatable first, with the
// jurors' reasons in panel order.
type VerdictTask struct {
	ID      string     `json:"id"`
	Score   int        `json:"score"`
	Label   jury.Label `json:"label"`
	Dissent bool       `json:"dissent"`
	Reasons []string   `json:"reasons"`
}

func verdictOf(r *jury.Report) Verdict {
	v := Verdict{Headline: r.Headline, Band: r.Band}
	for _, j := range r.Jurors {
		if j.Valid {
			v.Jurors = append(v.Jurors, VerdictJuror{Name: j.Name, Score: j.Score, Reaction: j.Reaction, Quote: j.Quote})
		}
	}
	for _, t := range r.Tasks {
		vt := VerdictTask{ID: t.ID, Score: t.Score, Label: t.Label, Dissent: t.Dissent, Reasons: []string{}}
		for _, vote := range t.Votes {
			if vote.Reason != "" && !slices.Contains(vt.Reasons, vote.Reason) {
				vt.Reasons = append(vt.Reasons, vote.Reason)
			}
		}
		v.Tasks = append(v.Tasks, vt)
	}
	return v
}

// Briefing is the verdict as every juror sees it in round 2: the same
// bytes for each, so that only the juror's own score follows it.
type Briefing struct {
	Headline int            `json:"headline"`
	Band     jury.Band      `json:"band"`
	Jurors   []BriefedJuror `json:"jurors"`
	// MostExposed and LeastExposed are the top and bottom tasks of the
	// breakdown (up to BriefedTasks each); Dissent the tasks whose votes
	// spread beyond the dissent threshold.
	MostExposed  []BriefedTask `json:"most_exposed"`
	LeastExposed []BriefedTask `json:"least_exposed"`
	Dissent      []BriefedTask `json:"dissent"`
}

// BriefedJuror is one counted juror's overall score.
type BriefedJuror struct {
	Name  string `json:"name"`
	Score int    `json:"score"`
}

// BriefedTask is one task of a Briefing; Votes are the jurors' scores in
// panel order.
type BriefedTask struct {
	ID    string     `json:"id"`
	Task  string     `json:"task"`
	Score int        `json:"score"`
	Label jury.Label `json:"label"`
	Votes []int      `json:"votes"`
}

// BriefedTasks is how many of the most and the least exposed tasks a
// Briefing names.
const BriefedTasks = 3

// BriefingOf is what the jurors are shown of a decided report in round 2.
func BriefingOf(r *jury.Report) Briefing {
	b := Briefing{Headline: r.Headline, Band: r.Band, Jurors: []BriefedJuror{},
		MostExposed: []BriefedTask{}, LeastExposed: []BriefedTask{}, Dissent: []BriefedTask{}}
	for _, j := range r.Jurors {
		if j.Valid {
			b.Jurors = append(b.Jurors, BriefedJuror{Name: j.Name, Score: j.Score})
		}
	}
	brief := func(t jury.TaskResult) BriefedTask {
		bt := BriefedTask{ID: t.ID, Task: t.Text, Score: t.Score, Label: t.Label, Votes: []int{}}
		for _, v := range t.Votes {
			bt.Votes = append(bt.Votes, v.Score)
		}
		return bt
	}
	n := min(BriefedTasks, len(r.Tasks)/2) // a task is never both most and least exposed
	for i := range n {
		b.MostExposed = append(b.MostExposed, brief(r.Tasks[i]))
		b.LeastExposed = append(b.LeastExposed, brief(r.Tasks[len(r.Tasks)-n+i]))
	}
	for _, t := range r.Tasks {
		if t.Dissent {
			b.Dissent = append(b.Dissent, brief(t))
		}
	}
	return b
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
	for i := range occ.Tasks {
		if occ.Tasks[i].Type == "" {
			occ.Tasks[i].Type = jury.Unrated // left out of the prompt
		}
	}
	return occ, nil
}

// statementBlocks returns the JSON blocks of a statement request: the
// verdict's (its third message) and the juror's own answer (its fourth,
// a user message; re-asks may follow them).
func statementBlocks(msgs []Message) (verdict, own string, err error) {
	if len(msgs) < 4 || msgs[3].Role != RoleUser {
		return "", "", fmt.Errorf("prompts: request has %d messages, want a statement request", len(msgs))
	}
	if verdict, err = jsonBlock(msgs[2].Content); err != nil {
		return "", "", fmt.Errorf("prompts: verdict message: %w", err)
	}
	if own, err = jsonBlock(msgs[3].Content); err != nil {
		return verdict, "", fmt.Errorf("prompts: juror's message: %w", err)
	}
	return verdict, own, nil
}

// DecodeBriefing recovers, from a request built by Statement, the verdict
// the juror was shown and the juror's own ballot answer, both checked to
// be JSON.
func DecodeBriefing(msgs []Message) (Briefing, string, error) {
	var b Briefing
	verdict, own, err := statementBlocks(msgs)
	if err != nil {
		return b, "", err
	}
	if err := json.Unmarshal([]byte(verdict), &b); err != nil {
		return b, "", fmt.Errorf("prompts: verdict message: %w", err)
	}
	var answer json.RawMessage
	if err := json.Unmarshal([]byte(own), &answer); err != nil {
		return b, "", fmt.Errorf("prompts: juror's message: %w", err)
	}
	return b, string(answer), nil
}

// StatementAnswer returns the juror's own round-1 answer that a
// statement request shows it as it stands, for a reader that has the
// verdict already and parses the answer itself; unlike DecodeBriefing it
// does not check that it is JSON.
func StatementAnswer(msgs []Message) (string, error) {
	_, own, err := statementBlocks(msgs)
	return own, err
}

// BriefingBlock returns the text DecodeBriefing reads the verdict from:
// the JSON block of a statement request's verdict message. Requests with
// the same block have the same Briefing, so a reader of many (the four
// jurors of a verdict are shown the same one) can decode it once; ok is
// false for a request DecodeBriefing refuses.
func BriefingBlock(msgs []Message) (string, bool) {
	verdict, _, err := statementBlocks(msgs)
	return verdict, err == nil
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
	block, err := jsonBlock(content)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(block), v)
}

// jsonBlock returns the first ```json fenced block of a message.
func jsonBlock(content string) (string, error) {
	const open, closing = "```json\n", "\n```"
	i := strings.Index(content, open)
	if i < 0 {
		return "", fmt.Errorf("no JSON block")
	}
	rest := content[i+len(open):]
	j := strings.Index(rest, closing)
	if j < 0 {
		return "", fmt.Errorf("JSON block not closed")
	}
	return rest[:j], nil
}

// DecodePersonaName recovers the name of the juror a ballot or statement
// request speaks to, from its persona message (the third of a ballot
// request, the fourth of a statement request); ok is false for a request
// without one (the foreperson's).
func DecodePersonaName(msgs []Message) (string, bool) {
	const intro = "You sit on this panel as "
	for i := 2; i < min(len(msgs), 4); i++ {
		if msgs[i].Role != RoleUser {
			continue
		}
		line, _, _ := strings.Cut(msgs[i].Content, "\n")
		if name, found := strings.CutPrefix(line, intro); found {
			return strings.TrimSuffix(name, "."), true
		}
	}
	return "", false
}

// DecodePersona recovers the persona a ballot or statement request speaks
// to, by the name in its persona message, from the given panel; ok is
// false for a request without one (the foreperson's) or a name not on the
// panel.
func DecodePersona(msgs []Message, panel []Persona) (Persona, bool) {
	name, found := DecodePersonaName(msgs)
	if !found {
		return Persona{}, false
	}
	for _, p := range panel {
		if p.Name == name {
			return p, true
		}
	}
	return Persona{}, false
}
