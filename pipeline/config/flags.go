package config

import (
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/render"
)

// The flags of what this package settles are bound here, by the package
// that owns their meaning, defaults and checks; a front end adds them to
// its flag sets and calls ApplyFlags once they are parsed.

// Command is what a command that reads the settings is told: the
// settings, where occupations come from and how to log. Register its
// flags, parse them, then Settle.
type Command struct {
	Settings
	Input
	Logging
}

// Register adds the flags of the settings, the input and the logging.
func (c *Command) Register(fs *flag.FlagSet) {
	c.Input.Register(fs)
	c.Settings.Register(fs)
	c.Logging.Register(fs)
}

// Settle applies the flags typed on fs, which must be parsed, by
// precedence (ApplyFlags), checks the result and returns the task file
// and the logger (on stderr, from Info) they ask for. Every error is
// bad input naming its flag or file.
func (c *Command) Settle(fs *flag.FlagSet, getenv func(string) string, stderr io.Writer) (onet.TaskFile, *slog.Logger, error) {
	if err := c.ApplyFlags(fs, getenv); err != nil {
		return onet.TaskFile{}, nil, err
	}
	if err := c.Check(); err != nil {
		return onet.TaskFile{}, nil, err
	}
	logger, err := c.Logger(stderr, slog.LevelInfo)
	if err != nil {
		return onet.TaskFile{}, nil, err
	}
	tf, err := c.TaskFile()
	return tf, logger, err
}

// Register adds the flags of the model settings every command that reads
// the settings has: provider, model, endpoint, sampling, budgets, the
// output folder and the configuration file.
func (s *Settings) Register(fs *flag.FlagSet) {
	fs.StringVar(&s.Out, "out", DefaultOut, "output `dir`ectory; reports go to DIR/<code>/")
	fs.StringVar(&s.ConfigPath, "config", "", "configuration `file` (default ./jury.yaml if present)")
	fs.StringVar(&s.Provider, "provider", DefaultProvider, "provider of every juror: "+llm.ProviderChoices())
	fs.StringVar(&s.Model, "model", DefaultModel, "model `name` for every juror")
	fs.StringVar(&s.BaseURL, "base-url", "", "OpenAI-compatible API `url` (default $OPENAI_BASE_URL)")
	fs.Float64Var(&s.Temperature, "temperature", DefaultTemperature, "sampling temperature")
	fs.IntVar(&s.Seed, "seed", DefaultSeed, "seed sent with every request")
	fs.BoolVar(&s.NoSeed, "no-seed", false, "send no seed (for servers that refuse the field; also providers.NAME.seed: false in jury.yaml)")
	fs.IntVar(&s.MaxTokens, "max-tokens", 0, "answer budget of every call, in tokens (0: each request's own, sized to its longest valid answer); doubled on a re-ask after a cut-off answer")
	fs.DurationVar(&s.Timeout, "timeout", llm.DefaultTimeout, "time limit of each model call attempt")
	fs.IntVar(&s.Retries, "retries", llm.DefaultRetries, "retries of a failed call (429s that name a wait have their own budget of 5)")
}

// RegisterOffline adds --offline, which only commands that call models
// have.
func (s *Settings) RegisterOffline(fs *flag.FlagSet) {
	fs.BoolVar(&s.Offline, "offline", false, "use the offline juror (no key, no network) even if OPENAI_API_KEY is set")
}

// RegisterLimits adds --rpm and --tpm, the provider's rate limits.
func (s *Settings) RegisterLimits(fs *flag.FlagSet) {
	fs.IntVar(&s.RPM, "rpm", DefaultRPM, "requests per minute the provider allows (0: no limit; not given: learned from the provider's x-ratelimit-limit-requests, else this default)")
	fs.IntVar(&s.TPM, "tpm", DefaultTPM, "tokens per minute the provider allows (0: no limit; not given: learned from the provider's x-ratelimit-limit-tokens, else this default)")
}

// ApplyFlags settles the settings by precedence (Apply) from the flags
// the user typed on fs, which must be parsed.
func (s *Settings) ApplyFlags(fs *flag.FlagSet, getenv func(string) string) error {
	typed := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { typed[f.Name] = true })
	return s.Apply(typed, getenv)
}

