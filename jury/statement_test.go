package jury_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

func TestParseStatement(t *testing.T) {
	at := jury.StatementContext{Headline: 83, Own: 70}
	tests := []struct {
		name    string
		ctx     jury.StatementContext
		content string
		want    []string // one substring per expected problem; none means valid
	}{
		{name: "valid, naming the headline", ctx: at, content: `{"reaction":"about_right","quote":"83 % sounds right to me."}`},
		{name: "valid, naming its own score", ctx: at, content: `{"reaction":"about_right","quote":"I said 70%, the panel 83%."}`},
		{name: "valid, no number", ctx: at, content: `{"reaction":"too_high","quote":"Fragments. Denial. Paperwork."}`},
		{name: "another percentage", ctx: at, content: `{"reaction":"about_right","quote":"I'd put it at 75 %."}`,
			want: []string{"quote names 75 %, but the only percentages it may name are the headline 83 % and your own score 70 %"}},
		{name: "percent spelled out", ctx: at, content: `{"reaction":"about_right","quote":"Call it 90 percent."}`,
			want: []string{"quote names 90 %"}},
		{name: "a fraction", ctx: at, content: `{"reaction":"about_right","quote":"Call it 83.5 %."}`,
			want: []string{"quote names a fractional percentage"}},
		{name: "a number that is no percentage", ctx: at, content: `{"reaction":"about_right","quote":"Five more years, 40 hours a week."}`},
		{name: "10 above the headline cannot call it too high", ctx: jury.StatementContext{Headline: 70, Own: 80},
			content: `{"reaction":"too_high","quote":"Lower."}`,
			want:    []string{"reaction too_high contradicts your own score 80, 10 points above the headline 70"}},
		{name: "9 above the headline may call it too high", ctx: jury.StatementContext{Headline: 70, Own: 79},
			content: `{"reaction":"too_high","quote":"Lower."}`},
		{name: "10 below the headline cannot call it too low", ctx: jury.StatementContext{Headline: 70, Own: 60},
			content: `{"reaction":"too_low","quote":"Higher."}`,
			want:    []string{"reaction too_low contradicts your own score 60, 10 points below the headline 70"}},
		{name: "unknown reaction", ctx: at, content: `{"reaction":"meh","quote":"Whatever."}`,
			want: []string{`reaction "meh" is not too_low, about_right or too_high`}},
		{name: "reaction missing", ctx: at, content: `{"quote":"Whatever."}`, want: []string{"reaction missing"}},
		{name: "quote missing", ctx: at, content: `{"reaction":"about_right"}`, want: []string{"quote missing"}},
		{name: "empty quote", ctx: at, content: `{"reaction":"about_right","quote":" "}`, want: []string{"quote is empty"}},
		{name: "two lines", ctx: at, content: `{"reaction":"about_right","quote":"One.\nTwo."}`, want: []string{"quote must be one line"}},
		{name: "too long", ctx: at, content: `{"reaction":"about_right","quote":"` + strings.Repeat("a", 301) + `"}`,
			want: []string{"quote is 301 characters, at most 300"}},
		{name: "a ballot field", ctx: at, content: `{"reaction":"about_right","quote":"Fine.","score":70}`,
			want: []string{`unknown field "score"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := jury.ParseStatement(tt.content, tt.ctx)
			requireProblems(t, problems, tt.want...)
		})
	}
}

func TestReactionAllows(t *testing.T) {
	tests := []struct {
		r             jury.Reaction
		own, headline int
		want          bool
	}{
		{jury.TooHigh, 92, 83, true}, {jury.TooHigh, 93, 83, false}, {jury.TooHigh, 40, 83, true},
		{jury.TooLow, 74, 83, true}, {jury.TooLow, 73, 83, false}, {jury.TooLow, 99, 83, true},
		{jury.AboutRight, 0, 100, true}, {"meh", 50, 50, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.r.Allows(tt.own, tt.headline), "%s own %d headline %d", tt.r, tt.own, tt.headline)
	}
}

func TestRestatesTask(t *testing.T) {
	task := "Compile and maintain patients' medical records."
	tests := []struct {
		rationale string
		want      bool
	}{
		{"Compiles and maintains patient medical records.", true},
		{"This task is to compile the medical records of patients.", true},
		{"AI tools can help with medical records.", true},
		{"EHR software assembles the records from clinical inputs.", false},
		{"A person still answers for accuracy under HIPAA.", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, jury.RestatesTask(tt.rationale, task), tt.rationale)
	}
}
