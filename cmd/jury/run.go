package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// runConfig is what a model-calling command is told: the shared
// settings (pipeline/config) and what only the command line has.
type runConfig struct {
	config.Settings
	tasks, occupations string
	inputEncoding      string
	logFormat          string
	cassettes          config.Cassettes
	force              bool
	requireFullPanel   bool
}

// apply settles the settings by precedence, from the flags typed on fs.
func (c *runConfig) apply(fs *flagSet, getenv func(string) string) error {
	typed := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { typed[f.Name] = true })
	return c.Apply(typed, getenv)
}

// register adds the flags every command that reads the settings has.
func (c *runConfig) register(fs *flagSet) {
	fs.StringVar(&c.tasks, "tasks", "", "O*NET task `file` (tab-separated) to find a code in")
	fs.StringVar(&c.occupations, "occupations", "", "O*NET Occupation Data.txt `file` for titles (default: beside --tasks)")
	fs.StringVar(&c.inputEncoding, "input-encoding", "utf-8", "how input files are written: utf-8 or latin1")
	fs.StringVar(&c.Out, "out", config.DefaultOut, "output `dir`ectory; reports go to DIR/<code>/")
	fs.StringVar(&c.ConfigPath, "config", "", "configuration `file` (default ./jury.yaml if present)")
	fs.StringVar(&c.Provider, "provider", config.DefaultProvider, "provider of every juror: "+llm.ProviderChoices())
	fs.StringVar(&c.Model, "model", config.DefaultModel, "model `name` for every juror")
	fs.StringVar(&c.BaseURL, "base-url", "", "OpenAI-compatible API `url` (default $OPENAI_BASE_URL)")
	fs.Float64Var(&c.Temperature, "temperature", config.DefaultTemperature, "sampling temperature")
	fs.IntVar(&c.Seed, "seed", config.DefaultSeed, "seed sent with every request")
	fs.BoolVar(&c.NoSeed, "no-seed", false, "send no seed (for servers that refuse the field; also providers.NAME.seed: false in jury.yaml)")
	fs.IntVar(&c.MaxTokens, "max-tokens", 0, "answer budget of every call, in tokens (0: each request's own, sized to its longest valid answer); doubled on a re-ask after a cut-off answer")
	fs.DurationVar(&c.Timeout, "timeout", llm.DefaultTimeout, "time limit of each model call attempt")
	fs.IntVar(&c.Retries, "retries", llm.DefaultRetries, "retries of a failed call (429s that name a wait have their own budget of 5)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format on stderr: text or json")
}

// forceFlag is the help of --force, which run and batch have.
const forceFlag = "overwrite report pages changed by hand (without it they are left alone: move the change into edits.yaml)"

// registerOffline adds --offline, which only commands that call models have.
func (c *runConfig) registerOffline(fs *flagSet) {
	fs.BoolVar(&c.Offline, "offline", false, "use the offline juror (no key, no network) even if OPENAI_API_KEY is set")
}

// registerFullPanel adds --require-full-panel.
func (c *runConfig) registerFullPanel(fs *flagSet) {
	fs.BoolVar(&c.requireFullPanel, "require-full-panel", false, "fail a verdict when a juror gives no answer (the provider kept failing) instead of publishing it on the quorum")
}

// registerRecording adds --record, --replay and --replay-or-record.
func (c *runConfig) registerRecording(fs *flagSet) {
	fs.StringVar(&c.cassettes.Record, "record", "", "call the model and keep every exchange as a cassette in `dir`")
	fs.StringVar(&c.cassettes.Replay, "replay", "", "answer only from the cassettes in `dir`; a missing one is an error (no network)")
	fs.StringVar(&c.cassettes.ReplayOrRecord, "replay-or-record", "", "answer from the cassettes in `dir`, recording the missing ones")
}

// check reports the first flag whose value no command can run with.
func (c *runConfig) check() error {
	if err := c.Settings.Check(); err != nil {
		return err
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return usagef("--log-format %q: want text or json", c.logFormat)
	}
	if _, err := onet.ParseEncoding(c.inputEncoding); err != nil {
		return usagef("--input-encoding %q: want utf-8 or latin1", c.inputEncoding)
	}
	return nil
}

// taskFile is the --tasks file as the flags say to read it.
func (c *runConfig) taskFile() onet.TaskFile {
	enc, _ := onet.ParseEncoding(c.inputEncoding) // checked by check
	return onet.TaskFile{Path: c.tasks, Occupations: c.occupations, Encoding: enc}
}

// safeLogAttr keeps secrets and bidirectional controls out of logs.
func safeLogAttr(groups []string, a slog.Attr) slog.Attr {
	return render.LogAttr(groups, llm.RedactAttr(groups, a))
}

func (c *runConfig) logger(stderr io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: safeLogAttr}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

func execRun(ctx context.Context, sys *system, args []string) error {
	env, stdout, stderr := sys.getenv, sys.stdout, sys.stderr
	var cfg runConfig
	fs := newFlagSet("run", "[flags] <occupation.json | O*NET-SOC code>",
		"Judge one occupation: ask the jurors, decide the consensus, write DIR/<code>/report.json, report.md and report.html.\n"+
			"Environment: OPENAI_API_KEY, OPENAI_BASE_URL. With no key, the offline juror answers.", stderr)
	cfg.register(fs)
	cfg.registerOffline(fs)
	cfg.registerRecording(fs)
	fs.BoolVar(&cfg.force, "force", false, forceFlag)
	cfg.registerFullPanel(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run takes one occupation file or O*NET-SOC code, got %d arguments: jury run [flags] <occupation.json | code>", len(pos))
	}
	if err := cfg.apply(fs, env); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	occ, err := cfg.taskFile().Load(pos[0])
	if err != nil {
		return err
	}
	// A folder that cannot be written is found before anything is paid.
	if err := outdir.CheckWritable(cfg.Out); err != nil {
		return outdir.FlagError("--out", err)
	}
	st := &llm.Stack{RecordHint: "jury run --record DIR " + pos[0], Retry: cfg.RetryPolicy(), Logger: cfg.logger(stderr), Now: sys.now}
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
	go func() {
		select {
		case <-sys.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
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
		fmt.Fprintf(stderr, "jury: %d %s of the edits need review: jury edits %s\n", n, plural(n, "item", "items"), w.Dir)
	}
	return nil
}

// buildPanel resolves the panel and builds it on st, saying on stderr
// when the offline juror answers and why.
func buildPanel(cfg *runConfig, sys *system, st *llm.Stack) (*deliberation.Panel, error) {
	spec, err := cfg.Panel()
	if err != nil {
		return nil, err
	}
	panel, why, err := cfg.Build(spec, sys.getenv, st)
	if err != nil {
		return nil, err
	}
	if why != "" {
		fmt.Fprintf(sys.stderr, "jury: %s: using the offline juror (weights %s; no key, no network)\n", why, panel.Weights)
	}
	return panel, nil
}
