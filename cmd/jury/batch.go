package main

import (
	"bufio"
	"cmp"
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
	"github.com/onet-jury/jury/pipeline/render"
)

// batchConfig is what `jury batch` is told on top of runConfig.
type batchConfig struct {
	runConfig
	config.BatchOptions
	batch.Options
	yes bool
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
	cfg.registerCalls(fs)
	cfg.RegisterLimits(fs.FlagSet)
	cfg.BatchOptions.Register(fs.FlagSet)
	cfg.Options.Register(fs.FlagSet)
	fs.BoolVar(&cfg.yes, "yes", false, fmt.Sprintf("start without asking, on a terminal, when the batch may pay for over %d answers", confirmAbove))
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("batch takes no arguments, got %q: choose occupations with --only", pos[0])
	}
	tf, logger, err := cfg.Settle(fs.FlagSet, sys.getenv, sys.stderr)
	if err != nil {
		return err
	}
	if cfg.Tasks == "" {
		return usagef("batch needs --tasks FILE (an O*NET task file such as onet_tasks.tsv)")
	}
	if err := cfg.CheckBatch(cfg.BatchOptions); err != nil {
		return err
	}
	occs, err := cfg.Options.Occupations(tf)
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
	cfg.Logger, cfg.Now = logger, sys.now
	st, err := cfg.BatchStack(cfg.BatchOptions, sys.getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	panel, err := buildPanel(&cfg.runConfig, sys, st.Stack)
	if err != nil {
		return err
	}
	st.Equip(panel)
	if err := announce(sys, &cfg, panel, len(occs), st.Offline); err != nil {
		return err
	}
	defer st.PaceGC(sys.getenv, occs)()
	bar := newProgressBar(sys.stderr, st.Stack)
	b := &batch.Runner{Panel: panel, Out: cfg.Out, Concurrency: cfg.Concurrency, RetryFailed: cfg.RetryFailed,
		RequireFullPanel: cfg.requireFullPanel, Lock: lock, Stop: sys.stop.Done(), Logger: logger, Progress: bar.update,
		Writer: outdir.Writer{Force: cfg.force}}
	if bar.tty {
		// The bar replaces per-occupation log lines on a terminal.
		b.Logger, _ = config.Logging{Format: "text"}.Logger(sys.stderr, slog.LevelWarn)
		panel.Logger = b.Logger
	}
	started := time.Now()
	res, runErr := b.Run(ctx, occs)
	bar.finish()
	if res == nil {
		return runErr
	}
	lr, err := res.Finish(cfg.Out, st.Stack, len(occs), started, logger)
	runErr = cmp.Or(runErr, err) // the run's own error first
	if n := len(lr.ShortPanel); n > 0 {
		fmt.Fprintf(sys.stderr, "jury: %d %s published with fewer jurors than seats (see each page): %s\n",
			n, render.Plural(n, "verdict", "verdicts"), strings.Join(lr.ShortPanel, ", "))
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
	rate, left, ok := bp.Pace(time.Since(p.started))
	eta := "?"
	if ok {
		eta = left.String()
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
