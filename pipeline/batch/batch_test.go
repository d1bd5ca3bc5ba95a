package batch_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/prompts"
)

// batchOn returns a batch into out on srv through the whole model stack:
// store (cache) → meter → retry → limit → client.
func batchOn(t *testing.T, srv *openaitest.Server, out string) (*batch.Runner, *llm.Meter) {
	t.Helper()
	var model llm.Model = llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	model = llm.Limit(model, llm.NewLimiter(llm.Limits{}))
	model = llm.Retry(model, llm.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }, Timeout: 5 * time.Second})
	return runnerOn(model, out, 4)
}

// runnerOn puts the meter and the cache (out/.cache) around model and
// returns a batch of concurrency occupations into out, every seat on it.
func runnerOn(model llm.Model, out string, concurrency int) (*batch.Runner, *llm.Meter) {
	meter := llm.NewMeter(llm.DefaultPrices(), 0)
	model = llm.Metered(model, meter)
	model = llm.NewStore(model, filepath.Join(out, ".cache"), llm.ReplayOrRecord, "openai")
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: "gpt-4o-mini"})
	p.Seed, p.Version = 1, "test"
	return &batch.Runner{Panel: p, Out: out, Concurrency: concurrency}, meter
}

func TestBatchRunsEveryOccupationAndRerunsForFree(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	occs := openaitest.Occupations(6)
	b, meter := batchOn(t, srv, out)
	res, err := b.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 6, res.Done)
	require.Equal(t, 54, srv.Count(), "nine calls a verdict")
	spent, _ := meter.Spent()
	require.Equal(t, 54, spent.Calls)

	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	require.Len(t, m.Occupations, 6)
	for i, e := range m.Occupations {
		require.Equal(t, occs[i].Code, e.Code, "sorted by code")
		require.Equal(t, outdir.StatusDone, e.Status)
		require.NotNil(t, e.Headline)
		require.Equal(t, 9, e.Usage.Calls)
		require.FileExists(t, filepath.Join(out, e.Code, "report.json"))
		require.FileExists(t, filepath.Join(out, e.Code, "report.md"))
	}
	index, err := os.ReadFile(filepath.Join(out, "index.md"))
	require.NoError(t, err)
	require.Contains(t, string(index), "6 occupations: 6 done")
	require.Contains(t, string(index), "(15-1000.00/report.md)")
	before := snapshot(t, out)

	// The same batch again: nothing to do, no call.
	b2, meter2 := batchOn(t, srv, out)
	res, err = b2.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 6, res.Skipped)
	require.Equal(t, 54, srv.Count())
	spent, _ = meter2.Spent()
	require.Zero(t, spent.Calls)

	// Reports deleted but cache kept: every answer comes from the cache,
	// and the files come back byte for byte.
	for _, o := range occs {
		require.NoError(t, os.RemoveAll(filepath.Join(out, o.Code)))
	}
	b3, meter3 := batchOn(t, srv, out)
	_, err = b3.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 54, srv.Count())
	spent, _ = meter3.Spent()
	require.Zero(t, spent.Calls)
	require.Equal(t, before, snapshot(t, out))
}

