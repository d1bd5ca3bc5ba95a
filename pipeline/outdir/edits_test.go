package outdir_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// handEdits is what a person writes by hand: a quote and a rationale.
const handEdits = `# our corrections
quotes:
  contrarian:
    text: "Records still need a person who answers for them."
    author: ana
rationales:
  "22892":
    text: "Coders still check every code the software suggests."
`

func TestReadEditsBadFile(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"unknown section", "quotes: {}\nsumary:\n  text: x\n", "edits.yaml:2: unknown key \"sumary\": want summary, quotes, rationales, scores"},
		{"unknown key of an edit", "quotes:\n  contrarian:\n    txt: x\n", "edits.yaml:3: quote of contrarian: unknown key \"txt\""},
		{"score without a reason", "scores:\n  \"22892\":\n    score: 40\n", "edits.yaml:3: score of task 22892: a score edit needs a reason"},
		{"score not a number", "scores:\n  \"22892\":\n    score: high\n    reason: x\n", "edits.yaml:3: score of task 22892: score \"high\": want a whole number"},
		{"quote over the limits", "quotes:\n  diplomat:\n    text: " + strings.Repeat("x", 301) + "\n", "edits.yaml:3: quote of diplomat: text is 301 characters, at most 300"},
		{"no text", "rationales:\n  \"22892\":\n    author: ana\n", "edits.yaml:3: rationale of task 22892: text missing"},
		{"not YAML", "quotes: [\n", "edits.yaml:1: did not find expected node content"},
		{"broken YAML on a later line", "summary:\n  text: \"a\"\nquotes: {a, \n", "edits.yaml:3: "},
		{"label against the score", "scores:\n  \"22892\":\n    score: 20\n    label: E1\n    reason: x\n", "edits.yaml:3: score of task 22892: label E1 does not agree with score 20: E1 means at least 40 %"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeDiffFile(t, filepath.Join(dir, "edits.yaml"), tt.content)
			_, err := outdir.ReadEdits(dir)
			require.ErrorIs(t, err, jury.ErrInvalid, "exit code 2")
			require.ErrorContains(t, err, tt.want)
		})
	}
	doc, err := outdir.ReadEdits(t.TempDir())
	require.NoError(t, err)
	require.Empty(t, doc.Edits, "no edits.yaml: no edits")
}

func TestWriteReportAppliesEdits(t *testing.T) {
	out := t.TempDir()
	model := rerenderGolden(t, "29-2072.00")
	dir := filepath.Join(out, "29-2072.00")
	writeDiffFile(t, filepath.Join(dir, "edits.yaml"), handEdits)

	w, err := outdir.Writer{}.WriteReport(out, model)
	require.NoError(t, err)
	js, md, page := readFile(t, filepath.Join(dir, "report.json")), readFile(t, filepath.Join(dir, "report.md")), readFile(t, filepath.Join(dir, "report.html"))
	for name, page := range map[string]string{"report.json": js, "report.md": md, "report.html": page} {
		require.Contains(t, page, "Records still need a person who answers for them.", name)
		require.Contains(t, page, "Coders still check every code the software suggests.", name)
	}
	require.Contains(t, md, "Records still need a person who answers for them.” *(edited)*")
	require.Contains(t, page, `answers for them. <span class="edited">edited</span>`)
	var contrarian string
	for _, j := range model.Jurors {
		if j.Persona == "contrarian" {
			contrarian = j.Quote
		}
	}
	require.Contains(t, js, `"model": "`+contrarian+`"`, "report.json keeps the model's quote beside the edit")
	require.Equal(t, jury.EditCurrent, w.Report.Edits.Applied[0].State)

	// The model's text is recorded in edits.yaml, the person's comment kept.
	edits := readFile(t, filepath.Join(dir, "edits.yaml"))
	require.Contains(t, edits, "# our corrections")
	require.Contains(t, edits, "replaced: "+contrarian)
	doc, err := outdir.ReadEdits(dir)
	require.NoError(t, err)
	require.Equal(t, contrarian, doc.Edits[0].Replaced)

	// Written again, nothing changes: the same bytes.
	before := map[string]string{"report.json": js, "report.md": md, "edits.yaml": edits}
	_, err = outdir.WriteReport(out, model)
	require.NoError(t, err)
	for name, want := range before {
		require.Equal(t, want, readFile(t, filepath.Join(dir, name)), name)
	}

	// The model writes another quote: the edit stays, and needs review.
	changed := model.Clone()
	for i := range changed.Jurors {
		if changed.Jurors[i].Persona == "contrarian" {
			changed.Jurors[i].Quote = "A new line from the model."
		}
	}
	w, err = outdir.Writer{}.WriteReport(out, changed)
	require.NoError(t, err)
	require.Equal(t, jury.EditNeedsReview, w.Report.Edits.Applied[0].State)
	md = readFile(t, filepath.Join(dir, "report.md"))
	require.Contains(t, md, "Records still need a person who answers for them.” *(edited)* *(needs review: the model's text changed since the edit")
}

