package pipeline_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/golden"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/prompts"
)

var (
	update = flag.Bool("update", false, "rewrite fixtures/golden from the cassettes")
	record = flag.Bool("record", false, "re-record fixtures/cassettes (with -update: then rewrite the goldens)")
)

const (
	fixturesDir  = "../fixtures"
	cassetteDir  = "../fixtures/cassettes"
	goldenDir    = "../fixtures/golden"
	fixtureModel = "gpt-4o-mini"
)

// fixturePanel is the panel `jury run` builds by default (model, seed,
// temperature), so that `jury run --replay fixtures/cassettes` finds the
// same cassettes.
func fixturePanel(model llm.Model) *deliberation.Panel {
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: fixtureModel, Temperature: 0.2})
	p.Seed, p.Version = 1, pipeline.Version
	return p
}

func fixtureOccupations(t *testing.T) []jury.Occupation {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixturesDir, "occupations", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 5)
	var occs []jury.Occupation
	for _, p := range paths {
		occ, err := onet.ReadOccupationFile(p)
		require.NoError(t, err)
		occs = append(occs, occ)
	}
	return occs
}

// TestFixtures replays every fixture occupation from its cassettes, with
// the model endpoint pointed at a closed port and a guard that fails on
// any call, and compares the reports with the goldens.
//
//	go test ./pipeline -run TestFixtures -update           # goldens from cassettes (make golden)
//	go test ./pipeline -run TestFixtures -record -update   # re-record, then goldens (make cassettes)
func TestFixtures(t *testing.T) {
	occs := fixtureOccupations(t)
	if *record {
		recordCassettes(t, occs)
	}
	var calls atomic.Int64
	closed := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "unused", BaseURL: "http://127.0.0.1:1/v1"})
	guard := llm.ModelFunc(func(ctx context.Context, req llm.Request) (llm.Response, error) {
		calls.Add(1)
		return closed.Complete(ctx, req)
	})
	replay := llm.NewStore(guard, cassetteDir, llm.ReplayOnly, "openai")
	replay.RecordHint = "make cassettes"
	for _, occ := range occs {
		t.Run(occ.Code, func(t *testing.T) {
			r, _, err := fixturePanel(replay).Deliberate(context.Background(), occ)
			require.NoError(t, err)
			require.Len(t, r.Tasks, len(occ.Tasks))
			dir, err := outdir.WriteReport(t.TempDir(), r)
			require.NoError(t, err)
			for _, name := range []string{"report.json", "report.md", "report.html"} {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if os.IsNotExist(err) {
					continue // a page this build does not write
				}
				require.NoError(t, err)
				golden.Assert(t, filepath.Join(goldenDir, occ.Code, name), got, *update, "make golden (go test ./pipeline -run TestFixtures -update)")
			}
		})
	}
	require.Zero(t, calls.Load(), "replaying fixtures must make no model call")
}

// recordCassettes answers every fixture through an in-process OpenAI
// endpoint backed by the offline juror, keeping each exchange.
func recordCassettes(t *testing.T, occs []jury.Occupation) {
	off, err := offline.New()
	require.NoError(t, err)
	srv := openaitest.New(t, openaitest.WithAnswerer(openaitest.ModelAnswer(off)))
	require.NoError(t, os.RemoveAll(cassetteDir))
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-record", BaseURL: srv.URL()})
	rec := llm.NewStore(client, cassetteDir, llm.RecordAlways, "openai", "sk-record")
	for _, occ := range occs {
		_, _, err := fixturePanel(rec).Deliberate(context.Background(), occ)
		require.NoError(t, err, occ.Code)
	}
	t.Logf("recorded %d exchanges into %s", srv.Count(), cassetteDir)
}
