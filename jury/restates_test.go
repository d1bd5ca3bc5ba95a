package jury

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// scanRestatesTask is RestatesTask as it was before it stopped
// allocating: maps of stems over the full lists of content words.
func scanRestatesTask(rationale, task string) bool {
	words := func(s string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(w) >= 3 && !fillers[w] {
				out = append(out, w)
			}
		}
		return out
	}
	known := map[string]bool{}
	for _, w := range words(task) {
		known[stem(w)] = true
	}
	n := 0
	for _, w := range words(rationale) {
		if st := stem(w); !known[st] {
			n++
			known[st] = true
		}
	}
	return n < MinNewWords
}

// RestatesTask judges as the map-based scan did: on every rationale of
// the golden verdicts against every task of its page, and on text with
// capitals, accents, fillers, short and repeated words, digits and
// broken UTF-8.
func TestRestatesTaskAsTheScan(t *testing.T) {
	var texts []string
	files, err := filepath.Glob("../fixtures/golden/*/report.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var r Report
		require.NoError(t, json.Unmarshal(data, &r))
		for _, tr := range r.Tasks {
			texts = append(texts, tr.Text, tr.Rationale)
		}
		texts = append(texts, r.Summary)
	}
	texts = append(texts, "", "the and for", "Records RECORD recorded records", "Scheduling schedules", "Élan élans ÉLAN café cafés",
		"ab cd ef gh", "x2y z3w data2base", "new new new words", "one two three four five six", "\xff\xfe broken bytes here", "naïve façade coöperate",
		"İstanbul ISTANBUL istanbul", "ΣΟΦΙΑ σοφια Σοφίας", "ǅemal Ǆemal ǆemal", "Ⅻ roman Ⅻnumerals ⅻ", "“Curly” ‘quotes’ don’t split")
	n := 0
	for _, a := range texts {
		for _, b := range texts {
			require.Equal(t, scanRestatesTask(a, b), RestatesTask(a, b), "rationale %q, task %q", a, b)
			n++
		}
	}
	t.Logf("%d pairs", n)
}