// Register adds `jury batch`'s flags of its model stack: budget, how it
// calls the model, cache, prices and the Batch API's tuning.
func (o *BatchOptions) Register(fs *flag.FlagSet) {
	fs.Float64Var(&o.MaxCost, "max-cost", 0, "stop before the next call would take this run's spending past `USD` (0: no limit)")
	fs.StringVar(&o.Via, "via", ViaSync, "how to call the model: sync, or batch-api (OpenAI's Batch API: half price, up to 24 h)")
	fs.StringVar(&o.Cache, "cache", "", "cache `dir`ectory of model answers (default DIR/.cache)")
	fs.BoolVar(&o.NoCache, "no-cache", false, "do not cache model answers")
	fs.StringVar(&o.Prices, "prices", "", "JSON `file` of model prices, {\"model\": {\"input\": USD/1M, \"output\": USD/1M}}, over the defaults")
	fs.DurationVar(&o.BatchPoll, "batch-poll", 5*time.Second, "with --via batch-api: first wait between status checks (grows to 1m)")
	fs.DurationVar(&o.BatchIdle, "batch-collect", 2*time.Second, "with --via batch-api: submit once no new request came for this long")
	fs.BoolVar(&o.WarmCache, "warm-cache", true, "send one juror of each round first and the others once it is answered, so that they hit the provider's prompt cache (--via sync)")
	fs.IntVar(&o.BatchTokens, "batch-tokens", llm.DefaultEnqueuedTokens, "with --via batch-api: estimated tokens in running batches at once (default: the first tier's enqueued-token limit for gpt-4o-mini)")
}

// Register adds --record, --replay and --replay-or-record.
func (c *Cassettes) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.Record, "record", "", "call the model and keep every exchange as a cassette in `dir`")
	fs.StringVar(&c.Replay, "replay", "", "answer only from the cassettes in `dir`; a missing one is an error (no network)")
	fs.StringVar(&c.ReplayOrRecord, "replay-or-record", "", "answer from the cassettes in `dir`, recording the missing ones")
}

// Input is where a command reads occupations from: an O*NET task file,
// its titles file and how both are written (--tasks, --occupations,
// --input-encoding).
type Input struct {
	Tasks, Occupations string
	// Encoding is utf-8 or latin1 as the user typed it.
	Encoding string
}

// Register adds --tasks, --occupations and --input-encoding.
func (in *Input) Register(fs *flag.FlagSet) {
	fs.StringVar(&in.Tasks, "tasks", "", "O*NET task `file` (tab-separated) to find a code in")
	fs.StringVar(&in.Occupations, "occupations", "", "O*NET Occupation Data.txt `file` for titles (default: beside --tasks)")
	fs.StringVar(&in.Encoding, "input-encoding", "utf-8", "how input files are written: utf-8 or latin1")
}

// TaskFile is the task file as the flags say to read it; an encoding
// other than utf-8 or latin1 is bad input naming the flag.
func (in Input) TaskFile() (onet.TaskFile, error) {
	enc, err := onet.ParseEncoding(in.Encoding)
	if err != nil {
		return onet.TaskFile{}, jury.Invalidf("--input-encoding %q: want utf-8 or latin1", in.Encoding)
	}
	return onet.TaskFile{Path: in.Tasks, Occupations: in.Occupations, Encoding: enc}, nil
}

// Logging is how a command logs on stderr (--log-format).
type Logging struct {
	// Format is text or json.
	Format string
}

// Register adds --log-format.
func (l *Logging) Register(fs *flag.FlagSet) {
	fs.StringVar(&l.Format, "log-format", "text", "log format on stderr: text or json")
}

// Logger returns a logger writing to w at level and above in the format
// asked for, with secrets and bidirectional controls kept out of every
// line; a format other than text or json is bad input naming the flag.
func (l Logging) Logger(w io.Writer, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		return render.LogAttr(groups, llm.RedactAttr(groups, a))
	}}
	switch l.Format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, jury.Invalidf("--log-format %q: want text or json", l.Format)
}
