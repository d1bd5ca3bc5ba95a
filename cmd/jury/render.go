package main

import (
	"context"
	"fmt"
	"io"

	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// execRender is `jury render DIR`: the pages again from the verdicts on
// disk, with no model called.
func execRender(ctx context.Context, sys *system, args []string) error {
	fs := newFlagSet("render", "[--force] DIR",
		"Re-render report.md and report.html from the report.json files in DIR (one occupation's\n"+
			"directory) or DIR/<code>/ (a batch), applying each occupation's edits.yaml, and index.md and\n"+
			"index.html when DIR holds a manifest.json. No model is called. A page changed by hand is not\n"+
			"overwritten (exit 2) unless --force.", sys.stderr)
	force := fs.Bool("force", false, "overwrite pages changed by hand")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("render takes one directory, got %d arguments: jury render DIR", len(pos))
	}
	res, err := outdir.Writer{Force: *force}.Rerender(pos[0])
	if err != nil {
		return err
	}
	warn(sys.stderr, res.Warnings)
	fmt.Fprintf(sys.stdout, "rendered %d %s under %s\n", res.Reports, render.Plural(res.Reports, "report", "reports"), pos[0])
	return nil
}

// warn prints warnings on stderr, one line each; they come from files a
// person wrote, so no escape sequence reaches the terminal.
func warn(stderr io.Writer, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(stderr, "jury: "+render.Plain(w))
	}
}
