package exposure

import (
	"math"
	"slices"
)

// Accuracy is the share of positions where truth and pred agree; NaN when
// they are empty.
func Accuracy(truth, pred []int) float64 {
	if len(truth) == 0 || len(truth) != len(pred) {
		return math.NaN()
	}
	hit := 0
	for i := range truth {
		if truth[i] == pred[i] {
			hit++
		}
	}
	return float64(hit) / float64(len(truth))
}

// Kappa is Cohen's unweighted kappa between two labellings with classes
// 0..k-1: agreement beyond what the two label distributions give by
// chance. It is NaN when the lengths differ or are zero, or when chance
// agreement is already perfect.
func Kappa(a, b []int, k int) float64 {
	n := len(a)
	if n == 0 || n != len(b) {
		return math.NaN()
	}
	ra := make([]float64, k)
	rb := make([]float64, k)
	agree := 0.0
	for i := range a {
		if a[i] < 0 || a[i] >= k || b[i] < 0 || b[i] >= k {
			return math.NaN()
		}
		ra[a[i]]++
		rb[b[i]]++
		if a[i] == b[i] {
			agree++
		}
	}
	po := agree / float64(n)
	pe := 0.0
	for c := range k {
		pe += ra[c] / float64(n) * rb[c] / float64(n)
	}
	if pe == 1 {
		return math.NaN()
	}
	return (po - pe) / (1 - pe)
}

// Pearson is the linear correlation of x and y; NaN when they differ in
// length, have fewer than two points, or one is constant.
func Pearson(x, y []float64) float64 {
	n := len(x)
	if n < 2 || n != len(y) {
		return math.NaN()
	}
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Spearman is the rank correlation of x and y: Pearson on their ranks,
// tied values sharing the average of their ranks.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) {
		return math.NaN()
	}
	return Pearson(ranks(x), ranks(y))
}

// ranks returns the 1-based rank of each value, ties averaged.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			r[idx[k]] = avg
		}
		i = j
	}
	return r
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
