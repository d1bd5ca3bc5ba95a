package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
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
	f, err := os.Open(*labels)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) {
			return jury.Invalidf("%s: no such file", *labels)
		}
		return jury.Invalidf("%s: %v", *labels, errors.Unwrap(err))
	}
	defer f.Close()
	examples, err := exposure.ReadLabels(f, *labels)
	if err != nil {
		return jury.Invalid(err)
	}
	if len(examples) == 0 {
		return jury.Invalidf("%s: no labelled tasks", *labels)
	}
	m, err := exposure.Default()
	if err != nil {
		return err
	}
	if *predictions != "" {
		var b strings.Builder
		b.WriteString("task_id\tlabel\tp_e0\tp_e1\tp_e2\tscore\n")
		for _, ex := range examples {
			p := m.Predict(ex.Code, ex.Title, ex.Type, ex.Text)
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%d\n", ex.TaskID, p.Label(), prob(p[0]), prob(p[1]), prob(p[2]), p.Score())
		}
		if err := atomicfile.WriteFile(*predictions, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	ev := exposure.Evaluate(m, examples)
	if *asJSON {
		out := struct {
			Labels  string       `json:"labels"`
			Weights string       `json:"weights"`
			Offline *metricsJSON `json:"offline_juror"`
			GPT4    *metricsJSON `json:"gpt4"`
		}{Labels: *labels, Weights: m.Hash(), Offline: toJSON(ev.Model)}
		if ev.GPT4.Tasks > 0 {
			out.GPT4 = toJSON(ev.GPT4)
		}
		data, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(sys.stdout, "%s\n", data)
		return err
	}
	fmt.Fprintf(sys.stdout, "offline juror (weights %s) vs GPT-4 on %s\n\n", m.Hash(), *labels)
	return ev.WriteTable(sys.stdout)
}

func prob(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }

// metricsJSON is exposure.Metrics for --json; a metric that cannot be
// computed (one occupation has no correlation) is null.
type metricsJSON struct {
	Tasks        int      `json:"tasks"`
	Occupations  int      `json:"occupations"`
	Accuracy     *float64 `json:"accuracy"`
	Kappa        *float64 `json:"kappa"`
	PearsonBeta  *float64 `json:"pearson_beta"`
	SpearmanBeta *float64 `json:"spearman_beta"`
}

func toJSON(m exposure.Metrics) *metricsJSON {
	num := func(x float64) *float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		x = math.Round(x*1e4) / 1e4
		return &x
	}
	return &metricsJSON{Tasks: m.Tasks, Occupations: m.Occupations, Accuracy: num(m.Accuracy), Kappa: num(m.Kappa),
		PearsonBeta: num(m.Pearson), SpearmanBeta: num(m.Spearman)}
}
