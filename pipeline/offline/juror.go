package offline

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline/exposure"
	"github.com/onet-jury/jury/prompts"
)

// Juror is a Model that needs no key and no network: it reads jury's
// requests the way a model does and answers them from the embedded
// task-exposure model (pipeline/offline/exposure), with four offline personas:
//
//   - diplomat stays on the model's score;
//   - optimist leans up, toward what tools make possible;
//   - contrarian leans against the majority, pulling scores toward the
//     middle from whichever side the model is on;
//   - chaos-agent pushes scores to the extremes.
//
// Any other persona scores as the diplomat but speaks with lines of its
// own. In round 2 a juror reacts to the headline by its own overall score
// (more than a few points above it: too low; below: too high) and its
// quote names only the headline and its own score, and only claims its
// own votes bear out. Answers are deterministic for a request's seed, and
// always pass jury's validation. Safe for concurrent use.
type Juror struct {
	model *exposure.Model
	words *prompts.Words
}

// New loads the embedded exposure model.
func New() (*Juror, error) {
	m, err := exposure.Default()
	if err != nil {
		return nil, err
	}
	return &Juror{model: m, words: prompts.OfflineWords()}, nil
}

// Weights identifies the exposure model's weights for provenance.
func (o *Juror) Weights() string { return o.model.Hash() }

// Complete answers a ballot or foreperson request built by prompts.
func (o *Juror) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	if err := ctx.Err(); err != nil {
		return llm.Response{}, err
	}
	msgs := make([]prompts.Message, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = prompts.Message{Role: m.Role, Content: m.Content}
	}
	occ, err := prompts.DecodeOccupation(msgs)
	if err != nil {
		return llm.Response{}, o.badRequest(err)
	}
	seed := 0
	if req.Seed != nil {
		seed = *req.Seed
	}
	var content any
	switch name := schemaName(req); name {
	case prompts.BallotSchemaName:
		content = o.ballot(occ, personaOf(msgs), seed)
	case prompts.StatementSchemaName:
		b, answer, err := prompts.DecodeBriefing(msgs)
		if err != nil {
			return llm.Response{}, o.badRequest(err)
		}
		var own jury.Ballot
		if err := json.Unmarshal([]byte(answer), &own); err != nil {
			return llm.Response{}, o.badRequest(fmt.Errorf("ballot answer in the conversation: %w", err))
		}
		name, _ := prompts.DecodePersonaName(msgs)
		content = o.statement(occ, personaOf(msgs), name, own, b, seed)
	case prompts.NoteSchemaName:
		v, err := prompts.DecodeVerdict(msgs)
		if err != nil {
			return llm.Response{}, o.badRequest(err)
		}
		content = o.note(occ, v, seed)
	default:
		return llm.Response{}, o.badRequest(fmt.Errorf("no offline answer for schema %q", name))
	}
	data, err := json.Marshal(content)
	if err != nil {
		return llm.Response{}, o.badRequest(err)
	}
	return llm.Response{Content: string(data), FinishReason: llm.FinishStop, Model: llm.OfflineModelName, Usage: llm.Usage{Calls: 1}}, nil
}

// personaOf tells the persona by the words of the request, as a model
// would: a built-in persona by its name, any other as "custom".
func personaOf(msgs []prompts.Message) string {
	if p, ok := prompts.DecodePersona(msgs, prompts.BuiltinPersonas()); ok {
		return p.ID
	}
	return "custom"
}

func (o *Juror) badRequest(err error) error {
	return &llm.Error{Kind: llm.BadRequest, Provider: "offline", Message: err.Error(), Usage: llm.Usage{Calls: 1}, Err: err}
}

func schemaName(req llm.Request) string {
	if req.Schema == nil {
		return ""
	}
	return req.Schema.Name
}

// stable returns a number in [0, 1) fixed by its parts.
func stable(parts ...string) float64 {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return float64(binary.BigEndian.Uint64(h.Sum(nil)[:8])>>11) / (1 << 53)
}

func stableN(parts ...string) uint64 { return uint64(stable(parts...) * (1 << 32)) }

// personaScore moves the model's score s as the persona leans; u in
// [0, 1) varies the strength by task and seed.
func personaScore(persona string, s int, u float64) int {
	x := float64(s)
	k := 0.5 + 0.5*u
	switch persona {
	case "optimist":
		x += 0.35 * k * (100 - x)
	case "contrarian":
		x += 0.45 * k * (50 - x)
	case "chaos-agent":
		x += 0.9 * k * (x - 50)
	}
	return int(math.Round(math.Max(0, math.Min(100, x))))
}

// labelFor picks the most probable label that score allows.
func labelFor(p exposure.Probs, score int) jury.Label {
	order := []int{0, 1, 2}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[b], p[a]) })
	for _, c := range order {
		if l := jury.Labels[c]; l.Allows(score) {
			return l
		}
	}
	return jury.E2 // E2 allows every score
}

// ranked returns the tasks ordered by score, highest first, ties by ID.
func ranked(occ jury.Occupation, score func(jury.Task) int) []jury.Task {
	ts := slices.Clone(occ.Tasks)
	slices.SortStableFunc(ts, func(a, b jury.Task) int {
		if c := cmp.Compare(score(b), score(a)); c != 0 {
			return c
		}
		return jury.CompareTaskIDs(a.ID, b.ID)
	})
	return ts
}

// phrases returns the phrases of the first, second and last task of ts.
func phrases(ts []jury.Task) (top, second, bottom string) {
	top, second, bottom = prompts.Phrase(ts[0].Text), prompts.Phrase(ts[0].Text), prompts.Phrase(ts[len(ts)-1].Text)
	if len(ts) > 1 {
		second = prompts.Phrase(ts[1].Text)
	}
	return top, second, bottom
}