// TestBatchResumeKeepsOnlyCurrentVerdicts finishes a batch on the offline
// juror, then runs it again: with a key and a model (or another seed or
// temperature) every verdict is deliberated again; unchanged, none is.
func TestBatchResumeKeepsOnlyCurrentVerdicts(t *testing.T) {
	occs := openaitest.Occupations(3)
	offlineBatch := func(t *testing.T, out string) *batch.Runner {
		t.Helper()
		off, err := offline.New()
		require.NoError(t, err)
		p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: off, ModelName: llm.OfflineModelName, Temperature: 0.2})
		p.Seed, p.Version, p.Weights = 1, "test", off.Weights()
		return &batch.Runner{Panel: p, Out: out, Concurrency: 2}
	}
	tests := []struct {
		name      string
		change    func(t *testing.T, srv *openaitest.Server, out string) *batch.Runner
		wantCalls int
	}{
		{"unchanged", func(t *testing.T, _ *openaitest.Server, out string) *batch.Runner { return offlineBatch(t, out) }, 0},
		{"with a key and a model", func(t *testing.T, srv *openaitest.Server, out string) *batch.Runner {
			b, _ := batchOn(t, srv, out)
			return b
		}, 27},
		{"another seed", func(t *testing.T, _ *openaitest.Server, out string) *batch.Runner {
			b := offlineBatch(t, out)
			b.Panel.Seed = 2
			return b
		}, 27},
		{"another temperature", func(t *testing.T, _ *openaitest.Server, out string) *batch.Runner {
			b := offlineBatch(t, out)
			for i := range b.Panel.Seats {
				b.Panel.Seats[i].Temperature = 0.7
			}
			return b
		}, 27},
		{"other offline weights", func(t *testing.T, _ *openaitest.Server, out string) *batch.Runner {
			b := offlineBatch(t, out)
			b.Panel.Weights = "sha256:other"
			return b
		}, 27},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			first := offlineBatch(t, out)
			res, err := first.Run(context.Background(), occs)
			require.NoError(t, err)
			require.Equal(t, 3, res.Done)

			srv := openaitest.New(t)
			again := tt.change(t, srv, out)
			counted := &countingModel{}
			for i := range again.Panel.Seats {
				counted.wrap(&again.Panel.Seats[i])
			}
			counted.wrap(&again.Panel.Foreperson)
			res, err = again.Run(context.Background(), occs)
			require.NoError(t, err)
			require.Equal(t, int64(tt.wantCalls), counted.n.Load(), "model calls")
			if tt.wantCalls == 0 {
				require.Equal(t, 3, res.Skipped)
				return
			}
			require.Equal(t, 3, res.Ran, "every verdict deliberated again")
			require.Zero(t, res.Skipped)
			for _, o := range occs {
				r, err := outdir.ReadReport(filepath.Join(out, o.Code, "report.json"))
				require.NoError(t, err)
				require.True(t, again.Panel.Current(o, &r), "the new verdict is the current one")
			}
		})
	}
}

// countingModel counts the calls made through the seats it wraps.
type countingModel struct{ n atomic.Int64 }

func (c *countingModel) wrap(s *deliberation.Seat) {
	inner := s.Model
	s.Model = llm.ModelFunc(func(ctx context.Context, req llm.Request) (llm.Response, error) {
		c.n.Add(1)
		return inner.Complete(ctx, req)
	})
}

func TestBatchIsolatesAFailedOccupation(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	occs := openaitest.Occupations(4)
	bad := occs[2].Code
	for _, juror := range []string{"The Diplomat", "The Optimist"} {
		// Refused on both attempts: three answers each.
		srv.Script(openaitest.And(openaitest.Occupation(bad), openaitest.Juror(juror)), openaitest.Repeat(openaitest.Refusal, 6)...)
	}
	b, _ := batchOn(t, srv, out)
	res, err := b.Run(context.Background(), occs)
	require.ErrorIs(t, err, batch.ErrFailed)
	require.Contains(t, err.Error(), bad)
	require.Contains(t, err.Error(), "--retry-failed")
	require.Equal(t, 3, res.Done)
	require.Equal(t, 1, res.Failed)
	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	require.Equal(t, outdir.StatusFailed, m.Entry(bad).Status)
	require.Contains(t, m.Entry(bad).Error, "no quorum")
	require.NoDirExists(t, filepath.Join(out, bad))

	// --retry-failed runs only the failed one; the server now answers well.
	calls := srv.Count()
	b2, _ := batchOn(t, srv, out)
	b2.RetryFailed = true
	res, err = b2.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 1, res.Ran)
	m, err = outdir.ReadManifest(out)
	require.NoError(t, err)
	require.Equal(t, outdir.StatusDone, m.Entry(bad).Status)
	// Only the two jurors whose answers were refused are asked again, then
	// the four statements on the verdict that now exists, and the
	// foreperson; the other ballots come from the cache.
	require.Equal(t, calls+2+4+1, srv.Count())
}

