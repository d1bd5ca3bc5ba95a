package exposure

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScore(t *testing.T) {
	examples := []Example{
		{Code: "A", Label: "E0", Type: TypeCore}, {Code: "A", Label: "E1", Type: TypeNA},
		{Code: "B", Label: "E2", Type: TypeSupplemental}, {Code: "B", Label: "E2", Type: TypeSupplemental},
		{Code: "C", Label: "E1", Type: TypeCore}, {Code: "C", Label: "E1", Type: TypeCore},
	}
	probs := []Probs{
		{1, 0, 0}, {0.2, 0.5, 0.3},
		{0.1, 0.2, 0.7}, {0.6, 0.2, 0.2},
		{0, 1, 0}, {0, 0.8, 0.2},
	}
	m := score(examples, probs)
	require.Equal(t, 6, m.Tasks)
	require.Equal(t, 3, m.Occupations)
	require.InDelta(t, 5.0/6, m.Accuracy, 1e-12)
	// truth β: A 0.5, B 0.5, C 1; predicted β: A (0+0.65)/2, B (0.55+0.3)/2, C (1+0.9)/2.
	bt := []float64{0.5, 0.5, 1}
	bp := []float64{0.325, 0.425, 0.95}
	require.InDelta(t, Pearson(bt, bp), m.Pearson, 1e-12)
	require.InDelta(t, Spearman(bt, bp), m.Spearman, 1e-12)
	// Core tasks count twice: A's core E0 task weighs double.
	ct := []float64{1.0 / 3, 0.5, 1}
	cp := []float64{0.65 / 3, 0.425, 0.95}
	require.InDelta(t, Pearson(ct, cp), m.PearsonCore, 1e-12)
	require.InDelta(t, Spearman(ct, cp), m.SpearmanCore, 1e-12)
	// Headlines, core-weighted means of whole task scores, rounded:
	// A model (2·0 + 60)/3 = 20 vs humans (2·0 + 75)/3 = 25; B (68 + 30)/2
	// = 49 vs 75; C 75 vs 75.
	require.InDelta(t, -31.0/3, m.HeadlineBias, 1e-12)
	require.InDelta(t, 31.0/3, m.HeadlineMAE, 1e-12)
	require.Equal(t, 75, m.MaxHeadline)
}

// TestCalibrationShift gives predictions that overstate exposure and
// checks the shift brings the occupations' mean back to the humans'.
func TestCalibrationShift(t *testing.T) {
	examples := []Example{
		{Code: "A", Label: "E0", Type: TypeCore}, {Code: "A", Label: "E1"},
		{Code: "B", Label: "E2"}, {Code: "B", Label: "E0", Type: TypeCore},
	}
	tests := []struct {
		name  string
		probs []Probs
		sign  float64
	}{
		{"too high", []Probs{{0.4, 0.4, 0.2}, {0.1, 0.8, 0.1}, {0.2, 0.2, 0.6}, {0.3, 0.3, 0.4}}, -1},
		{"too low", []Probs{{0.9, 0.05, 0.05}, {0.7, 0.2, 0.1}, {0.6, 0.2, 0.2}, {0.95, 0, 0.05}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delta := calibrationShift(examples, tt.probs)
			require.Equal(t, tt.sign, math.Copysign(1, delta), "shift %g", delta)
			// Humans: A (2·0 + 1)/3, B (1 + 2·0)/3.
			want := (1.0/3 + 1.0/3) / 2
			shifted := func(i int) float64 {
				p := tt.probs[i].Exposed()
				return p * math.Exp(delta) / (1 - p + p*math.Exp(delta))
			}
			got := ((2*shifted(0)+shifted(1))/3 + (shifted(2)+2*shifted(3))/3) / 2
			require.InDelta(t, want, got, 1e-9)
		})
	}
}

// TestTrainCalibrated checks, out of fold, what make eval reports on the
// real labels: the calibrated model's headlines are unbiased against the
// humans'.
func TestTrainCalibrated(t *testing.T) {
	examples := syntheticExamples()
	calibrated := CrossValidate(examples, 4, TrainOptions{})
	require.InDelta(t, 0, calibrated.Model.HeadlineBias, 2, "out-of-fold headline bias")
	require.LessOrEqual(t, calibrated.Model.MaxHeadline, MaxScore)
	m := Train(examples, TrainOptions{})
	require.NotZero(t, m.meta.Calibration)
	uncalibrated := Train(examples, TrainOptions{calib: -1})
	require.Zero(t, uncalibrated.meta.Calibration)
	require.Equal(t, uncalibrated.bias[0], m.bias[0], "the shift moves the E1 and E2 biases only")
}

func TestCrossValidateGroupsOccupations(t *testing.T) {
	examples := syntheticExamples()
	// Folds train in parallel: collect what each saw, check afterwards.
	var mu sync.Mutex
	var trained [][]string
	probs := crossPredict(examples, 4, func(train []Example) predictor {
		mu.Lock()
		trained = append(trained, occupationCodes(train))
		mu.Unlock()
		return Train(train, TrainOptions{})
	})
	require.Len(t, trained, 4)
	seen := map[string]int{}
	for _, codes := range trained {
		require.Len(t, codes, 6, "each fold holds out 2 of 8 occupations whole")
		for _, c := range codes {
			seen[c]++
		}
	}
	require.Len(t, seen, 8)
	for c, n := range seen {
		require.Equal(t, 3, n, "occupation %s trains in 3 of 4 folds", c)
	}
	for _, p := range probs {
		require.InDelta(t, 1, p[0]+p[1]+p[2], 1e-9)
	}
	e := CrossValidate(examples, 4, TrainOptions{})
	require.Equal(t, len(examples), e.Model.Tasks)
	require.Greater(t, e.Model.Accuracy, 0.9, "the synthetic signal carries across occupations")
	require.False(t, math.IsNaN(e.Model.Pearson))
	// %v so that NaN (GPT-4's β is constant here) compares equal to itself.
	require.Equal(t, fmt.Sprintf("%v", e), fmt.Sprintf("%v", CrossValidate(examples, 4, TrainOptions{})), "cross-validation is deterministic")
}

func TestEvaluateAndWriteTable(t *testing.T) {
	examples := syntheticExamples()
	e := Evaluate(Train(examples, TrainOptions{}), examples)
	require.Equal(t, 72, e.Model.Tasks)
	require.Equal(t, 72, e.GPT4.Tasks)
	require.Equal(t, 8, e.Model.Occupations)
	var b strings.Builder
	require.NoError(t, e.WriteTable(&b))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	names := []string{"accuracy", "kappa", "pearson β (task mean)", "spearman β (task mean)",
		"pearson β (core-weighted)", "spearman β (core-weighted)", "headline bias vs humans",
		"headline mean abs. error", "highest headline", "tasks", "occupations"}
	require.Len(t, lines, len(names)+1)
	require.Regexp(t, `^\s+offline juror\s+GPT-4$`, lines[0])
	for i, name := range names {
		require.True(t, strings.HasPrefix(lines[i+1], name), "row %d: %q", i+1, lines[i+1])
	}
	require.Regexp(t, `^headline bias vs humans\s+[+-]\d+\.\d\d\s+[+-]\d+\.\d\d$`, lines[7])
	require.Regexp(t, `^tasks\s+72\s+72$`, lines[10])

	noGPT := Evaluation{Model: e.Model}
	b.Reset()
	require.NoError(t, noGPT.WriteTable(&b))
	require.Regexp(t, `accuracy\s+\d\.\d{3}\s+n/a\n`, b.String())
}
