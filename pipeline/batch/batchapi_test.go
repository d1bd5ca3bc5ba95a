package batch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/prompts"
)

// batchAPIOn returns a batch into out that calls srv through OpenAI's
// Batch API: store → meter → retry → batch API.
func batchAPIOn(t *testing.T, srv *openaitest.Server, out string) (*batch.Runner, *llm.Meter) {
	t.Helper()
	api, err := llm.NewBatchAPI(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}), llm.BatchConfig{
		StateDir: filepath.Join(out, ".batches"), Idle: 100 * time.Millisecond, Poll: 5 * time.Millisecond, MaxPoll: 20 * time.Millisecond,
	})
	require.NoError(t, err)
	var model llm.Model = llm.Retry(api, llm.RetryPolicy{Timeout: time.Hour,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	meter := llm.NewMeter(llm.DefaultPrices(), 0)
	model = llm.Metered(model, meter)
	model = llm.NewStore(model, filepath.Join(out, ".cache"), llm.ReplayOrRecord, "openai")
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: "gpt-4o-mini"})
	p.Seed, p.Version = 1, "test"
	return &batch.Runner{Panel: p, Out: out, Concurrency: 100}, meter
}

func TestBatchThroughTheBatchAPI(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithBatchPolls(2))
	// One juror's first line fails in the batch: it is sent again in the
	// next batch, beside the other occupations' statements.
	srv.Script(openaitest.And(openaitest.Occupation("15-1002.00"), openaitest.Juror("The Optimist")), openaitest.ServerError)
	out := t.TempDir()
	occs := openaitest.Occupations(6)
	b, meter := batchAPIOn(t, srv, out)
	res, err := b.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 6, res.Done)

	require.Equal(t, 6*9+1, srv.BatchLines(), "every request once, the failed line twice")
	// Ballots in one batch; the retried line and the other occupations'
	// statements in the next; then forepersons (and the late occupation's
	// statements); then its foreperson: the second round is one batch more.
	require.LessOrEqual(t, srv.BatchesCreated(), 4)
	spent, _ := meter.Spent()
	require.Equal(t, 55, spent.Calls)
	entries, err := os.ReadDir(filepath.Join(out, ".batches"))
	require.NoError(t, err)
	require.Empty(t, entries, "finished batches leave no record")

	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	for _, e := range m.Occupations {
		require.Equal(t, outdir.StatusDone, e.Status)
	}
	bad := m.Entry("15-1002.00")
	require.Equal(t, 1, bad.Usage.Retries)
}

func TestBatchAPIResumesABatchByItsID(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithBatchPolls(3))
	state := t.TempDir()
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	req := openaitest.BallotRequest(t)

	// The first run dies while its batch runs: every wait fails.
	crashed, err := llm.NewBatchAPI(client, llm.BatchConfig{StateDir: state,
		Sleep: func(context.Context, time.Duration) error { return errors.New("killed") }})
	require.NoError(t, err)
	_, err = crashed.Complete(context.Background(), req)
	require.Error(t, err)
	require.Equal(t, 1, srv.BatchesCreated())
	require.Len(t, crashed.Pending(), 1)

	// The next run finds the batch by its ID and pays nothing new.
	resumed, err := llm.NewBatchAPI(client, llm.BatchConfig{StateDir: state, Idle: time.Millisecond, Poll: time.Millisecond})
	require.NoError(t, err)
	require.Equal(t, crashed.Pending(), resumed.Pending())
	resp, err := resumed.Complete(context.Background(), req)
	require.NoError(t, err)
	require.NotEmpty(t, resp.Content)
	require.Equal(t, 1, resp.Usage.Calls)
	require.Equal(t, 1, srv.BatchesCreated(), "no second batch")
	require.Equal(t, 1, srv.BatchLines())
	require.Empty(t, resumed.Pending())
}

func TestBatchAPIClassifiesFailedLinesLikeCalls(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Any, openaitest.Quota)
	api, err := llm.NewBatchAPI(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}),
		llm.BatchConfig{StateDir: t.TempDir(), Idle: time.Millisecond, Poll: time.Millisecond})
	require.NoError(t, err)
	_, err = api.Complete(context.Background(), openaitest.BallotRequest(t))
	require.Equal(t, llm.Quota, llm.KindOf(err))
	require.True(t, llm.Fatal(err))
}
