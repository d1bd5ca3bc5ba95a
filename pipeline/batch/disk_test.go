package batch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/prompts"
)

// TestBatchStopsWhenTheCacheCannotKeepAnAnswer: a cache whose writes
// fail (a full disk; a read-only folder — the tests run as root, whom
// chmod does not stop, so the failure is injected) stops the batch after
// at most the calls in flight, naming the folder and the errno; once
// writes work again, a resume pays for none of the answers stored.
func TestBatchStopsWhenTheCacheCannotKeepAnAnswer(t *testing.T) {
	cases := []struct {
		name     string
		errno    syscall.Errno
		okWrites int64 // writes that succeed before the disk is "full"
	}{
		{name: "read-only cache", errno: syscall.EROFS, okWrites: 0},
		{name: "disk full mid-run", errno: syscall.ENOSPC, okWrites: 12},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			out := t.TempDir()
			occs := openaitest.Occupations(8)
			const conc = 2
			var writes atomic.Int64
			full := func(path string, data []byte, perm os.FileMode) error {
				if writes.Add(1) > tc.okWrites {
					return fmt.Errorf("write %s: %w", path, &os.PathError{Op: "write", Path: path, Err: tc.errno})
				}
				return atomicfile.WriteFile(path, data, perm)
			}
			b, _ := cacheBatchOn(t, srv, out, full)
			b.Concurrency = conc
			_, err := b.Run(context.Background(), occs)
			require.ErrorIs(t, err, batch.ErrStopped)
			require.Equal(t, llm.Storage, llm.KindOf(err))
			require.Contains(t, err.Error(), filepath.Join(out, ".cache"))
			require.Contains(t, err.Error(), map[syscall.Errno]string{syscall.EROFS: "EROFS", syscall.ENOSPC: "ENOSPC"}[tc.errno])
			stored := cached(t, out)
			require.EqualValues(t, tc.okWrites, stored)
			inFlight := conc * len(b.Panel.Seats)
			first := srv.Count()
			require.LessOrEqual(t, first, stored+inFlight, "no call after the failed write but those in flight")

			// Space freed: the resume replays every stored answer.
			b2, _ := cacheBatchOn(t, srv, out, nil)
			res, err := b2.Run(context.Background(), occs)
			require.NoError(t, err)
			require.Equal(t, len(occs), res.Done+res.Skipped)
			require.Equal(t, 9*len(occs)-stored, srv.Count()-first, "no stored answer paid twice")
		})
	}
}

// cacheBatchOn is batchOn whose cache writes through write (nil: the
// disk).
func cacheBatchOn(t *testing.T, srv *openaitest.Server, out string, write func(string, []byte, os.FileMode) error) (*batch.Runner, *llm.Meter) {
	t.Helper()
	var model llm.Model = llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	model = llm.Retry(model, llm.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }, Timeout: 5 * time.Second})
	meter := llm.NewMeter(llm.DefaultPrices(), 0)
	model = llm.Metered(model, meter)
	store := llm.NewStore(model, filepath.Join(out, ".cache"), llm.ReplayOrRecord, "openai")
	store.WriteFile = write
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: store, ModelName: "gpt-4o-mini"})
	p.Seed, p.Version = 1, "test"
	return &batch.Runner{Panel: p, Out: out, Concurrency: 4}, meter
}

// cached counts the answers stored in out's cache.
func cached(t *testing.T, out string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(out, ".cache", "*.json"))
	require.NoError(t, err)
	return len(files)
}
