package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// batchConfig is what `jury batch` is told on top of runConfig.
type batchConfig struct {
	runConfig
	config.BatchOptions
	only, shard string
	concurrency int
	retryFailed bool
	yes         bool
	warmCache   bool
}

// confirmAbove is the number of paid answers above which `jury batch` on
// a terminal asks before it starts (--yes answers for the user).
const confirmAbove = 1000

func execBatch(ctx context.Context, sys *system, args []string) error {
	var cfg batchConfig
	fs := newFlagSet("batch", "--tasks FILE --out DIR [flags]",
		"Judge every occupation of an O*NET task file (or a subset) into DIR: DIR/<code>/report.*, DIR/manifest.json, DIR/index.md and DIR/index.html.\n"+
			"Run the same command again to resume: finished occupations are kept and cached answers are not paid twice.\n"+
			"A first SIGINT/SIGTERM stops new work and lets calls in flight finish; a second exits at once.", sys.stderr)
	cfg.register(fs)
	cfg.registerOffline(fs)
	fs.BoolVar(&cfg.force, "force", false, forceFlag)
	cfg.registerFullPanel(fs)
	fs.StringVar(&cfg.only, "only", "", "comma-separated `codes`, or @FILE with one code a line (# comments)")
	fs.StringVar(&cfg.shard, "shard", "", "`i/n`: take every n-th occupation of the sorted list, starting at i (0-based)")
	fs.IntVar(&cfg.concurrency, "concurrency", 16, "occupations in flight (each asks its jurors concurrently)")
	fs.IntVar(&cfg.RPM, "rpm", config.DefaultRPM, "requests per minute the provider allows (0: no limit; not given: learned from the provider's x-ratelimit-limit-requests, else this default)")
	fs.IntVar(&cfg.TPM, "tpm", config.DefaultTPM, "tokens per minute the provider allows (0: no limit; not given: learned from the provider's x-ratelimit-limit-tokens, else this default)")
	fs.Float64Var(&cfg.MaxCost, "max-cost", 0, "stop before the next call would take this run's spending past `USD` (0: no limit)")
	fs.BoolVar(&cfg.retryFailed, "retry-failed", false, "run only the occupations the manifest marks failed")
	fs.StringVar(&cfg.Via, "via", config.ViaSync, "how to call the model: sync, or batch-api (OpenAI's Batch API: half price, up to 24 h)")
	fs.StringVar(&cfg.Cache, "cache", "", "cache `dir`ectory of model answers (default DIR/.cache)")
	fs.BoolVar(&cfg.NoCache, "no-cache", false, "do not cache model answers")
	fs.DurationVar(&cfg.BatchPoll, "batch-poll", 5*time.Second, "with --via batch-api: first wait between status checks (grows to 1m)")
	fs.DurationVar(&cfg.BatchIdle, "batch-collect", 2*time.Second, "with --via batch-api: submit once no new request came for this long")
	fs.IntVar(&cfg.BatchTokens, "batch-tokens", llm.DefaultEnqueuedTokens, "with --via batch-api: estimated tokens in running batches at once (default: the first tier's enqueued-token limit for gpt-4o-mini)")
	fs.BoolVar(&cfg.yes, "yes", false, fmt.Sprintf("start without asking, on a terminal, when the batch may pay for over %d answers", confirmAbove))
	fs.BoolVar(&cfg.warmCache, "warm-cache", true, "send one juror of each round first and the others once it is answered, so that they hit the provider's prompt cache (--via sync)")
	fs.StringVar(&cfg.Prices, "prices", "", "JSON `file` of model prices, {\"model\": {\"input\": USD/1M, \"output\": USD/1M}}, over the defaults")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("batch takes no arguments, got %q: choose occupations with --only", pos[0])
	}
	if err := cfg.apply(fs, sys.getenv); err != nil {
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
	}
	if err := cfg.CheckBatch(cfg.BatchOptions); err != nil {
		return err
	}
	occs, err := batch.Occupations(cfg.taskFile(), cfg.only, cfg.shard)
	if err != nil {
		return err
	}
	// One writer per output folder, taken once the input is read and
	// before anything else: a second run on it stops here, naming the
	// holder, and the folder is known to be writable before a call is
	// paid for.
	lock, err := outdir.LockDir(cfg.Out)
	if err != nil {
		return outdir.FlagError("--out", err)
	}
	defer lock.Release()
	logger := cfg.logger(sys.stderr)
	cfg.Logger, cfg.Now = logger, sys.now
	st, err := cfg.BatchStack(cfg.BatchOptions, sys.getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Via == config.ViaBatchAPI {
		// Every request in flight at once: a round of the deliberation
		// fits in one batch.
		cfg.concurrency = max(cfg.concurrency, len(occs))
	}
	panel, err := buildPanel(&cfg.runConfig, sys, st.Stack)
	if err != nil {
		return err
	}
	panel.Prices = st.Prices
	if err := announce(sys, &cfg, panel, len(occs), st.Offline); err != nil {
		return err
	}
	panel.WarmCache = cfg.warmCache && cfg.Via == config.ViaSync && !st.Offline
	bar := newProgressBar(sys.stderr, st.Stack)
	b := &batch.Runner{Panel: panel, Out: cfg.Out, Concurrency: cfg.concurrency, RetryFailed: cfg.retryFailed,
		RequireFullPanel: cfg.requireFullPanel, Lock: lock, Stop: sys.stop, Logger: logger, Progress: bar.update,
		Writer: outdir.Writer{Force: cfg.force}}
	if bar.tty {
		// The bar replaces per-occupation log lines on a terminal.
		b.Logger = slog.New(slog.NewTextHandler(sys.stderr, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: safeLogAttr}))
		panel.Logger = b.Logger
	}
	started := time.Now()
	res, runErr := b.Run(ctx, occs)
	bar.finish()
	if res == nil {
		return runErr
	}
	lr := res.LastRun(st.Stack, len(occs), started, time.Now())
	limits := "none (offline)"
	if !st.Offline {
		limits = st.Limiter.Report().String()
	}
	logger.Info("batch finished", "done", lr.Done, "already_done", lr.AlreadyDone, "failed", lr.Failed, "not_started", lr.NotStarted,
		"calls", lr.Calls, "cache_hits", lr.CacheHits, "429s", lr.RateLimited, "prompt_tokens", lr.PromptTokens, "cached_tokens", lr.CachedTokens,
		"cost_usd", fmt.Sprintf("%.4f", lr.CostUSD), "seconds", fmt.Sprintf("%.1f", lr.Seconds), "limits", limits)
	if n := len(lr.ShortPanel); n > 0 {
		fmt.Fprintf(sys.stderr, "jury: %d %s published with fewer jurors than seats (see each page): %s\n",
			n, plural(n, "verdict", "verdicts"), strings.Join(lr.ShortPanel, ", "))
	}
	if err := lr.Write(cfg.Out); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// progressBar draws the batch's progress on a terminal; elsewhere it does
