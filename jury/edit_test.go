package jury_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

// editedReport is a model's verdict on three tasks: 22892 (core, 90),
// 22886 (core, 80), 22900 (supplemental, 20); headline (2·90+2·80+20)/5 =
// 72, high.
func editedReport() *jury.Report {
	return &jury.Report{
		SchemaVersion: jury.SchemaVersion,
		Occupation:    jury.OccupationRef{Code: "29-2072.00", Title: "Medical Records Specialists"},
		Headline:      72, Band: jury.BandHigh,
		Summary: "Medical Records Specialists face a high exposure: 72 % of their work is within reach.",
		Jurors: []jury.JurorResult{
			{Persona: "diplomat", Name: "The Diplomat", Score: 70, Reaction: jury.AboutRight, Quote: "72 % is fair.", Valid: true, Problems: []string{}},
			{Persona: "contrarian", Name: "The Contrarian", Score: 60, Reaction: jury.TooHigh, Quote: "Records still need a person.", Valid: true, Problems: []string{}},
			{Persona: "optimist", Name: "The Optimist", Valid: false, Problems: []string{"bad ballot"}},
		},
		Tasks: []jury.TaskResult{
			{ID: "22892", Text: "Compile records.", Type: jury.Core, Score: 90, Label: jury.E2, Rationale: "EHR software does it: 90 % of the time saved."},
			{ID: "22886", Text: "Code diagnoses.", Type: jury.Core, Score: 80, Label: jury.E1, Rationale: "Coding assistants suggest codes."},
			{ID: "22900", Text: "Resolve unclear codes.", Type: jury.Supplemental, Score: 20, Label: jury.E0, Rationale: "A person answers for it."},
		},
	}
}

