package jury_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

var personaIDs = []string{"diplomat", "chaos-agent", "contrarian", "optimist", "fifth", "sixth"}

// oneTask is an occupation of a single core task "1": its headline is
// that task's consensus score.
func oneTask() jury.Occupation {
	return jury.Occupation{
		Code:  "43-9061.00",
		Title: "Office Clerks, General",
		Tasks: []jury.Task{{ID: "1", Text: "File papers.", Type: jury.Core}},
	}
}

type lv struct {
	label jury.Label
	score int
}

// panelOn returns one valid juror per vote on the single task of oneTask.
func panelOn(votes ...lv) []jury.Juror {
	js := make([]jury.Juror, len(votes))
	for i, v := range votes {
		js[i] = jury.Juror{
			Persona: personaIDs[i],
			Name:    "Juror " + personaIDs[i],
			Model:   "test-model",
			Ballot: jury.Ballot{
				Tasks: []jury.Vote{{ID: "1", Score: v.score, Label: v.label}},
				Score: v.score,
			},
		}
	}
	return js
}

func e2(scores ...int) []lv {
	vs := make([]lv, len(scores))
	for i, s := range scores {
		vs[i] = lv{jury.E2, s}
	}
	return vs
}

func TestDecideAggregation(t *testing.T) {
	tests := []struct {
		agg    jury.Aggregation
		scores []int
		want   int
	}{
		{"", []int{0, 10, 20, 90, 100}, 20}, // median is the default
		{jury.Median, []int{10, 90, 50}, 50},
		{jury.Median, []int{90, 50, 10}, 50},
		{jury.Median, []int{0, 10, 20, 90, 100}, 20},
		{jury.Median, []int{41, 10, 30, 20}, 25},  // (20+30)/2
		{jury.Median, []int{10, 21, 30, 41}, 26},  // 25.5 rounds half away from zero
		{jury.Median, []int{10, 20, 31, 100}, 26}, // 25.5
		{jury.Median, []int{0, 1, 1, 100}, 1},
		{jury.Median, []int{0, 0, 1, 100}, 1},  // 0.5
		{jury.Mean, []int{10, 20, 30, 41}, 25}, // 25.25
		{jury.Mean, []int{10, 20, 30, 43}, 26}, // 25.75
		{jury.Mean, []int{0, 0, 1, 1}, 1},      // 0.5
		{jury.Mean, []int{1, 2, 2}, 2},         // 1.67
		{jury.Mean, []int{0, 10, 20, 90, 100}, 44},
		{jury.TrimmedMean, []int{0, 10, 20, 90, 100}, 40}, // (10+20+90)/3
		{jury.TrimmedMean, []int{100, 0, 60, 50}, 55},     // (50+60)/2
		{jury.TrimmedMean, []int{0, 40, 100}, 40},
		{jury.TrimmedMean, []int{0, 0, 1, 100}, 1}, // (0+1)/2 = 0.5
		{jury.TrimmedMean, []int{0, 1, 2, 100}, 2}, // (1+2)/2 = 1.5
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v", tt.agg, tt.scores), func(t *testing.T) {
			r, err := jury.Decide(oneTask(), panelOn(e2(tt.scores...)...), jury.Rule{Aggregation: tt.agg})
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Tasks[0].Score)
			require.Equal(t, tt.want, r.Headline)
		})
	}
}

func TestDecideSmallQuorum(t *testing.T) {
	// Two votes and no trimming possible: the trimmed mean is the mean.
	r, err := jury.Decide(oneTask(), panelOn(e2(30, 41)...), jury.Rule{Quorum: 2, Aggregation: jury.TrimmedMean})
	require.NoError(t, err)
	require.Equal(t, 36, r.Tasks[0].Score) // 35.5
}

