package jury_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

func TestCountSentences(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"One.", 1},
		{"One", 1},
		{"!", 1},
		{"One. Two.", 2},
		{"One. Two", 2},
		{"  One. Two.  ", 2},
		{"One.  Two.", 2},
		{"One.Two.", 1},
		{"One. two.", 1},
		{"Is it? Yes! Sure.", 3},
		{"Wait... Really?", 2},
		{"Costs fell 40 %. 3 jobs remain.", 2},
		{"Version 2.5 ships today.", 1},
		{"AI drafts records, e.g. the discharge summaries.", 1},
		{"AI drafts records, e.g. the summaries. People check them.", 2},
		{"It helps, i.e. it saves time. It also errs.", 2},
		{`He said "Stop." Then he left.`, 2},
		{`One. "Two." Three.`, 3},
		{"“Quoted.” Next one.", 2},
		{"(See below.)", 1},
		{"Ça va. Élan fort.", 2},
		// a last sentence without a full stop counts, whatever it ends with
		{`He said "hi"`, 1},
		{"One. Two (three)", 2},
		{"(see below)", 1},
		{"First one. Then “a quote”", 2},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, jury.CountSentences(tt.in), "CountSentences(%q)", tt.in)
	}
}

// baseNote is a valid note on validOccupation.
func baseNote() map[string]any {
	return map[string]any{
		"summary": "Most of the work is paperwork. Software now drafts much of it.",
		"tasks": []any{
			map[string]any{"id": "22877", "rationale": "Coding software drafts most records for review."},
			map[string]any{"id": "22878", "rationale": "Access control still needs a person to decide."},
			map[string]any{"id": "22879", "rationale": "Scanned forms are read by OCR with few errors."},
		},
	}
}

func TestParseNoteValid(t *testing.T) {
	n := baseNote()
	n["summary"] = "  Most of the work is paperwork. Software now drafts much of it. "
	vote(n, "22878")["rationale"] = " Access control still needs a person to decide. "
	got, problems := jury.ParseNote(marshal(t, n), validOccupation())
	require.Empty(t, problems)
	require.Equal(t, jury.Note{
		Summary: "Most of the work is paperwork. Software now drafts much of it.",
		Rationales: map[string]string{
			"22877": "Coding software drafts most records for review.",
			"22878": "Access control still needs a person to decide.",
			"22879": "Scanned forms are read by OCR with few errors.",
		},
	}, got)
}

