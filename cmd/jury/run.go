package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/render"
)

// runConfig is what `jury run` is told by flags and environment.
type runConfig struct {
	tasks, occupations string
	out                string
	model, baseURL     string
	temperature        float64
	seed               int
	noSeed             bool
	maxTokens          int
	timeout            time.Duration
	retries            int
	logFormat          string
	offline            bool
	record, replay     string
	replayOrRecord     string
	configPath         string
	provider           string
	rpm, tpm           int

	// Filled by applyConfig.
	conf     *loadedConfig
	flagSet  map[string]bool
	sources  map[string]string
	baseURLs map[string]string
	// providers are jury.yaml's per-provider settings.
	providers map[string]providerConfig
}

// flagValue is a parsed flag, as flag.FlagSet.Visit hands it over.
type flagValue = flag.Flag

// configName names the configuration file in use, or "".
func (c *runConfig) configName() string {
	if c.conf == nil {
		return ""
	}
	return c.conf.path
}

// Defaults of `jury run`.
const (
	defaultModel       = "gpt-4o-mini"
	defaultProvider    = "openai"
	defaultTemperature = 0.2
	defaultSeed        = 1
	defaultOut         = "out"
)

func (c *runConfig) register(fs interface {
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
	IntVar(*int, string, int, string)
	DurationVar(*time.Duration, string, time.Duration, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&c.tasks, "tasks", "", "O*NET task `file` (tab-separated) to find a code in")
	fs.StringVar(&c.occupations, "occupations", "", "O*NET Occupation Data.txt `file` for titles (default: beside --tasks)")
	fs.StringVar(&c.out, "out", defaultOut, "output `dir`ectory; reports go to DIR/<code>/")
	fs.StringVar(&c.configPath, "config", "", "configuration `file` (default ./jury.yaml if present)")
	fs.StringVar(&c.provider, "provider", defaultProvider, "provider of every juror: openai, anthropic, gemini or ollama")
	fs.StringVar(&c.model, "model", defaultModel, "model `name` for every juror")
	fs.StringVar(&c.baseURL, "base-url", "", "OpenAI-compatible API `url` (default $OPENAI_BASE_URL)")
	fs.Float64Var(&c.temperature, "temperature", defaultTemperature, "sampling temperature")
	fs.IntVar(&c.seed, "seed", defaultSeed, "seed sent with every request")
	fs.BoolVar(&c.noSeed, "no-seed", false, "send no seed (for servers that refuse the field; also providers.NAME.seed: false in jury.yaml)")
	fs.IntVar(&c.maxTokens, "max-tokens", 0, "answer budget of each call, in tokens (0: the provider's default, 4096 for Anthropic and Gemini); doubled on a re-ask after a cut-off answer")
	fs.DurationVar(&c.timeout, "timeout", llm.DefaultTimeout, "time limit of each model call attempt")
	fs.IntVar(&c.retries, "retries", llm.DefaultRetries, "retries of a failed call (429s that name a wait have their own budget of 5)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format on stderr: text or json")
}

// registerOffline adds --offline, which only commands that call models have.
func (c *runConfig) registerOffline(fs interface {
	BoolVar(*bool, string, bool, string)
}) {
	fs.BoolVar(&c.offline, "offline", false, "use the offline juror (no key, no network) even if OPENAI_API_KEY is set")
}

// registerRecording adds --record, --replay and --replay-or-record.
func (c *runConfig) registerRecording(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&c.record, "record", "", "call the model and keep every exchange as a cassette in `dir`")
	fs.StringVar(&c.replay, "replay", "", "answer only from the cassettes in `dir`; a missing one is an error (no network)")
	fs.StringVar(&c.replayOrRecord, "replay-or-record", "", "answer from the cassettes in `dir`, recording the missing ones")
}

// recording returns the cassette directory and mode the flags ask for.
func (c *runConfig) recording() (string, llm.Mode, error) {
	set := 0
	dir, mode := "", llm.ReplayOrRecord
	for _, f := range []struct {
		v string
		m llm.Mode
	}{{c.record, llm.RecordAlways}, {c.replay, llm.ReplayOnly}, {c.replayOrRecord, llm.ReplayOrRecord}} {
		if f.v != "" {
			set++
			dir, mode = f.v, f.m
		}
	}
	if set > 1 {
		return "", 0, usagef("--record, --replay and --replay-or-record exclude each other: choose one")
	}
	return dir, mode, nil
}

func (c *runConfig) check() error {
	switch {
	case c.temperature < 0 || c.temperature > 2:
		return usagef("--temperature %v: want 0 to 2", c.temperature)
	case c.timeout <= 0:
		return usagef("--timeout %v: want a positive duration such as 90s", c.timeout)
	case c.retries < 0:
		return usagef("--retries %d: want 0 or more", c.retries)
	case c.out == "":
		return usagef("--out is empty: name an output directory")
	case c.logFormat != "text" && c.logFormat != "json":
		return usagef("--log-format %q: want text or json", c.logFormat)
	}
	return nil
}

func (c *runConfig) logger(stderr io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
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
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run takes one occupation file or O*NET-SOC code, got %d arguments: jury run [flags] <occupation.json | code>", len(pos))
	}
	if err := cfg.applyConfig(fs, env); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	occ, err := loadOccupation(pos[0], cfg.tasks, cfg.occupations)
	if err != nil {
		return err
	}
	logger := cfg.logger(stderr)
	st := &stack{recordHint: "jury run --record DIR " + pos[0]}
	if st.storeDir, st.storeMode, err = cfg.recording(); err != nil {
		return err
	}
	panel, err := newPanel(&cfg, sys, logger, st)
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
	report, _, err := panel.Deliberate(ctx, occ)
	if err != nil {
		return err
	}
	dir, err := pipeline.WriteReport(cfg.out, report)
	if err != nil {
		return err
	}
	// The title comes from an input file: no escape sequence reaches the
	// terminal.
	fmt.Fprintf(stdout, "%s %s: %d %% (%s) → %s\n", report.Occupation.Code, render.Plain(report.Occupation.Title),
		report.Headline, report.Band, filepath.Join(dir, "report.{json,md,html}"))
	return nil
}

// loadOccupation reads the positional argument: an occupation file, or a
// code to look up in the --tasks file.
func loadOccupation(arg, tasks, occupations string) (jury.Occupation, error) {
	if jury.ValidCode(arg) {
		if tasks == "" {
			if _, err := os.Stat(arg); err != nil {
				return jury.Occupation{}, usagef("%s is a code: name the O*NET task file to find it in with --tasks FILE", arg)
			}
		} else {
			cat, err := onet.ReadCatalog(tasks, occupations)
			if err != nil {
				return jury.Occupation{}, err
			}
			return cat.Occupation(arg)
		}
	}
	if tasks != "" {
		return jury.Occupation{}, usagef("--tasks needs an O*NET-SOC code such as 29-2072.00, not %q", arg)
	}
	if !strings.HasSuffix(arg, ".json") {
		if _, err := os.Stat(arg); err != nil {
			return jury.Occupation{}, usagef("%q is neither an occupation file (.json) nor an O*NET-SOC code like 29-2072.00", arg)
		}
	}
	return onet.ReadOccupationFile(arg)
}
