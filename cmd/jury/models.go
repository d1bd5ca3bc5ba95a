package main

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/llm"
)

// stack says which wrappers go around each model client, inside out:
// client → limit (or batch API) → retry → meter → store.
type stack struct {
	limiter *llm.Limiter
	meter   *llm.Meter
	// storeDir, when set, keeps every exchange there (cache, recording).
	storeDir   string
	storeMode  llm.Mode
	recordHint string
	stores     []*llm.Store
	// batchDir, when set, sends OpenAI calls through the Batch API,
	// keeping the submitted batches' records there.
	batchDir             string
	batchPoll, batchIdle time.Duration
	batchTokens          int
}

// hits returns how many calls the stores answered from disk.
func (st *stack) hits() int {
	n := 0
	for _, s := range st.stores {
		n += s.Hits()
	}
	return n
}

// newPanel builds the panel the configuration describes: each seat on its
// provider's client wrapped as st says, or every seat on the offline
// juror when --offline says so or no seat could be called (all on OpenAI
// and no OPENAI_API_KEY).
func newPanel(cfg *runConfig, sys *system, logger *slog.Logger, st *stack) (*pipeline.Panel, error) {
	spec, err := cfg.panel()
	if err != nil {
		return nil, err
	}
	p := &pipeline.Panel{Prompts: spec.set, Seed: cfg.seed, MaxTokens: cfg.maxTokens, Version: pipeline.Version, Logger: logger,
		Rule: jury.Rule{Quorum: spec.quorum, Aggregation: spec.aggregation}}
	seats := append(slices.Clone(spec.seats), spec.foreperson)
	if why := cfg.offlineReason(spec, sys.getenv, st.storeMode == llm.ReplayOnly); why != "" {
		off, err := llm.NewOffline()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(sys.stderr, "jury: %s: using the offline juror (weights %s; no key, no network)\n", why, off.Weights())
		p.Weights = off.Weights()
		model := st.wrap(off, "offline", "")
		for i := range seats {
			seats[i].provider, seats[i].model = "offline", llm.OfflineModelName
		}
		p.Seats, p.Foreperson = seatsOf(seats, func(seatSpec) llm.Model { return model })
		return p, nil
	}
	models := map[string]llm.Model{}
	for _, s := range seats {
		if _, done := models[s.provider]; done {
			continue
		}
		m, err := cfg.providerModel(s.provider, sys, logger, st)
		if err != nil {
			return nil, err
		}
		models[s.provider] = m
	}
	p.Seats, p.Foreperson = seatsOf(seats, func(s seatSpec) llm.Model { return models[s.provider] })
	return p, nil
}

// offlineReason says why the offline juror answers for the whole panel —
// --offline, or every seat on OpenAI and no OPENAI_API_KEY (replaying
// cassettes needs no key) — or "" when the panel's providers answer.
func (cfg *runConfig) offlineReason(spec *panelSpec, getenv func(string) string, replay bool) string {
	if cfg.offline {
		return "--offline"
	}
	seats := append(slices.Clone(spec.seats), spec.foreperson)
	allOpenAI := !slices.ContainsFunc(seats, func(s seatSpec) bool { return s.provider != "openai" })
	if allOpenAI && getenv("OPENAI_API_KEY") == "" && !replay {
		return "no OPENAI_API_KEY"
	}
	return ""
}

// seatsOf turns seat specs, the foreperson's last, into pipeline seats.
func seatsOf(specs []seatSpec, model func(seatSpec) llm.Model) ([]pipeline.Seat, pipeline.Seat) {
	var seats []pipeline.Seat
	for _, s := range specs {
		seats = append(seats, pipeline.Seat{Persona: s.persona, Model: model(s), ModelName: s.model,
			Provider: s.provider, Temperature: s.temperature})
	}
	return seats[:len(seats)-1], seats[len(seats)-1]
}

// providerModel builds one provider's client with the stack around it.
func (cfg *runConfig) providerModel(provider string, sys *system, logger *slog.Logger, st *stack) (llm.Model, error) {
	keyVar := providerKeys[provider]
	key := ""
	if keyVar != "" {
		key = sys.getenv(keyVar)
		if key == "" {
			if st.storeMode != llm.ReplayOnly {
				return nil, usagef("%s is not set: the panel has jurors on %s (export the key, or change their provider in %s)",
					keyVar, provider, cmp.Or(cfg.configName(), "jury.yaml"))
			}
			key = "replay-only" // replaying needs no key: no call is made
		}
	}
	client, err := newClient(provider, key, cfg.baseURLs[provider], clientSettings{
		omitSeed: cfg.omitSeed(provider), responseFormat: cfg.providers[provider].ResponseFormat, logger: logger})
	if err != nil {
		return nil, err
	}
	var model llm.Model = client
	timeout := cfg.timeout
	switch {
	case st.batchDir != "":
		oc, ok := client.(*llm.OpenAI)
		if !ok {
			return nil, usagef("--via batch-api works only for jurors on openai, not %s", provider)
		}
		api, err := llm.NewBatchAPI(oc, llm.BatchConfig{StateDir: st.batchDir, Poll: st.batchPoll, Idle: st.batchIdle,
			MaxEnqueuedTokens: st.batchTokens, Logger: logger})
		if err != nil {
			return nil, err
		}
		if ids := api.Pending(); len(ids) > 0 {
			logger.Info("resuming batches of an earlier run", "batches", ids)
		}
		// A batch has a 24-hour window; the per-attempt timeout must not
		// cut it short.
		model, timeout = api, 25*time.Hour
	case st.limiter != nil:
		model = llm.Limit(model, st.limiter)
	}
	retries := cfg.retries
	if retries == 0 {
		retries = llm.NoRetries
	}
	model = llm.Retry(model, llm.RetryPolicy{Retries: retries, Timeout: timeout, Logger: logger})
	return st.wrap(model, provider, key), nil
}

// wrap puts the meter and the store around a provider's model.
func (st *stack) wrap(model llm.Model, provider, key string) llm.Model {
	if st.meter != nil {
		model = llm.Metered(model, st.meter)
	}
	if st.storeDir != "" {
		s := llm.NewStore(model, st.storeDir, st.storeMode, provider, key)
		s.RecordHint = st.recordHint
		st.stores = append(st.stores, s)
		model = s
	}
	return model
}

// clientSettings are a provider's quirk settings (jury.yaml's
// providers.NAME, --no-seed).
type clientSettings struct {
	omitSeed       bool
	responseFormat string
	logger         *slog.Logger
}

// newClient returns the model client of a provider.
func newClient(provider, key, baseURL string, cs clientSettings) (llm.Model, error) {
	var (
		m   llm.Model
		err error
	)
	switch provider {
	case "openai":
		return llm.NewOpenAI(llm.OpenAIConfig{APIKey: key, BaseURL: baseURL, OmitSeed: cs.omitSeed,
			ResponseFormat: cs.responseFormat, Logger: cs.logger}), nil
	case "anthropic":
		m, err = llm.NewAnthropic(llm.AnthropicConfig{APIKey: key, BaseURL: baseURL})
	case "gemini":
		m, err = llm.NewGemini(llm.GeminiConfig{APIKey: key, BaseURL: baseURL})
	case "ollama":
		m, err = llm.NewOllama(llm.OllamaConfig{BaseURL: baseURL, OmitSeed: cs.omitSeed})
	default:
		return nil, usagef("provider %q: want openai, anthropic, gemini or ollama", provider)
	}
	if err != nil {
		return nil, jury.Invalidf("provider %s: %v", provider, err)
	}
	return m, nil
}
