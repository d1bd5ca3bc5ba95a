package config

import (
	"cmp"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// Ways a batch calls the model (--via).
const (
	ViaSync     = "sync"
	ViaBatchAPI = "batch-api"
)

// BatchOptions are what `jury batch` is told on top of the Settings
// about its model stack: its budget, how it calls the model, its cache
// and its prices. Logger and Now go into the stack as they are. The zero
// value calls synchronously with no budget and caches in OUT/.cache;
// CheckBatch wants Via set.
type BatchOptions struct {
	// MaxCost is the run's budget in USD (--max-cost); 0 means none.
	MaxCost float64
	// Via is ViaSync or ViaBatchAPI; BatchStack takes any other value
	// for ViaSync.
	Via string
	// Cache is the cache directory (--cache); "" means OUT/.cache.
	Cache string
	// NoCache keeps no answers on disk (--no-cache).
	NoCache bool
	// Prices is a JSON file of prices over the defaults (--prices).
	Prices string
	// BatchPoll, BatchIdle and BatchTokens tune the Batch API (see
	// llm.Stack).
	BatchPoll, BatchIdle time.Duration
	BatchTokens          int
	// WarmCache sends one juror of each round first and the others once
	// it is answered, so that they hit the provider's prompt cache
	// (--warm-cache; only on the synchronous path to a paid provider).
	WarmCache bool
	Logger    *slog.Logger
	Now       func() time.Time
}

// CheckBatch reports the first batch option no batch can run with, as
// bad input naming its flag. Call it after Apply.
func (s *Settings) CheckBatch(o BatchOptions) error {
	switch {
	case s.RPM < 0 || s.TPM < 0 || o.MaxCost < 0:
		return jury.Invalidf("--rpm, --tpm and --max-cost cannot be negative")
	case o.Via != ViaSync && o.Via != ViaBatchAPI:
		return jury.Invalidf("--via %q: want sync or batch-api", o.Via)
	}
	return nil
}

// BatchStack is the model stack of a batch and what building it decided.
// Close it when the batch ends.
type BatchStack struct {
	*llm.Stack
	// Prices are what the panel's answers cost: the defaults, the
	// --prices file over them, halved on the Batch API.
	Prices llm.Prices
	// Offline says the offline juror answers (OfflineReason): nothing is
	// paid, so nothing is cached and no one is asked before the start.
	Offline bool
	// Via is how the batch calls the model: ViaSync or ViaBatchAPI.
	Via string
	// warm is BatchOptions.WarmCache.
	warm bool
}

// Equip gives panel the stack's prices and, when the options ask for it
// and the batch calls a paid provider synchronously, the warm prompt
// cache: one juror of each round first, the others once it is answered.
func (b *BatchStack) Equip(panel *deliberation.Panel) {
	panel.Prices = b.Prices
	panel.WarmCache = b.warm && b.Via != ViaBatchAPI && !b.Offline
}

// OfflineGCPercent is the garbage collector's pace (GOGC) in an offline
// batch of at most OfflineGCTasks tasks (PaceGC).
const (
	OfflineGCPercent = 400
	OfflineGCTasks   = 30_000
)

// PaceGC sets the garbage collector's pace for a batch of occs and
// returns the function that restores it. An offline
// batch is bound by CPU, not by a provider, and of the O*NET catalog's
// 19,265 tasks it holds about 12 MB live: collecting at a quarter of Go's
// default pace (OfflineGCPercent) saves an eighth of its CPU for some
// 40 MB more memory (peak about 90 MB; 110 MB at OfflineGCTasks). A
// larger offline batch holds its input, about 0.3 KB a task, and keeps
// Go's pace, as do a batch that calls a model and any batch run with
// GOGC set in getenv.
func (b *BatchStack) PaceGC(getenv func(string) string, occs []jury.Occupation) (restore func()) {
	tasks := 0
	for _, o := range occs {
		tasks += len(o.Tasks)
	}
	if !b.Offline || tasks > OfflineGCTasks || getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(OfflineGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// BatchStack builds the model stack of a batch: pacing at the limits set
// (the ones neither a flag nor jury.yaml set are learned from the
// provider), the meter with the run's budget, the retry policy, the
// Batch API when asked for, and the cache — checked writable and swept of
// an earlier run's half-written files — unless the offline juror answers
// or the options turn it off.
func (s *Settings) BatchStack(o BatchOptions, getenv func(string) string) (*BatchStack, error) {
	prices := llm.DefaultPrices()
	if o.Prices != "" {
		if err := ReadPrices(o.Prices, prices); err != nil {
			return nil, err
		}
	}
	spec, err := s.Panel()
	if err != nil {
		return nil, err
	}
	offline := s.OfflineReason(spec, getenv, false) != ""
	// The offline juror is not paced: no limit binds it, and the progress
	// line and the last-run record say so.
	limits := llm.Limits{}
	if !offline {
		limits = llm.Limits{RPM: s.RPM, TPM: s.TPM, LearnRPM: s.Sources["rpm"] == "default", LearnTPM: s.Sources["tpm"] == "default"}
	}
	st := &llm.Stack{Limiter: llm.NewLimiter(limits), Retry: s.RetryPolicy(), Logger: o.Logger, Now: o.Now}
	b := &BatchStack{Stack: st, Prices: prices, Offline: offline, Via: ViaSync, warm: o.WarmCache}
	if o.Via == ViaBatchAPI {
		b.Via = ViaBatchAPI
		if b.Offline {
			return nil, jury.Invalidf("--via batch-api needs OPENAI_API_KEY (and no --offline)")
		}
		b.Prices = prices.Scaled(0.5) // the Batch API costs half
		st.BatchDir = filepath.Join(s.Out, ".batches")
		st.BatchPoll, st.BatchIdle, st.BatchTokens = o.BatchPoll, o.BatchIdle, o.BatchTokens
	}
	st.Meter = llm.NewMeter(b.Prices, o.MaxCost)
	// The offline juror needs no cache: its answers cost nothing.
	if o.NoCache || b.Offline {
		return b, nil
	}
	st.StoreDir, st.StoreMode = cmp.Or(o.Cache, filepath.Join(s.Out, ".cache")), llm.ReplayOrRecord
	st.KeyByEndpoint = true
	if err := outdir.CheckWritable(st.StoreDir); err != nil {
		return nil, outdir.FlagError("--cache", err)
	}
	if err := atomicfile.Sweep(st.StoreDir); err != nil {
		return nil, fmt.Errorf("clean cache %s: %w", st.StoreDir, err)
	}
	return b, nil
}