func TestApplyEdits(t *testing.T) {
	tests := []struct {
		name  string
		edits []jury.Edit
		// check looks at the report shown and the edits returned.
		check        func(t *testing.T, r *jury.Report, edits []jury.Edit)
		wantStates   []jury.EditState
		wantRecorded []int
		wantReview   []string
	}{
		{
			name: "a quote and a rationale, first applied: the model's text is recorded",
			edits: []jury.Edit{
				{Kind: jury.EditQuote, Target: "contrarian", Text: "A person still signs the record.", Author: "ana"},
				{Kind: jury.EditRationale, Target: "22886", Text: "Coders check every suggestion."},
			},
			check: func(t *testing.T, r *jury.Report, edits []jury.Edit) {
				require.Equal(t, "A person still signs the record.", r.Jurors[1].Quote)
				require.Equal(t, "Coders check every suggestion.", r.Tasks[1].Rationale)
				require.Equal(t, "Records still need a person.", edits[0].Replaced)
				require.Equal(t, "Coding assistants suggest codes.", edits[1].Replaced)
				require.Equal(t, 72, r.Headline, "text edits move no figure")
				require.True(t, r.Edited(jury.EditQuote, "contrarian"))
				require.False(t, r.Edited(jury.EditQuote, "diplomat"))
				require.Equal(t, "Records still need a person.", r.Edits.Applied[0].Model)
			},
			wantStates:   []jury.EditState{jury.EditCurrent, jury.EditCurrent},
			wantRecorded: []int{0, 1},
		},
		{
			name: "an edit over text the model has since changed needs review, and is applied",
			edits: []jury.Edit{
				{Kind: jury.EditSummary, Text: "Our own summary.", Replaced: "An older summary."},
				{Kind: jury.EditRationale, Target: "22892", Text: "Ours.", Replaced: jury.TextHash("EHR software does it: 90 % of the time saved.")},
			},
			check: func(t *testing.T, r *jury.Report, _ []jury.Edit) {
				require.Equal(t, "Our own summary.", r.Summary)
				require.Contains(t, r.NeedsReview(jury.EditSummary, ""), "the model's text changed since the edit")
				require.Empty(t, r.NeedsReview(jury.EditRationale, "22892"), "a hash of the same text is current")
				require.Equal(t, 1, r.ReviewCount())
			},
			wantStates: []jury.EditState{jury.EditNeedsReview, jury.EditCurrent},
		},
		{
			name: "edits of a task or juror that is gone are orphaned and not applied",
			edits: []jury.Edit{
				{Kind: jury.EditRationale, Target: "99999", Text: "Gone.", Replaced: "x", Line: 2},
				{Kind: jury.EditQuote, Target: "chaos-agent", Text: "Gone.", Replaced: "x", Line: 5},
				{Kind: jury.EditQuote, Target: "optimist", Text: "Not counted.", Replaced: "x", Line: 7},
				{Kind: jury.EditQuote, Target: "diplomat", Text: "Shown.", Replaced: "72 % is fair.", Line: 9},
			},
			check: func(t *testing.T, r *jury.Report, edits []jury.Edit) {
				require.Empty(t, r.Jurors[2].Quote)
				require.Equal(t, "Shown.", r.Jurors[0].Quote)
				require.Equal(t, 3, r.ReviewCount())
				require.Equal(t, []jury.EditProblem{
					{Line: 2, Text: `rationale of task "99999": no such task in 29-2072.00 (22886, 22892, 22900)`},
					{Line: 5, Text: `quote of persona "chaos-agent": no such juror (diplomat, contrarian, optimist)`},
					{Line: 7, Text: `quote of persona "optimist": juror not counted in this verdict: its ballot was not valid`},
				}, jury.Unshown(r, edits), "what is unknown, and what is there instead")
			},
			wantStates: []jury.EditState{jury.EditOrphaned, jury.EditOrphaned, jury.EditOrphaned, jury.EditCurrent},
		},
		{
			name: "a score edit moves the headline by the consensus rule and flags text naming the old figures",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22892", Score: 40, Reason: "records need sign-off"},
			},
			check: func(t *testing.T, r *jury.Report, edits []jury.Edit) {
				// (2·40 + 2·80 + 20) / 5 = 52: moderate.
				require.Equal(t, 52, r.Headline)
				require.Equal(t, jury.BandModerate, r.Band)
				require.Equal(t, []string{"22886", "22892", "22900"}, []string{r.Tasks[0].ID, r.Tasks[1].ID, r.Tasks[2].ID}, "tasks in order again")
				require.Equal(t, "90", edits[0].Replaced)
				require.Equal(t, 72, r.Edits.ModelHeadline)
				require.Equal(t, jury.BandHigh, r.Edits.ModelBand)
				require.Equal(t, "names 72 %, the headline before the score edits (now 52 %)", r.NeedsReview(jury.EditSummary, ""))
			},
			wantStates:   []jury.EditState{jury.EditCurrent},
			wantRecorded: []int{0},
			wantReview:   []string{"summary", "quote of diplomat", "reaction of diplomat", "reaction of contrarian", "rationale of task 22892"},
		},
		{
			name: "text a person wrote is never flagged",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22892", Score: 40, Reason: "sign-off", Replaced: "90"},
				{Kind: jury.EditSummary, Text: "Mine, 72 % and all.", Replaced: "Medical Records Specialists face a high exposure: 72 % of their work is within reach."},
				{Kind: jury.EditQuote, Target: "diplomat", Text: "Mine too.", Replaced: "72 % is fair."},
			},
			wantStates: []jury.EditState{jury.EditCurrent, jury.EditCurrent, jury.EditCurrent},
			wantReview: []string{"reaction of contrarian", "rationale of task 22892"},
		},
		{
			name: "an E2 task edited to 20 %: its label and its rationale need review",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22892", Score: 20, Reason: "records need sign-off", Replaced: "90"},
			},
			check: func(t *testing.T, r *jury.Report, _ []jury.Edit) {
				require.Equal(t, "E2 means at least 40 %, the task now scores 20 % (the jury's 90 %): add a label to its score edit",
					r.NeedsReview(jury.EditLabel, "22892"))
				require.Equal(t, "written for the jury's 90 %, the task now scores 20 %", r.NeedsReview(jury.EditRationale, "22892"))
				require.False(t, r.Edited(jury.EditLabel, "22892"))
			},
			wantStates: []jury.EditState{jury.EditCurrent},
			wantReview: []string{"summary", "quote of diplomat", "reaction of diplomat", "reaction of contrarian", "label of task 22892", "rationale of task 22892"},
		},
		{
			name: "a rationale that names no figure is still flagged: it was written for the jury's score",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22886", Score: 60, Reason: "coders check each code", Replaced: "80"},
			},
			check: func(t *testing.T, r *jury.Report, _ []jury.Edit) {
				require.Empty(t, r.NeedsReview(jury.EditLabel, "22886"), "E1 at 60 % still fits")
			},
			wantStates: []jury.EditState{jury.EditCurrent},
			wantReview: []string{"summary", "quote of diplomat", "reaction of diplomat", "reaction of contrarian", "rationale of task 22886"},
		},
		{
			name: "an E0 task edited above 60 %: its label needs review",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22900", Score: 70, Reason: "coding assistants resolve most", Replaced: "20"},
				{Kind: jury.EditRationale, Target: "22900", Text: "Coding assistants now resolve most unclear codes.", Replaced: "A person answers for it."},
			},
			check: func(t *testing.T, r *jury.Report, _ []jury.Edit) {
				require.Equal(t, "E0 means at most 60 %, the task now scores 70 % (the jury's 20 %): add a label to its score edit",
					r.NeedsReview(jury.EditLabel, "22900"))
			},
			wantStates: []jury.EditState{jury.EditCurrent, jury.EditCurrent},
			wantReview: []string{"summary", "quote of diplomat", "reaction of diplomat", "reaction of contrarian", "label of task 22900"},
		},
		{
			name: "a person who sets the label and rewrites the rationale leaves nothing of the task to review",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22892", Score: 20, Label: jury.E0, Reason: "records need sign-off", Replaced: "90"},
				{Kind: jury.EditRationale, Target: "22892", Text: "A person signs every record.", Replaced: "EHR software does it: 90 % of the time saved."},
			},
			check: func(t *testing.T, r *jury.Report, _ []jury.Edit) {
				tk := r.Tasks[1] // 20 %, tied with 22900 and first by ID
				require.Equal(t, "22892", tk.ID)
				require.Equal(t, jury.E0, tk.Label, "the person's label is shown")
				require.True(t, r.Edited(jury.EditLabel, "22892"))
				require.Equal(t, jury.E2, r.Edits.Applied[0].ModelLabel, "the jury's label is kept beside it")
			},
			wantStates: []jury.EditState{jury.EditCurrent, jury.EditCurrent},
			wantReview: []string{"summary", "quote of diplomat", "reaction of diplomat", "reaction of contrarian"},
		},
		{
			name: "a score edit over a score the jury has since changed needs review",
			edits: []jury.Edit{
				{Kind: jury.EditScore, Target: "22900", Score: 20, Reason: "same", Replaced: "35"},
			},
			check: func(t *testing.T, r *jury.Report, _ []jury.Edit) {
				require.Equal(t, 72, r.Headline, "the same score: the headline stays")
				require.Equal(t, "the jury's score was 35 when the edit was made, it is 20 now", r.Edits.Applied[0].Why)
			},
			wantStates: []jury.EditState{jury.EditNeedsReview},
			wantReview: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := editedReport()
			before := model.Clone()
			r, edits, recorded := jury.ApplyEdits(model, tt.edits)
			require.Equal(t, before, model, "the model's report is left as it was")
			var states []jury.EditState
			for _, a := range r.Edits.Applied {
				states = append(states, a.State)
			}
			require.Equal(t, tt.wantStates, states)
			require.Equal(t, tt.wantRecorded, recorded)
			if tt.wantReview != nil {
				var review []string
				for _, f := range r.Edits.Review {
					review = append(review, f.Name())
				}
				if review == nil {
					review = []string{}
				}
				require.Equal(t, tt.wantReview, review)
			}
			if tt.check != nil {
				tt.check(t, r, edits)
			}
			require.Empty(t, r.Check(), "an edited report is consistent")
			require.Equal(t, model, r.ModelView(), "the model's verdict can be read back from the edited one")

			// Applying again to the report shown gives the same report:
			// edits do not pile up.
			again, _, _ := jury.ApplyEdits(r, edits)
			require.Equal(t, r, again)
		})
	}
}

