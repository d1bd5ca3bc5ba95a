package batch_test

import (
	"context"
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
