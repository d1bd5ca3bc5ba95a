package batch_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
)

func TestLastRunSaysWhatTheRunSpentAndHowItEnded(t *testing.T) {
	started := time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	usage := llm.Usage{Calls: 1, PromptTokens: 1000, CachedTokens: 200, CompletionTokens: 100}
	cases := []struct {
		name     string
		calls    int
		res      batch.Result
		want     outdir.LastRun
		wantCost float64
	}{
		{
			name:  "a clean run",
			calls: 2,
			res:   batch.Result{Ran: 2, Done: 2, Skipped: 1},
			want: outdir.LastRun{Started: "2025-03-01T11:00:00Z", Seconds: 90, RPM: 500, TPM: 200000, Occupations: 3, Ran: 2, Done: 2, AlreadyDone: 1,
				Calls: 2, PromptTokens: 2000, CachedTokens: 400, CompletionTokens: 200},
			wantCost: 2 * (800*1 + 200*0.5 + 100*2) / 1e6,
		},
		{
			name: "a run stopped with a short panel and edits to review",
			res: batch.Result{Ran: 1, Failed: 1, NotStarted: 2, NeedsReview: []string{"15-1000.00"},
				ShortPanel: []string{"15-1001.00"}, AskedAgain: 1},
			want: outdir.LastRun{Started: "2025-03-01T11:00:00Z", Seconds: 90, RPM: 500, TPM: 200000, Occupations: 3, Ran: 1, Failed: 1, NotStarted: 2,
				NeedsReview: []string{"15-1000.00"}, ShortPanel: []string{"15-1001.00"}, AskedAgain: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := &llm.Stack{Limiter: llm.NewLimiter(llm.Limits{RPM: 500, TPM: 200000}), Meter: llm.NewMeter(llm.Prices{"m": {Input: 1, Cached: 0.5, Output: 2}}, 0)}
			model := llm.Metered(llm.ModelFunc(func(context.Context, llm.Request) (llm.Response, error) {
				return llm.Response{Usage: usage}, nil
			}), st.Meter)
			for range tc.calls {
				_, err := model.Complete(context.Background(), llm.Request{Model: "m"})
				require.NoError(t, err)
			}
			got := tc.res.LastRun(st, 3, started, started.Add(90*time.Second))
			require.InDelta(t, tc.wantCost, got.CostUSD, 1e-12)
			got.CostUSD = 0
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFinishWritesTheLastRunTheLogSays(t *testing.T) {
	dir := t.TempDir()
	st := &llm.Stack{Limiter: llm.NewLimiter(llm.Limits{RPM: 500}), Meter: llm.NewMeter(llm.Prices{}, 0)}
	var logs bytes.Buffer
	res := batch.Result{Ran: 2, Done: 1, Failed: 1}
	lr, err := res.Finish(dir, st, 3, time.Now(), slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	require.Equal(t, 1, lr.Failed)
	data, err := os.ReadFile(filepath.Join(dir, "last-run.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), `"failed": 1`)
	require.Contains(t, logs.String(), `msg="batch finished" done=1 already_done=0 failed=1`)
	require.Contains(t, logs.String(), `limits="500 requests/min, no tokens limit"`, "the log says what limited the run")

	_, err = res.Finish(filepath.Join(dir, "last-run.json", "under-a-file"), st, 3, time.Now(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.Error(t, err, "a last-run.json that cannot be written is said")
}

func TestPaceSaysHowFastTheRunGoes(t *testing.T) {
	cases := []struct {
		name      string
		p         batch.Progress
		elapsed   time.Duration
		perSecond float64
		left      time.Duration
		ok        bool
	}{
		{name: "nothing ended yet", p: batch.Progress{Total: 10}, elapsed: time.Minute},
		{name: "only occupations already done", p: batch.Progress{Total: 10, Done: 4, Skipped: 4}, elapsed: time.Second},
		{name: "two a second", p: batch.Progress{Total: 10, Done: 3, Failed: 1}, elapsed: 2 * time.Second, perSecond: 2, left: 3 * time.Second, ok: true},
		{name: "already done ones do not count as speed", p: batch.Progress{Total: 10, Done: 6, Skipped: 4}, elapsed: 4 * time.Second,
			perSecond: 0.5, left: 8 * time.Second, ok: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			perSecond, left, ok := tc.p.Pace(tc.elapsed)
			require.Equal(t, tc.ok, ok)
			require.InDelta(t, tc.perSecond, perSecond, 1e-9)
			require.Equal(t, tc.left, left)
		})
	}
}
