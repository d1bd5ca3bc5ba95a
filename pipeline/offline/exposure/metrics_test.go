package exposure

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAccuracy(t *testing.T) {
	require.InDelta(t, 0.75, Accuracy([]int{0, 1, 2, 2}, []int{0, 1, 2, 0}), 1e-12)
	require.True(t, math.IsNaN(Accuracy(nil, nil)))
	require.True(t, math.IsNaN(Accuracy([]int{1}, []int{1, 2})))
}

func TestKappa(t *testing.T) {
	tests := []struct {
		name string
		a, b []int
		want float64
	}{
		{"perfect agreement", []int{0, 1, 2, 0}, []int{0, 1, 2, 0}, 1},
		// po = 0.5; marginals a: 0.5 0.5, b: 0.5 0.5 → pe = 0.5 → κ = 0.
		{"chance agreement", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, 0},
		// po = 0; pe = 0.5 → κ = -1.
		{"systematic disagreement", []int{0, 1, 0, 1}, []int{1, 0, 1, 0}, -1},
		// po = 7/10; a marginals 4,3,3; b marginals 5,3,2;
		// pe = (4·5 + 3·3 + 3·2)/100 = 0.35; κ = (0.7-0.35)/0.65 = 7/13.
		{"three classes", []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, []int{0, 0, 0, 1, 1, 1, 0, 2, 2, 0}, 7.0 / 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, Kappa(tt.a, tt.b, 3), 1e-12)
		})
	}
	require.True(t, math.IsNaN(Kappa([]int{1, 1}, []int{1, 1}, 3)), "pe = 1")
	require.True(t, math.IsNaN(Kappa([]int{3}, []int{0}, 3)), "class out of range")
	require.True(t, math.IsNaN(Kappa(nil, nil, 3)))
}

func TestPearson(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"perfect", []float64{1, 2, 3}, []float64{2, 4, 6}, 1},
		{"inverse", []float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		// x-mean: -1.5 -.5 .5 1.5; y-mean: -1.5 .5 -.5 1.5
		// sxy = 2.25-.25-.25+2.25 = 4; sxx = syy = 5 → 0.8.
		{"partial", []float64{1, 2, 3, 4}, []float64{1, 3, 2, 4}, 0.8},
		{"constant", []float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN()},
		{"too short", []float64{1}, []float64{1}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Pearson(tt.x, tt.y)
			if math.IsNaN(tt.want) {
				require.True(t, math.IsNaN(got), "got %v", got)
				return
			}
			require.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

func TestSpearman(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"monotone but not linear", []float64{1, 2, 3, 4}, []float64{1, 10, 100, 1000}, 1},
		{"reversed", []float64{1, 2, 3}, []float64{9, 5, 1}, -1},
		// ranks x: 1 2 3 4; ranks y: 1 3 2 4 → Pearson 0.8 as above.
		{"one swap", []float64{0.1, 0.2, 0.3, 0.4}, []float64{5, 30, 20, 40}, 0.8},
		// ranks x with ties: 1.5 1.5 3 4; ranks y: 1 2 3 4.
		// x-mean: -1 -1 .5 1.5; y-mean: -1.5 -.5 .5 1.5
		// sxy = 1.5+.5+.25+2.25 = 4.5; sxx = 4.5; syy = 5 → 4.5/√22.5.
		{"ties share the average rank", []float64{7, 7, 8, 9}, []float64{1, 2, 3, 4}, 4.5 / math.Sqrt(22.5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, Spearman(tt.x, tt.y), 1e-12)
		})
	}
}

func TestRanks(t *testing.T) {
	require.Equal(t, []float64{3, 1.5, 1.5, 5, 4}, ranks([]float64{2, 1, 1, 9, 3}))
	require.Equal(t, []float64{2, 2, 2}, ranks([]float64{4, 4, 4}))
}
