package offline_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/prompts"
)

const sharedTasks = "../../../shared/data/gpts-are-gpts/onet_tasks.tsv"

// offlineBallots asks every built-in persona for its ballot on occ.
func offlineBallots(t *testing.T, off *offline.Juror, occ jury.Occupation, seed int) map[string]jury.Ballot {
	t.Helper()
	set := prompts.Default()
	out := map[string]jury.Ballot{}
	for _, p := range set.Personas() {
		msgs, schema := set.Ballot(occ, p)
		req := llm.Request{Model: llm.OfflineModelName, Schema: &llm.Schema{Name: schema.Name, JSON: schema.JSON}, Seed: &seed}
		for _, m := range msgs {
			req.Messages = append(req.Messages, llm.Message{Role: m.Role, Content: m.Content})
		}
		resp, err := off.Complete(context.Background(), req)
		require.NoError(t, err)
		b, problems := jury.ParseBallot(resp.Content, occ)
		require.Empty(t, problems, "%s %s: the offline juror's ballot must pass validation", occ.Code, p.ID)
		out[p.ID] = b
	}
	return out
}

func fixtureOccupation(t *testing.T) jury.Occupation {
	t.Helper()
	occ, err := onet.ReadOccupationFile("../../fixtures/occupations/29-2072.00.json")
	require.NoError(t, err)
	return occ
}

func TestOfflinePersonasLeanAsDocumented(t *testing.T) {
	off, err := offline.New()
	require.NoError(t, err)
	occ := fixtureOccupation(t)
	b := offlineBallots(t, off, occ, 1)
	mean := func(id string) float64 { return jury.WeightedMean(occ, b[id].Tasks) }
	extremity := func(id string) float64 {
		var s float64
		for _, v := range b[id].Tasks {
			s += math.Abs(float64(v.Score) - 50)
		}
		return s / float64(len(b[id].Tasks))
	}
	require.Greater(t, mean("optimist"), mean("diplomat"), "the Optimist leans up")
	require.Less(t, extremity("contrarian"), extremity("diplomat"), "the Contrarian pulls against the majority, toward the middle")
	require.Greater(t, extremity("chaos-agent"), extremity("diplomat"), "the Chaos Agent pushes to the extremes")
	for id, ballot := range b {
		for _, v := range ballot.Tasks {
			require.NotEmpty(t, v.Reason, "%s task %s: a reason", id, v.ID)
		}
	}
}

func TestOfflineIsDeterministicForASeed(t *testing.T) {
	off, err := offline.New()
	require.NoError(t, err)
	occ := fixtureOccupation(t)
	require.Equal(t, offlineBallots(t, off, occ, 1), offlineBallots(t, off, occ, 1))
	require.NotEqual(t, offlineBallots(t, off, occ, 1), offlineBallots(t, off, occ, 2), "another seed, other answers")
}

// offlinePanel seats every persona of set on the offline juror.
func offlinePanel(t *testing.T, set *prompts.Set) *deliberation.Panel {
	t.Helper()
	off, err := offline.New()
	require.NoError(t, err)
	p := deliberation.NewPanel(set, deliberation.Seat{Model: off, ModelName: llm.OfflineModelName})
	p.Seed = 1
	return p
}

// quoted returns the ‘…’ phrases of a quote, each with the text before it.
var quotedRE = regexp.MustCompile(`‘([^’]*)’`)

// voiceCheck counts what the catalog-wide check finds wrong with the
// jurors' round-2 statements of one report.
type voiceCheck struct {
	reports, quotes, percentages                           int
	foreignPercent, falseLowest, chaosBarelyHigh, badReact int
	withoutQuote, lowestClaims, chaosClaims                int
	reactions                                              map[jury.Reaction]int
	examples                                               []string
}

