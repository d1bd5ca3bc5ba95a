package config

import (
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
)

// Defaults of the settings a command line does not give.
const (
	DefaultModel       = "gpt-4o-mini"
	DefaultProvider    = "openai"
	DefaultTemperature = 0.2
	DefaultSeed        = 1
	DefaultOut         = "out"
	// DefaultRPM and DefaultTPM are OpenAI's first usage tier for
	// gpt-4o-mini.
	DefaultRPM = 500
	DefaultTPM = 200000
)

// Settings is what a command is told: the values, once Apply has settled
// them by precedence, and where each came from. Commands bind their flags
// to its fields, then call Apply. The zero value holds no defaults: the
// flags' defaults are the Default constants.
type Settings struct {
	Provider    string
	Model       string
	BaseURL     string // OpenAI's (flag --base-url, env OPENAI_BASE_URL)
	Temperature float64
	Seed        int
	// NoSeed sends no seed to any provider (--no-seed); a provider's
	// `seed: false` in jury.yaml does so for that one.
	NoSeed bool
	// MaxTokens is the answer budget of each call; 0 leaves it to the
	// provider.
	MaxTokens int
	Timeout   time.Duration
	Retries   int
	Out       string
	RPM, TPM  int
	// Offline makes the offline juror answer for every seat.
	Offline bool
	// ConfigPath is the file --config names; "" reads ./jury.yaml if any.
	ConfigPath string

	// Filled by Apply.

	// File is the configuration file read, nil when there is none.
	File *File
	// BaseURLs maps each provider to its base URL, when one is set.
	BaseURLs map[string]string
	// providers are jury.yaml's per-provider settings.
	providers map[string]providerConfig
	// Sources says where each setting came from, by key: "flag --seed",
	// "env OPENAI_BASE_URL", "jury.yaml:4" or "default".
	Sources map[string]string
	// typed are the flags the user typed.
	typed map[string]bool
}

// setting is one row of the precedence table: a key as jury.yaml and
// `jury config` name it, the flag and environment variable that can set
// it, and how to take it from the file.
type setting struct {
	key, flag, env string
	// fromFile copies the file's value into s and reports whether the
	// file sets it.
	fromFile func(f *fileConfig, s *Settings, apply bool) bool
}

// precedence is the table Apply follows, in `jury config`'s order.
var precedence = []setting{
	{"provider", "provider", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.Provider, &s.Provider, apply)
	}},
	{"model", "model", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.Model, &s.Model, apply)
	}},
	{"temperature", "temperature", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.Temperature, &s.Temperature, apply)
	}},
	{"seed", "seed", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.Seed, &s.Seed, apply)
	}},
	{"max_tokens", "max-tokens", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.MaxTokens, &s.MaxTokens, apply)
	}},
	{"retries", "retries", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.Retries, &s.Retries, apply)
	}},
	{"timeout", "timeout", "", func(f *fileConfig, s *Settings, apply bool) bool {
		if f.Timeout != nil && apply {
			s.Timeout, _ = time.ParseDuration(*f.Timeout) // checked by Load
		}
		return f.Timeout != nil
	}},
	{"out", "out", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return take(f.Out, &s.Out, apply)
	}},
	{"limits.rpm", "rpm", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return f.Limits != nil && take(f.Limits.RPM, &s.RPM, apply)
	}},
	{"limits.tpm", "tpm", "", func(f *fileConfig, s *Settings, apply bool) bool {
		return f.Limits != nil && take(f.Limits.TPM, &s.TPM, apply)
	}},
	{"providers.openai.base_url", "base-url", "OPENAI_BASE_URL", func(f *fileConfig, s *Settings, apply bool) bool {
		p, ok := f.Providers["openai"]
		if ok && p.BaseURL != "" && apply {
			s.BaseURL = p.BaseURL
		}
		return ok && p.BaseURL != ""
	}},
}

// take copies *from into *to when from is set and apply holds, and
// reports whether from is set.
func take[T any](from *T, to *T, apply bool) bool {
	if from != nil && apply {
		*to = *from
	}
	return from != nil
}

// sourceKey is the name `jury config` gives a setting: the last part of
// its file key ("limits.rpm" → "rpm"; OpenAI's base URL → "base_url").
func sourceKey(key string) string {
	switch key {
	case "limits.rpm":
		return "rpm"
	case "limits.tpm":
		return "tpm"
	case "providers.openai.base_url":
		return "base_url"
	}
	return key
}

// Apply settles every setting by precedence — the flags the user typed
// (typed, by flag name), then the environment, then the configuration
// file, then the flags' defaults already in s — and records where each
// value came from. It reads the file s.ConfigPath names, or ./jury.yaml.
func (s *Settings) Apply(typed map[string]bool, getenv func(string) string) error {
	file, err := Load(s.ConfigPath)
	if err != nil {
		return err
	}
	s.File, s.typed = file, typed
	var f fileConfig
	if file != nil {
		f = file.file
	}
	s.Sources = map[string]string{}
	for _, row := range precedence {
		inFile := row.fromFile(&f, s, false)
		src := "default"
		switch {
		case typed[row.flag]:
			src = "flag --" + row.flag
		case row.env != "" && getenv(row.env) != "":
			src = "env " + row.env
		case inFile:
			src = file.At(row.key)
		}
		s.Sources[sourceKey(row.key)] = src
		if !typed[row.flag] && (row.env == "" || getenv(row.env) == "") {
			row.fromFile(&f, s, true)
		}
	}
	if v := getenv("OPENAI_BASE_URL"); v != "" && !typed["base-url"] {
		s.BaseURL = v
	}
	// Every provider's base URL: the file may set any; OpenAI's follows
	// the table above.
	s.providers = f.Providers
	s.BaseURLs = map[string]string{}
	for name, p := range f.Providers {
		if p.BaseURL != "" {
			s.BaseURLs[name] = p.BaseURL
		}
	}
	if s.BaseURL != "" {
		s.BaseURLs["openai"] = s.BaseURL
	} else {
		delete(s.BaseURLs, "openai")
	}
	if _, ok := llm.LookupProvider(s.Provider); !ok {
		return jury.Invalidf("--provider %q: want %s", s.Provider, llm.ProviderChoices())
	}
	return nil
}

// omitSeed reports whether no seed goes to provider: --no-seed, or
// providers.NAME.seed: false.
func (s *Settings) omitSeed(provider string) bool {
	p := s.providers[provider]
	return s.NoSeed || (p.Seed != nil && !*p.Seed)
}

// Typed reports whether the user typed the flag of that name.
func (s *Settings) Typed(flag string) bool { return s.typed[flag] }
