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
	// PearsonCore and SpearmanCore are the same with core-weighted means
	// (core tasks count twice), as the published human_rating_beta of
	// occ_level_train.csv is computed.
	PearsonCore, SpearmanCore float64
	// HeadlineBias is the mean over occupations of the headline minus the
	// humans' headline, in points. A headline is what the consensus
	// publishes, the core-weighted mean of the whole task scores (Score),
	// rounded; the humans' is the same over their labels scored alike.
	// HeadlineMAE is the mean absolute difference, MaxHeadline the highest
	// headline.
	HeadlineBias, HeadlineMAE float64
	MaxHeadline               int
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
		probs[i] = m.Predict(ex.Code, ex.Title, ex.Type, ex.Text)
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

// CrossPredict returns each example's held-out prediction from the
// grouped cross-validation CrossValidate scores, so that callers can
// score what is built on the task scores (the offline panel's headline).
func CrossPredict(examples []Example, folds int, opts TrainOptions) []Probs {
	return crossPredict(examples, folds, func(train []Example) predictor { return Train(train, opts) })
}

// EvaluatePredictions scores predictions made for examples, one for each,
// as Evaluate and CrossValidate do.
func EvaluatePredictions(examples []Example, probs []Probs) Evaluation {
	return evaluation(examples, probs)
}

// predictor is what cross-validation needs of a trained model.
type predictor interface {
	Predict(code, title, taskType, taskText string) Probs
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
					probs[i] = m.Predict(ex.Code, ex.Title, ex.Type, ex.Text)
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
	// Per occupation: β sums plain and core-weighted, and core-weighted
	// sums of the task scores.
	type sums struct {
		truth, pred, n              float64
		truthCore, predCore, weight float64
		truthScore, predScore       float64
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
		var human Probs
		human[truth[i]] = 1
		w := coreWeight(ex.Type)
		s.truth += labelBeta[truth[i]]
		s.pred += probs[i].Beta()
		s.n++
		s.truthCore += w * labelBeta[truth[i]]
		s.predCore += w * probs[i].Beta()
		s.weight += w
		s.truthScore += w * float64(human.Score())
		s.predScore += w * float64(probs[i].Score())
	}
	codes := occupationCodes(examples)
	bt := make([]float64, len(codes))
	bp := make([]float64, len(codes))
	ct := make([]float64, len(codes))
	cp := make([]float64, len(codes))
	m := Metrics{
		Tasks:       len(examples),
		Occupations: len(codes),
		Accuracy:    Accuracy(truth, pred),
		Kappa:       Kappa(truth, pred, 3),
	}
	for i, c := range codes {
		s := occ[c]
		bt[i], bp[i] = s.truth/s.n, s.pred/s.n
		ct[i], cp[i] = s.truthCore/s.weight, s.predCore/s.weight
		// Headlines as jury.Decide rounds them.
		th := int(math.Round(s.truthScore / s.weight))
		ph := int(math.Round(s.predScore / s.weight))
		m.HeadlineBias += float64(ph - th)
		m.HeadlineMAE += math.Abs(float64(ph - th))
		m.MaxHeadline = max(m.MaxHeadline, ph)
	}
	if len(codes) > 0 {
		m.HeadlineBias /= float64(len(codes))
		m.HeadlineMAE /= float64(len(codes))
	}
	m.Pearson, m.Spearman = Pearson(bt, bp), Spearman(bt, bp)
	m.PearsonCore, m.SpearmanCore = Pearson(ct, cp), Spearman(ct, cp)
	return m
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
	points := func(x float64) string { return fmt.Sprintf("%+.2f", x) }
	fmt.Fprintf(tw, "\toffline juror\tGPT-4\n")
	row("accuracy", func(m Metrics) string { return num(m.Accuracy) })
	row("kappa", func(m Metrics) string { return num(m.Kappa) })
	row("pearson β (task mean)", func(m Metrics) string { return num(m.Pearson) })
	row("spearman β (task mean)", func(m Metrics) string { return num(m.Spearman) })
	row("pearson β (core-weighted)", func(m Metrics) string { return num(m.PearsonCore) })
	row("spearman β (core-weighted)", func(m Metrics) string { return num(m.SpearmanCore) })
	row("headline bias vs humans", func(m Metrics) string { return points(m.HeadlineBias) })
	row("headline mean abs. error", func(m Metrics) string { return fmt.Sprintf("%.2f", m.HeadlineMAE) })
	row("highest headline", func(m Metrics) string { return fmt.Sprint(m.MaxHeadline) })
	row("tasks", func(m Metrics) string { return fmt.Sprint(m.Tasks) })
	row("occupations", func(m Metrics) string { return fmt.Sprint(m.Occupations) })
	return tw.Flush()
}