func TestDecideLabel(t *testing.T) {
	tests := []struct {
		name  string
		agg   jury.Aggregation
		votes []lv
		want  jury.Label
	}{
		{name: "unanimous", votes: []lv{{jury.E1, 70}, {jury.E1, 80}, {jury.E1, 90}}, want: jury.E1},
		{name: "majority wins over the vote nearest the score",
			votes: []lv{{jury.E2, 0}, {jury.E1, 50}, {jury.E2, 100}}, want: jury.E2}, // median 50 is E1's score
		{name: "majority of three out of four",
			votes: []lv{{jury.E0, 10}, {jury.E1, 45}, {jury.E0, 20}, {jury.E0, 60}}, want: jury.E0},
		{name: "three-way tie goes to the vote nearest the score",
			votes: []lv{{jury.E0, 50}, {jury.E2, 90}, {jury.E1, 60}}, want: jury.E1}, // median 60
		{name: "two-two tie goes to the vote nearest the mean", agg: jury.Mean,
			votes: []lv{{jury.E0, 10}, {jury.E0, 20}, {jury.E2, 70}, {jury.E2, 100}}, want: jury.E2}, // mean 50: 70 is 20 away, 20 is 30 away
		{name: "two-two tie goes to the vote nearest the mean, E0 side", agg: jury.Mean,
			votes: []lv{{jury.E2, 90}, {jury.E0, 40}, {jury.E2, 100}, {jury.E0, 0}}, want: jury.E0}, // mean 57.5 → 58: 40 is 18 away, 90 is 32
		{name: "equally near: the lower score wins (E2 lower)",
			votes: []lv{{jury.E1, 80}, {jury.E1, 70}, {jury.E2, 60}, {jury.E2, 50}}, want: jury.E2}, // median 65: 60 and 70 are 5 away
		{name: "a majority label its score contradicts gives way to one that fits",
			votes: []lv{{jury.E2, 30}, {jury.E2, 39}, {jury.E0, 45}}, want: jury.E0}, // median 39: E2 means at least 40
		{name: "no vote's label fits: E0 under 40",
			votes: []lv{{jury.E2, 10}, {jury.E2, 20}, {jury.E2, 39}}, want: jury.E0}, // median 20
		{name: "E2 at exactly 40 fits",
			votes: []lv{{jury.E2, 40}, {jury.E2, 45}, {jury.E0, 10}}, want: jury.E2},
		{name: "equally near: the lower score wins (E1 lower)",
			votes: []lv{{jury.E2, 90}, {jury.E2, 70}, {jury.E1, 60}, {jury.E1, 40}}, want: jury.E1}, // median 65
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := jury.Decide(oneTask(), panelOn(tt.votes...), jury.Rule{Aggregation: tt.agg})
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Tasks[0].Label)
		})
	}
}

func TestDecideDissent(t *testing.T) {
	tests := []struct {
		name    string
		dissent int
		scores  []int
		want    bool
	}{
		{name: "agreement", scores: []int{50, 50, 50}, want: false},
		{name: "spread of exactly 40", scores: []int{30, 70, 50}, want: false},
		{name: "spread of 41", scores: []int{30, 71, 50}, want: true},
		{name: "spread of 100", scores: []int{0, 100, 50, 50}, want: true},
		{name: "custom threshold, spread 10", dissent: 10, scores: []int{40, 50, 45}, want: false},
		{name: "custom threshold, spread 11", dissent: 10, scores: []int{40, 51, 45}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := jury.Decide(oneTask(), panelOn(e2(tt.scores...)...), jury.Rule{Dissent: tt.dissent})
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Tasks[0].Dissent)
		})
	}
}

func TestDecideDissentIgnoresInvalidJurors(t *testing.T) {
	jurors := panelOn(e2(30, 70, 50, 100)...)
	jurors[3].Problems = []string{"quote is empty"}
	r, err := jury.Decide(oneTask(), jurors, jury.Rule{})
	require.NoError(t, err)
	require.False(t, r.Tasks[0].Dissent, "the invalid juror's 100 must not widen the spread")
	require.Equal(t, 50, r.Tasks[0].Score)
	require.Len(t, r.Tasks[0].Votes, 3)
}

// threeTypes has one task of each type; every juror gives the same scores.
func decideThreeTypes(t *testing.T, core, supplemental, unrated int) *jury.Report {
	t.Helper()
	occ := validOccupation() // 22877 core, 22878 supplemental, 22879 n/a
	var jurors []jury.Juror
	for _, p := range personaIDs[:4] {
		jurors = append(jurors, jury.Juror{Persona: p, Name: p, Ballot: jury.Ballot{
			Tasks: []jury.Vote{
				{ID: "22877", Score: core, Label: jury.E2},
				{ID: "22878", Score: supplemental, Label: jury.E2},
				{ID: "22879", Score: unrated, Label: jury.E2},
			},
			Score: 50,
		}})
	}
	r, err := jury.Decide(occ, jurors, jury.Rule{})
	require.NoError(t, err)
	return r
}

