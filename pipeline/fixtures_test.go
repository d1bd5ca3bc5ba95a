package pipeline_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	fixturesDir = "../fixtures"
	cassetteDir = "../fixtures/cassettes"
	goldenDir   = "../fixtures/golden"
	// fixtureModel is the model the cassettes ask for. They are recorded
	// through an in-process OpenAI endpoint that the offline juror answers,
	// so they ask for the offline juror by name: the reports replayed from
	// them say jury-offline, and their pages say a classifier and sentence
	// templates wrote them, not gpt-4o-mini.
	fixtureModel = llm.OfflineModelName
)

// fixtureDate is the day every cassette is recorded on, so that `make
// cassettes` run again writes the same bytes: a verdict is dated by its
// ballots' answers.
const fixtureDate = "2026-01-15"

func fixtureClock() time.Time {
	t, _ := time.Parse(time.DateOnly, fixtureDate)
	return t.Add(12 * time.Hour)
}

// fixturePanel is the panel `jury run --model jury-offline` builds on the
// OpenAI provider (seed, temperature), so that `jury run --model
// jury-offline --replay fixtures/cassettes` finds the same cassettes.
func fixturePanel(model llm.Model) *deliberation.Panel {
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: fixtureModel, Provider: "openai", Temperature: 0.2})
	p.Seed, p.Version = 1, pipeline.Version
	p.Now = fixtureClock
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
		recordCassettes(t, occs, cassetteDir)
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
				if name == "report.html" {
					got = withoutStylesheet(t, got)
				}
				golden.Assert(t, filepath.Join(goldenDir, occ.Code, name), got, *update, "make golden (go test ./pipeline -run TestFixtures -update)")
			}
		})
	}
	require.Zero(t, calls.Load(), "replaying fixtures must make no model call")
}

// stylesheetElided stands in the fixture goldens for the inline style
// sheet: one CSS edit would otherwise rewrite every HTML golden. The one
// golden with the style sheet is pipeline/render/testdata/report.html.golden.
const stylesheetElided = "<style>/* site.css: see pipeline/render/testdata/report.html.golden */</style>"

// withoutStylesheet replaces a page's one inline <style> element with
// stylesheetElided, so that the fixture goldens assert the page's
// structure and words, not its CSS.
func withoutStylesheet(t *testing.T, page []byte) []byte {
	t.Helper()
	s := string(page)
	start := strings.Index(s, "<style>")
	end := strings.Index(s, "</style>")
	require.True(t, start >= 0 && end > start && strings.Count(s, "<style>") == 1, "report.html has one inline <style>")
	return []byte(s[:start] + stylesheetElided + s[end+len("</style>"):])
}

// recorder marks the cassettes recordCassettes makes.
const recorder = "make cassettes (the offline juror behind an in-process OpenAI endpoint)"

// recordCassettes answers every fixture through an in-process OpenAI
// endpoint backed by the offline juror, keeping each exchange. Of the
// cassettes already there it removes only stale ones it made itself: a
// recording of a real model (jury run --record) is never deleted.
func recordCassettes(t *testing.T, occs []jury.Occupation, dir string) {
	off, err := offline.New()
	require.NoError(t, err)
	// No prompt cache: which of four concurrent jurors finds the shared
	// prefix cached depends on their arrival order, and `make cassettes`
	// run twice must write the same bytes.
	srv := openaitest.New(t, openaitest.WithAnswerer(openaitest.ModelAnswer(off)), openaitest.WithoutPromptCache())
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-record", BaseURL: srv.URL()})
	rec := llm.NewStore(client, dir, llm.RecordAlways, "openai", "sk-record")
	rec.Recorder, rec.Now = recorder, fixtureClock
	var mu sync.Mutex
	made := map[string]bool{}
	keep := llm.ModelFunc(func(ctx context.Context, req llm.Request) (llm.Response, error) {
		mu.Lock()
		made[filepath.Base(rec.Path(req))] = true
		mu.Unlock()
		return rec.Complete(ctx, req)
	})
	for _, occ := range occs {
		_, _, err := fixturePanel(keep).Deliberate(context.Background(), occ)
		require.NoError(t, err, occ.Code)
	}
	stale, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	removed := 0
	for _, path := range stale {
		if !made[filepath.Base(path)] && llm.RecordedBy(path) == recorder {
			require.NoError(t, os.Remove(path))
			removed++
		}
	}
	t.Logf("recorded %d exchanges into %s; removed %d stale cassettes of its own", srv.Count(), dir, removed)
}

// make cassettes re-records its own cassettes and removes its own stale
// ones, but never a recording it did not make.
func TestRecordCassettesKeepsRecordingsItDidNotMake(t *testing.T) {
	dir := t.TempDir()
	occs := fixtureOccupations(t)[:1]
	foreign := filepath.Join(dir, "0123456789abcdef0123456789abcdef.json")
	ownStale := filepath.Join(dir, "fedcba9876543210fedcba9876543210.json")
	require.NoError(t, os.WriteFile(foreign, []byte(`{"key": "0123456789abcdef0123456789abcdef", "call": "a real model"}`), 0o644))
	require.NoError(t, os.WriteFile(ownStale, []byte(`{"key": "fedcba9876543210fedcba9876543210", "recorded_by": "`+recorder+`"}`), 0o644))

	recordCassettes(t, occs, dir)
	require.FileExists(t, foreign, "a recording someone else made is kept")
	require.NoFileExists(t, ownStale, "a stale cassette of its own is removed")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Greater(t, len(files), 1)
	for _, f := range files {
		if f != foreign {
			require.Equal(t, recorder, llm.RecordedBy(f), f)
		}
	}
}