func TestPagesChangedByHandAreNotOverwritten(t *testing.T) {
	for _, via := range []string{"write", "render"} {
		for _, page := range []string{"report.md", "report.html"} {
			t.Run(via+" "+page, func(t *testing.T) {
				out := t.TempDir()
				model := rerenderGolden(t, "29-2072.00")
				dir, err := outdir.WriteReport(out, model)
				require.NoError(t, err)
				path := filepath.Join(dir, page)
				edited := strings.Replace(readFile(t, path), "Medical Records Specialists", "Medical Records Experts", 1)
				require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))

				write := func(w outdir.Writer) error {
					if via == "render" {
						_, err := w.Rerender(dir)
						return err
					}
					_, err := w.WriteReport(out, model)
					return err
				}
				err = write(outdir.Writer{})
				require.ErrorIs(t, err, outdir.ErrHandEdited)
				require.ErrorIs(t, err, jury.ErrInvalid, "exit code 2")
				require.Equal(t, path+" was changed by hand since jury wrote it: move the change into edits.yaml (jury edit DIR/<code>) or pass --force to overwrite it", err.Error())
				require.Equal(t, edited, readFile(t, path), "the hand edit is still there")

				require.NoError(t, write(outdir.Writer{Force: true}))
				require.NotContains(t, readFile(t, path), "Medical Records Experts")
			})
		}
	}
}

func TestRerenderValidatesAnEditedReport(t *testing.T) {
	golden := rerenderGolden(t, "29-2072.00")
	wrong := golden.Headline - 15
	tests := []struct {
		name   string
		change func(js string) string
		want   string
	}{
		{"headline set by hand", func(js string) string {
			return strings.Replace(js, fmt.Sprintf(`"headline": %d,`, golden.Headline), fmt.Sprintf(`"headline": %d,`, wrong), 1)
		}, fmt.Sprintf("report.json:7: headline %d does not follow from the task scores, whose core-weighted mean is %d", wrong, golden.Headline)},
		{"quote over the limits", func(js string) string {
			return strings.Replace(js, `"quote": "`, `"quote": "`+strings.Repeat("x", 300), 2)
		}, fmt.Sprintf("report.json:17: quote of diplomat is %d characters, at most 300: shorten it in edits.yaml",
			300+utf8.RuneCountInString(golden.Jurors[0].Quote))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := outdir.WriteReport(t.TempDir(), rerenderGolden(t, "29-2072.00"))
			require.NoError(t, err)
			js := filepath.Join(dir, "report.json")
			changed := tt.change(readFile(t, js))
			require.NoError(t, os.WriteFile(js, []byte(changed), 0o644))
			md := readFile(t, filepath.Join(dir, "report.md"))
			_, err = outdir.Rerender(dir)
			require.ErrorIs(t, err, jury.ErrInvalid)
			require.ErrorContains(t, err, tt.want)
			require.Equal(t, md, readFile(t, filepath.Join(dir, "report.md")), "nothing written")
		})
	}

	// Tasks out of order are put back in order.
	dir, err := outdir.WriteReport(t.TempDir(), rerenderGolden(t, "29-2072.00"))
	require.NoError(t, err)
	r, err := outdir.ReadReport(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	want := readFile(t, filepath.Join(dir, "report.json"))
	r.Tasks[0], r.Tasks[len(r.Tasks)-1] = r.Tasks[len(r.Tasks)-1], r.Tasks[0]
	raw, err := jsonOf(&r)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.json"), raw, 0o644))
	_, err = outdir.Rerender(dir)
	require.NoError(t, err)
	require.Equal(t, want, readFile(t, filepath.Join(dir, "report.json")))
}