func TestDecideHeadlineIsCoreWeighted(t *testing.T) {
	tests := []struct {
		core, supplemental, unrated int
		want                        int
		band                        jury.Band
	}{
		{80, 50, 20, 58, jury.BandModerate}, // (160+50+20)/4 = 57.5; unweighted 50
		{80, 49, 20, 57, jury.BandModerate}, // 57.25
		{20, 80, 80, 50, jury.BandModerate}, // (40+80+80)/4; unweighted 60
		{100, 0, 0, 50, jury.BandModerate},
		{0, 100, 100, 50, jury.BandModerate},
		{90, 90, 30, 75, jury.BandHigh},    // (180+90+30)/4
		{90, 90, 33, 76, jury.BandHigh},    // 75.75
		{10, 10, 11, 10, jury.BandVeryLow}, // 10.25
		{100, 100, 100, 100, jury.BandVeryHigh},
	}
	for _, tt := range tests {
		r := decideThreeTypes(t, tt.core, tt.supplemental, tt.unrated)
		require.Equal(t, tt.want, r.Headline, "core %d, supplemental %d, n/a %d", tt.core, tt.supplemental, tt.unrated)
		require.Equal(t, tt.band, r.Band)
	}
}

func TestDecideSortsTasks(t *testing.T) {
	occ := jury.Occupation{Code: "29-2072.00", Title: "T", Tasks: []jury.Task{
		{ID: "10", Text: "ten", Type: jury.Core},
		{ID: "9", Text: "nine", Type: jury.Supplemental},
		{ID: "100", Text: "hundred", Type: jury.Unrated},
		{ID: "2", Text: "two", Type: jury.Core},
		{ID: "11", Text: "eleven", Type: jury.Core},
	}}
	scores := map[string]int{"10": 50, "9": 50, "100": 80, "2": 20, "11": 50}
	var jurors []jury.Juror
	for _, p := range personaIDs[:3] {
		var votes []jury.Vote
		for _, task := range occ.Tasks {
			votes = append(votes, jury.Vote{ID: task.ID, Score: scores[task.ID], Label: jury.E2})
		}
		jurors = append(jurors, jury.Juror{Persona: p, Name: p, Ballot: jury.Ballot{Tasks: votes, Score: 50}})
	}
	r, err := jury.Decide(occ, jurors, jury.Rule{})
	require.NoError(t, err)
	var got []string
	for _, task := range r.Tasks {
		got = append(got, task.ID)
		require.Equal(t, scores[task.ID], task.Score)
		want, _ := occ.Task(task.ID)
		require.Equal(t, want.Text, task.Text, "task %s keeps its text", task.ID)
		require.Equal(t, want.Type, task.Type, "task %s keeps its type", task.ID)
	}
	require.Equal(t, []string{"100", "9", "10", "11", "2"}, got)
}

func TestSortTasks(t *testing.T) {
	tasks := []jury.TaskResult{{ID: "10", Score: 5}, {ID: "9", Score: 5}, {ID: "1", Score: 0}, {ID: "20", Score: 99}}
	jury.SortTasks(tasks)
	var got []string
	for _, task := range tasks {
		got = append(got, task.ID)
	}
	require.Equal(t, []string{"20", "9", "10", "1"}, got)
}

// fullPanel is four jurors on validOccupation with distinct scores.
func fullPanel() []jury.Juror {
	names := []string{"The Diplomat", "The Chaos Agent", "The Contrarian", "The Optimist"}
	var js []jury.Juror
	for i, p := range personaIDs[:4] {
		js = append(js, jury.Juror{
			Persona: p, Name: names[i], Model: "model-" + strconv.Itoa(i),
			Ballot: jury.Ballot{
				Tasks: []jury.Vote{
					{ID: "22877", Score: 60 + 10*i, Label: jury.E1},
					{ID: "22878", Score: 10 * i, Label: jury.E0},
					{ID: "22879", Score: 50, Label: jury.E2},
				},
				Score: 50 + i,
			},
		})
	}
	return js
}

