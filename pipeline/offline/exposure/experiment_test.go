package exposure

import (
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"
	"time"
)

// TestExperiments reruns the model comparison doc.go reports, each line a
// grouped 5-fold cross-validation. It takes about a minute, so it runs
// only with JURY_EXPOSURE_EXPERIMENTS=1 (JURY_EXPOSURE_ONLY=substring
// picks lines):
//
//	JURY_EXPOSURE_EXPERIMENTS=1 go test -run Experiments -v ./pipeline/offline/exposure/
func TestExperiments(t *testing.T) {
	if os.Getenv("JURY_EXPOSURE_EXPERIMENTS") == "" {
		t.Skip("set JURY_EXPOSURE_EXPERIMENTS=1 to rerun the model comparison (about a minute)")
	}
	examples := trainingLabels(t)
	only := os.Getenv("JURY_EXPOSURE_ONLY")
	for _, x := range experiments() {
		if !strings.Contains(x.name, only) {
			continue
		}
		start := time.Now()
		e := crossValidate(examples, 5, func(train []Example) predictor { return Train(train, x.opts) })
		t.Logf("%-48s acc %.4f kappa %.4f pearson %.4f spearman %.4f (%v)", x.name,
			e.Model.Accuracy, e.Model.Kappa, e.Model.Pearson, e.Model.Spearman, time.Since(start).Round(10*time.Millisecond))
	}
	if strings.Contains("other folds", only) {
		// The same comparison with occupations dealt to folds by a hash of
		// their code instead of their sorted order: the ranking must not
		// depend on the fold assignment.
		for _, x := range experiments() {
			if x.name != "default" && x.name != "logreg, uniform groups, l2=0.001" {
				continue
			}
			probs := hashFoldPredict(examples, 5, func(train []Example) predictor { return Train(train, x.opts) })
			e := evaluation(examples, probs)
			t.Logf("other folds: %-35s acc %.4f kappa %.4f pearson %.4f spearman %.4f", x.name,
				e.Model.Accuracy, e.Model.Kappa, e.Model.Pearson, e.Model.Spearman)
		}
	}
}

type experiment struct {
	name string
	opts TrainOptions
}

func experiments() []experiment {
	uniform := featureSet{Stem: true, Words: 1, Bigrams: 1, Verb: 1, Title: 1, Type: 1}
	plain := func(fs featureSet, l2 float64, minDF int) TrainOptions {
		return TrainOptions{L2: l2, MinDF: minDF, features: &fs, skew: -1, nbMix: -1}
	}
	naiveBayes := func(fs featureSet) TrainOptions {
		return TrainOptions{MaxIter: 1, features: &fs, skew: -1, nbMix: 1}
	}
	xs := []experiment{
		{"naive Bayes, words", naiveBayes(featureSet{Words: 1})},
		{"naive Bayes, all groups", naiveBayes(uniform)},
		{"logreg, words, l2=1e-3", plain(featureSet{Words: 1}, 1e-3, 2)},
		{"logreg, words+bigrams, l2=1e-3", plain(featureSet{Stem: true, Words: 1, Bigrams: 1}, 1e-3, 2)},
		{"logreg, words+bigrams+verb, l2=1e-3", plain(featureSet{Stem: true, Words: 1, Bigrams: 1, Verb: 1}, 1e-3, 2)},
		{"logreg, +title, l2=1e-3", plain(featureSet{Stem: true, Words: 1, Bigrams: 1, Verb: 1, Title: 1}, 1e-3, 2)},
	}
	for _, l2 := range []float64{3e-4, 1e-3, 3e-3} {
		xs = append(xs, experiment{fmt.Sprintf("logreg, uniform groups, l2=%g", l2), plain(uniform, l2, 2)})
	}
	for _, l2 := range []float64{1e-3, 3e-3} {
		xs = append(xs, experiment{fmt.Sprintf("logreg, title 0.5 verb 2, l2=%g", l2), plain(defaultFeatures, l2, 2)})
	}
	fs := defaultFeatures
	xs = append(xs,
		experiment{"+ skew-relieved penalty", TrainOptions{features: &fs, nbMix: -1}},
		experiment{"default", TrainOptions{}},
	)
	for _, mix := range []float64{0.1, 0.25} {
		xs = append(xs, experiment{fmt.Sprintf("default, naive Bayes mix %g", mix), TrainOptions{nbMix: mix}})
	}
	for _, l2 := range []float64{1e-3, 1e-2} {
		xs = append(xs, experiment{fmt.Sprintf("default, l2=%g", l2), TrainOptions{L2: l2}})
	}
	xs = append(xs, experiment{"default, min df 3", TrainOptions{MinDF: 3}})
	drop := func(name string, f func(*featureSet)) {
		fs := defaultFeatures
		f(&fs)
		xs = append(xs, experiment{"default without " + name, TrainOptions{features: &fs}})
	}
	old := defaultFeatures
	old.VerbObject, old.Major, old.Minor = 0, 0, 0
	xs = append(xs, experiment{"previous default (no verb-object, no SOC)", TrainOptions{features: &old}})
	with := func(name string, f func(*featureSet)) {
		fs := old
		f(&fs)
		xs = append(xs, experiment{"previous + " + name, TrainOptions{features: &fs}})
	}
	with("verb-object 1", func(fs *featureSet) { fs.VerbObject = 1 })
	with("verb-object 0.5", func(fs *featureSet) { fs.VerbObject = 0.5 })
	with("verb-object 2", func(fs *featureSet) { fs.VerbObject = 2 })
	for _, v := range []float64{0.25, 0.5, 1} {
		with(fmt.Sprintf("SOC major+minor %g", v), func(fs *featureSet) { fs.Major, fs.Minor = v, v })
	}
	for _, v := range []float64{0.25, 0.5, 1, 2} {
		with(fmt.Sprintf("verb-object 1, SOC %g", v), func(fs *featureSet) { fs.Major, fs.Minor, fs.VerbObject = v, v, 1 })
	}
	with("verb-object 1, SOC major 2 minor 1", func(fs *featureSet) { fs.Major, fs.Minor, fs.VerbObject = 2, 1, 1 })
	with("verb-object 1, SOC major 1 minor 2", func(fs *featureSet) { fs.Major, fs.Minor, fs.VerbObject = 1, 2, 1 })
	drop("stemming", func(fs *featureSet) { fs.Stem = false })
	drop("bigrams", func(fs *featureSet) { fs.Bigrams = 0 })
	drop("verb", func(fs *featureSet) { fs.Verb = 0 })
	drop("title", func(fs *featureSet) { fs.Title = 0 })
	drop("type", func(fs *featureSet) { fs.Type = 0 })
	// The calibration shift barely moves these metrics and costs five
	// more trainings a fold: only the default line is calibrated.
	for i := range xs {
		if xs[i].name != "default" {
			xs[i].opts.calib = -1
		}
	}
	return xs
}

// hashFoldPredict is crossPredict with folds by FNV hash of the code.
func hashFoldPredict(examples []Example, folds int, train func([]Example) predictor) []Probs {
	fold := func(code string) int {
		h := fnv.New32a()
		h.Write([]byte(code))
		return int(h.Sum32() % uint32(folds))
	}
	probs := make([]Probs, len(examples))
	for k := range folds {
		var in []Example
		for _, ex := range examples {
			if fold(ex.Code) != k {
				in = append(in, ex)
			}
		}
		m := train(in)
		for i, ex := range examples {
			if fold(ex.Code) == k {
				probs[i] = m.Predict(ex.Code, ex.Title, ex.Type, ex.Text)
			}
		}
	}
	return probs
}
