package exposure

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProbs(t *testing.T) {
	tests := []struct {
		name  string
		p     Probs
		score int
		label string
		beta  float64
	}{
		{"certain E0", Probs{1, 0, 0}, 0, "E0", 0},
		{"certain E1 saves three quarters", Probs{0, 1, 0}, 75, "E1", 1},
		{"certain E2 saves three quarters", Probs{0, 0, 1}, 75, "E2", 0.5},
		{"mixed", Probs{0.2, 0.3, 0.5}, 60, "E2", 0.55},
		{"rounds half up", Probs{0.9, 0.1, 0}, 8, "E0", 0.1},
		{"tie goes to the lower class", Probs{0.4, 0.4, 0.2}, 45, "E0", 0.5},
		{"tie between E1 and E2", Probs{0.2, 0.4, 0.4}, 60, "E1", 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.score, tt.p.Score())
			require.Equal(t, tt.label, tt.p.Label())
			require.InDelta(t, tt.beta, tt.p.Beta(), 1e-12)
		})
	}
}

// TestScoreMonotoneAndCapped walks P(E1 or E2) from 0 to 1, split between
// E1 and E2 in three ways: the score never falls, does not depend on the
// split, and never reaches 100.
func TestScoreMonotoneAndCapped(t *testing.T) {
	for _, e2 := range []float64{0, 0.5, 1} {
		prev := -1
		for k := 0; k <= 1000; k++ {
			exposed := float64(k) / 1000
			p := Probs{1 - exposed, exposed * (1 - e2), exposed * e2}
			s := p.Score()
			require.GreaterOrEqual(t, s, prev, "P(exposed) %.3f, E2 share %g", exposed, e2)
			require.LessOrEqual(t, s, MaxScore)
			require.GreaterOrEqual(t, s, 0)
			require.Equal(t, Probs{1 - exposed, exposed, 0}.Score(), s, "E1 and E2 save alike")
			prev = s
		}
		require.Equal(t, 0, Probs{1, 0, 0}.Score())
	}
	require.Less(t, MaxScore, 100)
	require.LessOrEqual(t, int(100*ExposedTimeShare), MaxScore)
}