func TestDecideQuorumMet(t *testing.T) {
	jurors := fullPanel()
	jurors[1].Problems = []string{"quote is empty", "tasks missing: 22879"}
	r, err := jury.Decide(validOccupation(), jurors, jury.Rule{})
	require.NoError(t, err)

	require.Equal(t, jury.SchemaVersion, r.SchemaVersion)
	require.Equal(t, jury.OccupationRef{Code: "29-2072.00", Title: "Medical Records Specialists"}, r.Occupation)
	require.Equal(t, []jury.JurorResult{
		{Persona: "diplomat", Name: "The Diplomat", Model: "model-0", Score: 50, Valid: true, Problems: []string{}},
		{Persona: "chaos-agent", Name: "The Chaos Agent", Model: "model-1", Valid: false, Problems: []string{"quote is empty", "tasks missing: 22879"}},
		{Persona: "contrarian", Name: "The Contrarian", Model: "model-2", Score: 52, Valid: true, Problems: []string{}},
		{Persona: "optimist", Name: "The Optimist", Model: "model-3", Score: 53, Valid: true, Problems: []string{}},
	}, r.Jurors)

	// Votes come from the valid jurors only, in panel order.
	byID := map[string]jury.TaskResult{}
	for _, task := range r.Tasks {
		byID[task.ID] = task
	}
	require.Equal(t, []jury.JurorVote{
		{Persona: "diplomat", Score: 60, Label: jury.E1},
		{Persona: "contrarian", Score: 80, Label: jury.E1},
		{Persona: "optimist", Score: 90, Label: jury.E1},
	}, byID["22877"].Votes)
	require.Equal(t, 80, byID["22877"].Score) // not 75, the median with the invalid juror's 70
	require.Equal(t, 20, byID["22878"].Score) // 0, 20, 30
	require.Equal(t, 50, byID["22879"].Score)
	require.Equal(t, 58, r.Headline) // (160+20+50)/4 = 57.5
	require.Equal(t, []string{"22877", "22879", "22878"}, []string{r.Tasks[0].ID, r.Tasks[1].ID, r.Tasks[2].ID})

	// Problems of a valid juror are [] in report.json, not null.
	data, err := json.Marshal(r.Jurors[0])
	require.NoError(t, err)
	require.Contains(t, string(data), `"problems":[]`)
}

func TestDecideNoQuorum(t *testing.T) {
	jurors := fullPanel()
	jurors[1].Problems = []string{"quote is empty", "tasks missing: 22879"}
	jurors[3].Problems = []string{"overall score missing"}
	r, err := jury.Decide(validOccupation(), jurors, jury.Rule{})
	require.Nil(t, r)
	require.ErrorIs(t, err, jury.ErrNoQuorum)
	require.NotErrorIs(t, err, jury.ErrInvalid)
	msg := err.Error()
	require.Contains(t, msg, "29-2072.00")
	require.Contains(t, msg, "2 of 4 ballots valid, 3 needed")
	require.Contains(t, msg, "The Chaos Agent: quote is empty; tasks missing: 22879")
	require.Contains(t, msg, "The Optimist: overall score missing")
	require.NotContains(t, msg, "The Diplomat", "valid jurors have nothing to report")
}

func TestDecideQuorumRule(t *testing.T) {
	tests := []struct {
		name    string
		quorum  int
		invalid []int
		wantErr bool
	}{
		{name: "default quorum, all valid", invalid: nil},
		{name: "default quorum, 3 of 4", invalid: []int{0}},
		{name: "default quorum, 2 of 4", invalid: []int{0, 3}, wantErr: true},
		{name: "default quorum, none valid", invalid: []int{0, 1, 2, 3}, wantErr: true},
		{name: "quorum 4, 3 valid", quorum: 4, invalid: []int{2}, wantErr: true},
		{name: "quorum 4, all valid", quorum: 4},
		{name: "quorum 2, 2 valid", quorum: 2, invalid: []int{1, 2}},
		{name: "quorum 2, 1 valid", quorum: 2, invalid: []int{0, 1, 2}, wantErr: true},
		{name: "quorum above the panel", quorum: 5, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jurors := fullPanel()
			for _, i := range tt.invalid {
				jurors[i].Problems = []string{"bad ballot"}
			}
			r, err := jury.Decide(validOccupation(), jurors, jury.Rule{Quorum: tt.quorum})
			if tt.wantErr {
				require.ErrorIs(t, err, jury.ErrNoQuorum)
				require.Nil(t, r)
				return
			}
			require.NoError(t, err)
			require.Len(t, r.Jurors, 4)
			for _, task := range r.Tasks {
				require.Len(t, task.Votes, 4-len(tt.invalid))
			}
		})
	}
}

