package main

import (
	"cmp"
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/onet-jury/jury/pipeline"
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
	if err := cfg.applyConfig(fs, sys.getenv); err != nil {
		return err
	}
	spec, err := cfg.panel()
	if err != nil {
		return err
	}
	for _, s := range spec.seats {
		p := s.persona
		fmt.Fprintf(sys.stdout, "%s (%s; %s)\n  voice:  %s\n  stance: %s\n  seat:   %s %s, temperature %v\n\n",
			p.Name, p.ID, s.source, p.Voice, p.Stance, s.provider, s.model, s.temperature)
	}
	f := spec.foreperson
	fmt.Fprintf(sys.stdout, "Foreperson: %s %s, temperature %v\nQuorum %d of %d, %s of the votes; prompt hash %s\n",
		f.provider, f.model, f.temperature, spec.quorum, len(spec.seats), spec.aggregation, spec.set.Hash())
	return nil
}

func execConfig(ctx context.Context, sys *system, args []string) error {
	var cfg runConfig
	fs := newFlagSet("config", "[--config FILE] [flags]",
		"Print the effective configuration and where each value comes from: flag, environment, jury.yaml:line, or default.\n"+
			"API keys are read only from the environment and never printed.", sys.stderr)
	cfg.register(fs)
	fs.IntVar(&cfg.rpm, "rpm", defaultRPM, "requests per minute (as jury batch)")
	fs.IntVar(&cfg.tpm, "tpm", defaultTPM, "tokens per minute (as jury batch)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("config takes no arguments")
	}
	if err := cfg.applyConfig(fs, sys.getenv); err != nil {
		return err
	}
	spec, err := cfg.panel()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(sys.stdout, 0, 0, 2, ' ', 0)
	file := cfg.configName()
	if file == "" {
		file = "none (no jury.yaml here; --config FILE names one)"
	}
	fmt.Fprintf(w, "config file\t%s\t\n", file)
	rows := []struct{ key, value string }{
		{"provider", cfg.provider}, {"model", cfg.model}, {"temperature", fmt.Sprint(cfg.temperature)},
		{"seed", fmt.Sprint(cfg.seed)}, {"retries", fmt.Sprint(cfg.retries)}, {"timeout", cfg.timeout.String()},
		{"out", cfg.out}, {"rpm", fmt.Sprint(cfg.rpm)}, {"tpm", fmt.Sprint(cfg.tpm)},
		{"base_url", cmp.Or(cfg.baseURL, "(OpenAI's default)")},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.key, llm.Redact(r.value), cfg.sources[r.key])
	}
	for _, name := range []string{"anthropic", "gemini", "ollama"} {
		if u := cfg.baseURLs[name]; u != "" {
			fmt.Fprintf(w, "%s base_url\t%s\t%s\n", name, llm.Redact(u), cfg.conf.at("providers."+name+".base_url"))
		}
	}
	fmt.Fprintf(w, "aggregation\t%s\t%s\n", spec.aggregation, sourceOr(cfg.conf, "aggregation"))
	fmt.Fprintf(w, "quorum\t%d\t%s\n", spec.quorum, sourceOr(cfg.conf, "quorum"))
	for _, s := range append(spec.seats, spec.foreperson) {
		fmt.Fprintf(w, "juror %s\t%s %s, temperature %v\t%s\n", s.persona.ID, s.provider, s.model, s.temperature, s.source)
	}
	for _, env := range []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY"} {
		fmt.Fprintf(w, "%s\t%s\tenv\n", env, maskKey(sys.getenv(env)))
	}
	if why := cfg.offlineReason(spec, sys.getenv, false); why != "" {
		fmt.Fprintf(w, "answered by\tthe offline juror (%s)\t\n", why)
	}
	fmt.Fprintf(w, "prompt hash\t%s\t\n", spec.set.Hash())
	return w.Flush()
}

// sourceOr says where a key of the file came from, or "default".
func sourceOr(l *loadedConfig, key string) string {
	if l == nil {
		return "default"
	}
	if _, ok := l.lines[key]; ok {
		return l.at(key)
	}
	return "default"
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
