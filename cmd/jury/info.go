package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/prompts"
)

// panel parses the command line of a command that takes only flags and
// returns the panel the settings describe.
func panelOf(c *config.Command, fs *flagSet, sys *system, args []string) (*config.PanelSpec, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usagef("%s takes no arguments", fs.Name())
	}
	if err := c.ApplyFlags(fs.FlagSet, sys.getenv); err != nil {
		return nil, err
	}
	return c.Panel()
}

func execPersonas(ctx context.Context, sys *system, args []string) error {
	var cfg config.Command
	fs := newFlagSet("personas", "[--config FILE]", "List the jurors of the panel, their voices, stances and seats, and where each was defined.", sys.stderr)
	cfg.Register(fs.FlagSet)
	spec, err := panelOf(&cfg, fs, sys, args)
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
	var cfg config.Command
	fs := newFlagSet("config", "[--config FILE] [flags]",
		"Print the effective configuration and where each value comes from: flag, environment, jury.yaml:line, or default.\n"+
			"API keys are read only from the environment and never printed.", sys.stderr)
	cfg.Register(fs.FlagSet)
	cfg.RegisterLimits(fs.FlagSet)
	spec, err := panelOf(&cfg, fs, sys, args)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(sys.stdout, 0, 0, 2, ' ', 0)
	for _, r := range cfg.Describe(spec, sys.getenv) {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Key, r.Value, r.Source)
	}
	return w.Flush()
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
