package main

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/prompts"
)

func execPersonas(ctx context.Context, sys *system, args []string) error {
	var cfg runConfig
	fs := newFlagSet("personas", "[--config FILE]", "List the jurors of the panel, their voices, stances and seats, and where each was defined.", sys.stderr)
	cfg.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("personas takes no arguments")
	}
	if err := cfg.apply(fs, sys.getenv); err != nil {
		return err
	}
	spec, err := cfg.Panel()
	if err != nil {
		return err
	}
	for _, s := range spec.Seats {
		p := s.Persona
		fmt.Fprintf(sys.stdout, "%s (%s; %s)\n  voice:  %s\n  stance: %s\n  seat:   %s %s, temperature %v\n\n",
			p.Name, p.ID, s.Source, p.Voice, p.Stance, s.Provider, s.Model, s.Temperature)
	}
	f := spec.Foreperson
	fmt.Fprintf(sys.stdout, "Foreperson: %s %s, temperature %v\nQuorum %d of %d, %s of the votes; prompt hash %s\n",
		f.Provider, f.Model, f.Temperature, spec.Quorum, len(spec.Seats), spec.Aggregation, spec.Prompts.Hash())
	return nil
}

func execConfig(ctx context.Context, sys *system, args []string) error {
	var cfg runConfig
	fs := newFlagSet("config", "[--config FILE] [flags]",
		"Print the effective configuration and where each value comes from: flag, environment, jury.yaml:line, or default.\n"+
			"API keys are read only from the environment and never printed.", sys.stderr)
	cfg.register(fs)
	fs.IntVar(&cfg.RPM, "rpm", config.DefaultRPM, "requests per minute (as jury batch)")
	fs.IntVar(&cfg.TPM, "tpm", config.DefaultTPM, "tokens per minute (as jury batch)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("config takes no arguments")
	}
	if err := cfg.apply(fs, sys.getenv); err != nil {
		return err
	}
	spec, err := cfg.Panel()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(sys.stdout, 0, 0, 2, ' ', 0)
	file := ""
	if cfg.File != nil {
		file = cfg.File.Path
	}
	if file == "" {
		file = "none (no jury.yaml here; --config FILE names one)"
	}
	fmt.Fprintf(w, "config file\t%s\t\n", file)
	rows := []struct{ key, value string }{
		{"provider", cfg.Provider}, {"model", cfg.Model}, {"temperature", fmt.Sprint(cfg.Temperature)},
		{"seed", fmt.Sprint(cfg.Seed)}, {"retries", fmt.Sprint(cfg.Retries)}, {"timeout", cfg.Timeout.String()},
		{"out", cfg.Out}, {"rpm", fmt.Sprint(cfg.RPM)}, {"tpm", fmt.Sprint(cfg.TPM)},
		{"base_url", cmp.Or(cfg.BaseURL, "(OpenAI's default)")},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.key, llm.Redact(r.value), cfg.Sources[r.key])
	}
	for _, name := range llm.ProviderNames() {
		if u := cfg.BaseURLs[name]; u != "" && name != "openai" {
			fmt.Fprintf(w, "%s base_url\t%s\t%s\n", name, llm.Redact(u), cfg.File.At("providers."+name+".base_url"))
		}
	}
	fmt.Fprintf(w, "aggregation\t%s\t%s\n", spec.Aggregation, cfg.File.Source("aggregation"))
	fmt.Fprintf(w, "quorum\t%d\t%s\n", spec.Quorum, cfg.File.Source("quorum"))
	for _, s := range spec.All() {
		fmt.Fprintf(w, "juror %s\t%s %s, temperature %v\t%s\n", s.Persona.ID, s.Provider, s.Model, s.Temperature, s.Source)
	}
	for _, env := range llm.KeyVariables() {
		fmt.Fprintf(w, "%s\t%s\tenv\n", env, maskKey(sys.getenv(env)))
	}
	if why := cfg.OfflineReason(spec, sys.getenv, false); why != "" {
		fmt.Fprintf(w, "answered by\tthe offline juror (%s)\t\n", why)
	}
	fmt.Fprintf(w, "prompt hash\t%s\t\n", spec.Prompts.Hash())
	return w.Flush()
}

// maskKey says whether a key is set without showing any of it.
func maskKey(v string) string {
	if v == "" {
		return "not set"
	}
	return "set (" + strconv.Itoa(len(v)) + " characters, not shown)"
}

func execVersion(ctx context.Context, sys *system, args []string) error {
	stdout, stderr := sys.stdout, sys.stderr
	fs := newFlagSet("version", "", "Print jury's version and its prompt hash.", stderr)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jury %s (prompts %s)\n", pipeline.Version, prompts.Default().Hash())
	return nil
}