// An unknown task id is told with the ids there are, runs of three or
// more consecutive ones as a range.
func TestUnshownTaskIDs(t *testing.T) {
	r := editedReport()
	for _, id := range []string{"22887", "22888", "22889", "22890", "22901", "x-1"} {
		r.Tasks = append(r.Tasks, jury.TaskResult{ID: id, Text: "More.", Type: jury.Core, Score: 50, Label: jury.E2})
	}
	edits := []jury.Edit{{Kind: jury.EditScore, Target: "2289", Score: 10, Reason: "typo", Line: 4}}
	shown, _, _ := jury.ApplyEdits(r, edits)
	require.Equal(t, []jury.EditProblem{{Line: 4,
		Text: `score of task "2289": no such task in 29-2072.00 (22886–22890, 22892, 22900, 22901, x-1)`}}, jury.Unshown(shown, edits))
	require.Empty(t, jury.Unshown(editedReport(), nil), "no edits: nothing unshown")
}

func TestApplyNoEdits(t *testing.T) {
	r, _, recorded := jury.ApplyEdits(editedReport(), nil)
	require.Nil(t, r.Edits, "a report nobody edited carries no edit record")
	require.Empty(t, recorded)
	require.Equal(t, editedReport(), r)
}

func TestEditProblems(t *testing.T) {
	tests := []struct {
		name string
		edit jury.Edit
		want string
	}{
		{"empty quote", jury.Edit{Kind: jury.EditQuote, Target: "contrarian", Line: 3}, "quote of contrarian: text is empty"},
		{"two-line rationale", jury.Edit{Kind: jury.EditRationale, Target: "22892", Text: "a\nb", Line: 7}, "rationale of task 22892: text must be one line"},
		{"quote over the limit", jury.Edit{Kind: jury.EditQuote, Target: "diplomat", Text: repeat("x", jury.MaxQuote+1), Line: 9}, "quote of diplomat: text is 301 characters, at most 300"},
		{"score without a reason", jury.Edit{Kind: jury.EditScore, Target: "22892", Score: 40, Line: 12}, "score of task 22892: a score edit needs a reason"},
		{"score out of range", jury.Edit{Kind: jury.EditScore, Target: "22892", Score: 140, Reason: "x", Line: 12}, "score of task 22892: score 140 is outside 0–100"},
		{"unknown label", jury.Edit{Kind: jury.EditScore, Target: "22892", Score: 20, Label: "E5", Reason: "x", Line: 12}, `score of task 22892: label "E5": want E0, E1 or E2`},
		{"label against the score", jury.Edit{Kind: jury.EditScore, Target: "22892", Score: 20, Label: jury.E1, Reason: "x", Line: 12}, "score of task 22892: label E1 does not agree with score 20: E1 means at least 40 %"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jury.EditProblems([]jury.Edit{tt.edit})
			require.Len(t, got, 1)
			require.Equal(t, tt.edit.Line, got[0].Line)
			require.Contains(t, got[0].Text, tt.want)
		})
	}
	require.Empty(t, jury.EditProblems([]jury.Edit{{Kind: jury.EditSummary, Text: "Fine."}, {Kind: jury.EditScore, Target: "1", Score: 0, Reason: "why"}}))
	twice := jury.EditProblems([]jury.Edit{{Kind: jury.EditSummary, Text: "a"}, {Kind: jury.EditSummary, Text: "b", Line: 4}})
	require.Equal(t, []jury.EditProblem{{Line: 4, Text: "summary: edited twice: keep one"}}, twice)
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestReportCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *jury.Report)
		want   []jury.ReportProblem
	}{
		{"consistent", func(*jury.Report) {}, nil},
		{"headline set by hand", func(r *jury.Report) { r.Headline = 50 }, []jury.ReportProblem{{Key: "headline",
			Text: "headline 50 does not follow from the task scores, whose core-weighted mean is 72: change a score in edits.yaml (with a reason) rather than the headline"}}},
		{"band set by hand", func(r *jury.Report) { r.Band = jury.BandVeryHigh }, []jury.ReportProblem{{Key: "band",
			Text: `band "very high" is not the band of headline 72 ("high")`}}},
		{"quote over the limit", func(r *jury.Report) { r.Jurors[1].Quote = repeat("y", 301) }, []jury.ReportProblem{{Key: "quote", Index: 1,
			Text: "quote of contrarian is 301 characters, at most 300: shorten it in edits.yaml"}}},
		{"tasks out of order are not a problem", func(r *jury.Report) { r.Tasks[0], r.Tasks[2] = r.Tasks[2], r.Tasks[0] }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := editedReport()
			tt.change(r)
			require.Equal(t, tt.want, r.Check())
		})
	}
}