func (c *voiceCheck) add(occ jury.Occupation, r *jury.Report) {
	c.reports++
	note := func(s string) {
		if len(c.examples) < 10 {
			c.examples = append(c.examples, occ.Code+": "+s)
		}
	}
	var scores []int
	for _, j := range r.Jurors {
		if j.Valid {
			scores = append(scores, j.Score)
		}
	}
	for _, j := range r.Jurors {
		if !j.Valid {
			continue
		}
		if j.Quote == "" {
			c.withoutQuote++
			note(j.Persona + " has no quote: " + strings.Join(j.StatementProblems, "; "))
			continue
		}
		c.quotes++
		for _, n := range jury.Percentages(j.Quote) {
			c.percentages++
			if n != r.Headline && n != j.Score {
				c.foreignPercent++
				note(fmt.Sprintf("%s names %d %% (headline %d, own %d): %s", j.Persona, n, r.Headline, j.Score, j.Quote))
			}
		}
		if !j.Reaction.Allows(j.Score, r.Headline) {
			c.badReact++
			note(fmt.Sprintf("%s reacts %s with %d against %d", j.Persona, j.Reaction, j.Score, r.Headline))
		}
		if c.reactions == nil {
			c.reactions = map[jury.Reaction]int{}
		}
		c.reactions[j.Reaction]++
		if j.Persona == "chaos-agent" && (strings.Contains(j.Quote, "barely") || strings.Contains(j.Quote, "little")) {
			c.chaosClaims++
		}
		if j.Persona == "contrarian" && strings.Contains(j.Quote, "lower than the others") {
			c.lowestClaims++
			atOrBelow := 0 // itself included
			for _, s := range scores {
				if s <= j.Score {
					atOrBelow++
				}
			}
			if atOrBelow > 1 {
				c.falseLowest++
				note(fmt.Sprintf("contrarian at %d claims to be lower than the others of %v: %s", j.Score, scores, j.Quote))
			}
		}
		if j.Persona == "chaos-agent" {
			c.chaosBarelyHigh += chaosClaims(occ, r, j, note)
		}
	}
}