func (o *Juror) ballot(occ jury.Occupation, persona string, seed int) jury.Ballot {
	sd := strconv.Itoa(seed)
	b := jury.Ballot{}
	for _, t := range occ.Tasks {
		p := o.model.Predict(occ.Code, occ.Title, string(t.Type), t.Text)
		s := personaScore(persona, p.Score(), stable(sd, persona, occ.Code, t.ID))
		b.Tasks = append(b.Tasks, jury.Vote{ID: t.ID, Score: s, Label: labelFor(p, s), Reason: o.words.Reason(t.Text, s >= 50)})
	}
	b.Score = int(math.Round(jury.WeightedMean(occ, b.Tasks)))
	return b
}

// statementAnswer is the offline juror's round-2 answer.
type statementAnswer struct {
	Reaction jury.Reaction `json:"reaction"`
	Quote    string        `json:"quote"`
}

// reactionTo is how a persona reacts to headline given its own score:
// too low when its score is above the headline by the persona's margin,
// too high when below it, about right in between. The Chaos Agent's
// margin is the narrowest: it has no middle.
func reactionTo(persona string, own, headline int) jury.Reaction {
	margin := 4
	if persona == "chaos-agent" {
		margin = 2
	}
	switch {
	case own-headline >= margin:
		return jury.TooLow
	case headline-own >= margin:
		return jury.TooHigh
	}
	return jury.AboutRight
}

func (o *Juror) statement(occ jury.Occupation, persona, name string, own jury.Ballot, b prompts.Briefing, seed int) statementAnswer {
	scores := map[string]int{}
	for _, v := range own.Tasks {
		scores[v.ID] = v.Score
	}
	ts := ranked(occ, func(t jury.Task) int { return scores[t.ID] })
	top, _, bottom := phrases(ts)
	lowest, highest := true, true
	for _, j := range b.Jurors {
		if j.Name == name {
			continue
		}
		lowest = lowest && own.Score < j.Score
		highest = highest && own.Score > j.Score
	}
	r := reactionTo(persona, own.Score, b.Headline)
	data := map[string]any{
		"Title": occ.Title, "Name": name, "Headline": b.Headline, "Score": own.Score,
		"Top": top, "TopScore": scores[ts[0].ID], "Bottom": bottom, "BottomScore": scores[ts[len(ts)-1].ID],
		"Lowest": lowest, "Highest": highest,
	}
	n := stableN(strconv.Itoa(seed), persona, occ.Code, "quote")
	tries := uint64(o.words.Quotes(persona, string(r)))
	quote := firstFitting(jury.MaxQuote, tries, func(i uint64) string { return o.words.Quote(persona, string(r), n+i, data) })
	return statementAnswer{Reaction: r, Quote: quote}
}

type noteAnswer struct {
	Summary string          `json:"summary"`
	Tasks   []noteRationale `json:"tasks"`
}

type noteRationale struct {
	ID        string `json:"id"`
	Rationale string `json:"rationale"`
}

func (o *Juror) note(occ jury.Occupation, v prompts.Verdict, seed int) noteAnswer {
	sd := strconv.Itoa(seed)
	consensus := map[string]prompts.VerdictTask{}
	exposed := 0
	for _, t := range v.Tasks {
		consensus[t.ID] = t
		if t.Score >= 50 {
			exposed++
		}
	}
	top, second, bottom := phrases(ranked(occ, func(t jury.Task) int { return consensus[t.ID].Score }))
	data := map[string]any{
		"Title": occ.Title, "Headline": v.Headline, "Band": v.Band, "Top": top, "Second": second,
		"Bottom": bottom, "Exposed": exposed, "Tasks": len(occ.Tasks),
	}
	out := noteAnswer{Summary: o.words.Summary(v.Headline, stableN(sd, occ.Code, "summary"), data)}
	used := map[string]bool{}
	base := stableN(sd, occ.Code, "rationale")
	for rank, t := range v.Tasks {
		task, _ := occ.Task(t.ID)
		// The reason names a tool for an exposed task, a blocker for an E0
		// or little-exposed one, as the rationale templates expect.
		why := o.words.Reason(task.Text, t.Label != jury.E0 && t.Score >= 40)
		d := map[string]any{"Phrase": prompts.Phrase(task.Text), "Score": t.Score, "Label": string(t.Label), "Why": why}
		// Neighbouring tasks take turns through the variants, so that a
		// page of similar tasks does not repeat one sentence shape.
		n := base + uint64(rank)
		variants := uint64(o.words.Rationales(string(t.Label), t.Score))
		r := ""
		for i := range variants {
			r = o.words.Rationale(string(t.Label), t.Score, n+i, d)
			if !used[r] && utf8.RuneCountInString(r) <= jury.MaxQuote {
				break
			}
		}
		if used[r] || utf8.RuneCountInString(r) > jury.MaxQuote {
			// Two tasks that read alike: name the task to keep them apart.
			r = fmt.Sprintf("Task %s scores %d %% (%s) on the panel's votes.", t.ID, t.Score, t.Label)
		}
		used[r] = true
		out.Tasks = append(out.Tasks, noteRationale{ID: t.ID, Rationale: r})
	}
	return out
}

// firstFitting returns the first of variants tries that is at most max
// characters, else the shortest cut to max.
func firstFitting(limit int, tries uint64, variant func(uint64) string) string {
	shortest := ""
	for i := range max(tries, 1) {
		s := variant(i)
		if utf8.RuneCountInString(s) <= limit {
			return s
		}
		if shortest == "" || len(s) < len(shortest) {
			shortest = s
		}
	}
	r := []rune(shortest)
	return string(r[:limit-1]) + "…"
}
