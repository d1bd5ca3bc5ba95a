package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// execEdit is `jury edit DIR/<code>`: edits.yaml in $EDITOR (a starter
// file when there is none), checked and applied when the editor exits;
// with --print or no $EDITOR, the file (or a starter) on stdout.
func execEdit(_ context.Context, sys *system, args []string) error {
	fs := newFlagSet("edit", "[--print] DIR/<code>",
		"Edit an occupation's edits.yaml (summary, quotes, rationales, scores) in $VISUAL or $EDITOR, then apply it\n"+
			"to report.json, report.md and report.html. With --print or no editor, print it (or a starter file) instead.", sys.stderr)
	print := fs.Bool("print", false, "print edits.yaml, or a starter file, instead of opening an editor")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("edit takes one occupation directory, got %d arguments: jury edit DIR/<code>", len(pos))
	}
	draft, err := outdir.OpenEditDraft(pos[0])
	if err != nil {
		return err
	}
	editor := cmp.Or(sys.getenv("VISUAL"), sys.getenv("EDITOR"))
	if *print || editor == "" {
		_, err := sys.stdout.Write(draft.Data)
		fmt.Fprintf(sys.stderr, "jury: save your edits as %s; jury run, batch and render apply them\n", draft.Path)
		return err
	}
	w, err := draft.Edit(editor, os.Stdin, sys.stdout, sys.stderr)
	if err != nil {
		return err
	}
	warn(sys.stderr, w.Warnings)
	fmt.Fprintf(sys.stdout, "%s: %d %% (%s); %d %s need review\n", render.Plain(w.Dir), w.Report.Headline, w.Report.Band,
		w.Report.ReviewCount(), render.Plural(w.Report.ReviewCount(), "item", "items"))
	return nil
}

// errNeedsReview is `jury edits --check` finding something to review.
var errNeedsReview = errors.New("edits need review")

// execEdits is `jury edits DIR [--check]`: every edit and its state.
func execEdits(_ context.Context, sys *system, args []string) error {
	fs := newFlagSet("edits", "[--check] DIR",
		"List every edit under DIR (an occupation's directory or a batch's) and its state: current, needs review (the\n"+
			"model's value changed since the edit, or its text names figures a score edit changed), orphaned (task or juror gone).", sys.stderr)
	check := fs.Bool("check", false, "exit 1 when anything needs review or is orphaned (for CI)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("edits takes one directory, got %d arguments: jury edits [--check] DIR", len(pos))
	}
	lines, err := outdir.ListEdits(pos[0])
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(sys.stdout, 0, 4, 2, ' ', 0)
	open := 0
	for _, l := range lines {
		if l.State != jury.EditCurrent {
			open++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Code, render.Plain(l.What), l.State, render.Plain(l.Note()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(sys.stdout, "%d %s, %d %s review\n", len(lines), render.Plural(len(lines), "line", "lines"), open, render.Plural(open, "needs", "need"))
	if *check && open > 0 {
		return fmt.Errorf("%w: %d under %s (jury edits %s lists them)", errNeedsReview, open, pos[0], pos[0])
	}
	return nil
}
