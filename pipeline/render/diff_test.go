package render_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

// hostileText is model-written text that tries to reach a terminal or a page:
// colour and title escapes, a bell, HTML, a link and a table cell break.
const hostileText = "\x1b[2J\x1b]0;pwned\x07\x07<img src=x onerror=alert(1)> [x](http://evil) | cell"

// diffTableRow matches the rows of a Markdown table.
var diffTableRow = regexp.MustCompile(`^\| `)

// sampleDiff is a diff with one of each kind of change; the hostileText text
// stands in every field a report file supplies.
func sampleDiff(t *testing.T) jury.DiffResult {
	t.Helper()
	report := func(code string, headline int) jury.Report {
		return jury.Report{
			SchemaVersion: jury.SchemaVersion,
			Occupation:    jury.OccupationRef{Code: code, Title: "Title " + hostileText},
			Headline:      headline,
			Summary:       "Old summary.",
			Jurors:        []jury.JurorResult{{Persona: "diplomat", Name: "The Diplomat " + hostileText, Quote: "Old quote.", Valid: true}},
			Tasks: []jury.TaskResult{
				{ID: "1", Text: "Task one " + hostileText, Score: 80, Label: jury.E1},
				{ID: "2", Text: "Task two", Score: 50, Label: jury.E2},
				{ID: "3", Text: "Task three", Score: 10, Label: jury.E0},
			},
		}
	}
	old := []jury.Report{report("29-2072.00", 83), report("15-1252.00", 40)}
	changed := report("29-2072.00", 71)
	changed.Summary = "New summary " + hostileText
	changed.Jurors[0].Quote = hostileText
	changed.Jurors[0].Reaction = jury.TooLow
	changed.Tasks[0].Score = 90
	changed.Tasks[1].Label = jury.E1
	changed.Tasks[2] = jury.TaskResult{ID: "4", Text: "Task four", Score: 30, Label: jury.E0}
	res, err := jury.Diff(old, []jury.Report{changed, report("43-9061.00", 60)}, jury.DiffOptions{})
	require.NoError(t, err)
	return res
}

func TestDiffText(t *testing.T) {
	res := sampleDiff(t)
	plain := string(render.DiffText(res, false))
	requireInOrder(t, plain,
		"3 of 3 occupations changed; largest: 15-1252.00 removed (headline was 40)\n",
		"failing: 3 of 3 occupations (tolerance 5 points; failing on headline, task, label, edit)\n",
		"\n✗ 15-1252.00 Title <img src=x onerror=alert(1)> [x](http://evil) | cell: removed, headline was 40\n",
		"\n✗ 29-2072.00 Title",
		"    ✗ headline 83 → 71 (-12)\n",
		"    ✗ task 3 removed (was 10 E0)  Task three\n",
		"    ✗ task 4 added (30 E0)  Task four\n",
		"    ✗ task 2 50, E2 → E1  Task two\n",
		"    ✗ task 1 80 → 90 (+10)  Task one <img src=x onerror=alert(1)> [x](http://evil) | cell\n",
		"      summary reworded\n        - Old summary.\n        + New summary <img",
		"      quote of The Diplomat <img",
		"        - Old quote.\n        + <img",
		"\n✗ 43-9061.00 Title <img src=x onerror=alert(1)> [x](http://evil) | cell: added, headline 60\n",
	)
	require.NotContains(t, plain, "\x1b")
	require.NotContains(t, plain, "\x07")
	require.NotContains(t, plain, "pwned", "an OSC sequence is dropped whole")

	colour := string(render.DiffText(res, true))
	require.Contains(t, colour, "\x1b[31m\x1b[1m✗\x1b[0m")
	require.Contains(t, colour, "\x1b[32mtask 4 added (30 E0)\x1b[0m")
	require.NotContains(t, colour, "\x1b[2J", "colour is ours; the reports' escapes are still dropped")
	require.NotContains(t, colour, "pwned")
	stripped := strings.NewReplacer("\x1b[1m", "", "\x1b[31m", "", "\x1b[32m", "", "\x1b[33m", "", "\x1b[0m", "").Replace(colour)
	require.Equal(t, plain, stripped, "colour changes nothing but colour")

	none := string(render.DiffText(jury.DiffResult{Total: 4, Tolerance: 5, FailOn: jury.ChangeKinds}, true))
	require.Equal(t, "\x1b[1mno changes\x1b[0m\n4 occupations compared (tolerance 5 points; failing on headline, task, label, edit)\n", none)
}

func TestDiffTextTruncatesLongTaskText(t *testing.T) {
	old := jury.Report{SchemaVersion: jury.SchemaVersion, Occupation: jury.OccupationRef{Code: "29-2072.00"},
		Tasks: []jury.TaskResult{{ID: "1", Text: strings.Repeat("é", 100), Score: 10}}}
	cur := old
	cur.Tasks = []jury.TaskResult{{ID: "1", Text: strings.Repeat("é", 100), Score: 20}}
	res, err := jury.Diff([]jury.Report{old}, []jury.Report{cur}, jury.DiffOptions{})
	require.NoError(t, err)
	require.Contains(t, string(render.DiffText(res, false)), "  "+strings.Repeat("é", 69)+"…\n")
}

