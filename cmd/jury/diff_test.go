package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

// diffGolden is a frozen report (a 29-2072.00 verdict from the scripted
// test server), so that the expected numbers below do not move when the
// fixtures are re-recorded.
const diffGolden = "testdata/diff-base.json"

// diffHostileQuote is what a misbehaving model might write: an escape sequence
// that recolours a terminal, a title-setting OSC, and markup for a page.
const diffHostileQuote = "\x1b[31mPWNED\x1b[0m \x1b]0;title\x07<script>alert(1)</script> [click](http://evil)"

// diffTree writes a batch-like directory into a new temporary
// directory: the golden report, and a second occupation made from it,
// each changed by edit (which may be nil), and returns the directory.
func diffTree(t *testing.T, edit func(*jury.Report)) string {
	t.Helper()
	dir := t.TempDir()
	for _, code := range []string{"29-2072.00", "43-9061.00"} {
		r := readReport(t, diffGolden)
		r.Occupation.Code = code
		if edit != nil {
			edit(&r)
		}
		writeDiffReport(t, filepath.Join(dir, r.Occupation.Code, "report.json"), &r)
	}
	return dir
}

func writeDiffReport(t *testing.T, path string, r *jury.Report) {
	t.Helper()
	data, err := render.JSON(r)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// forCode applies f to the report of one occupation.
func forCode(code string, f func(*jury.Report)) func(*jury.Report) {
	return func(r *jury.Report) {
		if r.Occupation.Code == code {
			f(r)
		}
	}
}

func withTask(id string, f func(*jury.TaskResult)) func(*jury.Report) {
	return func(r *jury.Report) {
		for i := range r.Tasks {
			if r.Tasks[i].ID == id {
				f(&r.Tasks[i])
				return
			}
		}
		panic("no task " + id)
	}
}

func TestDiffCommand(t *testing.T) {
	old := diffTree(t, nil)
	moved := diffTree(t, forCode("29-2072.00", withTask("22892", func(tk *jury.TaskResult) { tk.Score = 90 })))
	relabelled := diffTree(t, forCode("29-2072.00", withTask("22886", func(tk *jury.TaskResult) { tk.Label = jury.E1 })))
	reworded := diffTree(t, forCode("43-9061.00", func(r *jury.Report) { r.Jurors[2].Quote = "The Contrarian has second thoughts." }))
	hostile := diffTree(t, forCode("29-2072.00", func(r *jury.Report) { r.Jurors[0].Quote = diffHostileQuote }))
	newSchema := diffTree(t, func(r *jury.Report) { r.SchemaVersion = 4 })
	// testdata/diff-base.json is a version-1 report, before round 2: the
	// same verdicts written by this jury add the jurors' reactions.
	withReactions := diffTree(t, func(r *jury.Report) {
		r.SchemaVersion = jury.SchemaVersion
		r.Jurors[0].Reaction = jury.TooLow
	})
	fewer := t.TempDir()
	r := readReport(t, diffGolden)
	writeDiffReport(t, filepath.Join(fewer, "29-2072.00", "report.json"), &r)

	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{"identical trees", []string{old, diffTree(t, nil)}, 0,
			[]string{"no changes", "2 occupations compared"}, ""},
		{"a task moved 7 points", []string{old, moved}, 1,
			[]string{"1 of 2 occupations changed; largest: 29-2072.00 task 22892 83 → 90",
				"✗ 29-2072.00 Medical Records Specialists", "✗ task 22892 83 → 90 (+7)", "headline 54, unchanged"},
			"jury: 1 of 2 occupations changed; largest: 29-2072.00 task 22892 83 → 90"},
		{"a wider tolerance lets the move pass", []string{"--tolerance", "10", old, moved}, 0,
			[]string{"task 22892 83 → 90 (+7)", "failing: 0 of 2 occupations (tolerance 10 points"}, ""},
		{"flags after the arguments", []string{old, moved, "--tolerance=10"}, 0,
			[]string{"task 22892 83 → 90 (+7)"}, ""},
		{"no tolerance", []string{"--tolerance", "0", old, moved}, 1,
			[]string{"tolerance 0 points"}, "task 22892 83 → 90"},
		{"failing on labels ignores a score move", []string{"--fail-on", "label", old, moved}, 0,
			[]string{"task 22892 83 → 90 (+7)", "failing on label)"}, ""},
		{"failing on labels fails on a label change", []string{"--fail-on", "label", old, relabelled}, 1,
			[]string{"✗ task 22886 59, E2 → E1"}, "task 22886 59, E2 → E1"},
		{"failing on headlines and tasks ignores a label change", []string{"--fail-on", "headline,task", old, relabelled}, 0,
			[]string{"task 22886 59, E2 → E1"}, ""},
		{"a reworded quote is listed and passes", []string{old, reworded}, 0,
			[]string{"1 of 2 occupations changed; largest: 43-9061.00 1 quote reworded", "quote of The Contrarian reworded",
				"- The Contrarian puts Medical Records Specialists at 55 percent.", "+ The Contrarian has second thoughts."}, ""},
		{"an occupation gone from the new side fails", []string{old, fewer}, 1,
			[]string{"43-9061.00 Medical Records Specialists: removed, headline was 54"}, "largest: 43-9061.00 removed"},
		{"single report files", []string{
			filepath.Join(old, "29-2072.00", "report.json"), filepath.Join(moved, "29-2072.00", "report.json")}, 1,
			[]string{"1 of 1 occupation changed"}, "task 22892 83 → 90"},
		{"an occupation directory", []string{diffGolden, filepath.Join(fewer, "29-2072.00")}, 0,
			[]string{"no changes", "1 occupation compared"}, ""},
		{"schema version mismatch", []string{old, newSchema}, 2,
			nil, "new report 29-2072.00 has schema_version 4, this jury compares 1 to 3"},
		{"the previous schema version is read; reactions are listed", []string{old, withReactions}, 0,
			[]string{"2 of 2 occupations changed", "1 reaction changed", "thinks the headline (none) → too low"}, ""},
		{"missing side", []string{old, filepath.Join(old, "nope")}, 2,
			nil, "nope: no such file or directory"},
		{"directory without reports", []string{old, t.TempDir()}, 2,
			nil, "no report found"},
		{"broken report", []string{old, "testdata/broken.json"}, 2,
			nil, "testdata/broken.json:3: the JSON ends early"},
		{"one argument", []string{old}, 2, nil, "diff takes two arguments, OLD and NEW, got 1"},
		{"bad fail-on", []string{"--fail-on", "quote", old, old}, 2, nil, `--fail-on "quote": change kind "quote"`},
		{"bad format", []string{"--format", "html", old, old}, 2, nil, `--format "html": want text, markdown or json`},
		{"negative tolerance", []string{"--tolerance", "-1", old, old}, 2, nil, "--tolerance -1: want 0 or more"},
		{"hostile quote in text", []string{old, hostile}, 0,
			[]string{"quote of The Diplomat reworded", "+ PWNED <script>alert(1)</script> [click](http://evil)"}, ""},
		{"hostile quote in markdown", []string{"--format", "markdown", old, hostile}, 0,
			[]string{`\<script\>alert(1)\</script\> \[click\](http\://evil)`, "- **The Diplomat**"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, map[string]string{}, append([]string{"diff"}, tc.args...)...)
			require.Equal(t, tc.wantCode, code, "stderr: %s\nstdout: %s", stderr, stdout)
			for _, want := range tc.wantStdout {
				require.Contains(t, stdout, want)
			}
			if tc.wantCode == 0 {
				require.Empty(t, stderr)
			} else {
				require.Contains(t, stderr, tc.wantStderr)
				require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			}
			if tc.wantCode == 2 {
				require.Empty(t, stdout, "nothing is printed for input that cannot be compared")
			}
			require.NotContains(t, stdout, "\x1b", "no escape sequence reaches the terminal, and no colour off a terminal")
			require.NotContains(t, stdout, "\x07")
			if slices.Contains(tc.args, "markdown") {
				require.NotContains(t, stdout, "<script>", "markdown escapes HTML")
				require.NotContains(t, stdout, "[click](", "markdown escapes links")
			}
		})
	}
}

