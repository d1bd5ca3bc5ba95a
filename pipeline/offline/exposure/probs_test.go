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
		{"certain E1", Probs{0, 1, 0}, 100, "E1", 1},
		{"certain E2", Probs{0, 0, 1}, 100, "E2", 0.5},
		{"mixed", Probs{0.2, 0.3, 0.5}, 80, "E2", 0.55},
		{"rounds half up", Probs{0.835, 0.1, 0.065}, 17, "E0", 0.1325},
		{"tie goes to the lower class", Probs{0.4, 0.4, 0.2}, 60, "E0", 0.5},
		{"tie between E1 and E2", Probs{0.2, 0.4, 0.4}, 80, "E1", 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.score, tt.p.Score())
			require.Equal(t, tt.label, tt.p.Label())
			require.InDelta(t, tt.beta, tt.p.Beta(), 1e-12)
		})
	}
}
