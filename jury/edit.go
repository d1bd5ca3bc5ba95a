package jury

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EditKind names what a person's edit changes.
type EditKind string

// The kinds of edit a person can make, and of model text a report can
// flag for review.
const (
	EditSummary   EditKind = "summary"
	EditQuote     EditKind = "quote"
	EditRationale EditKind = "rationale"
	EditScore     EditKind = "score"
	// EditLabel is never an edit of its own: a score edit may set the
	// task's label too (Edit.Label), and a task's label is flagged for
	// review when a score edit leaves it disagreeing with the score.
	EditLabel EditKind = "label"
	// EditReaction is never an edit: it names a juror's reaction flagged
	// for review after a score edit moved the headline it reacted to.
	EditReaction EditKind = "reaction"
)

// EditState says how an edit stands against the model's latest verdict.
type EditState string

// The states of an edit.
const (
	// EditCurrent is an edit made over the model's value as it still is.
	EditCurrent EditState = "current"
	// EditNeedsReview is an edit whose model value changed since it was
	// made (new prompts, model or input): it is still applied, and a person
	// should check that it still fits.
	EditNeedsReview EditState = "needs review"
	// EditOrphaned is an edit whose task or juror is gone: it is not
	// applied.
	EditOrphaned EditState = "orphaned"
)

// Edit is one change a person made to a verdict: the summary, a juror's
// quote (Target: its persona id), a task's rationale or score (Target: its
// task id). The zero value is no edit.
type Edit struct {
	Kind   EditKind
	Target string
	// Text is the person's text (summary, quote, rationale).
	Text string
	// Score and Reason are the person's score of a task and why.
	Score  int
	Reason string
	// Label is, for a score edit, the person's label of the task; empty
	// keeps the jury's.
	Label Label
	// Replaced is what the model had written when the edit was made: its
	// text, "sha256:" and a hex prefix of the text's SHA-256, or for a
	// score the model's score in decimal. Empty when not recorded yet:
	// ApplyEdits records the model's current value.
	Replaced string
	// Author and Date are free text: who made the edit, and when.
	Author, Date string
	// Line is where the edit was read from (edits.yaml), for messages; 0
	// when unknown.
	Line int
}

// Name says which edit it is in a few words: "summary", "quote of
// contrarian", "rationale of task 22892", "score of task 22892".
func (e Edit) Name() string {
	switch e.Kind {
	case EditSummary:
		return "summary"
	case EditQuote, EditReaction:
		return fmt.Sprintf("%s of %s", e.Kind, e.Target)
	}
	return fmt.Sprintf("%s of task %s", e.Kind, e.Target)
}

// EditProblem is something wrong with one edit, at the line it was read
// from (0 when unknown).
type EditProblem struct {
	Line int
	Text string
}

// EditProblems lists what is wrong with edits on their own, in order:
// an empty text, a text over the limits a model's would be held to (a
// quote or rationale of one line and at most MaxQuote characters, a
// summary of one paragraph and at most MaxSummary), a score outside
// 0–100 or without a reason, the same thing edited twice.
func EditProblems(edits []Edit) []EditProblem {
	var out []EditProblem
	seen := map[string]bool{}
	for _, e := range edits {
		bad := func(format string, args ...any) {
			out = append(out, EditProblem{Line: e.Line, Text: e.Name() + ": " + fmt.Sprintf(format, args...)})
		}
		if seen[e.Name()] {
			bad("edited twice: keep one")
		}
		seen[e.Name()] = true
		switch e.Kind {
		case EditSummary:
			if p := textProblem("text", strings.TrimSpace(e.Text), MaxSummary); p != "" {
				bad("%s", p)
			}
		case EditQuote, EditRationale:
			if p := lineProblem("text", strings.TrimSpace(e.Text)); p != "" {
				bad("%s", p)
			}
		case EditScore:
			if e.Score < 0 || e.Score > 100 {
				bad("score %d is outside 0–100", e.Score)
			}
			if strings.TrimSpace(e.Reason) == "" {
				bad("a score edit needs a reason: say why the jury's score is wrong")
			}
			switch {
			case e.Label == "":
			case !slices.Contains(Labels, e.Label):
				bad("label %q: want E0, E1 or E2", e.Label)
			case !LabelFits(e.Label, e.Score):
				bad("label %s does not agree with score %d: %s", e.Label, e.Score, labelRule(e.Label))
			}
		default:
			bad("unknown kind of edit %q", e.Kind)
		}
		if e.Kind != EditSummary && e.Target == "" {
			bad("names no persona or task")
		}
	}
	return out
}

