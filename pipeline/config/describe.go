package config

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/onet-jury/jury/pipeline/llm"
)

// Row is one line of `jury config`: a setting, its value, and where the
// value came from.
type Row struct{ Key, Value, Source string }

// Describe lists every effective setting of s and spec and where it came
// from, in `jury config`'s order. Secrets never appear: URLs pass through
// llm.Redact, and keys show only whether they are set.
func (s *Settings) Describe(spec *PanelSpec, getenv func(string) string) []Row {
	file := "none (no jury.yaml here; --config FILE names one)"
	if s.File != nil {
		file = s.File.Path
	}
	rows := []Row{{"config file", file, ""}}
	add := func(key, value string) { rows = append(rows, Row{key, llm.Redact(value), s.Sources[key]}) }
	add("provider", s.Provider)
	add("model", s.Model)
	add("temperature", fmt.Sprint(s.Temperature))
	add("seed", fmt.Sprint(s.Seed))
	maxTokens := strconv.Itoa(s.MaxTokens)
	if s.MaxTokens == 0 {
		maxTokens = "0 (each request's own budget, sized to its longest valid answer)"
	}
	add("max_tokens", maxTokens)
	add("retries", fmt.Sprint(s.Retries))
	add("timeout", s.Timeout.String())
	add("out", s.Out)
	add("rpm", fmt.Sprint(s.RPM))
	add("tpm", fmt.Sprint(s.TPM))
	add("base_url", cmp.Or(s.BaseURL, "(OpenAI's default)"))
	for _, name := range llm.ProviderNames() {
		if u := s.BaseURLs[name]; u != "" && name != "openai" {
			rows = append(rows, Row{name + " base_url", llm.Redact(u), s.File.At("providers." + name + ".base_url")})
		}
		if s.omitSeed(name) {
			src := "flag --no-seed"
			if !s.NoSeed {
				src = s.File.At("providers." + name + ".seed")
			}
			rows = append(rows, Row{name + " seed", "not sent", src})
		}
		if rf := s.providers[name].ResponseFormat; rf != "" {
			rows = append(rows, Row{name + " response_format", rf, s.File.At("providers." + name + ".response_format")})
		}
	}
	rows = append(rows,
		Row{"aggregation", string(spec.Aggregation), s.File.Source("aggregation")},
		Row{"quorum", strconv.Itoa(spec.Quorum), s.File.Source("quorum")})
	for _, seat := range spec.All() {
		rows = append(rows, Row{"juror " + seat.Persona.ID,
			fmt.Sprintf("%s %s, temperature %v", seat.Provider, seat.Model, seat.Temperature), seat.Source})
	}
	for _, env := range llm.KeyVariables() {
		rows = append(rows, Row{env, maskKey(getenv(env)), "env"})
	}
	if why := s.OfflineReason(spec, getenv, false); why != "" {
		rows = append(rows, Row{"answered by", "the offline juror (" + why + ")", ""})
	}
	return append(rows, Row{"prompt hash", spec.Prompts.Hash(), ""})
}

// maskKey says whether a key is set without showing any of it.
func maskKey(v string) string {
	if v == "" {
		return "not set"
	}
	return "set (" + strconv.Itoa(len(v)) + " characters, not shown)"
}
