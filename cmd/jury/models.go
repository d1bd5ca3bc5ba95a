package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/prompts"
)

// stack says which wrappers go around the model client, inside out:
// client → limit → retry → meter → store.
type stack struct {
	limiter *llm.Limiter
	meter   *llm.Meter
	// storeDir, when set, keeps every exchange there (cache, recording).
	storeDir   string
	storeMode  llm.Mode
	recordHint string
	store      *llm.Store
	// batchDir, when set, sends calls through OpenAI's Batch API, keeping
	// the submitted batches' records there.
	batchDir             string
	batchPoll, batchIdle time.Duration
	batchAPI             *llm.BatchAPI
}

// newPanel builds the panel: the built-in personas, each seat on the
// OpenAI client wrapped as st says, or on the offline juror when there is
// no key or --offline says so.
func newPanel(cfg *runConfig, sys *system, logger *slog.Logger, st *stack) (*pipeline.Panel, error) {
	set := prompts.Default()
	p := &pipeline.Panel{Prompts: set, Seed: cfg.seed, Version: pipeline.Version, Logger: logger}
	var model llm.Model
	modelName := cfg.model
	key := sys.getenv("OPENAI_API_KEY")
	provider := "openai"
	if key == "" && st.storeMode == llm.ReplayOnly && !cfg.offline {
		// Replaying OpenAI cassettes needs no key: no call is made.
		key = "replay-only"
	}
	if key == "" || cfg.offline {
		off, err := llm.NewOffline()
		if err != nil {
			return nil, err
		}
		why := "--offline"
		if key == "" {
			why = "no OPENAI_API_KEY"
		}
		fmt.Fprintf(sys.stderr, "jury: %s: using the offline juror (weights %s; no key, no network)\n", why, off.Weights())
		model, modelName, p.Weights, provider = off, llm.OfflineModelName, off.Weights(), "offline"
	} else {
		retries := cfg.retries
		if retries == 0 {
			retries = llm.NoRetries
		}
		client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: key, BaseURL: cfg.baseURL})
		model = client
		timeout := cfg.timeout
		switch {
		case st.batchDir != "":
			api, err := llm.NewBatchAPI(client, llm.BatchConfig{StateDir: st.batchDir,
				Poll: st.batchPoll, Idle: st.batchIdle, Logger: logger})
			if err != nil {
				return nil, err
			}
			if ids := api.Pending(); len(ids) > 0 {
				logger.Info("resuming batches of an earlier run", "batches", ids)
			}
			// A batch has a 24-hour window; the per-attempt timeout
			// must not cut it short.
			st.batchAPI, model, timeout = api, api, 25*time.Hour
		case st.limiter != nil:
			model = llm.Limit(model, st.limiter)
		}
		model = llm.Retry(model, llm.RetryPolicy{Retries: retries, Timeout: timeout, Logger: logger})
	}
	if st.meter != nil {
		model = llm.Metered(model, st.meter)
	}
	if st.storeDir != "" {
		st.store = llm.NewStore(model, st.storeDir, st.storeMode, provider, key)
		st.store.RecordHint = st.recordHint
		model = st.store
	}
	p.Foreperson = pipeline.Seat{Model: model, ModelName: modelName, Temperature: cfg.temperature}
	for _, persona := range set.Personas() {
		p.Seats = append(p.Seats, pipeline.Seat{Persona: persona, Model: model, ModelName: modelName, Temperature: cfg.temperature})
	}
	return p, nil
}
