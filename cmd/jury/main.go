// Command jury turns an occupation's O*NET task list into a published
// verdict on how far AI can automate the job: four jurors score every
// task, the pipeline validates and re-asks, and a consensus report is
// written as report.json and report.md.
//
// Exit codes: 0 done; 1 a verdict failed; 2 bad input or usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/render"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	stop, stopWork := context.WithCancel(context.Background())
	go func() {
		// The first signal asks commands to stop starting work; the
		// second exits at once. Finished work is already on disk: every
		// file is written atomically as it is done.
		<-sigs
		fmt.Fprintln(os.Stderr, "jury: signal: no new work; what is in flight finishes (a second signal exits at once)")
		stopWork()
		<-sigs
		cancel()
		fmt.Fprintln(os.Stderr, "jury: second signal: exiting now")
		os.Exit(exitFailed)
	}()
	err := run(ctx, os.Args[1:], &system{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stop: stop, now: time.Now})
	cancel()
	os.Exit(report(err, os.Stderr))
}

// system is what the process gives a command: its environment, its
// input and output streams, the stop signal (done at the first SIGINT or
// SIGTERM; nil: never) and the clock that dates verdicts (nil: time.Now).
type system struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	stop           context.Context
	now            func() time.Time
}

// isTerminal reports whether stream, a reader or a writer, is a terminal
// a user types into or reads: a character device other than /dev/null
// (where cron and CI point their streams).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitInvalid = 2
)

// errUsage marks a command line that cannot be run as typed.
var errUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// report prints err in one line and returns the exit code it maps to.
func report(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
	// One line, no key, and none of the escape sequences a file or a model
	// answer quoted in the message might carry.
	fmt.Fprintln(stderr, "jury: "+render.Plain(llm.Redact(msg)))
	if errors.Is(err, errUsage) || errors.Is(err, jury.ErrInvalid) {
		return exitInvalid
	}
	return exitFailed
}

// command is one subcommand of jury.
type command struct {
	name, args, summary string
	exec                func(ctx context.Context, sys *system, args []string) error
}

func commands() []command {
	return []command{
		{"run", "[flags] <occupation.json | O*NET-SOC code>", "judge one occupation and write its report", execRun},
		{"batch", "--tasks FILE --out DIR [flags]", "judge every occupation of a task file, resumably", execBatch},
		{"diff", "[flags] OLD NEW", "compare two reports or report directories", execDiff},
		{"render", "[--force] DIR", "re-render the pages from report.json files, applying each edits.yaml", execRender},
		{"edit", "[--print] DIR/<code>", "edit an occupation's edits.yaml (summary, quotes, rationales, scores)", execEdit},
		{"edits", "[--check] DIR", "list every edit and its state: current, needs review, orphaned", execEdits},
		{"eval", "--labels FILE [--json] [--predictions OUT.tsv]", "score the offline juror against labelled tasks", execEval},
		{"config", "[--config FILE] [flags]", "print the effective configuration and where each value comes from", execConfig},
		{"personas", "[--config FILE]", "list the jurors, their voices and seats", execPersonas},
		{"version", "", "print the version and the prompt hash", execVersion},
	}
}

// run connects the command line to the subcommands; main only adds the OS.
func run(ctx context.Context, args []string, sys *system) error {
	if sys.stop == nil {
		sys.stop = context.Background()
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(sys.stdout)
		if len(args) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.exec(ctx, sys, args[1:])
		}
	}
	return usagef("unknown command %q: run 'jury help' for the list", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "jury: an AI jury's verdict on how far AI can automate an occupation")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  jury %-9s %s\n", c.name, c.args)
		fmt.Fprintf(w, "            %s\n", c.summary)
	}
	fmt.Fprintln(w, "\nRun 'jury <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 done, 1 a verdict failed, 2 bad input or usage.")
}

// parseArgs parses flags wherever they stand among the positional
// arguments, as users type them ("run 29-2072.00 --tasks FILE").
func parseArgs(fs *flagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, usagef("%s: %v (see jury %s --help)", fs.Name(), err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// flagSet is a subcommand's flags and its help text.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlagSet returns a subcommand's flag set. Parse errors become one line
// from report; the usage is printed only for --help.
func newFlagSet(name, args, summary string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, help: func() {
		fmt.Fprintf(stderr, "Usage: jury %s %s\n\n%s\n\nFlags:\n", name, args, summary)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}}
}
