package offline_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/offline/exposure"
	"github.com/onet-jury/jury/pipeline/render"
	"github.com/onet-jury/jury/prompts"
)

const sharedLabels = "../../../shared/data/gpts-are-gpts/labels_train.tsv"

var (
	// A task phrase on a page is set in “ ” (summaries, rationales) or
	// ‘ ’ (quotes, which the page sets in “ ”).
	pagePhraseRE = regexp.MustCompile(`[“‘]([^”’]+)[”’]`)
	taskScoresRE = regexp.MustCompile(`Task \d+ scores`)
	// handsRE finds a rationale that says the task needs hands.
	handsRE = regexp.MustCompile(`\bhands\b[^-]|\bhands$|\bhands\.`)
	// staysRE finds a summary sentence that says a task stays with people.
	staysRE = regexp.MustCompile(`stays? with people|still needs a person|remains human|anchored in`)
)

// pageCheck counts what a reader would find wrong on the offline pages.
type pageCheck struct {
	pages, phrases, rationales                            int
	brokenPhrases, taskScores, framesOver2, unknownFrames int
	named, handsUnfit, staysHigh, headline100             int
	maxFrameUse                                           int
	examples                                              []string
}

func (c *pageCheck) note(s string) {
	if len(c.examples) < 12 {
		c.examples = append(c.examples, s)
	}
}

func (c *pageCheck) add(words *prompts.Words, lexicon []prompts.Term, occ jury.Occupation, r *jury.Report, md string) {
	c.pages++
	scoreOf := map[string]int{} // phrase → consensus score
	texts := make([]string, len(occ.Tasks))
	for i, t := range occ.Tasks {
		texts[i] = t.Text
	}
	byText := map[string]int{}
	for _, t := range r.Tasks {
		byText[t.Text] = t.Score
	}
	for i, p := range prompts.Phrases(texts) {
		scoreOf[strings.ToLower(p)] = byText[texts[i]]
	}
	texts = []string{r.Summary}
	for _, j := range r.Jurors {
		texts = append(texts, j.Quote)
	}
	for _, t := range r.Tasks {
		texts = append(texts, t.Rationale)
	}
	for _, s := range texts {
		for _, m := range pagePhraseRE.FindAllStringSubmatch(s, -1) {
			c.phrases++
			words := strings.Fields(m[1])
			if last := words[len(words)-1]; prompts.IsFunctionWord(last) || strings.HasSuffix(last, ",") {
				c.brokenPhrases++
				c.note(fmt.Sprintf("%s: phrase ends on %q: %s", occ.Code, last, m[1]))
			}
		}
	}
	if taskScoresRE.MatchString(md) {
		c.taskScores++
		c.note(occ.Code + ": a \"Task N scores\" line")
	}
	if r.Headline >= 100 || strings.Contains(strings.SplitN(md, "\n", 2)[0], "100") {
		c.headline100++
	}
	uses := map[int]int{}
	for _, t := range r.Tasks {
		c.rationales++
		f := words.FrameOf(t.Rationale)
		if f < 0 {
			c.unknownFrames++
			c.note(fmt.Sprintf("%s task %s: no frame writes %q", occ.Code, t.ID, t.Rationale))
		} else {
			uses[f]++
			c.maxFrameUse = max(c.maxFrameUse, uses[f])
			if uses[f] == 3 {
				c.framesOver2++
				c.note(fmt.Sprintf("%s: frame %d used a third time: %s", occ.Code, f, t.Rationale))
			}
		}
		for _, term := range lexicon {
			if !term.Default && strings.Contains(strings.ToLower(t.Rationale), strings.ToLower(term.Words)) {
				c.named++
				break
			}
		}
		blocker := words.Blocker(t.Text, occ.Code)
		// The task's own words may speak of hands ("deal cards to house hands"): only the frame's count.
		if handsRE.MatchString(pagePhraseRE.ReplaceAllString(t.Rationale, "“”")) && blocker.Kind != "hands" {
			c.handsUnfit++
			c.note(fmt.Sprintf("%s task %s: a %s task is said to need hands: %s", occ.Code, t.ID, blocker.Kind, t.Rationale))
		}
	}
	// The clause of a summary sentence that says a task stays with
	// people names that task: "Tools take “A”, but “B” still needs a
	// person" says so of B only.
	var clauses []string
	for _, sentence := range strings.SplitAfter(r.Summary, ". ") {
		clauses = append(clauses, strings.Split(sentence, ", but ")...)
	}
	for _, sentence := range clauses {
		if !staysRE.MatchString(sentence) {
			continue
		}
		for _, m := range pagePhraseRE.FindAllStringSubmatch(sentence, -1) {
			if score, ok := scoreOf[strings.ToLower(m[1])]; ok && score >= 60 {
				c.staysHigh++
				c.note(fmt.Sprintf("%s: the summary says “%s”, scored %d, stays with people: %s", occ.Code, m[1], score, sentence))
			}
		}
	}
}