func TestParseNoteRules(t *testing.T) {
	tests := []struct {
		name   string
		modify func(n map[string]any)
		want   []string // one substring per problem; none means valid
		loose  bool     // other problems may follow
	}{
		// summary
		{name: "summary of one sentence", modify: func(n map[string]any) { n["summary"] = "Most of the work is paperwork." },
			want: []string{"summary has 1 sentences, want 2 to 4"}},
		{name: "summary of two sentences", modify: func(n map[string]any) { n["summary"] = "One thing. Another thing." }},
		{name: "summary of four sentences", modify: func(n map[string]any) { n["summary"] = "One. Two! Three? Four." }},
		{name: "summary of five sentences", modify: func(n map[string]any) { n["summary"] = "One. Two. Three. Four. Five." },
			want: []string{"summary has 5 sentences, want 2 to 4"}},
		{name: "e.g. does not end a sentence", modify: func(n map[string]any) {
			n["summary"] = "AI drafts records, e.g. the discharge summaries. People still check them."
		}},
		{name: "e.g. does not make one sentence two", modify: func(n map[string]any) {
			n["summary"] = "AI drafts records, e.g. the discharge summaries and letters."
		}, want: []string{"summary has 1 sentences"}},
		{name: "summary missing", modify: func(n map[string]any) { delete(n, "summary") }, want: []string{"summary missing"}},
		{name: "summary null", modify: func(n map[string]any) { n["summary"] = nil }, want: []string{"summary missing"}},
		{name: "summary empty", modify: func(n map[string]any) { n["summary"] = " " }, want: []string{"summary is empty"}},
		{name: "summary on two lines", modify: func(n map[string]any) { n["summary"] = "One thing.\nAnother thing." },
			want: []string{"summary must be one paragraph"}},
		{name: "summary of 1200 characters", modify: func(n map[string]any) {
			n["summary"] = "A" + strings.Repeat("é", 1195) + ". B." // 1 + 1195 + 4
		}},
		{name: "summary of 1201 characters", modify: func(n map[string]any) {
			n["summary"] = "A" + strings.Repeat("é", 1196) + ". B." // 1 + 1196 + 4
		}, want: []string{"summary is 1201 characters, at most 1200"}},

		// rationales
		{name: "rationale missing for a task", modify: func(n map[string]any) {
			n["tasks"] = n["tasks"].([]any)[:2]
		}, want: []string{"rationales missing for tasks 22879"}},
		{name: "no rationales", modify: func(n map[string]any) { n["tasks"] = nil },
			want: []string{"rationales missing for tasks 22877, 22878, 22879"}},
		{name: "rationale null", modify: func(n map[string]any) { vote(n, "22879")["rationale"] = nil },
			want: []string{"task 22879: rationale missing"}, loose: true},
		{name: "rationale empty", modify: func(n map[string]any) { vote(n, "22878")["rationale"] = "" },
			want: []string{"task 22878 rationale is empty"}},
		{name: "rationale on two lines", modify: func(n map[string]any) { vote(n, "22878")["rationale"] = "Access control\nneeds people." },
			want: []string{"task 22878 rationale must be one line"}},
		{name: "rationale of 301 characters", modify: func(n map[string]any) { vote(n, "22878")["rationale"] = strings.Repeat("ü", 300) + "." },
			want: []string{"task 22878 rationale is 301 characters, at most 300"}},
		{name: "rationale of 300 characters", modify: func(n map[string]any) {
			vote(n, "22878")["rationale"] = "Scanner software and robots handle it: " + strings.Repeat("ü", 300-39-1) + "."
		}},
		{name: "rationale that only restates the task", modify: func(n map[string]any) {
			vote(n, "22878")["rationale"] = "Protects the security of the medical records."
		}, want: []string{"task 22878 rationale only restates the task: name the technology that takes it over or the reason a person is still needed"}},
		{name: "generic rationale", modify: func(n map[string]any) { vote(n, "22878")["rationale"] = "AI tools can help with security." },
			want: []string{"task 22878 rationale only restates the task"}},
		{name: "rationale of two sentences", modify: func(n map[string]any) {
			vote(n, "22878")["rationale"] = "Access control needs people. Audits do too."
		}, want: []string{"task 22878 rationale must be one sentence"}},
		{name: "rationale with e.g. is one sentence", modify: func(n map[string]any) {
			vote(n, "22878")["rationale"] = "Some checks, e.g. the audits, need a person."
		}},
		{name: "duplicate rationale text", modify: func(n map[string]any) {
			vote(n, "22878")["rationale"] = "Coding software drafts most records for review."
		}, want: []string{"tasks 22877 and 22878 have the same rationale"}},
		{name: "duplicate rationale text differing in case and space", modify: func(n map[string]any) {
			vote(n, "22879")["rationale"] = "  CODING software drafts most records for review. "
		}, want: []string{"tasks 22877 and 22879 have the same rationale"}},
		{name: "unknown task", modify: func(n map[string]any) {
			addVote(n, map[string]any{"id": "99999", "rationale": "An invented task."})
		}, want: []string{`task "99999" is not a task of this occupation`}},
		{name: "task twice", modify: func(n map[string]any) {
			addVote(n, map[string]any{"id": "22878", "rationale": "A second opinion."})
		}, want: []string{"task 22878 has more than one rationale"}},
		{name: "id given as a number", modify: func(n map[string]any) { vote(n, "22877")["id"] = 22877 },
			want: []string{"tasks[0]: id 22877 must be a string", "rationales missing for tasks 22877"}},
		{name: "unknown key", modify: func(n map[string]any) { n["headline"] = 83 },
			want: []string{`unknown field "headline"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := baseNote()
			tt.modify(n)
			_, problems := jury.ParseNote(marshal(t, n), validOccupation())
			if tt.loose {
				for _, w := range tt.want {
					require.True(t, containsAny(problems, w), "no problem contains %q: %q", w, problems)
				}
				return
			}
			requireProblems(t, problems, tt.want...)
		})
	}
}

func TestParseNoteContent(t *testing.T) {
	for content, want := range map[string]string{
		"":                   "the answer is empty",
		`{"summary":`:        "the answer is cut off",
		`{"summary":"x"} ok`: "the answer has text after the JSON object",
		`summary: x`:         "the answer is not valid JSON",
	} {
		_, problems := jury.ParseNote(content, validOccupation())
		require.Len(t, problems, 1, "%q: %q", content, problems)
		require.Contains(t, problems[0], want, "%q", content)
	}
}

func containsAny(problems []string, sub string) bool {
	for _, p := range problems {
		if strings.Contains(p, sub) {
			return true
		}
	}
	return false
}
