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
		{Code: "A", Label: "E0"}, {Code: "A", Label: "E1"},
		{Code: "B", Label: "E2"}, {Code: "B", Label: "E2"},
		{Code: "C", Label: "E1"}, {Code: "C", Label: "E1"},
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
	require.Len(t, lines, 7)
	require.Regexp(t, `^\s+offline juror\s+GPT-4$`, lines[0])
	for i, name := range []string{"accuracy", "kappa", "pearson β", "spearman β", "tasks", "occupations"} {
		require.True(t, strings.HasPrefix(lines[i+1], name), "row %d: %q", i+1, lines[i+1])
	}
	require.Regexp(t, `^tasks\s+72\s+72$`, lines[5])

	noGPT := Evaluation{Model: e.Model}
	b.Reset()
	require.NoError(t, noGPT.WriteTable(&b))
	require.Regexp(t, `accuracy\s+\d\.\d{3}\s+n/a\n`, b.String())
}
