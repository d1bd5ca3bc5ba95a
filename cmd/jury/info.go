package main

import (
	"context"
	"fmt"

	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/prompts"
)

func execPersonas(ctx context.Context, sys *system, args []string) error {
	stdout, stderr := sys.stdout, sys.stderr
	fs := newFlagSet("personas", "", "List the jurors of the panel, their voices and stances.", stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("personas takes no arguments")
	}
	set := prompts.Default()
	for _, p := range set.Personas() {
		fmt.Fprintf(stdout, "%s (%s, built-in)\n  voice:  %s\n  stance: %s\n\n", p.Name, p.ID, p.Voice, p.Stance)
	}
	fmt.Fprintf(stdout, "prompt hash %s\n", set.Hash())
	return nil
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
