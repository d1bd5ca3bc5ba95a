package jury_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

// baseBallot is a valid ballot on validOccupation, tasks out of order.
// Core-weighted task mean: (2·80 + 20 + 20) / 4 = 50; the plain mean is 40.
func baseBallot() map[string]any {
	return map[string]any{
		"tasks": []any{
			map[string]any{"id": "22879", "score": 20, "label": "E2", "reason": "EHR search"},
			map[string]any{"id": "22877", "score": 80, "label": "E1", "reason": "DRG grouper software"},
			map[string]any{"id": "22878", "score": 20, "label": "E0", "reason": "legal accountability"},
		},
		"score": 50,
	}
}

// vote returns the task entry of b with the given id.
func vote(b map[string]any, id string) map[string]any {
	for _, v := range b["tasks"].([]any) {
		if m := v.(map[string]any); m["id"] == id {
			return m
		}
	}
	panic("no task " + id)
}

func addVote(b map[string]any, v map[string]any) {
	b["tasks"] = append(b["tasks"].([]any), v)
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// requireProblems checks that there is one problem per wanted substring,
// each found in a different problem.
func requireProblems(t *testing.T, problems []string, want ...string) {
	t.Helper()
	require.Len(t, problems, len(want), "problems: %q", problems)
	used := make([]bool, len(problems))
next:
	for _, w := range want {
		for i, p := range problems {
			if !used[i] && strings.Contains(p, w) {
				used[i] = true
				continue next
			}
		}
		t.Fatalf("no problem contains %q; problems: %q", w, problems)
	}
}

func TestParseBallotValid(t *testing.T) {
	occ := validOccupation()
	b := baseBallot()
	vote(b, "22877")["reason"] = "  DRG grouper software  "
	got, problems := jury.ParseBallot("\n "+marshal(t, b)+"\n", occ)
	require.Empty(t, problems)
	require.Equal(t, jury.Ballot{
		Tasks: []jury.Vote{ // occupation order, not answer order
			{ID: "22877", Score: 80, Label: jury.E1, Reason: "DRG grouper software"},
			{ID: "22878", Score: 20, Label: jury.E0, Reason: "legal accountability"},
			{ID: "22879", Score: 20, Label: jury.E2, Reason: "EHR search"},
		},
		Score: 50,
	}, got)
}

func TestParseBallotRules(t *testing.T) {
	longASCII := strings.Repeat("a", 301)
	tests := []struct {
		name   string
		modify func(b map[string]any)
		want   []string // one substring per expected problem; none means valid
	}{
		// tasks
		{name: "task missing", modify: func(b map[string]any) {
			b["tasks"] = b["tasks"].([]any)[:2] // drops 22878
		}, want: []string{"tasks missing: 22878"}},
		{name: "no tasks at all", modify: func(b map[string]any) { b["tasks"] = []any{} },
			want: []string{"tasks missing: 22877, 22878, 22879"}},
		{name: "tasks null", modify: func(b map[string]any) { b["tasks"] = nil },
			want: []string{"tasks missing: 22877, 22878, 22879"}},
		{name: "unknown task ID", modify: func(b map[string]any) {
			addVote(b, map[string]any{"id": "99999", "score": 50, "label": "E2"})
		}, want: []string{`task "99999" is not a task of this occupation`}},
		{name: "ID not normalized", modify: func(b map[string]any) {
			addVote(b, map[string]any{"id": "22877.0", "score": 50, "label": "E2"})
		}, want: []string{`task "22877.0" is not a task`}},
		{name: "duplicate task", modify: func(b map[string]any) {
			addVote(b, map[string]any{"id": "22878", "score": 30, "label": "E0"})
		}, want: []string{"task 22878 is scored more than once"}},
		{name: "id given as a number", modify: func(b map[string]any) { vote(b, "22877")["id"] = 22877 },
			want: []string{`tasks[1]: id 22877 must be a string`, "tasks missing: 22877"}},
		{name: "id missing", modify: func(b map[string]any) { delete(vote(b, "22877"), "id") },
			want: []string{"tasks[1]: id missing", "tasks missing: 22877"}},

		// task scores
		{name: "non-integer score", modify: func(b map[string]any) { vote(b, "22877")["score"] = 72.5 },
			want: []string{"task 22877: score 72.5 must be a whole number from 0 to 100"}},
		{name: "score as a string", modify: func(b map[string]any) { vote(b, "22877")["score"] = "80" },
			want: []string{`task 22877: score "80" must be a whole number`}},
		{name: "score null", modify: func(b map[string]any) { vote(b, "22877")["score"] = nil },
			want: []string{"task 22877: score missing"}},
		{name: "score missing", modify: func(b map[string]any) { delete(vote(b, "22879"), "score") },
			want: []string{"task 22879: score missing"}},
		{name: "score 101", modify: func(b map[string]any) { vote(b, "22877")["score"] = 101 },
			want: []string{"task 22877: score 101 is outside 0–100"}},
		{name: "score -1", modify: func(b map[string]any) { vote(b, "22879")["score"] = -1 },
			want: []string{"task 22879: score -1 is outside 0–100"}},
		{name: "scores 0 and 100 are fine", modify: func(b map[string]any) {
			vote(b, "22878")["score"] = 0
			vote(b, "22879")["score"] = 100
			b["score"] = 65 // (160+0+100)/4
		}},

		// labels
		{name: "bad label", modify: func(b map[string]any) { vote(b, "22877")["label"] = "E3" },
			want: []string{`task 22877: label "E3" is not E0, E1 or E2`}},
		{name: "lower-case label", modify: func(b map[string]any) { vote(b, "22879")["label"] = "e2" },
			want: []string{`task 22879: label "e2" is not`}},
		{name: "label missing", modify: func(b map[string]any) { delete(vote(b, "22879"), "label") },
			want: []string{`task 22879: label "" is not`}},
		{name: "E0 with score 60", modify: func(b map[string]any) { vote(b, "22878")["score"] = 60 }},
		{name: "E0 with score 61", modify: func(b map[string]any) { vote(b, "22878")["score"] = 61 },
			want: []string{"task 22878: label E0 contradicts score 61 (E0 means at most 60)"}},
		{name: "E1 with score 40", modify: func(b map[string]any) {
			vote(b, "22877")["score"] = 40
			b["score"] = 30 // (80+20+20)/4
		}},
		{name: "E1 with score 39", modify: func(b map[string]any) {
			vote(b, "22877")["score"] = 39
			b["score"] = 30 // mean 29.5
		}, want: []string{"task 22877: label E1 contradicts score 39 (E1 means at least 40)"}},
		{name: "E2 allows any score", modify: func(b map[string]any) {
			vote(b, "22877")["label"] = "E2"
			vote(b, "22877")["score"] = 0
			b["score"] = 10 // (0+20+20)/4
		}},

		// overall score against the core-weighted mean 50 (plain mean 40)
		{name: "overall 15 above the mean", modify: func(b map[string]any) { b["score"] = 65 }},
		{name: "overall 15 below the mean", modify: func(b map[string]any) { b["score"] = 35 }},
		{name: "overall 16 above the mean", modify: func(b map[string]any) { b["score"] = 66 },
			want: []string{"overall score 66 is more than 15 points from your own core-weighted task mean 50"}},
		{name: "overall 16 below the mean", modify: func(b map[string]any) { b["score"] = 34 },
			want: []string{"overall score 34 is more than 15 points"}},
		{name: "overall near the plain mean but not the core-weighted one", modify: func(b map[string]any) { b["score"] = 25 },
			want: []string{"overall score 25 is more than 15 points from your own core-weighted task mean 50"}},
		{name: "overall missing", modify: func(b map[string]any) { delete(b, "score") },
			want: []string{"overall score missing"}},
		{name: "overall null", modify: func(b map[string]any) { b["score"] = nil },
			want: []string{"overall score missing"}},
		{name: "overall non-integer", modify: func(b map[string]any) { b["score"] = 50.5 },
			want: []string{"overall score 50.5 must be a whole number"}},
		{name: "overall as a string", modify: func(b map[string]any) { b["score"] = "50" },
			want: []string{`overall score "50" must be a whole number`}},
		{name: "overall 101", modify: func(b map[string]any) { b["score"] = 101 },
			want: []string{"overall score 101 is outside 0–100"}},

		// reasons
		{name: "reason missing", modify: func(b map[string]any) { delete(vote(b, "22877"), "reason") }, want: []string{"task 22877: reason missing"}},
		{name: "reason null", modify: func(b map[string]any) { vote(b, "22877")["reason"] = nil }, want: []string{"task 22877: reason missing"}},
		{name: "empty reason", modify: func(b map[string]any) { vote(b, "22877")["reason"] = " " }, want: []string{"task 22877 reason is empty"}},
		{name: "multi-line reason", modify: func(b map[string]any) { vote(b, "22877")["reason"] = "OCR\nand more" },
			want: []string{"task 22877 reason must be one line"}},
		{name: "reason of 120 characters", modify: func(b map[string]any) { vote(b, "22877")["reason"] = longASCII[:120] }},
		{name: "reason of 121 characters", modify: func(b map[string]any) { vote(b, "22877")["reason"] = longASCII[:121] },
			want: []string{"task 22877 reason is 121 characters, at most 120"}},
		{name: "reason of 120 two-byte characters", modify: func(b map[string]any) { vote(b, "22877")["reason"] = strings.Repeat("é", 120) }},
		{name: "a quote is not part of a ballot", modify: func(b map[string]any) { b["quote"] = "Mine now." },
			want: []string{`unknown field "quote"`}},

		// shape
		{name: "unknown key", modify: func(b map[string]any) { b["reasoning"] = "because" },
			want: []string{`unknown field "reasoning"`}},
		{name: "unknown key in a task", modify: func(b map[string]any) { vote(b, "22878")["confidence"] = 0.9 },
			want: []string{`unknown field "confidence"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := baseBallot()
			tt.modify(b)
			_, problems := jury.ParseBallot(marshal(t, b), validOccupation())
			requireProblems(t, problems, tt.want...)
		})
	}
}

func TestParseBallotContent(t *testing.T) {
	valid := `{"tasks":[{"id":"22877","score":80,"label":"E1","reason":"OCR"},{"id":"22878","score":20,"label":"E0","reason":"hands-on work"},{"id":"22879","score":20,"label":"E2","reason":"EHR search"}],"score":50}`
	tests := []struct {
		name    string
		content string
		want    string // the one problem; "" means valid
	}{
		{name: "valid", content: valid},
		{name: "valid with surrounding space", content: "\n\t" + valid + "\n\n"},
		{name: "empty", content: "", want: "the answer is empty"},
		{name: "blank", content: " \n\t ", want: "the answer is empty"},
		{name: "invalid JSON", content: `{"tasks": [}`, want: "the answer is not valid JSON"},
		{name: "unquoted keys", content: `{tasks: []}`, want: "the answer is not valid JSON"},
		{name: "markdown fence", content: "```json\n" + valid + "\n```", want: "the answer is not valid JSON"},
		{name: "cut off", content: valid[:40], want: "the answer is cut off"},
		{name: "text after the object", content: valid + " Hope this helps!", want: "the answer has text after the JSON object"},
		{name: "second object after the first", content: valid + "\n" + valid, want: "the answer has text after the JSON object"},
		{name: "array instead of object", content: `[` + valid + `]`, want: "the answer does not match the schema: the answer must be an object, not array"},
		{name: "tasks of the wrong type", content: `{"tasks":"all","score":50}`, want: `the answer does not match the schema: field "tasks" must be an array, not string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := jury.ParseBallot(tt.content, validOccupation())
			if tt.want == "" {
				require.Empty(t, problems)
				return
			}
			require.Len(t, problems, 1, "%q", problems)
			require.Contains(t, problems[0], tt.want)
		})
	}
}

func TestParseBallotListsEveryProblem(t *testing.T) {
	content := `{"tasks":[
		{"id":"22877","score":72.5,"label":"E1","reason":"OCR"},
		{"id":"22877","score":80,"label":"E1","reason":"OCR"},
		{"id":"55555","score":10,"label":"E0","reason":"OCR"},
		{"id":"22879","score":90,"label":"E0","reason":""}
	],"score":150}`
	_, problems := jury.ParseBallot(content, validOccupation())
	requireProblems(t, problems,
		"task 22877: score 72.5 must be a whole number",
		"task 22877 is scored more than once",
		`task "55555" is not a task`,
		"task 22879: label E0 contradicts score 90",
		"tasks missing: 22878",
		"overall score 150 is outside 0–100",
		"task 22879 reason is empty",
	)
}

func TestWeightedMean(t *testing.T) {
	occ := validOccupation() // core, supplemental, n/a
	tests := []struct {
		name  string
		votes []jury.Vote
		want  float64
	}{
		{name: "core counts twice", votes: []jury.Vote{{ID: "22877", Score: 80}, {ID: "22878", Score: 20}, {ID: "22879", Score: 20}}, want: 50},
		{name: "supplemental and n/a count once", votes: []jury.Vote{{ID: "22878", Score: 30}, {ID: "22879", Score: 60}}, want: 45},
		{name: "unknown tasks are ignored", votes: []jury.Vote{{ID: "22877", Score: 10}, {ID: "99", Score: 100}}, want: 10},
		{name: "nothing to average", votes: nil, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, jury.WeightedMean(occ, tt.votes), 1e-9)
		})
	}
}

func TestLabelAllows(t *testing.T) {
	tests := []struct {
		label jury.Label
		score int
		want  bool
	}{
		{jury.E0, 0, true}, {jury.E0, 60, true}, {jury.E0, 61, false}, {jury.E0, 100, false},
		{jury.E1, 39, false}, {jury.E1, 40, true}, {jury.E1, 100, true}, {jury.E1, 0, false},
		{jury.E2, 0, true}, {jury.E2, 100, true},
		{"E3", 50, false}, {"", 50, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.label.Allows(tt.score), "%q.Allows(%d)", tt.label, tt.score)
	}
}
