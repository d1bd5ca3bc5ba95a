package batch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// batchAPIOn returns a batch into out that calls srv through OpenAI's
// Batch API: store → meter → retry → batch API. The client talks to srv in
// process, so that inside a synctest bubble the collector's wait for a
// quiet queue ends only once every caller is waiting on it: which
// requests share a batch does not depend on the machine's speed.
func batchAPIOn(t *testing.T, srv *openaitest.Server, out string) (*batch.Runner, *llm.Meter) {
	t.Helper()
	api, err := llm.NewBatchAPI(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL(), HTTPClient: srv.InProcess()}), llm.BatchConfig{
		StateDir: filepath.Join(out, ".batches"), Idle: 100 * time.Millisecond, Poll: 5 * time.Millisecond, MaxPoll: 20 * time.Millisecond,
	})
	require.NoError(t, err)
	t.Cleanup(func() { api.Close() })
	return runnerOn(llm.Retry(api, llm.RetryPolicy{Timeout: time.Hour,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}), out, 100)
}

func TestBatchThroughTheBatchAPI(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithBatchPolls(2))
	// One juror's first line fails in the batch: it is sent again in the
	// next batch, beside the other occupations' statements.
	srv.Script(openaitest.And(openaitest.Occupation("15-1002.00"), openaitest.Juror("The Optimist")), openaitest.ServerError)
	out := t.TempDir()
	occs := openaitest.Occupations(6)
	// A fake clock: the collection window ends when every caller waits.
	synctest.Test(t, func(t *testing.T) {
		b, meter := batchAPIOn(t, srv, out)
		res, err := b.Run(context.Background(), occs)
		require.NoError(t, err)
		require.Equal(t, 6, res.Done)

		require.Equal(t, 6*9+1, srv.BatchLines(), "every request once, the failed line twice")
		// Ballots in one batch; the retried line and the other
		// occupations' statements in the next; then forepersons (and the
		// late occupation's statements); then its foreperson.
		require.Equal(t, 4, srv.BatchesCreated())
		spent, _ := meter.Spent()
		require.Equal(t, 55, spent.Calls)
	})
	entries, err := os.ReadDir(filepath.Join(out, ".batches"))
	require.NoError(t, err)
	require.Empty(t, entries, "finished batches leave no record, and no spool")

	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	for _, e := range m.Occupations {
		require.Equal(t, outdir.StatusDone, e.Status)
	}
	bad := m.Entry("15-1002.00")
	require.Equal(t, 1, bad.Usage.Retries)
}

func TestBatchAPICallerWaitsOnItsOwnContext(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithBatchPolls(1000))
	synctest.Test(t, func(t *testing.T) {
		api, err := llm.NewBatchAPI(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL(), HTTPClient: srv.InProcess()}),
			llm.BatchConfig{StateDir: t.TempDir(), Idle: time.Second, Poll: time.Minute, MaxPoll: time.Minute})
		require.NoError(t, err)
		req := openaitest.BallotRequest(t)

		// The first caller gives up after an hour; the batch it started
		// goes on for the second, which Close ends.
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		other := make(chan error, 1)
		go func() {
			_, err := api.Complete(context.Background(), req)
			other <- err
		}()
		_, err = api.Complete(ctx, req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, 1, srv.BatchesCreated())
		synctest.Wait()
		require.Empty(t, other, "the other caller still waits for the batch")

		require.NoError(t, api.Close())
		require.Error(t, <-other)
		_, err = api.Complete(context.Background(), req)
		require.ErrorIs(t, err, llm.ErrBatchClosed)
	})
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
	require.NoError(t, crashed.Close())

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
	// The collector drops a finished batch's record just after it answers
	// the callers (a crash in between keeps the record, and the answer is
	// fetched again for free); once it has stopped, none is pending.
	require.NoError(t, resumed.Close())
	require.Empty(t, resumed.Pending())
}

func TestBatchAPIClassifiesFailedLinesLikeCalls(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Any, openaitest.Quota)
	api, err := llm.NewBatchAPI(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}),
		llm.BatchConfig{StateDir: t.TempDir(), Idle: time.Millisecond, Poll: time.Millisecond})
	require.NoError(t, err)
	defer api.Close()
	_, err = api.Complete(context.Background(), openaitest.BallotRequest(t))
	require.Equal(t, llm.Quota, llm.KindOf(err))
	require.True(t, llm.Fatal(err))
}

// TestBatchAPIDeferredCallsWaitOnDisk: under a Deferral a call returns at
// once, its request waiting in a file under the state folder; the
// batch's answer is kept in a file there too, so that a run stopped
// before it used the answer hands it out in the next run without paying
// for it again, and leaves nothing behind once it has.
func TestBatchAPIDeferredCallsWaitOnDisk(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithBatchPolls(2))
	state := t.TempDir()
	req := openaitest.BallotRequest(t)
	key := llm.Key("openai", req)
	files := func(pattern string) []string {
		paths, err := filepath.Glob(filepath.Join(state, pattern))
		require.NoError(t, err)
		return paths
	}
	synctest.Test(t, func(t *testing.T) {
		client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL(), HTTPClient: srv.InProcess()})
		api, err := llm.NewBatchAPI(client, llm.BatchConfig{StateDir: state, Idle: time.Hour, Poll: time.Minute})
		require.NoError(t, err)
		d := llm.NewDeferral()
		ctx := llm.WithDeferral(context.Background(), d)

		_, err = api.Complete(ctx, req)
		require.Equal(t, llm.Deferred, llm.KindOf(err), "the call does not wait for its batch")
		require.Zero(t, srv.BatchesCreated())
		spool := files("queue-*.jsonl.tmp")
		require.Len(t, spool, 1)
		data, err := os.ReadFile(spool[0])
		require.NoError(t, err)
		require.Contains(t, string(data), `"custom_id":"`+key+`"`, "the request waits in the spool")

		require.NoError(t, d.Wait(context.Background()))
		require.Equal(t, 1, srv.BatchesCreated())
		require.Len(t, files("*.answers.jsonl"), 1, "the answer waits on disk")
		require.NoError(t, api.Close())
		require.Len(t, files("*.answers.jsonl"), 1, "an answer not handed out outlives the run")
	})

	synctest.Test(t, func(t *testing.T) {
		client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL(), HTTPClient: srv.InProcess()})
		api, err := llm.NewBatchAPI(client, llm.BatchConfig{StateDir: state, Idle: time.Hour, Poll: time.Minute})
		require.NoError(t, err)
		for _, want := range []int{1, 0} {
			// Handed out once with what it cost; asked again (an answer
			// found invalid and forgotten), replayed for free.
			resp, err := api.Complete(llm.WithDeferral(context.Background(), llm.NewDeferral()), req)
			require.NoError(t, err)
			require.NotEmpty(t, resp.Content)
			require.Equal(t, want, resp.Usage.Calls)
		}
		require.NoError(t, api.Close())
	})
	require.Equal(t, 1, srv.BatchesCreated(), "paid once")
	require.Equal(t, 1, srv.BatchLines())
	entries, err := os.ReadDir(state)
	require.NoError(t, err)
	require.Empty(t, entries, "every answer handed out: nothing left behind")
}
