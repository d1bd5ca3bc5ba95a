package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/outdir"
)

const (
	editedQuote     = "Records still need a person who answers for them."
	editedRationale = "Coders still check every code the software suggests."
)

// requireEdited checks that report.md, report.html and report.json of dir
// show the edited quote and rationale, and that report.json keeps the
// model's text beside them.
func requireEdited(t *testing.T, dir, step string) jury.Report {
	t.Helper()
	for _, name := range []string{"report.md", "report.html", "report.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Contains(t, string(data), editedQuote, "%s: %s", step, name)
		require.Contains(t, string(data), editedRationale, "%s: %s", step, name)
	}
	r := readReport(t, filepath.Join(dir, "report.json"))
	require.NotNil(t, r.Edits, step)
	require.Len(t, r.Edits.Applied, 2, step)
	for _, a := range r.Edits.Applied {
		require.NotEmpty(t, a.Model, "%s: the model's %s is kept beside the edit", step, a.Name())
		require.NotEqual(t, a.Text, a.Model, step)
	}
	return r
}

// The Done-when of issue 15: an edit of a quote and of a rationale
// survives jury render, jury run again, a resumed batch, a batch after a
// prompt change and one whose model wrote another quote; then the edit
// needs review and jury edits --check fails, naming it.
func TestEditsSurviveEveryRegeneration(t *testing.T) {
	occ, err := onet.ReadOccupationFile(fixture)
	require.NoError(t, err)
	tasks := writeTaskFile(t, []jury.Occupation{occ})
	out := t.TempDir()
	dir := filepath.Join(out, occ.Code)
	batch := func(step string, extra ...string) string {
		t.Helper()
		code, _, stderr := cli(t, nil, append([]string{"batch", "--tasks", tasks, "--out", out}, extra...)...)
		require.Equal(t, 0, code, "%s: %s", step, stderr)
		return stderr
	}
	batch("fresh batch")
	first := readReport(t, filepath.Join(dir, "report.json"))
	task := first.Tasks[0].ID
	require.NoError(t, os.WriteFile(filepath.Join(dir, "edits.yaml"), []byte(`quotes:
  contrarian:
    text: "`+editedQuote+`"
    author: ana
rationales:
  "`+task+`":
    text: "`+editedRationale+`"
`), 0o644))

	code, stdout, stderr := cli(t, nil, "render", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "rendered 1 report")
	requireEdited(t, dir, "render")
	yaml, err := os.ReadFile(filepath.Join(dir, "edits.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(yaml), "replaced:", "the model's text is recorded the first time the edit is applied")

	code, _, stderr = cli(t, nil, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	requireEdited(t, dir, "run again")

	batch("resumed batch")
	requireEdited(t, dir, "resumed batch")

	// A prompt change: another voice for the Diplomat; every verdict is
	// deliberated again.
	cfg := filepath.Join(t.TempDir(), "jury.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("personas:\n  - id: diplomat\n    voice: Measured, and fond of footnotes.\n"), 0o644))
	batch("batch after a prompt change", "--config", cfg)
	r := requireEdited(t, dir, "batch after a prompt change")
	require.NotEqual(t, first.Provenance.PromptHash, r.Provenance.PromptHash, "the verdict was given again")
	for _, a := range r.Edits.Applied {
		require.Equal(t, jury.EditCurrent, a.State, "the model wrote the same text: the edits are current")
	}
	code, _, _ = cli(t, nil, "edits", "--check", out)
	require.Equal(t, 0, code)

	// Another seed: the offline Contrarian names another task in its
	// quote. The edit stays on every page, and needs review.
	stderr = batch("batch whose model wrote another quote", "--seed", "7")
	r = requireEdited(t, dir, "batch whose model wrote another quote")
	require.Equal(t, jury.EditNeedsReview, r.Edits.Applied[0].State)
	require.Contains(t, stderr, "edits need review")
	var last outdir.LastRun
	data, err := os.ReadFile(filepath.Join(out, outdir.LastRunFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &last))
	require.Equal(t, []string{occ.Code}, last.NeedsReview, "the batch summary lists it")
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), editedQuote+"” *(edited)* *(needs review: the model's text changed since the edit")

	code, stdout, _ = cli(t, nil, "edits", "--check", out)
	require.Equal(t, 1, code, "--check fails for CI")
	require.Regexp(t, `29-2072\.00\s+quote of contrarian\s+needs review\s+the model's text changed since the edit`, stdout)
	require.Regexp(t, `29-2072\.00\s+rationale of task `+task+`\s+(current|needs review)`, stdout)
	code, _, _ = cli(t, nil, "edits", out)
	require.Equal(t, 0, code, "without --check, a list")
}

// A hand edit of report.md: render and run refuse to overwrite it (exit
// 2, one line naming the file), a batch leaves the occupation alone and
// exits 1 while the others are done, and the edit is still in the file.
func TestHandEditedPagesAreKept(t *testing.T) {
	occ, err := onet.ReadOccupationFile(fixture)
	require.NoError(t, err)
	out := t.TempDir()
	code, _, stderr := cli(t, nil, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	md := filepath.Join(out, occ.Code, "report.md")
	data, err := os.ReadFile(md)
	require.NoError(t, err)
	edited := strings.Replace(string(data), "## Summary\n\n", "## Summary\n\nOur own words, typed into the page.\n\n", 1)
	require.NoError(t, os.WriteFile(md, []byte(edited), 0o644))
	requireKept := func(step string) {
		t.Helper()
		data, err := os.ReadFile(md)
		require.NoError(t, err)
		require.Equal(t, edited, string(data), "%s: the hand edit is still in the file", step)
	}

	for _, args := range [][]string{{"render", out}, {"run", fixture, "--out", out}} {
		code, _, stderr = cli(t, nil, args...)
		require.Equal(t, 2, code, args[0])
		lines := strings.Split(strings.TrimSpace(stderr), "\n") // run says first that the offline juror answers
		require.Equal(t, "jury: "+md+" was changed by hand since jury wrote it: move the change into edits.yaml (jury edit DIR/<code>) or pass --force to overwrite it", lines[len(lines)-1])
		requireKept(args[0])
	}

	// A batch over it and another occupation, after a prompt change: the
	// other is done, this one is listed and left alone.
	other := occ
	other.Code, other.Title = "29-2099.00", "Other Records Workers"
	tasks := writeTaskFile(t, []jury.Occupation{occ, other})
	cfg := filepath.Join(t.TempDir(), "jury.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("personas:\n  - id: diplomat\n    voice: Measured, and fond of footnotes.\n"), 0o644))
	code, _, stderr = cli(t, nil, "batch", "--tasks", tasks, "--out", out, "--config", cfg)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "1 occupation failed: 29-2072.00")
	require.FileExists(t, filepath.Join(out, other.Code, "report.md"))
	requireKept("batch")

	code, _, stderr = cli(t, nil, "render", "--force", out)
	require.Equal(t, 0, code, stderr)
	data, err = os.ReadFile(md)
	require.NoError(t, err)
	require.NotContains(t, string(data), "Our own words", "--force overwrites")
}

// A score edit moves the headline by the consensus rule; md, html and
// json agree; jury diff calls it an edit, not model drift.
func TestScoreEditMovesTheHeadline(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := cli(t, nil, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	dir := filepath.Join(out, "29-2072.00")
	model := readReport(t, filepath.Join(dir, "report.json"))
	before := filepath.Join(t.TempDir(), "before.json")
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(before, data, 0o644))

	top := model.Tasks[0]
	require.NoError(t, os.WriteFile(filepath.Join(dir, "edits.yaml"), []byte("scores:\n  \""+top.ID+"\":\n    score: 0\n    reason: a person signs every record\n"), 0o644))
	code, _, stderr = cli(t, nil, "render", dir)
	require.Equal(t, 0, code, stderr)
	r := readReport(t, filepath.Join(dir, "report.json"))
	edited := model.ModelView()
	for i := range edited.Tasks {
		if edited.Tasks[i].ID == top.ID {
			edited.Tasks[i].Score = 0
		}
	}
	want := jury.TasksHeadline(edited.Tasks)
	require.Equal(t, want, r.Headline, "the consensus rule: the core-weighted mean of the task scores")
	require.Less(t, r.Headline, model.Headline)
	require.Equal(t, jury.BandOf(want), r.Band)
	require.Equal(t, model.Headline, r.Edits.ModelHeadline)
	require.Equal(t, top.ID, r.Tasks[len(r.Tasks)-1].ID, "a score of 0 sorts last")
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	h := itoa(r.Headline)
	require.Contains(t, string(md), "headline **"+h+"\u00a0%**")
	require.Contains(t, string(page), `<span class="num">`+h+`</span>`)
	require.Contains(t, string(md), "*(edited; jury "+itoa(top.Score)+"\u00a0%: a person signs every record)*")
	require.Contains(t, string(md), "needs review", "model text naming the old headline is flagged")

	code, stdout, _ := cli(t, nil, "diff", before, dir)
	require.Equal(t, 1, code, "a score edit beyond tolerance fails by default")
	require.Contains(t, stdout, "edited: score of task "+top.ID+" "+itoa(top.Score)+" → 0")
	require.Contains(t, stdout, "headline "+itoa(model.Headline)+" → "+h+" (edited: score of task "+top.ID+"); the jury's own "+itoa(model.Headline)+", unchanged",
		"the headline published moved by an edit, not model drift")
	code, stdout, _ = cli(t, nil, "diff", "--fail-on", "headline,task,label", before, dir)
	require.Equal(t, 0, code, "--fail-on without edit ignores edits: %s", stdout)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestEditCommand(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := cli(t, nil, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	dir := filepath.Join(out, "29-2072.00")

	// No editor: a starter file on stdout, naming this report's jurors.
	code, stdout, stderr := cli(t, nil, "edit", dir)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "# quotes:\n#   diplomat:\n")
	require.Contains(t, stderr, "save your edits as "+filepath.Join(dir, "edits.yaml"))
	require.NoFileExists(t, filepath.Join(dir, "edits.yaml"))

	// An editor that writes a quote edit: applied when it exits.
	editor := `sh -c 'printf "quotes:\n  contrarian:\n    text: Hello from the editor.\n" > "$0"'`
	code, stdout, stderr = cli(t, map[string]string{"EDITOR": editor}, "edit", dir)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "0 items need review")
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "Hello from the editor.” *(edited)*")

	// An editor that leaves a bad file: exit 2 naming edits.yaml:LINE.
	editor = `sh -c 'printf "quotes:\n  contrarian:\n    txt: x\n" > "$0"'`
	code, _, stderr = cli(t, map[string]string{"EDITOR": editor}, "edit", dir)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "edits.yaml:3: quote of contrarian: unknown key \"txt\"")
}

// A typo in edits.yaml (a persona or task that does not exist) is said on
// stderr by render and run, one line per edit naming edits.yaml:LINE;
// both still exit 0, and `jury edits --check` exits 1.
func TestOrphanedEditIsWarned(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := cli(t, nil, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	dir := filepath.Join(out, "29-2072.00")
	edits := filepath.Join(dir, "edits.yaml")
	require.NoError(t, os.WriteFile(edits, []byte("quotes:\n  skeptic:\n    text: Nobody on this panel.\n"), 0o644))
	want := "jury: " + edits + `:3: quote of persona "skeptic": no such juror (diplomat, chaos-agent, contrarian, optimist): the edit is not shown` + "\n"

	code, stdout, stderr := cli(t, nil, "render", dir)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, want, stderr)
	require.Contains(t, stdout, "rendered 1 report")

	code, _, stderr = cli(t, nil, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, want)

	code, _, _ = cli(t, nil, "edits", "--check", dir)
	require.Equal(t, 1, code)
}
