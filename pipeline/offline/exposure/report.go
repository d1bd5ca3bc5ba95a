package exposure

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WritePredictions writes one TSV row per example — task ID, predicted
// label, P(E0), P(E1), P(E2) and the task score — with a header line, for
// `jury eval --predictions`.
func WritePredictions(w io.Writer, m *Model, examples []Example) error {
	prob := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	if _, err := io.WriteString(w, "task_id\tlabel\tp_e0\tp_e1\tp_e2\tscore\n"); err != nil {
		return err
	}
	for _, ex := range examples {
		p := m.Predict(ex.Code, ex.Title, ex.Type, ex.Text)
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\n", ex.TaskID, p.Label(), prob(p[0]), prob(p[1]), prob(p[2]), p.Score()); err != nil {
			return err
		}
	}
	return nil
}

// metricsJSON is Metrics for JSON; a metric that cannot be computed (one
// occupation has no correlation) is null.
type metricsJSON struct {
	Tasks        int      `json:"tasks"`
	Occupations  int      `json:"occupations"`
	Accuracy     *float64 `json:"accuracy"`
	Kappa        *float64 `json:"kappa"`
	PearsonBeta  *float64 `json:"pearson_beta"`
	SpearmanBeta *float64 `json:"spearman_beta"`
}

func toJSON(m Metrics) *metricsJSON {
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

// WriteJSON writes e as indented JSON naming the labels file and the
// weights: the offline juror's metrics, and GPT-4's when the file has its
// labels (null otherwise). Metrics round to four places.
func (e Evaluation) WriteJSON(w io.Writer, labels, weights string) error {
	out := struct {
		Labels  string       `json:"labels"`
		Weights string       `json:"weights"`
		Offline *metricsJSON `json:"offline_juror"`
		GPT4    *metricsJSON `json:"gpt4"`
	}{Labels: labels, Weights: weights, Offline: toJSON(e.Model)}
	if e.GPT4.Tasks > 0 {
		out.GPT4 = toJSON(e.GPT4)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}