func TestDiffMarkdown(t *testing.T) {
	page := string(render.DiffMarkdown(sampleDiff(t)))
	requireInOrder(t, page,
		"## jury diff\n\n**3 of 3 occupations changed; largest: 15-1252.00 removed (headline was 40)**\n\n",
		"failing: 3 of 3 occupations (tolerance 5 points; failing on headline, task, label, edit).\n",
		"\n### ✗ 15-1252.00 Title \\<img src=x onerror=alert(1)\\> \\[x\\](http\\://evil) \\| cell\n\nRemoved: headline was 40.\n",
		"\n### ✗ 29-2072.00 Title",
		"✗ Headline **83 → 71** (-12).\n",
		"| | Task | Score | Label | Text |\n| --- | --- | ---: | --- | --- |\n",
		"| ✗ | 3 | removed: was 10 | E0 | Task three |\n",
		"| ✗ | 4 | added: 30 | E0 | Task four |\n",
		"| ✗ | 2 | 50 | **E2 → E1** | Task two |\n",
		"| ✗ | 1 | 80 → 90 (+10) | E1 | Task one \\<img src=x onerror=alert(1)\\> \\[x\\](http\\://evil) \\| cell |\n",
		"\nSummary reworded:\n- before: Old summary.\n- after: New summary \\<img",
		"\nQuotes reworded:\n- **The Diplomat \\<img",
		"  - before: Old quote.\n  - after: \\<img",
		"\n### ✗ 43-9061.00 Title",
		"Added: headline 60.\n",
	)
	require.NotRegexp(t, `(^|[^\\])<`, page, "every < is escaped")
	require.NotRegexp(t, `(^|[^\\])\]\(`, page, "no link")
	require.NotContains(t, page, "\x1b")
	require.NotContains(t, page, "\x07")
	for _, l := range lines(page, diffTableRow) {
		require.Equal(t, 6, strings.Count(l, "|")-strings.Count(l, `\|`), "a cell break in the text is escaped: %q", l)
	}
}

func TestDiffJSON(t *testing.T) {
	data, err := render.DiffJSON(sampleDiff(t))
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	require.Equal(t, []string{"changed", "fail_on", "failed", "failing", "occupations", "schema_version", "summary", "tolerance", "total"}, sortedKeys(got))
	occs := got["occupations"].([]any)
	require.Len(t, occs, 3)

	removed := occs[0].(map[string]any)
	require.Equal(t, []string{"code", "edits", "fails", "headline", "published", "quotes", "reactions", "size", "status", "summary", "tasks", "title"}, sortedKeys(removed))
	require.Equal(t, "removed", removed["status"])
	require.Equal(t, map[string]any{"old": 40.0, "new": nil, "delta": 0.0, "fails": false}, removed["headline"])
	require.Equal(t, map[string]any{"old": 40.0, "new": nil, "delta": 0.0, "edits": []any{}}, removed["published"])
	require.Equal(t, []any{}, removed["tasks"], "lists are present even when empty")
	require.Equal(t, []any{}, removed["quotes"])
	require.Nil(t, removed["summary"])

	changed := occs[1].(map[string]any)
	require.Equal(t, map[string]any{"old": 83.0, "new": 71.0, "delta": -12.0, "fails": true}, changed["headline"])
	require.Equal(t, map[string]any{"old": 83.0, "new": 71.0, "delta": -12.0, "edits": []any{}}, changed["published"], "no edit: the model's headline is published")
	require.Equal(t, map[string]any{"old": "Old summary.", "new": "New summary " + hostileText}, changed["summary"])
	tasks := changed["tasks"].([]any)
	require.Len(t, tasks, 4)
	require.Equal(t, map[string]any{"id": "3", "text": "Task three", "status": "removed",
		"old_score": 10.0, "new_score": nil, "delta": 0.0, "old_label": "E0", "new_label": nil, "size": 100.0, "fails": true}, tasks[0])
	require.Equal(t, map[string]any{"id": "1", "text": "Task one " + hostileText, "status": "changed",
		"old_score": 80.0, "new_score": 90.0, "delta": 10.0, "old_label": "E1", "new_label": "E1", "size": 10.0, "fails": true}, tasks[3])
	quote := changed["quotes"].([]any)[0].(map[string]any)
	require.Equal(t, hostileText, quote["new"])
	require.NotContains(t, string(data), "\x1b", "control characters are escaped as JSON")

	empty, err := render.DiffJSON(jury.DiffResult{})
	require.NoError(t, err)
	require.JSONEq(t, `{"schema_version": 1, "summary": "no changes", "failed": false, "changed": 0, "failing": 0,
		"total": 0, "tolerance": 0, "fail_on": [], "occupations": []}`, string(empty))
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestDiffListsReactionChanges(t *testing.T) {
	res := sampleDiff(t)
	text := string(render.DiffText(res, false))
	require.Contains(t, text, "thinks the headline (none) → too low")
	md := string(render.DiffMarkdown(res))
	require.Contains(t, md, "Reactions to the headline changed:")
	require.Contains(t, md, ": (none) → too low")
	data, err := render.DiffJSON(res)
	require.NoError(t, err)
	require.Contains(t, string(data), `"reactions": [`)
	require.Contains(t, string(data), `"new": "too_low"`)
}
