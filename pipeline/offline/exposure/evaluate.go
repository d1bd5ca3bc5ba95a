package exposure

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"text/tabwriter"
)

// Metrics scores predictions against the human labels.
type Metrics struct {
	// Tasks and Occupations count what was scored.
	Tasks, Occupations int
	// Accuracy and Kappa compare the most probable label of each task with
	// the human label.
	Accuracy, Kappa float64
	// Pearson and Spearman correlate the occupations' β: the mean over
	// their tasks of P(E1) + 0.5·P(E2) against the mean of 1 for E1, 0.5
	// for E2, 0 for E0 in the human labels.
	Pearson, Spearman float64
}

// Evaluation holds the model's metrics and, on the same tasks, those of
// the GPT-4 labels stored with them (Tasks is 0 when there are none).
type Evaluation struct {
	Model, GPT4 Metrics
}

// Evaluate scores m on examples, and GPT-4's labels (Example.GPT4) on the
// same tasks as the baseline.
func Evaluate(m *Model, examples []Example) Evaluation {
	probs := make([]Probs, len(examples))
	for i, ex := range examples {
		probs[i] = m.Predict(ex.Title, ex.Type, ex.Text)
	}
	return evaluation(examples, probs)
}

// CrossValidate trains on all but one fold of occupations and predicts the
// held-out fold, for each fold in turn, then scores the pooled held-out
// predictions. Every task of an occupation is in the same fold: the sorted
// distinct codes are dealt round-robin, so folds are deterministic and
// balanced. folds < 2 means 5.
func CrossValidate(examples []Example, folds int, opts TrainOptions) Evaluation {
	return crossValidate(examples, folds, func(train []Example) predictor { return Train(train, opts) })
}

// predictor is what cross-validation needs of a trained model.
type predictor interface {
	Predict(title, taskType, taskText string) Probs
}

func crossValidate(examples []Example, folds int, train func([]Example) predictor) Evaluation {
	return evaluation(examples, crossPredict(examples, folds, train))
}

// crossPredict returns each example's held-out prediction.
func crossPredict(examples []Example, folds int, train func([]Example) predictor) []Probs {
	if folds < 2 {
		folds = 5
	}
	codes := occupationCodes(examples)
	fold := make(map[string]int, len(codes))
	for i, c := range codes {
		fold[c] = i % folds
	}
	probs := make([]Probs, len(examples))
	// Folds are independent and each writes only its own examples'
	// predictions, so running them in parallel changes no result.
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := range folds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var in []Example
			for _, ex := range examples {
				if fold[ex.Code] != k {
					in = append(in, ex)
				}
			}
			m := train(in)
			for i, ex := range examples {
				if fold[ex.Code] == k {
					probs[i] = m.Predict(ex.Title, ex.Type, ex.Text)
				}
			}
		})
	}
	wg.Wait()
	return probs
}

func occupationCodes(examples []Example) []string {
	codes := make([]string, 0, len(examples))
	for _, ex := range examples {
		codes = append(codes, ex.Code)
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

func evaluation(examples []Example, probs []Probs) Evaluation {
	var e Evaluation
	e.Model = score(examples, probs)
	var withGPT []Example
	var gpt []Probs
	for _, ex := range examples {
		if c, ok := labelIndex(ex.GPT4); ok {
			var p Probs
			p[c] = 1
			withGPT = append(withGPT, ex)
			gpt = append(gpt, p)
		}
	}
	if len(withGPT) > 0 {
		e.GPT4 = score(withGPT, gpt)
	}
	return e
}

// score computes Metrics of probs against the examples' human labels.
func score(examples []Example, probs []Probs) Metrics {
	truth := make([]int, len(examples))
	pred := make([]int, len(examples))
	type sums struct {
		truth, pred float64
		n           int
	}
	occ := map[string]*sums{}
	for i, ex := range examples {
		truth[i], _ = labelIndex(ex.Label)
		pred[i] = probs[i].argmax()
		s := occ[ex.Code]
		if s == nil {
			s = &sums{}
			occ[ex.Code] = s
		}
		s.truth += labelBeta[truth[i]]
		s.pred += probs[i].Beta()
		s.n++
	}
	codes := occupationCodes(examples)
	bt := make([]float64, len(codes))
	bp := make([]float64, len(codes))
	for i, c := range codes {
		s := occ[c]
		bt[i] = s.truth / float64(s.n)
		bp[i] = s.pred / float64(s.n)
	}
	return Metrics{
		Tasks:       len(examples),
		Occupations: len(codes),
		Accuracy:    Accuracy(truth, pred),
		Kappa:       Kappa(truth, pred, 3),
		Pearson:     Pearson(bt, bp),
		Spearman:    Spearman(bt, bp),
	}
}

// WriteTable writes the evaluation as an aligned text table: one row per
// metric, one column for the offline juror and one for GPT-4 ("n/a" when
// the labels carried no GPT-4 column).
func (e Evaluation) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name string, f func(Metrics) string) {
		gpt := "n/a"
		if e.GPT4.Tasks > 0 {
			gpt = f(e.GPT4)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, f(e.Model), gpt)
	}
	num := func(x float64) string {
		if math.IsNaN(x) {
			return "n/a"
		}
		return fmt.Sprintf("%.3f", x)
	}
	fmt.Fprintf(tw, "\toffline juror\tGPT-4\n")
	row("accuracy", func(m Metrics) string { return num(m.Accuracy) })
	row("kappa", func(m Metrics) string { return num(m.Kappa) })
	row("pearson β", func(m Metrics) string { return num(m.Pearson) })
	row("spearman β", func(m Metrics) string { return num(m.Spearman) })
	row("tasks", func(m Metrics) string { return fmt.Sprint(m.Tasks) })
	row("occupations", func(m Metrics) string { return fmt.Sprint(m.Occupations) })
	return tw.Flush()
}
