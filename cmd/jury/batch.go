package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/onet"
)

// Default rate limits: OpenAI's first usage tier for gpt-4o-mini.
const (
	defaultRPM = 500
	defaultTPM = 200000
)

// batchConfig is what `jury batch` is told on top of runConfig.
type batchConfig struct {
	runConfig
	only        string
	shard       string
	concurrency int
	maxCost     float64
	retryFailed bool
	via         string
	cache       string
	noCache     bool
	prices      string
	batchPoll   time.Duration
	batchIdle   time.Duration
	batchTokens int
}

func execBatch(ctx context.Context, sys *system, args []string) error {
	var cfg batchConfig
	fs := newFlagSet("batch", "--tasks FILE --out DIR [flags]",
		"Judge every occupation of an O*NET task file (or a subset) into DIR: DIR/<code>/report.*, DIR/manifest.json, DIR/index.md and DIR/index.html.\n"+
			"Run the same command again to resume: finished occupations are kept and cached answers are not paid twice.\n"+
			"A first SIGINT/SIGTERM stops new work and lets calls in flight finish; a second exits at once.", sys.stderr)
	cfg.register(fs)
	cfg.registerOffline(fs)
	fs.StringVar(&cfg.only, "only", "", "comma-separated `codes`, or @FILE with one code a line (# comments)")
	fs.StringVar(&cfg.shard, "shard", "", "`i/n`: take every n-th occupation of the sorted list, starting at i (0-based)")
	fs.IntVar(&cfg.concurrency, "concurrency", 16, "occupations in flight (each asks its jurors concurrently)")
	fs.IntVar(&cfg.rpm, "rpm", defaultRPM, "requests per minute the provider allows (0: no limit)")
	fs.IntVar(&cfg.tpm, "tpm", defaultTPM, "tokens per minute the provider allows (0: no limit)")
	fs.Float64Var(&cfg.maxCost, "max-cost", 0, "stop before the next call would take this run's spending past `USD` (0: no limit)")
	fs.BoolVar(&cfg.retryFailed, "retry-failed", false, "run only the occupations the manifest marks failed")
	fs.StringVar(&cfg.via, "via", "sync", "how to call the model: sync, or batch-api (OpenAI's Batch API: half price, up to 24 h)")
	fs.StringVar(&cfg.cache, "cache", "", "cache `dir`ectory of model answers (default DIR/.cache)")
	fs.BoolVar(&cfg.noCache, "no-cache", false, "do not cache model answers")
	fs.DurationVar(&cfg.batchPoll, "batch-poll", 5*time.Second, "with --via batch-api: first wait between status checks (grows to 1m)")
	fs.DurationVar(&cfg.batchIdle, "batch-collect", 2*time.Second, "with --via batch-api: submit once no new request came for this long")
	fs.IntVar(&cfg.batchTokens, "batch-tokens", llm.DefaultEnqueuedTokens, "with --via batch-api: estimated tokens in running batches at once (default: the first tier's enqueued-token limit for gpt-4o-mini)")
	fs.StringVar(&cfg.prices, "prices", "", "JSON `file` of model prices, {\"model\": {\"input\": USD/1M, \"output\": USD/1M}}, over the defaults")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("batch takes no arguments, got %q: choose occupations with --only", pos[0])
	}
	if err := cfg.applyConfig(fs, sys.getenv); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	switch {
	case cfg.tasks == "":
		return usagef("batch needs --tasks FILE (an O*NET task file such as onet_tasks.tsv)")
	case cfg.concurrency < 1:
		return usagef("--concurrency %d: want 1 or more", cfg.concurrency)
	case cfg.rpm < 0 || cfg.tpm < 0 || cfg.maxCost < 0:
		return usagef("--rpm, --tpm and --max-cost cannot be negative")
	case cfg.via != "sync" && cfg.via != "batch-api":
		return usagef("--via %q: want sync or batch-api", cfg.via)
	}
	cat, err := onet.ReadCatalog(cfg.tasks, cfg.occupations)
	if err != nil {
		return err
	}
	codes, err := selectCodes(cat.Codes(), cfg.only, cfg.shard)
	if err != nil {
		return err
	}
	occs := make([]jury.Occupation, 0, len(codes))
	for _, c := range codes {
		o, err := cat.Occupation(c)
		if err != nil {
			return err
		}
		occs = append(occs, o)
	}
	prices := llm.DefaultPrices()
	if cfg.prices != "" {
		if err := readPrices(cfg.prices, prices); err != nil {
			return err
		}
	}
	logger := cfg.logger(sys.stderr)
	st := &stack{
		limiter: llm.NewLimiter(llm.Limits{RPM: cfg.rpm, TPM: cfg.tpm}),
		meter:   llm.NewMeter(prices, cfg.maxCost),
	}
	offline := cfg.offline || sys.getenv("OPENAI_API_KEY") == ""
	if cfg.via == "batch-api" {
		if offline {
			return usagef("--via batch-api needs OPENAI_API_KEY (and no --offline)")
		}
		// The Batch API costs half; every request is in flight at once so
		// that a round of the deliberation fits in one batch.
		prices = prices.Scaled(0.5)
		st.meter = llm.NewMeter(prices, cfg.maxCost)
		st.batchDir = filepath.Join(cfg.out, ".batches")
		st.batchPoll, st.batchIdle, st.batchTokens = cfg.batchPoll, cfg.batchIdle, cfg.batchTokens
		cfg.concurrency = max(cfg.concurrency, len(occs))
	}
	if !cfg.noCache && !offline {
		st.storeDir, st.storeMode = cmp.Or(cfg.cache, filepath.Join(cfg.out, ".cache")), llm.ReplayOrRecord
		if err := atomicfile.Sweep(st.storeDir); err != nil {
			return fmt.Errorf("clean cache %s: %w", st.storeDir, err)
		}
	}
	panel, err := newPanel(&cfg.runConfig, sys, logger, st)
	if err != nil {
		return err
	}
	panel.Prices = prices
	bar := newProgressBar(sys.stderr, st)
	b := &pipeline.Batch{Panel: panel, Out: cfg.out, Concurrency: cfg.concurrency, RetryFailed: cfg.retryFailed,
		Stop: sys.stop, Logger: logger, Progress: bar.update}
	if bar.tty {
		// The bar replaces per-occupation log lines on a terminal.
		b.Logger = slog.New(slog.NewTextHandler(sys.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		panel.Logger = b.Logger
	}
	started := time.Now()
	res, runErr := b.Run(ctx, occs)
	bar.finish()
	if res != nil {
		spent, cost := st.meter.Spent()
		hits := st.hits()
		lr := lastRun{Started: started.UTC().Format(time.RFC3339), Seconds: time.Since(started).Seconds(),
			Occupations: len(occs), Ran: res.Ran, Done: res.Done, Failed: res.Failed, AlreadyDone: res.Skipped, NotStarted: res.NotStarted,
			Calls: spent.Calls, Retries: spent.Retries, CacheHits: hits, RateLimited: st.limiter.RateLimited(),
			PromptTokens: spent.PromptTokens, CompletionTokens: spent.CompletionTokens, CostUSD: cost}
		logger.Info("batch finished", "done", res.Done+res.Skipped, "failed", res.Failed, "not_started", res.NotStarted,
			"calls", spent.Calls, "cache_hits", hits, "429s", lr.RateLimited, "cost_usd", fmt.Sprintf("%.4f", cost), "seconds", fmt.Sprintf("%.1f", lr.Seconds))
		if err := lr.write(cfg.out); err != nil && runErr == nil {
			runErr = err
		}
	}
	return runErr
}

// lastRun is what one batch invocation spent: DIR/last-run.json.
type lastRun struct {
	Started          string  `json:"started"`
	Seconds          float64 `json:"seconds"`
	Occupations      int     `json:"occupations"`
	Ran              int     `json:"ran"`
	Done             int     `json:"done"`
	Failed           int     `json:"failed"`
	AlreadyDone      int     `json:"already_done"`
	NotStarted       int     `json:"not_started"`
	Calls            int     `json:"calls"`
	Retries          int     `json:"retries"`
	CacheHits        int     `json:"cache_hits"`
	RateLimited      int     `json:"rate_limited"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
}

func (l lastRun) write(dir string) error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "last-run.json"), append(data, '\n'), 0o644)
}

// selectCodes applies --only and --shard to the catalog's sorted codes.
func selectCodes(all []string, only, shard string) ([]string, error) {
	codes := all
	if only != "" {
		want, err := parseOnly(only)
		if err != nil {
			return nil, err
		}
		codes = nil
		for _, c := range want {
			if !slices.Contains(all, c) {
				return nil, jury.Invalidf("--only: occupation %s is not in the task file", c)
			}
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		slices.Sort(codes)
	}
	if shard != "" {
		i, n, err := parseShard(shard)
		if err != nil {
			return nil, err
		}
		var picked []string
		for k := i; k < len(codes); k += n {
			picked = append(picked, codes[k])
		}
		codes = picked
	}
	if len(codes) == 0 {
		return nil, usagef("no occupation selected: check --only and --shard")
	}
	return codes, nil
}

func parseOnly(only string) ([]string, error) {
	var fields []string
	if path, ok := strings.CutPrefix(only, "@"); ok {
		f, err := os.Open(path)
		if err != nil {
			return nil, jury.Invalidf("--only %s: %v", only, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text, _, _ := strings.Cut(sc.Text(), "#")
			text = strings.TrimSpace(text)
			if text == "" {
				continue
			}
			if !jury.ValidCode(text) {
				return nil, jury.Invalidf("%s:%d: %q is not an O*NET-SOC code like 29-2072.00", path, line, text)
			}
			fields = append(fields, text)
		}
		if err := sc.Err(); err != nil {
			return nil, jury.Invalidf("--only %s: %v", only, err)
		}
		return fields, nil
	}
	for _, c := range strings.Split(only, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !jury.ValidCode(c) {
			return nil, usagef("--only: %q is not an O*NET-SOC code like 29-2072.00", c)
		}
		fields = append(fields, c)
	}
	return fields, nil
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("--shard %q: want i/n with 0 ≤ i < n, such as 0/4", s)
	}
	return i, n, nil
}

func readPrices(path string, into llm.Prices) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return jury.Invalidf("--prices %s: %v", path, err)
	}
	var p llm.Prices
	if err := json.Unmarshal(data, &p); err != nil {
		return jury.Invalidf("--prices %s: %v (want {\"model\": {\"input\": 0.15, \"output\": 0.6}})", path, err)
	}
	for k, v := range p {
		if v.Input < 0 || v.Output < 0 {
			return jury.Invalidf("--prices %s: %s has a negative price", path, k)
		}
		into[k] = v
	}
	return nil
}

// progressBar draws the batch's progress on a terminal; elsewhere it does
// nothing and the log lines tell the story.
type progressBar struct {
	w       io.Writer
	tty     bool
	st      *stack
	started time.Time
	drawn   bool
}

func newProgressBar(w io.Writer, st *stack) *progressBar {
	f, ok := w.(*os.File)
	tty := false
	if ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty, st: st, started: time.Now()}
}

func (p *progressBar) update(bp pipeline.BatchProgress) {
	if !p.tty {
		return
	}
	const width = 30
	filled := 0
	if bp.Total > 0 {
		filled = width * (bp.Done + bp.Failed) / bp.Total
	}
	elapsed := time.Since(p.started).Seconds()
	ran := bp.Done + bp.Failed - bp.Skipped
	rate, eta := 0.0, "?"
	if elapsed > 0 && ran > 0 {
		rate = float64(ran) / elapsed
		eta = (time.Duration(float64(bp.Total-bp.Done-bp.Failed)/rate) * time.Second).Round(time.Second).String()
	}
	_, cost := p.st.meter.Spent()
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d · %d failed · %.1f/s · ETA %s · 429s %d · $%.2f ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), bp.Done+bp.Failed, bp.Total, bp.Failed,
		rate, eta, p.st.limiter.RateLimited(), cost)
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