// TextHash is what Replaced may hold instead of a text: "sha256:" and the
// first 16 hex digits of the text's SHA-256.
func TextHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}

// replacedMatches reports whether an edit's record of what it replaced
// is the model's value now.
func replacedMatches(replaced, model string) bool {
	if h, ok := strings.CutPrefix(replaced, "sha256:"); ok && len(h) >= 8 {
		full := sha256.Sum256([]byte(model))
		return strings.HasPrefix(hex.EncodeToString(full[:]), strings.ToLower(h))
	}
	return strings.TrimSpace(replaced) == strings.TrimSpace(model)
}

// EditRecord is what report.json keeps of the edits applied to it: the
// model's headline and band (a score edit may move them), every edit with
// the person's value beside the model's, and the model text flagged for a
// person to read again.
type EditRecord struct {
	ModelHeadline int           `json:"model_headline"`
	ModelBand     Band          `json:"model_band"`
	Applied       []AppliedEdit `json:"applied"`
	Review        []ReviewFlag  `json:"review"`
}

// AppliedEdit is an edit as a report carries it. Text or Score is the
// person's value, shown on the pages; Model or ModelScore the model's
// value now, which the report's fields held before the edit.
type AppliedEdit struct {
	Kind       EditKind `json:"kind"`
	Target     string   `json:"target,omitempty"`
	Text       string   `json:"text,omitempty"`
	Model      string   `json:"model,omitempty"`
	Score      *int     `json:"score,omitempty"`
	ModelScore *int     `json:"model_score,omitempty"`
	// Label and ModelLabel are, for a score edit that sets the task's
	// label too, the person's label and the model's.
	Label      Label     `json:"label,omitempty"`
	ModelLabel Label     `json:"model_label,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Author     string    `json:"author,omitempty"`
	Date       string    `json:"date,omitempty"`
	State      EditState `json:"state"`
	// Why says, for an edit that needs review or is orphaned, what
	// changed.
	Why string `json:"why,omitempty"`
}

// Name is as Edit.Name.
func (a AppliedEdit) Name() string { return Edit{Kind: a.Kind, Target: a.Target}.Name() }

// ReviewFlag is model-written text a person should read again: after a
// score edit it may name figures the page no longer shows.
type ReviewFlag struct {
	Kind   EditKind `json:"kind"`
	Target string   `json:"target,omitempty"`
	Why    string   `json:"why"`
}

// Name is as Edit.Name.
func (f ReviewFlag) Name() string { return Edit{Kind: f.Kind, Target: f.Target}.Name() }

// Edited reports whether the report shows a person's value for the thing
// of this kind and target instead of the model's. A task's label is
// edited by a score edit that sets it.
func (r *Report) Edited(kind EditKind, target string) bool {
	if kind == EditLabel {
		a := r.applied(EditScore, target)
		return a != nil && a.Label != ""
	}
	return r.applied(kind, target) != nil
}

// LabelFits reports whether a task's label agrees with its score, as a
// score a person gives is held to: E0 (no exposure) at most E0Max, as on
// a ballot; E1 and E2 at least E1Min, since both say the task's time is
// halved or more (by a model alone, or by software built on one) and
// E1Min is where the rubric lets an exposed task start. A ballot's E2 may
// score anything (Label.Allows): this stricter rule only flags a label a
// person's score left behind.
func LabelFits(l Label, score int) bool {
	if l == E0 {
		return score <= E0Max
	}
	return score >= E1Min
}

// labelRule says in a few words which scores a label fits.
func labelRule(l Label) string {
	if l == E0 {
		return fmt.Sprintf("E0 means at most %d %%", E0Max)
	}
	return fmt.Sprintf("%s means at least %d %%", l, E1Min)
}

func (r *Report) applied(kind EditKind, target string) *AppliedEdit {
	if r.Edits == nil {
		return nil
	}
	for i, a := range r.Edits.Applied {
		if a.Kind == kind && a.Target == target && a.State != EditOrphaned {
			return &r.Edits.Applied[i]
		}
	}
	return nil
}

// NeedsReview returns why the thing of this kind and target needs a
// person's review — an edit whose model value changed, or model text
// naming figures a score edit changed — or "" when it does not.
func (r *Report) NeedsReview(kind EditKind, target string) string {
	if r.Edits == nil {
		return ""
	}
	if a := r.applied(kind, target); a != nil && a.State == EditNeedsReview {
		return a.Why
	}
	for _, f := range r.Edits.Review {
		if f.Kind == kind && f.Target == target {
			return f.Why
		}
	}
	return ""
}

// ReviewCount counts what in the report needs a person's review: edits
// that need review or are orphaned, and flagged model text.
func (r *Report) ReviewCount() int {
	if r.Edits == nil {
		return 0
	}
	n := len(r.Edits.Review)
	for _, a := range r.Edits.Applied {
		if a.State != EditCurrent {
			n++
		}
	}
	return n
}

// Clone returns a copy of r that shares no slice with it.
func (r *Report) Clone() *Report {
	c := *r
	c.Jurors = slices.Clone(r.Jurors)
	c.Tasks = slices.Clone(r.Tasks)
	for i := range c.Tasks {
		c.Tasks[i].Votes = slices.Clone(c.Tasks[i].Votes)
	}
	c.UsageByProvider = slices.Clone(r.UsageByProvider)
	if r.Edits != nil {
		e := *r.Edits
		e.Applied = slices.Clone(e.Applied)
		e.Review = slices.Clone(e.Review)
		c.Edits = &e
	}
	return &c
}

// ModelView returns the report as the model wrote it: every applied edit
// undone, the model's headline and band restored, tasks in order again.
// A report without edits is returned as a copy.
func (r *Report) ModelView() *Report {
	m := r.Clone()
	if m.Edits == nil {
		return m
	}
	for _, a := range m.Edits.Applied {
		if a.State == EditOrphaned {
			continue
		}
		switch a.Kind {
		case EditSummary:
			m.Summary = a.Model
		case EditQuote:
			if j := m.juror(a.Target); j != nil {
				j.Quote = a.Model
			}
		case EditRationale:
			if t := m.task(a.Target); t != nil {
				t.Rationale = a.Model
			}
		case EditScore:
			if t := m.task(a.Target); t != nil && a.ModelScore != nil {
				t.Score = *a.ModelScore
				if a.ModelLabel != "" {
					t.Label = a.ModelLabel
				}
			}
		}
	}
	m.Headline, m.Band = m.Edits.ModelHeadline, m.Edits.ModelBand
	SortTasks(m.Tasks)
	m.Edits = nil
	return m
}

func (r *Report) juror(persona string) *JurorResult {
	for i := range r.Jurors {
		if r.Jurors[i].Persona == persona {
			return &r.Jurors[i]
		}
	}
	return nil
}

// personas lists the panel's persona ids in panel order: "diplomat,
// chaos-agent, contrarian, optimist".
func (r *Report) personas() string {
	ids := make([]string, len(r.Jurors))
	for i, j := range r.Jurors {
		ids[i] = j.Persona
	}
	return strings.Join(ids, ", ")
}

// taskIDs lists the report's task ids in order, a run of three or more
// consecutive numbers as one range: "22877–22893", "101, 103–105".
func (r *Report) taskIDs() string {
	ids := make([]string, len(r.Tasks))
	for i, t := range r.Tasks {
		ids[i] = t.ID
	}
	slices.SortFunc(ids, CompareTaskIDs)
	var out []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && next(ids[j], ids[j+1]) {
			j++
		}
		switch {
		case j-i >= 2:
			out = append(out, ids[i]+"–"+ids[j])
		default:
			out = append(out, ids[i:j+1]...)
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

// next reports whether task id b is the number after a.
func next(a, b string) bool {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && nb == na+1
}

// Unshown lists the edits that could not be applied to r (orphaned: their
// task or juror is gone), index for index with the edits applied: for
// each, the edit and what is wrong, naming what is unknown and what is
// there instead: `quote of persona "skeptic": no such juror (diplomat,
// chaos-agent, contrarian, optimist)`. r is a report ApplyEdits returned
// for edits.
func Unshown(r *Report, edits []Edit) []EditProblem {
	if r.Edits == nil {
		return nil
	}
	var out []EditProblem
	for i, a := range r.Edits.Applied {
		if a.State != EditOrphaned || i >= len(edits) {
			continue
		}
		what := fmt.Sprintf("%s of task %q", a.Kind, a.Target)
		if a.Kind == EditQuote {
			what = fmt.Sprintf("quote of persona %q", a.Target)
		}
		out = append(out, EditProblem{Line: edits[i].Line, Text: what + ": " + a.Why})
	}
	return out
}

func (r *Report) task(id string) *TaskResult {
	for i := range r.Tasks {
		if r.Tasks[i].ID == id {
			return &r.Tasks[i]
		}
	}
	return nil
}

// ApplyEdits returns the report the pages show: model (the model's report,
// see ModelView; a report that carries edits is first taken back to it)
// with a person's edits applied. A score edit sets the task's score and
// the headline and band are recomputed from the task scores as Decide
// computes them; model-written text that names the old headline or band
// (the summary, quotes, reactions) is then flagged for review, and so are
// a score-edited task's rationale and, when it no longer fits the score,
// its label, unless a person edited them too. An edit whose model value changed
// since it was made is applied and marked EditNeedsReview; one whose task
// or juror is gone is not applied and marked EditOrphaned.
//
// It also returns the edits with Replaced recorded where it was empty
// (the model's current value), and the indexes of those it recorded, so
// that the caller can write them back. Check edits with EditProblems
// first: ApplyEdits applies what it is given.
func ApplyEdits(model *Report, edits []Edit) (*Report, []Edit, []int) {
	r := model.ModelView()
	if len(edits) == 0 {
		return r, edits, nil
	}
	edits = slices.Clone(edits)
	rec := &EditRecord{ModelHeadline: r.Headline, ModelBand: r.Band, Applied: []AppliedEdit{}, Review: []ReviewFlag{}}
	var recorded []int
	scored := map[string]int{} // task id → the model's score, for score edits applied
	for i, e := range edits {
		a := AppliedEdit{Kind: e.Kind, Target: e.Target, Author: e.Author, Date: e.Date}
		var field *string // the text the edit replaces
		switch e.Kind {
		case EditSummary:
			field = &r.Summary
		case EditQuote:
			switch j := r.juror(e.Target); {
			case j == nil:
				a.Why = fmt.Sprintf("no such juror (%s)", r.personas())
			case !j.Valid:
				a.Why = "juror not counted in this verdict: its ballot was not valid"
			default:
				field = &j.Quote
			}
		case EditRationale, EditScore:
			if t := r.task(e.Target); t == nil {
				a.Why = fmt.Sprintf("no such task in %s (%s)", r.Occupation.Code, r.taskIDs())
			} else if e.Kind == EditRationale {
				field = &t.Rationale
			} else {
				model, score := t.Score, e.Score
				a.ModelScore, a.Score, a.Reason = &model, &score, e.Reason
				a.State = stateOf(&edits[i], strconv.Itoa(model), &recorded, i)
				if a.State == EditNeedsReview {
					a.Why = fmt.Sprintf("the jury's score was %s when the edit was made, it is %d now", e.Replaced, model)
				}
				scored[t.ID] = model
				t.Score = score
				if e.Label != "" {
					a.Label, a.ModelLabel = e.Label, t.Label
					t.Label = e.Label
				}
			}
		}
		if field != nil {
			a.Model, a.Text = *field, strings.TrimSpace(e.Text)
			a.State = stateOf(&edits[i], *field, &recorded, i)
			if a.State == EditNeedsReview {
				a.Why = "the model's text changed since the edit: it now reads “" + shorten(*field, 80) + "”"
			}
			*field = a.Text
		}
		if a.State == "" {
			a.State = EditOrphaned
		}
		rec.Applied = append(rec.Applied, a)
	}
	r.Edits = rec
	if len(scored) > 0 {
		r.Headline = TasksHeadline(r.Tasks)
		r.Band = BandOf(r.Headline)
		SortTasks(r.Tasks)
		rec.Review = flagsAfterScores(r, rec, scored)
	}
	return r, edits, recorded
}

// stateOf compares an edit's record of what it replaced with the model's
// value now, recording the value when the edit has none.
func stateOf(e *Edit, model string, recorded *[]int, i int) EditState {
	if e.Replaced == "" {
		e.Replaced = model
		*recorded = append(*recorded, i)
		return EditCurrent
	}
	if replacedMatches(e.Replaced, model) {
		return EditCurrent
	}
	return EditNeedsReview
}

// flagsAfterScores lists the model text that names figures the score
// edits changed, in page order: summary, quotes and reactions by juror,
// then for each task whose score a person changed its label, when it no
// longer fits the score (LabelFits), and its rationale, written for the
// jury's score. A juror whose quote a person rewrote is taken as
// reviewed, reaction included; a rationale or label a person wrote, too.
func flagsAfterScores(r *Report, rec *EditRecord, scored map[string]int) []ReviewFlag {
	flags := []ReviewFlag{}
	oldH, oldB := rec.ModelHeadline, rec.ModelBand
	if oldH == r.Headline && oldB == r.Band {
		// The headline did not move: only rationales can be stale.
		oldH = -1
	}
	namesOld := func(s string) string {
		switch {
		case oldH < 0:
			return ""
		case slices.Contains(Percentages(s), oldH):
			return fmt.Sprintf("names %d %%, the headline before the score edits (now %d %%)", oldH, r.Headline)
		case oldB != r.Band && strings.Contains(strings.ToLower(s), string(oldB)):
			return fmt.Sprintf("calls the exposure %s, the band before the score edits (now %s)", oldB, r.Band)
		}
		return ""
	}
	if !r.Edited(EditSummary, "") {
		if why := namesOld(r.Summary); why != "" {
			flags = append(flags, ReviewFlag{Kind: EditSummary, Why: why})
		}
	}
	for _, j := range r.Jurors {
		if !j.Valid || r.Edited(EditQuote, j.Persona) {
			continue
		}
		if why := namesOld(j.Quote); why != "" {
			flags = append(flags, ReviewFlag{Kind: EditQuote, Target: j.Persona, Why: why})
		}
		if j.Reaction != "" && oldH >= 0 && oldH != r.Headline {
			flags = append(flags, ReviewFlag{Kind: EditReaction, Target: j.Persona,
				Why: fmt.Sprintf("reacted to %d %%, the headline before the score edits (now %d %%)", oldH, r.Headline)})
		}
	}
	for _, t := range r.Tasks {
		old, ok := scored[t.ID]
		if !ok || old == t.Score {
			continue
		}
		if !r.Edited(EditLabel, t.ID) && !LabelFits(t.Label, t.Score) {
			flags = append(flags, ReviewFlag{Kind: EditLabel, Target: t.ID,
				Why: fmt.Sprintf("%s, the task now scores %d %% (the jury's %d %%): add a label to its score edit", labelRule(t.Label), t.Score, old)})
		}
		if !r.Edited(EditRationale, t.ID) {
			flags = append(flags, ReviewFlag{Kind: EditRationale, Target: t.ID,
				Why: fmt.Sprintf("written for the jury's %d %%, the task now scores %d %%", old, t.Score)})
		}
	}
	return flags
}

// shorten cuts s to at most n characters, marking a cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// ReportProblem is an inconsistency of a report.json: Key names the JSON
// key it is about and Index which occurrence of that key in the file (0
// for the first), so that a reader of the file can point at its line; an
// empty Key points at none.
type ReportProblem struct {
	Key   string
	Index int
	Text  string
}

// Check lists what makes a report inconsistent, as a hand-edited
// report.json can be: a headline that is not the core-weighted mean of
// its task scores, a band that is not the headline's, a quote or a
// rationale over the limits a model is held to, a task listed twice.
// Task order is not checked: SortTasks restores it.
func (r *Report) Check() []ReportProblem {
	var out []ReportProblem
	if h := TasksHeadline(r.Tasks); h != r.Headline {
		out = append(out, ReportProblem{Key: "headline", Text: fmt.Sprintf(
			"headline %d does not follow from the task scores, whose core-weighted mean is %d: change a score in edits.yaml (with a reason) rather than the headline", r.Headline, h)})
	} else if b := BandOf(r.Headline); b != r.Band {
		out = append(out, ReportProblem{Key: "band", Text: fmt.Sprintf("band %q is not the band of headline %d (%q)", r.Band, r.Headline, b)})
	}
	quote := 0
	for _, j := range r.Jurors {
		// Every juror has a "quote" key; an empty quote is a juror shown
		// without one.
		if j.Quote != "" {
			if p := lineProblem("quote of "+j.Persona, j.Quote); p != "" {
				out = append(out, ReportProblem{Key: "quote", Index: quote, Text: p + ": shorten it in edits.yaml"})
			}
		}
		quote++
	}
	seen := map[string]bool{}
	for i, t := range r.Tasks {
		if seen[t.ID] {
			out = append(out, ReportProblem{Key: "id", Index: i, Text: fmt.Sprintf("task %s is listed twice", t.ID)})
		}
		seen[t.ID] = true
		if t.Rationale != "" {
			if p := lineProblem("rationale of task "+t.ID, t.Rationale); p != "" {
				out = append(out, ReportProblem{Key: "rationale", Index: i, Text: p + ": shorten it in edits.yaml"})
			}
		}
		if t.Score < 0 || t.Score > 100 {
			// "score" is a key of jurors and votes too: name no line.
			out = append(out, ReportProblem{Text: fmt.Sprintf("task %s: score %d is outside 0–100", t.ID, t.Score)})
		}
	}
	return out
}
