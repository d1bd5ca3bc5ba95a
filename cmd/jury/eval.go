package main

import (
	"context"
	"fmt"

	"github.com/onet-jury/jury/pipeline/offline/exposure"
)

func execEval(ctx context.Context, sys *system, args []string) error {
	fs := newFlagSet("eval", "--labels FILE [--json] [--predictions OUT.tsv]",
		"Score the offline juror's embedded model against a file with the columns of labels_train.tsv:\n"+
			"task accuracy and Cohen's kappa against human_exposure_agg, and the Pearson and Spearman\n"+
			"correlation of occupation beta, beside the same metrics for the file's gpt4_exposure column.", sys.stderr)
	labels := fs.String("labels", "", "labelled task `file` (tab-separated, columns of labels_train.tsv)")
	asJSON := fs.Bool("json", false, "print the metrics as JSON")
	predictions := fs.String("predictions", "", "write task ID, predicted label, P(E0), P(E1), P(E2) and score to this TSV `file`")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *labels == "" {
		return usagef("eval needs --labels FILE and no arguments")
	}
	examples, err := exposure.ReadLabelsFile(*labels)
	if err != nil {
		return err
	}
	m, err := exposure.Default()
	if err != nil {
		return err
	}
	if *predictions != "" {
		if err := exposure.WritePredictionsFile(*predictions, m, examples); err != nil {
			return err
		}
	}
	ev := exposure.Evaluate(m, examples)
	if *asJSON {
		return ev.WriteJSON(sys.stdout, *labels, m.Hash())
	}
	fmt.Fprintf(sys.stdout, "offline juror (weights %s) vs GPT-4 on %s\n\n", m.Hash(), *labels)
	return ev.WriteTable(sys.stdout)
}
