package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

// A page says core tasks count twice only when its headline weighs them
// so: some tasks are core and some are not.
func TestPagesSayCoreTasksCountTwiceOnlyWhenTheyDo(t *testing.T) {
	cases := []struct {
		name  string
		types []jury.TaskType
		twice bool
	}{
		{name: "core and supplemental", types: []jury.TaskType{jury.Core, jury.Supplemental}, twice: true},
		{name: "O*NET's n/a only", types: []jury.TaskType{"n/a", "n/a"}},
		{name: "every task core", types: []jury.TaskType{jury.Core, jury.Core}},
		{name: "core and n/a", types: []jury.TaskType{jury.Core, "n/a"}, twice: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &jury.Report{Occupation: jury.OccupationRef{Code: "15-1252.00", Title: "Software Developers"}, Headline: 50, Band: jury.BandModerate}
			for i, typ := range tc.types {
				r.Tasks = append(r.Tasks, jury.TaskResult{ID: string(rune('1' + i)), Text: "Write code.", Type: typ, Score: 50, Label: jury.E1})
			}
			require.Equal(t, tc.twice, r.CoreWeighted())
			md, err := render.MarkdownPage(r)
			require.NoError(t, err)
			html, err := render.HTMLPage(r)
			require.NoError(t, err)
			for name, page := range map[string]string{"md": string(md), "html": string(html)} {
				require.Equal(t, tc.twice, strings.Contains(page, "core tasks counting twice"), name)
			}
			require.Equal(t, !tc.twice, strings.Contains(string(md), "every task counts the same"))
		})
	}
}

// index.md and index.html say the same about what their headlines are.
func TestIndexPagesShareTheirBlurb(t *testing.T) {
	h := 65
	rows := []render.IndexRow{{Code: "29-2072.00", Title: "Medical Records Specialists", Status: "done", Headline: &h, Band: "high"}}
	const blurb = "Each verdict’s headline is the share of its tasks’ time AI could save"
	require.Contains(t, string(render.IndexMarkdown(rows)), blurb)
	require.Contains(t, string(render.IndexHTML(rows)), blurb)
}
