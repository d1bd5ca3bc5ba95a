package batch_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/prompts"
)

// TestBatchGoesOnPastARequestRejectedForItsContent: Azure's content
// filter refuses one occupation's prompt, and an occupation too large
// for one request (998 tasks and 3 labels: 1,001 enum values) is refused
// before any call. Each fails alone, with its reason; the occupations
// after them still run, and usage counts what the server saw.
func TestBatchGoesOnPastARequestRejectedForItsContent(t *testing.T) {
	srv := openaitest.New(t)
	occs := openaitest.Occupations(3)
	big := jury.Occupation{Code: "15-0999.00", Title: "Synthetic Giant"}
	for i := range 998 {
		big.Tasks = append(big.Tasks, jury.Task{ID: fmt.Sprint(900000 + i), Text: fmt.Sprintf("Handle case %d.", i), Type: jury.Core})
	}
	occs = append([]jury.Occupation{big}, occs...)
	srv.Script(openaitest.Occupation(occs[2].Code), openaitest.Repeat(openaitest.Raw(400, nil, `{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.","type":null,"param":"prompt","code":"content_filter","status":400}}`), 20)...)
	out := t.TempDir()
	b, meter := batchOn(t, srv, out)
	b.Concurrency = 1
	res, err := b.Run(context.Background(), occs)
	require.ErrorIs(t, err, batch.ErrFailed)
	require.NotErrorIs(t, err, batch.ErrStopped)
	require.Equal(t, 2, res.Done)
	require.Equal(t, 2, res.Failed)
	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	byCode := map[string]outdir.ManifestEntry{}
	for _, e := range m.Occupations {
		byCode[e.Code] = e
	}
	require.Contains(t, byCode[big.Code].Error, "1001 enum values")
	require.Zero(t, byCode[big.Code].Usage.Calls, "refused before any call")
	require.Contains(t, byCode[occs[2].Code].Error, "content_filter")
	require.LessOrEqual(t, byCode[occs[2].Code].Usage.Calls, 4, "a rejected request is not asked again, nor the verdict deliberated again")
	require.Equal(t, outdir.StatusDone, byCode[occs[1].Code].Status)
	require.Equal(t, outdir.StatusDone, byCode[occs[3].Code].Status)
	spent, _ := meter.Spent()
	require.Equal(t, srv.Count(), spent.Calls, "usage counts what the server saw")
	for _, r := range srv.Requests() {
		require.False(t, openaitest.Occupation(big.Code)(r.Chat), "no request about the giant occupation")
	}
}

// TestBatchStopsAtOnceOnAWaitOverTheCap: one 429 with retry-after: 7200
// stops the batch at once, naming the wait — not two hours of every
// caller paused, each attempt counted as a call. The 429 answers the
// foreperson, whose request is the only one in flight, so that no call is
// cut off mid-way and the counts are exact.
func TestBatchStopsAtOnceOnAWaitOverTheCap(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Foreperson, openaitest.Raw(429, http.Header{"Retry-After": {"7200"}},
		`{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on requests per day (RPD): Limit 10000, Used 10000, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`))
	out := t.TempDir()
	b, meter := batchOn(t, srv, out)
	b.Concurrency = 1
	res, err := b.Run(context.Background(), openaitest.Occupations(3))
	require.ErrorIs(t, err, batch.ErrStopped)
	require.Equal(t, llm.LongWait, llm.KindOf(err))
	require.Contains(t, err.Error(), "2h0m0s")
	require.Equal(t, 2, res.NotStarted)
	spent, _ := meter.Spent()
	require.Equal(t, srv.Count(), spent.Calls, "usage counts what the server saw")
	require.Equal(t, 9, srv.Count(), "no call after the stop: 8 jurors' calls and the foreperson's")
}

// batchTokens is what the server counts of one ballot request against
// the enqueued-token limit: its prompt tokens.
func batchTokens(occ jury.Occupation) int {
	set := prompts.Default()
	msgs, _ := set.Ballot(occ, set.Personas()[0])
	n := 0
	for _, m := range msgs {
		n += (len(m.Content)+3)/4 + 4
	}
	return n
}

// TestBatchAPIStaysUnderTheEnqueuedTokenLimit: with every request of the
// catalog in one file, a first-tier account refuses the batch
// (token_limit_exceeded) and nothing runs; split under the budget, every
// submission fits, and a refused one is sent again once the running ones
// are done.
func TestBatchAPIStaysUnderTheEnqueuedTokenLimit(t *testing.T) {
	occs := openaitest.Occupations(6)
	per := batchTokens(occs[0])
	limit := 5 * per // room for a few requests, not for the 24 jurors at once
	for _, tc := range []struct {
		name        string
		budget      int
		maxLines    int
		wantRefused bool
	}{
		{name: "split under the budget", budget: limit},
		{name: "refused for others' tokens, resubmitted", budget: 100 * limit, maxLines: 4, wantRefused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t, openaitest.WithEnqueuedTokenLimit(limit))
			out := t.TempDir()
			api, err := llm.NewBatchAPI(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}), llm.BatchConfig{
				StateDir: filepath.Join(out, ".batches"), Idle: 100 * time.Millisecond, Poll: time.Millisecond, MaxPoll: 5 * time.Millisecond,
				MaxEnqueuedTokens: tc.budget, MaxLines: tc.maxLines,
			})
			require.NoError(t, err)
			defer api.Close()
			meter := llm.NewMeter(llm.DefaultPrices(), 0)
			model := llm.Metered(llm.Retry(api, llm.RetryPolicy{Timeout: time.Hour,
				Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}), meter)
			p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: "gpt-4o-mini"})
			p.Seed, p.Version = 1, "test"
			res, err := (&batch.Runner{Panel: p, Out: out, Concurrency: 100}).Run(context.Background(), occs)
			require.NoError(t, err)
			require.Equal(t, 6, res.Done)
			require.Equal(t, tc.wantRefused, srv.BatchesRefused() > 0, "batches refused: %d", srv.BatchesRefused())
			require.Greater(t, srv.BatchesCreated()-srv.BatchesRefused(), 2, "the catalog went in several submissions")
			spent, _ := meter.Spent()
			require.Equal(t, 6*9, spent.Calls)
			require.Equal(t, 6*9, srv.BatchLines(), "each request ran once")
		})
	}
}
