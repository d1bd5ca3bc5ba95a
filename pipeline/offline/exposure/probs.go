package exposure

import "math"

// Labels names the three exposure classes in the order Probs holds them.
var Labels = [3]string{"E0", "E1", "E2"}

// Probs holds P(E0), P(E1), P(E2) for one task, summing to 1.
type Probs [3]float64

// Score is the task's exposure as a whole percentage: 100 × (P(E1)+P(E2)),
// rounded to the nearest integer.
func (p Probs) Score() int {
	return int(math.Round(100 * (p[1] + p[2])))
}

// Label is the most probable class, "E0", "E1" or "E2"; a tie goes to the
// lower class.
func (p Probs) Label() string {
	return Labels[p.argmax()]
}

// Beta is the expected β of the task, P(E1) + 0.5·P(E2), the quantity
// whose occupation mean the paper calls β.
func (p Probs) Beta() float64 {
	return p[1] + 0.5*p[2]
}

func (p Probs) argmax() int {
	best := 0
	for c := 1; c < len(p); c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return best
}

// labelIndex maps "E0", "E1", "E2" to 0, 1, 2.
func labelIndex(s string) (int, bool) {
	for i, l := range Labels {
		if s == l {
			return i, true
		}
	}
	return 0, false
}

// labelBeta is the β value of a hard label: 0 for E0, 1 for E1, 0.5 for E2.
var labelBeta = [3]float64{0, 1, 0.5}
