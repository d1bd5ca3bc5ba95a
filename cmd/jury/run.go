package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// runConfig is what a model-calling command is told: the shared
// settings, input and logging (pipeline/config) and what only the
// command line has.
type runConfig struct {
	config.Command
	cassettes        config.Cassettes
	force            bool
	requireFullPanel bool
}

// registerCalls adds the flags of the commands that call models.
func (c *runConfig) registerCalls(fs *flagSet) {
	c.Register(fs.FlagSet)
	c.RegisterOffline(fs.FlagSet)
	fs.BoolVar(&c.force, "force", false, "overwrite report pages changed by hand (without it they are left alone: move the change into edits.yaml)")
	fs.BoolVar(&c.requireFullPanel, "require-full-panel", false, "fail a verdict when a juror gives no answer (the provider kept failing) instead of publishing it on the quorum")
}

func execRun(ctx context.Context, sys *system, args []string) error {
	stdout, stderr := sys.stdout, sys.stderr
	var cfg runConfig
	fs := newFlagSet("run", "[flags] <occupation.json | O*NET-SOC code>",
		"Judge one occupation: ask the jurors, decide the consensus, write DIR/<code>/report.json, report.md and report.html.\n"+
			"Environment: OPENAI_API_KEY, OPENAI_BASE_URL. With no key, the offline juror answers.", stderr)
	cfg.registerCalls(fs)
	cfg.cassettes.Register(fs.FlagSet)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run takes one occupation file or O*NET-SOC code, got %d arguments: jury run [flags] <occupation.json | code>", len(pos))
	}
	tf, logger, err := cfg.Settle(fs.FlagSet, sys.getenv, sys.stderr)
	if err != nil {
		return err
	}
	occ, err := tf.Load(pos[0])
	if err != nil {
		return err
	}
	// A folder that cannot be written is found before anything is paid.
	if err := outdir.CheckWritable(cfg.Out); err != nil {
		return outdir.FlagError("--out", err)
	}
	st := &llm.Stack{RecordHint: "jury run --record DIR " + pos[0], Retry: cfg.RetryPolicy(), Logger: logger, Now: sys.now}
	if err := cfg.cassettes.Attach(st); err != nil {
		return err
	}
	panel, err := buildPanel(&cfg, sys, st)
	if err != nil {
		return err
	}
	// One verdict has nothing to drain: a signal cancels it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(sys.stop, cancel)()
	deliberate := panel.Deliberate
	if cfg.requireFullPanel {
		deliberate = panel.DeliberateFull
	}
	report, _, err := deliberate(ctx, occ)
	if err != nil {
		return err
	}
	w, err := outdir.Writer{Force: cfg.force}.WriteReport(cfg.Out, report)
	if err != nil {
		return err
	}
	warn(stderr, w.Warnings)
	// The title comes from an input file: no escape sequence reaches the
	// terminal.
	fmt.Fprintf(stdout, "%s %s: %d %% (%s) → %s\n", report.Occupation.Code, render.Plain(report.Occupation.Title),
		w.Report.Headline, w.Report.Band, filepath.Join(w.Dir, "report.{json,md,html}"))
	if n := w.Report.ReviewCount(); n > 0 {
		fmt.Fprintf(stderr, "jury: %d %s of the edits need review: jury edits %s\n", n, render.Plural(n, "item", "items"), w.Dir)
	}
	return nil
}

// buildPanel builds the panel the settings describe on st, saying on
// stderr when the offline juror answers and why.
func buildPanel(cfg *runConfig, sys *system, st *llm.Stack) (*deliberation.Panel, error) {
	panel, why, err := cfg.BuildPanel(sys.getenv, st)
	if err == nil && why != "" {
		fmt.Fprintf(sys.stderr, "jury: %s: using the offline juror (weights %s; no key, no network)\n", why, panel.Weights)
	}
	return panel, err
}
