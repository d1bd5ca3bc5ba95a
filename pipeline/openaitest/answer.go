package openaitest

import (
	"context"

	"encoding/json"
	"fmt"
	"github.com/onet-jury/jury/pipeline/llm"
	"math"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

// SchemaAnswer is the default Answerer: it reads the occupation from the
// request as a model would and writes a valid, deterministic answer for
// the request's schema — a ballot whose scores depend on the task and the
// persona, or a foreperson's note.
func SchemaAnswer(c ChatRequest) (string, error) {
	msgs := make([]prompts.Message, len(c.Messages))
	for i, m := range c.Messages {
		msgs[i] = prompts.Message{Role: m.Role, Content: m.Content}
	}
	occ, err := prompts.DecodeOccupation(msgs)
	if err != nil {
		return "", err
	}
	switch c.SchemaName() {
	case "ballot":
		return ballot(occ, msgs[2].Content), nil
	case "statement":
		return statement(msgs)
	case "verdict_note":
		v, err := prompts.DecodeVerdict(msgs)
		if err != nil {
			return "", err
		}
		return note(occ, v), nil
	}
	return "", fmt.Errorf("openaitest: no answer for schema %q", c.SchemaName())
}

// TaskScore is the score SchemaAnswer gives a task for a persona: a
// task's own level, moved up to 15 points either way by the persona.
func TaskScore(taskID, persona string) int {
	base := hash01(taskID) * 100
	lean := (hash01(persona, taskID) - 0.5) * 30
	return int(math.Max(0, math.Min(100, math.Round(base+lean))))
}

func ballot(occ jury.Occupation, persona string) string {
	b := jury.Ballot{}
	for _, t := range occ.Tasks {
		s := TaskScore(t.ID, persona)
		l := jury.E2
		switch {
		case s <= 35:
			l = jury.E0
		case s >= 60 && hash01(t.ID, "label") < 0.5:
			l = jury.E1
		}
		reason := "document software"
		if l == jury.E0 {
			reason = "hands-on work"
		}
		b.Tasks = append(b.Tasks, jury.Vote{ID: t.ID, Score: s, Label: l, Reason: reason})
	}
	b.Score = int(math.Round(jury.WeightedMean(occ, b.Tasks)))
	data, _ := json.Marshal(b)
	return string(data)
}

// StatementReaction is the reaction SchemaAnswer gives: too_low when the
// juror's own score is 5 or more points above the headline, too_high when
// 5 or more below, about_right otherwise.
func StatementReaction(own, headline int) jury.Reaction {
	switch {
	case own-headline >= 5:
		return jury.TooLow
	case headline-own >= 5:
		return jury.TooHigh
	}
	return jury.AboutRight
}

func statement(msgs []prompts.Message) (string, error) {
	b, answer, err := prompts.DecodeBriefing(msgs)
	if err != nil {
		return "", err
	}
	var own jury.Ballot
	if err := json.Unmarshal([]byte(answer), &own); err != nil {
		return "", fmt.Errorf("openaitest: ballot answer in context: %w", err)
	}
	name, _ := prompts.DecodePersonaName(msgs)
	r := StatementReaction(own.Score, b.Headline)
	data, _ := json.Marshal(jury.Statement{Reaction: r,
		Quote: fmt.Sprintf("%s said %d %%, and finds the panel's %d %% %s.", name, own.Score, b.Headline, r.Words())})
	return string(data), nil
}

func note(occ jury.Occupation, v prompts.Verdict) string {
	type rationale struct {
		ID        string `json:"id"`
		Rationale string `json:"rationale"`
	}
	out := struct {
		Summary string      `json:"summary"`
		Tasks   []rationale `json:"tasks"`
	}{}
	top := ""
	if len(v.Tasks) > 0 {
		top = v.Tasks[0].ID
	}
	out.Summary = fmt.Sprintf("The panel puts %s at %d percent, a %s exposure. Task %s is the most exposed of its %d tasks.",
		occ.Title, v.Headline, v.Band, top, len(occ.Tasks))
	for _, t := range v.Tasks {
		out.Tasks = append(out.Tasks, rationale{ID: t.ID,
			Rationale: fmt.Sprintf("The panel scored task %s at %d with label %s, weighing the jurors' votes and their stated reasons.", t.ID, t.Score, t.Label)})
	}
	data, _ := json.Marshal(out)
	return string(data)
}

// ModelAnswer is an Answerer that passes each request to m, as a real
// endpoint would pass it to its model: the fixtures' cassettes are
// recorded this way, with the offline juror behind the wire protocol.
func ModelAnswer(m llm.Model) Answerer {
	return func(c ChatRequest) (string, error) {
		req := llm.Request{Model: c.Model, Seed: c.Seed, MaxTokens: c.MaxTokens}
		if c.Temperature != nil {
			req.Temperature = *c.Temperature
		}
		if c.ResponseFormat != nil && c.ResponseFormat.JSONSchema != nil {
			req.Schema = &llm.Schema{Name: c.ResponseFormat.JSONSchema.Name, JSON: c.ResponseFormat.JSONSchema.Schema}
		}
		for _, msg := range c.Messages {
			req.Messages = append(req.Messages, llm.Message{Role: msg.Role, Content: msg.Content})
		}
		resp, err := m.Complete(context.Background(), req)
		if err != nil {
			return "", err
		}
		return resp.Content, nil
	}
}