func TestDiffSeparatesEditsFromModelDrift(t *testing.T) {
	model := editedReport()
	quote := jury.Edit{Kind: jury.EditQuote, Target: "contrarian", Text: "A person signs.", Replaced: "Records still need a person."}
	score := jury.Edit{Kind: jury.EditScore, Target: "22892", Score: 40, Reason: "sign-off", Replaced: "90"}
	drifted := model.Clone()
	drifted.Tasks[1].Score = 90 // the model moved task 22886 80 → 90: headline (180+180+20)/5 = 76
	drifted.Headline, drifted.Band = 76, jury.BandHigh
	shown := func(m *jury.Report, edits ...jury.Edit) jury.Report {
		r, _, _ := jury.ApplyEdits(m, edits)
		return *r
	}
	tests := []struct {
		name      string
		old, new  jury.Report
		opts      jury.DiffOptions
		wantEdits []string
		wantTasks []string
		wantFails bool
		// wantHeadline is the headline line of `jury diff`.
		wantHeadline string
	}{
		{
			name: "a quote edited: an edit, not model drift; text edits never fail",
			old:  shown(model), new: shown(model, quote),
			wantEdits: []string{"edited: quote of The Contrarian"}, wantHeadline: "headline 72, unchanged",
		},
		{
			name: "a score edit: the headline shown moves 72 → 52, as an edit",
			old:  shown(model), new: shown(model, score),
			wantEdits: []string{"edited: score of task 22892 90 → 40"}, wantFails: true,
			wantHeadline: "headline 72 → 52 (edited: score of task 22892); the jury's own 72, unchanged",
		},
		{
			name: "--fail-on without edit ignores it",
			old:  shown(model), new: shown(model, score),
			opts:         jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindHeadline, jury.KindTask, jury.KindLabel}},
			wantEdits:    []string{"edited: score of task 22892 90 → 40"},
			wantHeadline: "headline 72 → 52 (edited: score of task 22892); the jury's own 72, unchanged",
		},
		{
			name: "the model moved under an unchanged edit: drift only",
			old:  shown(model, quote, score), new: shown(drifted, quote, score),
			wantTasks: []string{"task 22886 80 → 90"}, wantFails: true,
			// (2·40 + 2·90 + 20) / 5 = 56
			wantHeadline: "headline 52 → 56 (edited on both sides: score of task 22892); the jury's own 72 → 76 (+4)",
		},
		{
			name: "a score edit removed: the page publishes the jury's headline again",
			old:  shown(model, score), new: shown(model),
			wantEdits: []string{"edit removed: score of task 22892 40 → 90"}, wantFails: true,
			wantHeadline: "headline 52 → 72 (edit removed: score of task 22892); the jury's own 72, unchanged",
		},
		{
			name: "a score edit that sets the label too: an edit, not a label change of the model's",
			old:  shown(model), new: shown(model, jury.Edit{Kind: jury.EditScore, Target: "22892", Score: 40, Label: jury.E0, Reason: "sign-off", Replaced: "90"}),
			wantEdits: []string{"edited: score of task 22892 90 E2 → 40 E0"}, wantFails: true,
			wantHeadline: "headline 72 → 52 (edited: score of task 22892); the jury's own 72, unchanged",
		},
		{
			name: "an edit removed",
			old:  shown(model, quote), new: shown(model),
			wantEdits: []string{"edit removed: quote of The Contrarian"}, wantHeadline: "headline 72, unchanged",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := jury.Diff([]jury.Report{tt.old}, []jury.Report{tt.new}, tt.opts)
			require.NoError(t, err)
			require.Len(t, res.Occupations, 1)
			o := res.Occupations[0]
			var edits, tasks []string
			for _, e := range o.Edits {
				edits = append(edits, e.String())
			}
			for _, td := range o.Tasks {
				tasks = append(tasks, td.String())
			}
			require.Equal(t, tt.wantEdits, edits)
			require.Equal(t, tt.wantTasks, tasks)
			require.Equal(t, tt.wantFails, res.Failed())
			require.Equal(t, tt.wantHeadline, o.HeadlineString())
			require.Equal(t, tt.old.Headline, o.OldPublished)
			require.Equal(t, tt.new.Headline, o.NewPublished)
			require.Empty(t, o.Quotes, "the model's quotes did not change")
		})
	}
}
