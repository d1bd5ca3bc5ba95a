package offline_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
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

	quotes := map[string]bool{}
	for id, ballot := range b {
		require.NotContains(t, quotes, ballot.Quote, "%s repeats another juror's quote", id)
		quotes[ballot.Quote] = true
	}
}

func TestOfflineIsDeterministicForASeed(t *testing.T) {
	off, err := offline.New()
	require.NoError(t, err)
	occ := fixtureOccupation(t)
	require.Equal(t, offlineBallots(t, off, occ, 1), offlineBallots(t, off, occ, 1))
	require.NotEqual(t, offlineBallots(t, off, occ, 1), offlineBallots(t, off, occ, 2), "another seed, other answers")
}

// TestOfflineNeverRejectedOnTheCatalog asks every persona about every
// occupation of the shared catalog, and the foreperson about each verdict:
// no answer may fail validation.
func TestOfflineNeverRejectedOnTheCatalog(t *testing.T) {
	if _, err := os.Stat(sharedTasks); err != nil {
		t.Skip("../shared/data/gpts-are-gpts absent: skipping the catalog-wide offline check")
	}
	cat, err := onet.ReadCatalog(sharedTasks, "")
	require.NoError(t, err)
	off, err := offline.New()
	require.NoError(t, err)
	set := prompts.Default()
	for _, code := range cat.Codes() {
		occ, err := cat.Occupation(code)
		require.NoError(t, err)
		ballots := offlineBallots(t, off, occ, 1)
		var jurors []jury.Juror
		for _, p := range set.Personas() {
			jurors = append(jurors, jury.Juror{Persona: p.ID, Name: p.Name, Ballot: ballots[p.ID]})
		}
		r, err := jury.Decide(occ, jurors, jury.Rule{})
		require.NoError(t, err)
		msgs, schema := set.Foreperson(occ, r)
		seed := 1
		req := llm.Request{Schema: &llm.Schema{Name: schema.Name, JSON: schema.JSON}, Seed: &seed}
		for _, m := range msgs {
			req.Messages = append(req.Messages, llm.Message{Role: m.Role, Content: m.Content})
		}
		resp, err := off.Complete(context.Background(), req)
		require.NoError(t, err)
		_, problems := jury.ParseNote(resp.Content, occ)
		require.Empty(t, problems, "%s: the offline foreperson's note must pass validation", code)
	}
}

func TestOfflineRefusesRequestsItCannotRead(t *testing.T) {
	off, err := offline.New()
	require.NoError(t, err)
	_, err = off.Complete(context.Background(), llm.Request{Messages: []llm.Message{{Role: "user", Content: "hello"}}})
	require.Error(t, err)
	require.Equal(t, llm.BadRequest, llm.KindOf(err))
}