func TestDecideNoJurors(t *testing.T) {
	_, err := jury.Decide(validOccupation(), nil, jury.Rule{})
	require.ErrorIs(t, err, jury.ErrNoQuorum)
	require.Contains(t, err.Error(), "0 of 0 ballots valid")
}

func TestBandOf(t *testing.T) {
	tests := []struct {
		score int
		want  jury.Band
	}{
		{0, jury.BandVeryLow}, {19, jury.BandVeryLow},
		{20, jury.BandLow}, {39, jury.BandLow},
		{40, jury.BandModerate}, {59, jury.BandModerate},
		{60, jury.BandHigh}, {79, jury.BandHigh},
		{80, jury.BandVeryHigh}, {100, jury.BandVeryHigh},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, jury.BandOf(tt.score), "BandOf(%d)", tt.score)
		// and as a verdict shows it
		r, err := jury.Decide(oneTask(), panelOn(e2(tt.score, tt.score, tt.score)...), jury.Rule{})
		require.NoError(t, err)
		require.Equal(t, tt.score, r.Headline)
		require.Equal(t, tt.want, r.Band, "headline %d", tt.score)
	}
}

func TestApplyNote(t *testing.T) {
	r := decideThreeTypes(t, 80, 50, 20)
	r.ApplyNote(jury.Note{
		Summary:    "Paperwork goes to software. People keep the judgment.",
		Rationales: map[string]string{"22877": "Coding is routine.", "22878": "Security needs people.", "22879": "Forms are scanned."},
	})
	require.Equal(t, "Paperwork goes to software. People keep the judgment.", r.Summary)
	for _, task := range r.Tasks {
		switch task.ID {
		case "22877":
			require.Equal(t, "Coding is routine.", task.Rationale)
		case "22878":
			require.Equal(t, "Security needs people.", task.Rationale)
		case "22879":
			require.Equal(t, "Forms are scanned.", task.Rationale)
		}
	}
}

func TestUsageAdd(t *testing.T) {
	a := jury.Usage{Calls: 1, Retries: 2, Reasks: 3, PromptTokens: 4, CompletionTokens: 5}
	b := jury.Usage{Calls: 10, Retries: 20, Reasks: 30, PromptTokens: 40, CompletionTokens: 50}
	require.Equal(t, jury.Usage{Calls: 11, Retries: 22, Reasks: 33, PromptTokens: 44, CompletionTokens: 55}, a.Add(b))
	require.Equal(t, a, a.Add(jury.Usage{}))
}

func TestDecideDisqualifiesABallotThatSkipsTasks(t *testing.T) {
	occ := oneTask()
	occ.Tasks = append(occ.Tasks, jury.Task{ID: "2", Text: "Answer phones.", Type: jury.Supplemental})
	jurors := panelOn(e2(60, 70, 80, 90)...) // each votes on task 1 only
	for i := range jurors[:3] {
		jurors[i].Ballot.Tasks = append(jurors[i].Ballot.Tasks, jury.Vote{ID: "2", Score: 50, Label: jury.E2})
	}
	r, err := jury.Decide(occ, jurors, jury.Rule{})
	require.NoError(t, err, "three complete ballots still make a quorum")
	require.False(t, r.Jurors[3].Valid)
	require.Contains(t, r.Jurors[3].Problems[0], "every task")
	require.Len(t, r.Tasks[0].Votes, 3)
	require.Empty(t, jurors[3].Problems, "the caller's jurors are not modified")
}