// TestOfflinePagesOnTheCatalog reads the offline pages of all 923
// occupations as a reader would and counts what would be wrong: task
// phrases cut on a function word, "Task N scores" fallbacks, rationale
// frames read more than twice on a page, rationales that name no
// technology or human blocker of the lexicon, non-physical tasks said to
// need hands, summaries that say a task scoring 60 or more stays with
// people, and a 100 % headline.
func TestOfflinePagesOnTheCatalog(t *testing.T) {
	verdicts := catalogVerdicts(t)
	words := prompts.OfflineWords()
	lexicon := words.Lexicon()
	var c pageCheck
	for _, v := range verdicts {
		md, err := render.MarkdownPage(v.report)
		require.NoError(t, err)
		c.add(words, lexicon, v.occ, v.report, string(md))
	}
	t.Logf("%d pages, %d task phrases, %d rationales: phrases ending on a function word %d, \"Task N scores\" lines %d, "+
		"pages with a frame used more than twice %d (most uses of one frame on a page: %d), rationales from no frame %d, "+
		"rationales naming a lexicon technology or blocker %d (%.1f %%), non-physical tasks said to need hands %d, "+
		"summaries saying a task scoring 60+ stays with people %d, 100 %% headlines %d",
		c.pages, c.phrases, c.rationales, c.brokenPhrases, c.taskScores, c.framesOver2, c.maxFrameUse, c.unknownFrames,
		c.named, 100*float64(c.named)/float64(c.rationales), c.handsUnfit, c.staysHigh, c.headline100)
	require.Equal(t, 923, c.pages)
	require.Zero(t, c.brokenPhrases+c.taskScores+c.framesOver2+c.unknownFrames+c.handsUnfit+c.staysHigh+c.headline100,
		"%s", strings.Join(c.examples, "\n"))
	require.GreaterOrEqual(t, float64(c.named)/float64(c.rationales), 0.90, "at least 90 %% of rationales name a technology or a human blocker")
}