// nothing and the log lines tell the story.
type progressBar struct {
	w       io.Writer
	tty     bool
	st      *llm.Stack
	started time.Time
	drawn   bool
}

func newProgressBar(w io.Writer, st *llm.Stack) *progressBar {
	return &progressBar{w: w, tty: isTerminal(w), st: st, started: time.Now()}
}

func (p *progressBar) update(bp batch.Progress) {
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
	_, cost := p.st.Meter.Spent()
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d · %d failed · %.1f/s · ETA %s · 429s %d · $%.2f · %s ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), bp.Done+bp.Failed, bp.Total, bp.Failed,
		rate, eta, p.st.Limiter.RateLimited(), cost, p.st.Limiter.Report())
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// announce says, before a batch starts, where it writes and how many
// answers it may pay for when --out was not given; on a terminal, above
// confirmAbove paid answers and without --yes, it asks first. Offline
// answers cost nothing: no question.
func announce(sys *system, cfg *batchConfig, panel *deliberation.Panel, n int, offline bool) error {
	most := batch.MostCalls(panel, n, 0)
	ask := !offline && !cfg.yes && most > confirmAbove && isTerminal(sys.stdin)
	if cfg.Sources["out"] != "default" && !ask {
		return nil
	}
	abs, _ := filepath.Abs(cfg.Out)
	paid := "paid"
	if offline {
		paid = "offline, free"
	}
	fmt.Fprintf(sys.stderr, "jury: batch of %d occupations into %s: at most %d %s answers (%d on a clean run; cached answers are not paid again)\n",
		n, abs, most, paid, n*(2*len(panel.Seats)+1))
	if !ask {
		return nil
	}
	fmt.Fprintf(sys.stderr, "jury: start? [y/N] ")
	line, _ := bufio.NewReader(sys.stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return usagef("batch not started: answer y to start, or pass --yes")
	}
	return nil
}