// A changed edits.yaml reaches report.json and the pages at the next
// render; the model's verdict underneath stays as it was.
func TestRerenderAppliesChangedEdits(t *testing.T) {
	dir, err := outdir.WriteReport(t.TempDir(), rerenderGolden(t, "29-2072.00"))
	require.NoError(t, err)
	writeDiffFile(t, filepath.Join(dir, "edits.yaml"), "scores:\n  \"22892\":\n    score: 5\n    reason: records need a signature\n")
	_, err = outdir.Rerender(dir)
	require.NoError(t, err)
	r, err := outdir.ReadReport(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NotNil(t, r.Edits)
	require.Equal(t, jury.TasksHeadline(r.Tasks), r.Headline)
	require.NotEqual(t, r.Edits.ModelHeadline, r.Headline, "the score edit moved the headline")
	require.Contains(t, readFile(t, filepath.Join(dir, "report.md")), "headline **"+itoa(r.Headline)+"\u00a0%**")

	require.NoError(t, os.Remove(filepath.Join(dir, "edits.yaml")))
	_, err = outdir.Rerender(dir)
	require.NoError(t, err)
	back, err := outdir.ReadReport(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.Nil(t, back.Edits, "edits removed: the model's verdict again")
	require.Equal(t, r.Edits.ModelHeadline, back.Headline)
	require.False(t, errors.Is(err, outdir.ErrHandEdited))
}

func itoa(n int) string { return strconv.Itoa(n) }

func jsonOf(r *jury.Report) ([]byte, error) { return render.JSON(r) }

// The situation of a content team's score edit, end to end: the
// committed golden verdict against the same verdict with task 22878's
// score edited (and a quote). jury diff shows the headline the page
// publishes, says which edit moved it, keeps the jury's own apart, and
// names the failing score edit as the largest change.
func TestDiffAfterAScoreEdit(t *testing.T) {
	const golden = "../../fixtures/golden/29-2072.00"
	model := rerenderGolden(t, "29-2072.00")
	dir, err := outdir.WriteReport(t.TempDir(), model)
	require.NoError(t, err)
	writeDiffFile(t, filepath.Join(dir, "edits.yaml"), `quotes:
  contrarian:
    text: "A person still answers for every record."
scores:
  "22878":
    score: 20
    reason: "Compiling a chart still means reading it."
`)
	_, err = outdir.Rerender(dir)
	require.NoError(t, err)

	var jurys int
	published := model.Clone()
	for i, tk := range published.Tasks {
		if tk.ID == "22878" {
			jurys = tk.Score
			published.Tasks[i].Score = 20
		}
	}
	edited := jury.TasksHeadline(published.Tasks)
	require.NotEqual(t, model.Headline, edited, "the score edit moves the published headline")

	old, err := outdir.LoadReports(golden)
	require.NoError(t, err)
	cur, err := outdir.LoadReports(dir)
	require.NoError(t, err)
	require.Equal(t, edited, cur[0].Headline, "report.json publishes the edited headline")

	largest := fmt.Sprintf("1 of 1 occupation changed; largest: 29-2072.00 edited: score of task 22878 %d → 20", jurys)
	headline := fmt.Sprintf("headline %d → %d (edited: score of task 22878); the jury's own %d, unchanged", model.Headline, edited, model.Headline)
	tests := []struct {
		name      string
		failOn    []jury.ChangeKind
		wantFails bool
		wantLines []string
	}{
		{"every kind fails", nil, true, []string{largest, "      " + headline, "      edited: quote of The Contrarian",
			fmt.Sprintf("    ✗ edited: score of task 22878 %d → 20", jurys)}},
		{"--fail-on without edit ignores the edits", []jury.ChangeKind{jury.KindHeadline, jury.KindTask, jury.KindLabel}, false,
			[]string{largest, "      " + headline, fmt.Sprintf("      edited: score of task 22878 %d → 20", jurys)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := jury.Diff(old, cur, jury.DiffOptions{FailOn: tt.failOn})
			require.NoError(t, err)
			require.Equal(t, tt.wantFails, res.Failed())
			require.Equal(t, largest, res.Summary())
			text := strings.Split(string(render.DiffText(res, false)), "\n")
			for _, l := range tt.wantLines {
				require.Contains(t, text, l)
			}
			md := string(render.DiffMarkdown(res))
			require.Contains(t, md, "\nH"+headline[1:]+".\n")
		})
	}
}

// A score edit makes the task's label (when it no longer fits) and its
// rationale need review, on the pages and in jury edits, until a person
// sets the label and rewrites the rationale in edits.yaml.
func TestScoreEditFlagsLabelAndRationale(t *testing.T) {
	out := t.TempDir()
	model := rerenderGolden(t, "29-2072.00")
	var task jury.TaskResult
	for _, tk := range model.Tasks {
		if tk.ID == "22878" {
			task = tk
		}
	}
	require.Equal(t, jury.E2, task.Label, "the fixture's task 22878 is E2")
	require.GreaterOrEqual(t, task.Score, jury.E1Min)
	dir := filepath.Join(out, "29-2072.00")
	score := "scores:\n  \"22878\":\n    score: 20\n    reason: Compiling a chart still means reading it.\n"
	writeDiffFile(t, filepath.Join(dir, "edits.yaml"), score)
	_, err := outdir.Writer{}.WriteReport(out, model)
	require.NoError(t, err)

	labelWhy := fmt.Sprintf("E2 means at least 40 %%, the task now scores 20 %% (the jury's %d %%): add a label to its score edit", task.Score)
	rationaleWhy := fmt.Sprintf("written for the jury's %d %%, the task now scores 20 %%", task.Score)
	// Pages keep a figure and its % together.
	nbsp := strings.NewReplacer(" %", "\u00a0%").Replace
	md, page := readFile(t, filepath.Join(dir, "report.md")), readFile(t, filepath.Join(dir, "report.html"))
	require.Contains(t, md, "· E2 *(needs review: "+nbsp(labelWhy)+")* ·")
	require.Contains(t, md, task.Rationale+" *(needs review: "+nbsp(rationaleWhy)+")*")
	require.Contains(t, page, `<span class="review" title="`+strings.ReplaceAll(nbsp(labelWhy), "'", "&#39;")+`">needs review</span></td>`)
	lines, err := outdir.ListEdits(dir)
	require.NoError(t, err)
	require.Contains(t, lines, outdir.EditLine{Code: "29-2072.00", What: "label of task 22878 (the model's)", State: jury.EditNeedsReview, Why: labelWhy})
	require.Contains(t, lines, outdir.EditLine{Code: "29-2072.00", What: "rationale of task 22878 (the model's)", State: jury.EditNeedsReview, Why: rationaleWhy})

	// The person sets the label and rewrites the rationale: nothing of the
	// task is left to review.
	writeDiffFile(t, filepath.Join(dir, "edits.yaml"), score+"    label: e0\nrationales:\n  \"22878\":\n    text: A person reads every chart before it is filed.\n")
	w, err := outdir.Writer{}.WriteReport(out, model)
	require.NoError(t, err)
	require.Empty(t, w.Report.NeedsReview(jury.EditLabel, "22878"))
	require.Empty(t, w.Report.NeedsReview(jury.EditRationale, "22878"))
	md = readFile(t, filepath.Join(dir, "report.md"))
	require.Contains(t, md, "· E0 *(edited)* ·")
	require.Contains(t, md, "A person reads every chart before it is filed. *(edited)*")
	require.Contains(t, readFile(t, filepath.Join(dir, "report.json")), `"model_label": "E2"`)
	lines, err = outdir.ListEdits(dir)
	require.NoError(t, err)
	for _, l := range lines {
		require.NotContains(t, l.What, "22878 (the model's)")
	}
	r, err := outdir.ReadReport(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.Equal(t, model, r.ModelView(), "the jury's label is read back")
}

// An edit whose juror or task does not exist (a typo) is not shown, and
// the writer says so, one line each naming edits.yaml:LINE, what is
// unknown and the ids there are; the rest is written.
func TestOrphanedEditsAreWarned(t *testing.T) {
	out := t.TempDir()
	model := rerenderGolden(t, "29-2072.00")
	dir := filepath.Join(out, "29-2072.00")
	path := filepath.Join(dir, "edits.yaml")
	writeDiffFile(t, path, `quotes:
  skeptic:
    text: "Nobody on this panel."
  contrarian:
    text: "Shown."
scores:
  "22787":
    score: 10
    reason: a typo of 22878
`)
	w, err := outdir.Writer{}.WriteReport(out, model)
	require.NoError(t, err, "an orphaned edit is no error")
	// Recording the contrarian's replaced quote moved the score edit a
	// line down: the warning names the line it is on now.
	lines := strings.Split(readFile(t, path), "\n")
	require.Equal(t, "    score: 10", lines[9-1])
	want := []string{
		path + `:3: quote of persona "skeptic": no such juror (diplomat, chaos-agent, contrarian, optimist): the edit is not shown`,
		path + `:9: score of task "22787": no such task in 29-2072.00 (22877–22893): the edit is not shown`,
	}
	require.Equal(t, want, w.Warnings)
	require.Contains(t, readFile(t, filepath.Join(dir, "report.md")), "“Shown.” *(edited)*", "the other edits are applied")
	require.Equal(t, model.Headline, w.Report.Headline)

	res, err := outdir.Rerender(dir)
	require.NoError(t, err)
	require.Equal(t, outdir.Rendered{Reports: 1, Warnings: want}, res)

	writeDiffFile(t, path, "quotes:\n  contrarian:\n    text: Shown.\n")
	res, err = outdir.Rerender(dir)
	require.NoError(t, err)
	require.Empty(t, res.Warnings, "typos fixed: no warning")
}

// The starter file's example score edit, uncommented as it stands, is
// valid: its example label fits its example score.
func TestStarterExampleLabelFitsItsScore(t *testing.T) {
	for _, score := range []int{0, 20, 39, 40, 60, 61, 75, 100} {
		r := &jury.Report{Tasks: []jury.TaskResult{{ID: "1", Score: score}}}
		starter := string(outdir.StarterEdits(r))
		m := regexp.MustCompile(`#     label: (E\d)`).FindStringSubmatch(starter)
		require.Len(t, m, 2, starter)
		require.True(t, jury.LabelFits(jury.Label(m[1]), score), "score %d with example label %s", score, m[1])
	}
}
