package offline

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

// frameLines (variants of a line next to each other) and frameLinesApart
// (variants anywhere) group every key set's frames the same way.
func TestFrameLinesGroupVariantsByLine(t *testing.T) {
	o, err := New()
	require.NoError(t, err)
	blockers := []prompts.Term{{Kind: "hands", Default: true}}
	for _, k := range prompts.Blockers {
		blockers = append(blockers, prompts.Term{Kind: k})
	}
	seen := 0
	for _, label := range jury.Labels {
		for score := 0; score <= 100; score += 5 {
			for _, tool := range []prompts.Term{{Kind: "tool"}, {Kind: "tool", LanguageModel: true}} {
				for _, b := range blockers {
					keys := frameKeys(label, score, tool, b)
					lines, variants := o.frameLines(keys)
					wantLines, wantVariants := frameLinesApart(o.words, o.words.Frames(keys...))
					require.Equal(t, wantLines, lines, "%v", keys)
					require.NotEmpty(t, lines, "%v", keys)
					for _, l := range lines {
						require.Equal(t, wantVariants(l), variants(l), "%v line %d", keys, l)
						seen++
					}
				}
			}
		}
	}
	t.Logf("%d lines checked", seen)
}

// sort4 sorts as slices.Sort does, ties and zeros of either sign included.
func TestSort4(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, 50, 50, 100, 33.3}
	for _, a := range vals {
		for _, b := range vals {
			for _, c := range vals {
				for _, d := range vals {
					v, w := [4]float64{a, b, c, d}, []float64{a, b, c, d}
					sort4(&v)
					slices.Sort(w)
					require.Equal(t, w[1]+w[2], v[1]+v[2])
					require.True(t, slices.IsSorted(v[:]))
				}
			}
		}
	}
}
