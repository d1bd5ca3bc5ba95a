package main

import (
	"context"
	"errors"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// execDiff compares two reports or report directories and prints what
// changed. It returns nil when no change fails (even if changes are
// listed), an error whose message is the diff's one-line summary when one
// does (exit 1), and an ErrInvalid error for unreadable or incomparable
// input (exit 2). The diff is printed in full before a failure is returned.
func execDiff(_ context.Context, sys *system, args []string) error {
	fs := newFlagSet("diff", "[flags] OLD NEW",
		"Compare two reports or report directories (a report.json, DIR/report.json, or DIR/<code>/report.json as run and batch write them):\n"+
			"headlines, task scores and labels, tasks and occupations on one side only, reworded summaries and quotes (the model's verdict),\n"+
			"and apart from them a person's edits (edits.yaml).\n"+
			"Exit 0 when no change fails (reworded text never does), 1 when one does, 2 when a side cannot be read or compared.", sys.stderr)
	tolerance := fs.Int("tolerance", jury.DefaultTolerance, "`points` a headline or task score may move without failing")
	failOn := fs.String("fail-on", "headline,task,label,edit", "comma-separated `kinds` of change that fail: headline, task, label, edit (a person's score edit; leave it out to ignore edits)")
	formatName := fs.String("format", "text", "output format: text, markdown (for a pull-request comment) or json")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("diff takes two arguments, OLD and NEW, got %d (see jury diff --help)", len(pos))
	}
	format, err := render.ParseDiffFormat(*formatName)
	if err != nil {
		return err
	}
	opts, err := jury.NewDiffOptions(*tolerance, *failOn)
	if err != nil {
		return err
	}

	res, err := outdir.Diff(pos[0], pos[1], opts)
	if err != nil {
		return err
	}
	out, err := format.Render(res, wantsColour(sys))
	if err != nil {
		return err
	}
	if _, err := sys.stdout.Write(out); err != nil {
		return err
	}
	if res.Failed() {
		// The summary quotes the reports: keep their control characters
		// out of the terminal.
		return errors.New(render.Plain(res.Summary()))
	}
	return nil
}

// wantsColour reports whether the diff's text should be coloured: only on
// a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb.
func wantsColour(sys *system) bool {
	return sys.getenv("NO_COLOR") == "" && sys.getenv("TERM") != "dumb" && isTerminal(sys.stdout)
}