func TestDiffCommandMarkdownAndJSON(t *testing.T) {
	old := diffTree(t, nil)
	changed := diffTree(t, forCode("29-2072.00", func(r *jury.Report) {
		r.Headline = 71
		withTask("22892", func(tk *jury.TaskResult) { tk.Score = 90 })(r)
		r.Jurors[0].Quote = diffHostileQuote
	}))

	code, stdout, stderr := cli(t, nil, "diff", "--format", "markdown", old, changed)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stdout, "**1 of 2 occupations changed; largest: 29-2072.00 headline 54 → 71**")
	require.Contains(t, stdout, "### ✗ 29-2072.00 Medical Records Specialists\n")
	require.Contains(t, stdout, "✗ Headline **54 → 71** (+17).")
	require.Contains(t, stdout, "| --- | --- | ---: | --- | --- |\n| ✗ | 22892 | 83 → 90 (+7) | E2 | Schedule medical appointments for patients. |\n")
	require.NotContains(t, stdout, "<script>")
	require.NotContains(t, stdout, "\x1b")

	code, stdout, stderr = cli(t, nil, "diff", "--format", "json", "--fail-on", "task,headline", old, changed)
	require.Equal(t, 1, code, stderr)
	var got struct {
		SchemaVersion int      `json:"schema_version"`
		Summary       string   `json:"summary"`
		Failed        bool     `json:"failed"`
		Changed       int      `json:"changed"`
		Failing       int      `json:"failing"`
		Total         int      `json:"total"`
		Tolerance     int      `json:"tolerance"`
		FailOn        []string `json:"fail_on"`
		Occupations   []struct {
			Code     string `json:"code"`
			Status   string `json:"status"`
			Fails    bool   `json:"fails"`
			Headline struct {
				Old, New *int
				Delta    int
				Fails    bool
			} `json:"headline"`
			Summary *struct{ Old, New string } `json:"summary"`
			Quotes  []struct{ Persona, Name, Old, New string }
			Tasks   []struct {
				ID       string `json:"id"`
				Status   string `json:"status"`
				OldScore *int   `json:"old_score"`
				NewScore *int   `json:"new_score"`
				Delta    int    `json:"delta"`
				OldLabel string `json:"old_label"`
				NewLabel string `json:"new_label"`
				Fails    bool   `json:"fails"`
			} `json:"tasks"`
		} `json:"occupations"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
	require.Equal(t, 1, got.SchemaVersion)
	require.Equal(t, "1 of 2 occupations changed; largest: 29-2072.00 headline 54 → 71", got.Summary)
	require.True(t, got.Failed)
	require.Equal(t, []int{1, 1, 2, 5}, []int{got.Changed, got.Failing, got.Total, got.Tolerance})
	require.Equal(t, []string{"headline", "task"}, got.FailOn, "kinds in their fixed order")
	require.Len(t, got.Occupations, 1)
	o := got.Occupations[0]
	require.Equal(t, "29-2072.00", o.Code)
	require.Equal(t, "changed", o.Status)
	require.Equal(t, 54, *o.Headline.Old)
	require.Equal(t, 71, *o.Headline.New)
	require.Equal(t, 17, o.Headline.Delta)
	require.True(t, o.Headline.Fails)
	require.Nil(t, o.Summary, "an unchanged summary is null")
	require.Len(t, o.Quotes, 1)
	require.Equal(t, diffHostileQuote, o.Quotes[0].New, "JSON keeps the text as written, escaped as JSON")
	require.NotContains(t, stdout, "\x1b", "JSON escapes control characters")
	require.Len(t, o.Tasks, 1)
	require.Equal(t, "22892", o.Tasks[0].ID)
	require.Equal(t, 83, *o.Tasks[0].OldScore)
	require.Equal(t, 90, *o.Tasks[0].NewScore)
	require.Equal(t, 7, o.Tasks[0].Delta)
	require.Equal(t, []string{"E2", "E2"}, []string{o.Tasks[0].OldLabel, o.Tasks[0].NewLabel})
	require.True(t, o.Tasks[0].Fails)

	// Identical trees: the JSON still has every key and its lists.
	code, stdout, _ = cli(t, nil, "diff", "--format", "json", old, old)
	require.Equal(t, 0, code)
	require.Contains(t, stdout, `"summary": "no changes"`)
	require.Contains(t, stdout, `"occupations": []`)
}

func TestDiffColourOnlyOnATerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	require.NoError(t, err)
	defer f.Close()
	require.False(t, wantsColour(&system{getenv: func(string) string { return "" }, stdout: f}), "a file is not a terminal")
	require.False(t, wantsColour(&system{getenv: func(string) string { return "" }, stdout: &strings.Builder{}}))
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no terminal to test colour on")
	}
	defer tty.Close()
	require.True(t, wantsColour(&system{getenv: func(string) string { return "" }, stdout: tty}))
	require.False(t, wantsColour(&system{getenv: func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}, stdout: tty}))
}