// TestOfflineHeadlineBias compares, over the labelled occupations of the
// catalog, the headline the offline panel publishes with the model's own
// calibrated headline (every juror at the model's score) and with the
// humans' headline (75 for each E1 or E2 task, 0 for E0, core-weighted).
// In sample: the model was trained on these labels; `make eval` prints
// the same comparison out of fold.
func TestOfflineHeadlineBias(t *testing.T) {
	verdicts := catalogVerdicts(t)
	f, err := os.Open(sharedLabels)
	if err != nil {
		t.Skip("../shared/data/gpts-are-gpts/labels_train.tsv absent: skipping the headline bias")
	}
	defer f.Close()
	labels, err := exposure.ReadLabels(f, sharedLabels)
	require.NoError(t, err)
	human := map[string]map[string]bool{} // code → task ID → exposed
	for _, ex := range labels {
		if human[ex.Code] == nil {
			human[ex.Code] = map[string]bool{}
		}
		human[ex.Code][ex.TaskID] = ex.Label != "E0"
	}
	model, err := exposure.Default()
	require.NoError(t, err)
	var n int
	var vsHumans, vsModel, modelVsHumans float64
	for _, v := range verdicts {
		h, ok := human[v.occ.Code]
		if !ok {
			continue
		}
		var hs, ms, w float64
		complete := true
		for _, task := range v.occ.Tasks {
			exposed, ok := h[task.ID]
			if !ok {
				complete = false
				break
			}
			weight := float64(task.Type.Weight())
			if exposed {
				hs += weight * 100 * exposure.ExposedTimeShare
			}
			ms += weight * float64(model.Predict(v.occ.Code, v.occ.Title, string(task.Type), task.Text).Score())
			w += weight
		}
		if !complete {
			continue
		}
		n++
		hh, mh := math.Round(hs/w), math.Round(ms/w)
		vsHumans += float64(v.report.Headline) - hh
		vsModel += float64(v.report.Headline) - mh
		modelVsHumans += mh - hh
	}
	require.Greater(t, n, 700, "most labelled occupations are in the catalog")
	vsHumans, vsModel, modelVsHumans = vsHumans/float64(n), vsModel/float64(n), modelVsHumans/float64(n)
	t.Logf("over %d labelled occupations, in sample: panel headline − humans' %+.2f points, panel − model's own %+.2f, model − humans' %+.2f",
		n, vsHumans, vsModel, modelVsHumans)
	require.InDelta(t, 0, vsModel, 0.5, "the personas' leans are neutral under the median: the panel publishes the model's headline")
	require.InDelta(t, 0, vsHumans, 2, "the panel's headline is unbiased against the humans'")
}

// TestOfflineLegendIsTrue: the offline page's legend says how its numbers
// are computed, and they are: each task's score is the model's expected
// share of the task's time saved (75 % for an exposed task times the
// probability that it is exposed, capped at 95 %), the panel's median
// lands on it, and the headline is their core-weighted mean. The page
// says a classifier and sentence templates wrote it, not AI jurors.
func TestOfflineLegendIsTrue(t *testing.T) {
	occ := fixtureOccupation(t)
	r, _, err := offlinePanel(t, prompts.Default()).Deliberate(context.Background(), occ)
	require.NoError(t, err)
	model, err := exposure.Default()
	require.NoError(t, err)
	for _, task := range r.Tasks {
		tt, _ := occ.Task(task.ID)
		p := model.Predict(occ.Code, occ.Title, string(tt.Type), tt.Text)
		want := min(exposure.MaxScore, int(math.Round(100*exposure.ExposedTimeShare*(p[1]+p[2]))))
		require.InDelta(t, want, task.Score, 1, "task %s: the published score is the model's expected share of time saved", task.ID)
	}
	var votes []jury.Vote
	for _, task := range r.Tasks {
		votes = append(votes, jury.Vote{ID: task.ID, Score: task.Score})
	}
	require.Equal(t, int(math.Round(jury.WeightedMean(occ, votes))), r.Headline, "the headline is the core-weighted mean of the task scores")

	md, err := render.MarkdownPage(r)
	require.NoError(t, err)
	html, err := render.HTMLPage(r)
	require.NoError(t, err)
	nb := func(n int) string { return fmt.Sprintf("%d\u00a0%%", n) }
	for name, page := range map[string]string{"report.md": string(md), "report.html": string(html)} {
		text := strings.NewReplacer("’", "'", "“", `"`, "”", `"`).Replace(page)
		require.Contains(t, text, "share of the task's time AI could save", name)
		require.Contains(t, text, nb(int(100*exposure.ExposedTimeShare))+", the middle of \"half or more\", times the classifier's probability that AI halves the task's time, at most "+nb(exposure.MaxScore), name)
		require.Contains(t, text, "AI could save "+nb(r.Headline)+" of task time", name)
		require.Contains(t, text, "no AI model was asked. A trained classifier scored each task", name)
		require.Contains(t, text, "sentence templates wrote the summary, the quotes and the rationales", name)
		require.NotContains(t, text, "automatable", name)
		require.NotContains(t, text, "take over at equal quality", name)
		require.NotContains(t, text, "The AI Jury", name)
	}
}