// chaosClaims counts the Chaos Agent's "barely"/"little" claims about a
// task it scored 60 or more: the first ‘phrase’ after either word names
// the task, matched by the phrase the offline words make of it.
func chaosClaims(occ jury.Occupation, r *jury.Report, j jury.JurorResult, note func(string)) int {
	texts := make([]string, len(occ.Tasks))
	for i, t := range occ.Tasks {
		texts[i] = t.Text
	}
	phrase := map[string]string{} // task text → its phrase on this page
	for i, p := range prompts.Phrases(texts) {
		phrase[texts[i]] = p
	}
	own := map[string]int{}
	for _, t := range r.Tasks {
		for _, v := range t.Votes {
			if v.Persona == j.Persona {
				own[phrase[t.Text]] = max(own[phrase[t.Text]], v.Score)
			}
		}
	}
	bad := 0
	lower := strings.ToLower(j.Quote)
	for _, word := range []string{"barely", "little"} {
		for i := strings.Index(lower, word); i >= 0; {
			if m := quotedRE.FindStringSubmatch(j.Quote[i:]); m != nil {
				if score, ok := own[m[1]]; !ok || score >= 60 {
					bad++
					note(fmt.Sprintf("chaos-agent says %s about ‘%s’ scored %d: %s", word, m[1], score, j.Quote))
				}
			}
			next := strings.Index(lower[i+1:], word)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return bad
}

// verdict is one occupation of the shared catalog deliberated offline.
type verdict struct {
	occ    jury.Occupation
	report *jury.Report
}

var catalog struct {
	once     sync.Once
	verdicts []verdict
	err      error
}

// catalogVerdicts deliberates every occupation of the shared catalog
// offline, both rounds and the foreperson, once for all the tests that
// read them; it skips the test when ../shared is absent and fails it if
// any verdict fails validation or needs a re-ask.
func catalogVerdicts(t *testing.T) []verdict {
	t.Helper()
	if _, err := os.Stat(sharedTasks); err != nil {
		t.Skip("../shared/data/gpts-are-gpts absent: skipping the catalog-wide offline check")
	}
	catalog.once.Do(func() {
		cat, err := onet.ReadCatalog(sharedTasks, "")
		if err != nil {
			catalog.err = err
			return
		}
		panel := offlinePanel(t, prompts.Default())
		for _, code := range cat.Codes() {
			occ, err := cat.Occupation(code)
			if err != nil {
				catalog.err = err
				return
			}
			r, usage, err := panel.Deliberate(context.Background(), occ)
			if err != nil {
				catalog.err = fmt.Errorf("%s: the offline verdict must pass validation: %w", code, err)
				return
			}
			if usage.Reasks != 0 {
				catalog.err = fmt.Errorf("%s: %d offline answers were re-asked; none may be", code, usage.Reasks)
				return
			}
			catalog.verdicts = append(catalog.verdicts, verdict{occ, r})
		}
	})
	require.NoError(t, catalog.err)
	return catalog.verdicts
}

// TestOfflineVoicesOnTheCatalog deliberates every occupation of the shared
// catalog offline, both rounds and the foreperson, and checks what the
// jurors say against what they voted: no answer may fail validation, no
// quote may name a percentage but the headline or its juror's own score,
// no Contrarian may claim to be lower than the others when it is not, no
// Chaos Agent may call a task it scored 60 or more barely touched, and no
// reaction may contradict its juror's own score.
func TestOfflineVoicesOnTheCatalog(t *testing.T) {
	var c voiceCheck
	for _, v := range catalogVerdicts(t) {
		c.add(v.occ, v.report)
	}
	t.Logf("%d occupations, %d quotes, %d percentages in them; foreign percentages %d, false 'lower than the others' %d, "+
		"Chaos 'barely'/'little' about a task scored 60+ %d, reactions against own score %d, jurors without a quote %d",
		c.reports, c.quotes, c.percentages, c.foreignPercent, c.falseLowest, c.chaosBarelyHigh, c.badReact, c.withoutQuote)
	t.Logf("claims checked: %d Contrarian 'lower than the others', %d Chaos 'barely'/'little'; reactions %v",
		c.lowestClaims, c.chaosClaims, c.reactions)
	require.Equal(t, 923, c.reports)
	require.Zero(t, c.foreignPercent+c.falseLowest+c.chaosBarelyHigh+c.badReact+c.withoutQuote, "%s", strings.Join(c.examples, "\n"))
}

// TestCustomPersonaHasItsOwnVoice: a juror defined only in jury.yaml is
// not given the Diplomat's lines offline.
func TestCustomPersonaHasItsOwnVoice(t *testing.T) {
	personas := append(prompts.BuiltinPersonas(), prompts.Persona{ID: "skeptic", Name: "The Skeptic",
		Voice: "Doubting.", Stance: "Doubt everything."})
	set, err := prompts.New(personas)
	require.NoError(t, err)
	occ := fixtureOccupation(t)
	r, _, err := offlinePanel(t, set).Deliberate(context.Background(), occ)
	require.NoError(t, err)
	var diplomat, skeptic jury.JurorResult
	for _, j := range r.Jurors {
		switch j.Persona {
		case "diplomat":
			diplomat = j
		case "skeptic":
			skeptic = j
		}
	}
	require.NotEmpty(t, skeptic.Quote)
	require.NotEqual(t, diplomat.Quote, skeptic.Quote)
	words := prompts.OfflineWords()
	for _, reaction := range jury.Reactions {
		every := prompts.QuoteShapes // every line of the Diplomat's, whatever its shape
		for n := range uint64(words.Quotes("diplomat", string(reaction), every)) {
			tmpl := words.Quote("diplomat", string(reaction), every, n, map[string]any{"Title": occ.Title, "Name": "x", "Headline": r.Headline,
				"Score": skeptic.Score, "Top": "", "TopScore": 0, "Bottom": "", "BottomScore": 0, "Lowest": false, "Highest": false, "Tasks": 0})
			prefix, _, _ := strings.Cut(tmpl, "‘")
			require.False(t, prefix != "" && strings.HasPrefix(skeptic.Quote, prefix), "the Skeptic speaks with the Diplomat's line %q: %s", tmpl, skeptic.Quote)
		}
	}
}

func TestOfflineRefusesRequestsItCannotRead(t *testing.T) {
	off, err := offline.New()
	require.NoError(t, err)
	_, err = off.Complete(context.Background(), llm.Request{Messages: []llm.Message{{Role: "user", Content: "hello"}}})
	require.Error(t, err)
	require.Equal(t, llm.BadRequest, llm.KindOf(err))
}