func TestBatchStopsOnQuotaAndKeepsFinishedWork(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	occs := openaitest.Occupations(10)
	srv.Every(func(n int) openaitest.Fault {
		if n > 20 {
			return openaitest.Quota
		}
		return openaitest.OK
	})
	b, _ := batchOn(t, srv, out)
	b.Concurrency = 1
	res, err := b.Run(context.Background(), occs)
	require.ErrorIs(t, err, batch.ErrStopped)
	require.Equal(t, llm.Quota, llm.KindOf(err))
	require.Contains(t, err.Error(), "insufficient_quota")
	require.Equal(t, 2, res.Done, "two occupations (18 calls) finished before the quota ran out")
	require.Equal(t, 1, res.Failed)
	require.Equal(t, 7, res.NotStarted)
	require.LessOrEqual(t, srv.Count(), 22, "no new work after the quota error")
	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	counts := map[string]int{}
	for _, e := range m.Occupations {
		counts[e.Status]++
	}
	require.Equal(t, map[string]int{"done": 2, "failed": 1, "pending": 7}, counts)
	for _, e := range m.Occupations[:2] {
		require.FileExists(t, filepath.Join(out, e.Code, "report.json"))
	}
}

func TestBatchStopChannelStopsNewWork(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	stop := make(chan struct{})
	b, _ := batchOn(t, srv, out)
	b.Concurrency = 1
	b.Stop = stop
	b.Progress = func(p batch.Progress) {
		if p.Done == 1 {
			close(stop)
		}
	}
	res, err := b.Run(context.Background(), openaitest.Occupations(5))
	require.ErrorIs(t, err, batch.ErrStopped)
	require.Contains(t, err.Error(), "run the same command again to resume")
	require.Equal(t, 1, res.Done)
	require.Equal(t, 4, res.NotStarted)
	require.Equal(t, 9, srv.Count())
}

// snapshot reads every file under dir except the cache into a map.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			if rel == ".cache" {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.False(t, strings.Contains(rel, ".tmp-"), "no temp file left: %s", rel)
		files[rel] = string(data)
		return nil
	}))
	return files
}

func TestBatchCompletesThroughAFifthTransportFaultsAndAFifthBadAnswers(t *testing.T) {
	srv := openaitest.New(t)
	faults := []openaitest.Fault{
		openaitest.Reset, openaitest.ServerError, openaitest.Unavailable, openaitest.MalformedBody,
		openaitest.MissingTask, openaitest.NotJSON, openaitest.Refusal, openaitest.Truncated,
	}
	// Each request's fault follows from the request and its attempt, not
	// from the order in which the 30 occupations' calls happen to arrive.
	// A re-ask is answered: the faults stay within the retry and re-ask
	// budgets whatever the prompts' bytes draw.
	srv.ByRequest(func(c openaitest.ChatRequest, attempt int) openaitest.Fault {
		if c.IsReask() {
			return openaitest.OK
		}
		if x := openaitest.Uniform("7", c.Key(), strconv.Itoa(attempt)); x < 0.4 {
			return faults[int(x/0.05)] // 20 % transport, 20 % bad answers
		}
		return openaitest.OK
	})
	out := t.TempDir()
	occs := openaitest.Occupations(30)
	b, meter := batchOn(t, srv, out)
	res, err := b.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 30, res.Done)
	spent, _ := meter.Spent()
	require.Equal(t, srv.Count(), spent.Calls, "every request counted")
	require.Greater(t, spent.Calls, 30*9)

	var transport, bad int
	for _, r := range srv.Requests() {
		switch r.Fault {
		case openaitest.OK:
		case openaitest.MissingTask, openaitest.NotJSON, openaitest.Refusal, openaitest.Truncated:
			bad++
		default:
			transport++
		}
	}
	t.Logf("%d requests: %d transport faults, %d bad answers", srv.Count(), transport, bad)
	require.Positive(t, transport)
	require.Positive(t, bad)
	files := snapshot(t, out) // fails on any temporary file left behind
	for _, o := range occs {
		require.Contains(t, files, filepath.Join(o.Code, "report.json"))
	}
}

func TestBatchMarksAnInvalidOccupationFailedAndGoesOn(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	occs := openaitest.Occupations(3)
	occs[1].Tasks[0].Text = "Ring the bell\a."
	b, _ := batchOn(t, srv, out)
	res, err := b.Run(context.Background(), occs)
	require.ErrorIs(t, err, batch.ErrFailed)
	require.Equal(t, 2, res.Done)
	require.Equal(t, 1, res.Failed)
	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	e := m.Entry(occs[1].Code)
	require.Equal(t, outdir.StatusFailed, e.Status)
	require.Contains(t, e.Error, "text contains control characters")
	require.Equal(t, 18, srv.Count(), "the invalid occupation never reached the model")
}
