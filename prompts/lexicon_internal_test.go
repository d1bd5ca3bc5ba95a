package prompts

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStemIndexFindsWhatEveryStemWouldFind: the index returns, for any
// words, the first fitting lexicon line a scan of every stem of every
// line returns.
func TestStemIndexFindsWhatEveryStemWouldFind(t *testing.T) {
	w := OfflineWords()
	scan := func(words []string, fits func(int) bool) int {
		for i, l := range w.lexicon {
			if !fits(i) {
				continue
			}
			for _, stem := range l.stems {
				for _, tw := range words {
					if exact, ok := strings.CutPrefix(stem, "="); ok && tw == exact || !ok && strings.HasPrefix(tw, stem) {
						return i
					}
				}
			}
		}
		return -1
	}
	// Every stem as a word, cut short, lengthened, and in pairs.
	var words [][]string
	for _, l := range w.lexicon {
		for _, stem := range l.stems {
			s := strings.TrimPrefix(stem, "=")
			words = append(words, []string{s}, []string{s + "ing"}, []string{s[:len(s)/2]}, []string{"the", s + "s"})
		}
	}
	words = append(words, []string{""}, []string{"zzz", "qqq"})
	fitters := map[string]func(int) bool{
		"every line": func(int) bool { return true },
		"tools":      func(i int) bool { return w.lexicon[i].kind == "tool" },
		"blockers":   func(i int) bool { return w.lexicon[i].kind != "tool" },
		"odd lines":  func(i int) bool { return i%2 == 1 },
	}
	for name, fits := range fitters {
		for _, ws := range words {
			require.Equal(t, scan(ws, fits), w.stems.first(ws, fits), "%s: %q", name, ws)
		}
	}
}
