package exposure

import "math"

// Labels names the three exposure classes in the order Probs holds them.
var Labels = [3]string{"E0", "E1", "E2"}

// Probs holds P(E0), P(E1), P(E2) for one task, summing to 1.
type Probs [3]float64

// ExposedTimeShare is the share of a task's time that an exposed task
// (E1 or E2) is counted to save: the rubric says such a task's time is cut
// by half or more at equal quality, so anywhere from one half to all of
// it, and the labels say no more; Score counts the middle of that range.
// doc.go gives the full definition.
const ExposedTimeShare = 0.75

// MaxScore is the highest task score Score gives: no task, and so no
// occupation, is ever published as 100 % automatable.
const MaxScore = 95

// Score is the task's score on the page, 0–MaxScore: the expected share
// of the task's time saved under the rubric, in percent, from the class
// probabilities — 0 for E0, ExposedTimeShare for E1 and E2, so
// 100 × ExposedTimeShare × (P(E1)+P(E2)) — rounded to the nearest integer
// and capped at MaxScore. The probabilities of a trained model are
// calibrated (doc.go) so that an occupation's core-weighted mean of Score
// is unbiased against the same mean over its human labels, scored alike
// (Probs{0, 1, 0}.Score() is an E1 label's score).
func (p Probs) Score() int {
	return min(MaxScore, int(math.Round(100*ExposedTimeShare*p.Exposed())))
}

// Exposed is P(E1)+P(E2), the chance that the task is exposed: that an
// LLM, alone or inside software, cuts its time by half or more.
func (p Probs) Exposed() float64 {
	return p[1] + p[2]
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
