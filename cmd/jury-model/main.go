// Command jury-model trains and cross-validates the offline juror's
// task-exposure model (package pipeline/offline/exposure).
//
//	jury-model train [-labels FILE] [-out FILE]   train on all labels, write the weights
//	jury-model cv [-labels FILE] [-folds N]       grouped k-fold cross-validation table
//
// Exit codes: 0 done, 1 failure, 2 bad input or usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/onet-jury/jury/pipeline/offline"
	"github.com/onet-jury/jury/pipeline/offline/exposure"
	"github.com/onet-jury/jury/pipeline/onet"
)

// Default paths, relative to the repository root where the Makefile runs.
var (
	defaultLabels  = filepath.Join("..", "shared", "data", "gpts-are-gpts", "labels_train.tsv")
	defaultWeights = filepath.Join("pipeline", "exposure", exposure.WeightsFile)
)

const usage = `usage:
  jury-model train [-labels FILE] [-out FILE]   train on all labels and write the weights
  jury-model cv [-labels FILE] [-folds N]       grouped k-fold cross-validation table`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "jury-model:", err)
	}
	os.Exit(exitCode(err))
}

// badInput marks an error caused by the command line or the input files,
// which exits 2 rather than 1.
type badInput struct{ error }

func (e badInput) Unwrap() error { return e.error }

// exitCode maps run's error to the process exit code.
func exitCode(err error) int {
	var bad badInput
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &bad):
		return 2
	}
	return 1
}

// run executes one subcommand with its arguments.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return badInput{errors.New("missing subcommand: want train or cv")}
	}
	switch args[0] {
	case "train":
		return runTrain(ctx, args[1:], stdout, stderr)
	case "cv":
		return runCV(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return flag.ErrHelp
	}
	fmt.Fprintln(stderr, usage)
	return badInput{fmt.Errorf("unknown subcommand %q: want train or cv", args[0])}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("jury-model "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags, marking a bad command line as bad input.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return badInput{err}
	}
	if fs.NArg() > 0 {
		return badInput{fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func runTrain(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	labels := fs.String("labels", defaultLabels, "labelled tasks (labels_train.tsv of the gpts-are-gpts data)")
	out := fs.String("out", defaultWeights, "weights file to write (gzipped JSON)")
	if err := parse(fs, args); err != nil {
		return err
	}
	examples, err := readLabels(*labels)
	if err != nil {
		return err
	}
	start := time.Now()
	m := exposure.Train(examples, exposure.TrainOptions{})
	elapsed := time.Since(start)
	data, err := m.MarshalGzip()
	if err != nil {
		return err
	}
	if err := writeAtomic(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained on %d tasks in %v: %d features, %d bytes, %s -> %s\n",
		len(examples), elapsed.Round(10*time.Millisecond), m.Features(), len(data), m.Hash(), *out)
	if filepath.Base(*out) != exposure.WeightsFile {
		fmt.Fprintf(stderr, "jury-model: note: the binary embeds %s, not %s (it holds gzipped JSON whatever its name)\n", defaultWeights, *out)
	}
	return nil
}

func runCV(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cv", stderr)
	labels := fs.String("labels", defaultLabels, "labelled tasks (labels_train.tsv of the gpts-are-gpts data)")
	folds := fs.Int("folds", 5, "number of folds; all tasks of an occupation share one")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *folds < 2 {
		return badInput{fmt.Errorf("-folds %d: want at least 2", *folds)}
	}
	examples, err := readLabels(*labels)
	if err != nil {
		return err
	}
	start := time.Now()
	probs := exposure.CrossPredict(examples, *folds, exposure.TrainOptions{})
	e := exposure.EvaluatePredictions(examples, probs)
	fmt.Fprintf(stdout, "grouped %d-fold cross-validation on %s (%v)\n", *folds, *labels, time.Since(start).Round(10*time.Millisecond))
	if err := e.WriteTable(stdout); err != nil {
		return err
	}
	b := panelBias(examples, probs)
	_, err = fmt.Fprintf(stdout, "\noffline panel (four personas, median, seed 1), out of fold, over %d occupations:\n"+
		"  panel headline vs humans' headline: mean signed error %+.2f points, mean absolute error %.2f\n"+
		"  panel headline vs the model's own headline: mean signed error %+.2f points, highest panel headline %d\n",
		b.occupations, b.vsHumans, b.maeHumans, b.vsModel, b.highest)
	return err
}

// bias is how the offline panel's headlines compare, over occupations.
type bias struct {
	occupations         int
	vsHumans, maeHumans float64
	vsModel             float64
	highest             int
}

// panelBias scores the headline a default offline panel would publish
// from the held-out task scores probs against the humans' headline (75
// for each E1 or E2 task, 0 for E0, core-weighted, rounded) and against
// the model's own headline (the core-weighted mean of Score).
func panelBias(examples []exposure.Example, probs []exposure.Probs) bias {
	type sums struct{ human, model, panel, weight float64 }
	occ := map[string]*sums{}
	var codes []string
	for i, ex := range examples {
		s := occ[ex.Code]
		if s == nil {
			s = &sums{}
			occ[ex.Code] = s
			codes = append(codes, ex.Code)
		}
		w := 1.0
		if ex.Type == exposure.TypeCore {
			w = 2
		}
		human := 0.0
		if ex.Label != "E0" {
			human = 100 * exposure.ExposedTimeShare
		}
		score := probs[i].Score()
		s.human += w * human
		s.model += w * float64(score)
		s.panel += w * float64(offline.PanelMedian(score, 1, ex.Code, ex.TaskID))
		s.weight += w
	}
	var b bias
	for _, c := range codes {
		s := occ[c]
		h := math.Round(s.human / s.weight)
		m := math.Round(s.model / s.weight)
		p := math.Round(s.panel / s.weight)
		b.vsHumans += p - h
		b.maeHumans += math.Abs(p - h)
		b.vsModel += p - m
		b.highest = max(b.highest, int(p))
	}
	b.occupations = len(codes)
	if n := float64(len(codes)); n > 0 {
		b.vsHumans, b.maeHumans, b.vsModel = b.vsHumans/n, b.maeHumans/n, b.vsModel/n
	}
	return b
}

// readLabels reads a labels file; every failure is bad input.
func readLabels(path string) ([]exposure.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, badInput{fmt.Errorf("read labels: %w (pass -labels with the path to labels_train.tsv)", err)}
	}
	defer f.Close()
	examples, err := exposure.ReadLabels(f, path)
	if errors.Is(err, onet.ErrMissingColumn) {
		return nil, badInput{fmt.Errorf("%w (is -labels a labels_train.tsv file?)", err)}
	}
	if err != nil {
		return nil, badInput{err}
	}
	if len(examples) == 0 {
		return nil, badInput{fmt.Errorf("%s: no labelled tasks: pass -labels with a non-empty labels_train.tsv", path)}
	}
	return examples, nil
}

// writeAtomic writes data to a temporary file beside path and renames it
// over path, so readers never see a half-written weights file.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write weights: %w (does the directory %s exist?)", err, dir)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write weights %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write weights %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write weights %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write weights %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write weights %s: %w", path, err)
	}
	return nil
}
