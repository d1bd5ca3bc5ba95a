package prompts

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// Words holds the offline juror's sentence templates: quotes per persona
// and band, summaries per band, rationales per label and band. Each key has
// several variants; callers choose one by a stable number. Safe for
// concurrent use.
type Words struct {
	quotes, summaries, rationales map[string][]*template.Template
}

// Band names the score ranges the offline words vary with.
func Band(score int) string {
	switch {
	case score < 40:
		return "low"
	case score < 70:
		return "mid"
	}
	return "high"
}

// OfflineWords returns the embedded offline templates.
func OfflineWords() *Words {
	return &Words{
		quotes:     mustLines("offline/quotes.txt"),
		summaries:  mustLines("offline/summaries.txt"),
		rationales: mustLines("offline/rationales.txt"),
	}
}

// Quote renders variant n of persona's quote for the band of score;
// personas without quotes of their own speak as the Diplomat.
func (w *Words) Quote(persona string, score int, n uint64, data any) string {
	vs := w.quotes[persona+" "+Band(score)]
	if len(vs) == 0 {
		vs = w.quotes["diplomat "+Band(score)]
	}
	return execute(vs, n, data)
}

// Summary renders variant n of the summary for the band of headline.
func (w *Words) Summary(headline int, n uint64, data any) string {
	return execute(w.summaries[Band(headline)], n, data)
}

// Rationales returns how many rationale variants a label and score have.
func (w *Words) Rationales(label string, score int) int {
	return len(w.rationales[label+" "+Band(score)])
}

// Rationale renders variant n of the rationale for label and score.
func (w *Words) Rationale(label string, score int, n uint64, data any) string {
	return execute(w.rationales[label+" "+Band(score)], n, data)
}

func execute(vs []*template.Template, n uint64, data any) string {
	if len(vs) == 0 {
		panic("prompts: no offline template for this key") // the files are tested to cover every key
	}
	var b bytes.Buffer
	if err := vs[n%uint64(len(vs))].Execute(&b, data); err != nil {
		panic(fmt.Sprintf("prompts: offline template: %v", err))
	}
	return b.String()
}

// mustLines parses "key: template" lines, skipping blanks and # comments.
func mustLines(name string) map[string][]*template.Template {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	out := map[string][]*template.Template{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, body, ok := strings.Cut(text, ": ")
		if !ok {
			panic(fmt.Sprintf("prompts: %s:%d: want \"key: template\"", name, line))
		}
		t := template.Must(template.New(fmt.Sprintf("%s:%d", name, line)).Option("missingkey=error").Parse(body))
		out[key] = append(out[key], t)
	}
	return out
}

// phraseStops end a task phrase where what follows is detail; each
// applies only after enough words that the phrase still says something.
var phraseStops = []struct {
	text     string
	minWords int
}{
	{";", 2}, {".", 2}, {" (", 2}, {", such as", 2}, {" such as ", 2}, {", using", 2}, {" using ", 3},
	{" according to ", 2}, {" in order to ", 2}, {" to ensure ", 2}, {" to determine ", 2},
	{",", 4}, {" to ", 4}, {" with ", 4}, {" by ", 4}, {" for ", 5}, {" in ", 5},
}

// Phrase turns a task statement into a short phrase that fits in a
// sentence: the statement's own words, first letter lower-cased, cut at
// the first clause break that leaves enough words, and at ten words.
func Phrase(task string) string {
	s := strings.TrimSpace(task)
	cut := len(s)
	for _, stop := range phraseStops {
		if i := strings.Index(s, stop.text); i > 0 && i < cut && len(strings.Fields(s[:i])) >= stop.minWords {
			cut = i
		}
	}
	words := strings.Fields(s[:cut])
	if len(words) > 10 {
		words = words[:10]
	}
	for len(words) > 3 && isWeakWord(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	s = strings.TrimRight(strings.Join(words, " "), ",;:")
	if r, size := utf8.DecodeRuneInString(s); r != utf8.RuneError && !isAcronym(words) {
		s = string(unicode.ToLower(r)) + s[size:]
	}
	return s
}

func isWeakWord(w string) bool {
	switch strings.ToLower(strings.TrimRight(w, ",;:")) {
	case "a", "an", "the", "and", "or", "of", "to", "for", "with", "in", "on", "at", "by", "from", "as", "such", "that", "which":
		return true
	}
	return false
}

// isAcronym reports whether the first word is all capitals (OSHA, CAD),
// which must keep its case.
func isAcronym(words []string) bool {
	return len(words) > 0 && len(words[0]) > 1 && strings.ToUpper(words[0]) == words[0]
}
