package llm

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Stack says which wrappers go around every model client of a run, inside
// out: client → Limit (or the Batch API) → Retry → Metered → Store. The
// zero value wraps in Retry only. Build one per run; Wrap is not safe for
// concurrent use, the models it returns are. Close it when the run ends.
type Stack struct {
	// Limiter paces every attempt; nil sends at once.
	Limiter *Limiter
	// Meter counts what the run spends and enforces its budget; nil
	// counts nothing.
	Meter *Meter
	// StoreDir, when set, keeps every exchange there (the cache, or
	// cassettes) in StoreMode; RecordHint is the command that records a
	// missing cassette, for ReplayOnly's error.
	StoreDir   string
	StoreMode  Mode
	RecordHint string
	// KeyByEndpoint makes the base URL part of every stored exchange's
	// key, so that a cache shared by two servers never mixes their
	// answers. Cassettes leave it off: they replay against any server.
	KeyByEndpoint bool
	// BatchDir, when set, sends OpenAI calls through the Batch API,
	// keeping the submitted batches' records there; BatchPoll and
	// BatchIdle are its status-check and collection waits.
	BatchDir             string
	BatchPoll, BatchIdle time.Duration
	// BatchTokens bounds the estimated tokens in running batches at once
	// (the account's enqueued-token limit); 0 means DefaultEnqueuedTokens.
	BatchTokens int
	// Retry is the retry policy of every client; its Logger defaults to
	// Logger.
	Retry  RetryPolicy
	Logger *slog.Logger
	// Now dates the answers the store saves; nil means time.Now.
	Now func() time.Time

	stores  []*Store
	batches []*BatchAPI
}

// Close stops what the stack started (the Batch API's collectors); calls
// still waiting end with an error. Call it once the run is over.
func (st *Stack) Close() error {
	var errs []error
	for _, b := range st.batches {
		errs = append(errs, b.Close())
	}
	st.batches = nil
	return errors.Join(errs...)
}

// Hits returns how many calls the stores answered from disk.
func (st *Stack) Hits() int {
	n := 0
	for _, s := range st.stores {
		n += s.Hits()
	}
	return n
}

// Replaying reports whether the stack answers only from recordings, so
// that no key is needed.
func (st *Stack) Replaying() bool { return st.StoreDir != "" && st.StoreMode == ReplayOnly }

// Wrap puts the whole stack around a provider's client, which answers at
// baseURL ("" for the provider's default). key is kept out of every
// recording. With BatchDir set, only an OpenAI client can be wrapped.
func (st *Stack) Wrap(client Model, provider, baseURL, key string) (Model, error) {
	model := client
	policy := st.Retry
	if policy.Logger == nil {
		policy.Logger = st.Logger
	}
	switch {
	case st.BatchDir != "":
		oc, ok := client.(*OpenAI)
		if !ok {
			return nil, fmt.Errorf("--via batch-api works only for jurors on openai, not %s", provider)
		}
		api, err := NewBatchAPI(oc, BatchConfig{StateDir: st.BatchDir, Poll: st.BatchPoll, Idle: st.BatchIdle,
			MaxEnqueuedTokens: st.BatchTokens, Logger: st.Logger})
		if err != nil {
			return nil, err
		}
		st.batches = append(st.batches, api)
		if ids := api.Pending(); len(ids) > 0 && st.Logger != nil {
			st.Logger.Info("resuming batches of an earlier run", "batches", ids)
		}
		// A batch has a 24-hour window; the per-attempt timeout must not
		// cut it short.
		model, policy.Timeout = api, 25*time.Hour
	case st.Limiter != nil:
		model = Limit(model, st.Limiter)
	}
	endpoint := provider
	if st.KeyByEndpoint && baseURL != "" {
		endpoint = provider + " " + baseURL
	}
	return st.WrapLocal(Retry(model, policy), endpoint, key), nil
}

// WrapLocal puts only the meter and the store around a model: for a model
// that needs no pacing or retrying (the offline juror), or one already
// wrapped in them. endpoint names the model's server in the store's keys.
func (st *Stack) WrapLocal(model Model, endpoint, key string) Model {
	if st.Meter != nil {
		model = Metered(model, st.Meter)
	}
	if st.StoreDir != "" {
		s := NewStore(model, st.StoreDir, st.StoreMode, endpoint, key)
		s.RecordHint, s.Now = st.RecordHint, st.Now
		st.stores = append(st.stores, s)
		model = s
	}
	return model
}
