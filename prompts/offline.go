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

// Words holds the offline juror's sentence templates: round-2 quotes per
// persona and reaction, summaries per band, rationales per label and band,
// and the round-1 reasons by the words of a task. Each key has several
// variants; callers choose one by a stable number. Safe for concurrent
// use.
type Words struct {
	quotes, summaries, rationales map[string][]*template.Template
	reasons                       []reasonLine
}

// reasonLine is one line of offline/reasons.txt.
type reasonLine struct{ kind, word, reason string }

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
		reasons:    mustReasons("offline/reasons.txt"),
	}
}

// Quote renders variant n of persona's round-2 quote for its reaction to
// the verdict; personas without quotes of their own (custom jurors from
// jury.yaml) take the "custom" lines, not another persona's voice.
func (w *Words) Quote(persona, reaction string, n uint64, data any) string {
	vs := w.quotes[persona+" "+reaction]
	if len(vs) == 0 {
		vs = w.quotes["custom "+reaction]
	}
	return execute(vs, n, data)
}

// Quotes returns how many quote variants persona has for a reaction.
func (w *Words) Quotes(persona, reaction string) int {
	if n := len(w.quotes[persona+" "+reaction]); n > 0 {
		return n
	}
	return len(w.quotes["custom "+reaction])
}

// Reason returns a juror's round-1 reason for a task: the tool that takes
// it over when exposed is true, else what keeps a person on it, chosen by
// the first word of reasons.txt that starts a word of the task.
func (w *Words) Reason(task string, exposed bool) string {
	kind := "blocker"
	if exposed {
		kind = "tool"
	}
	words := strings.FieldsFunc(strings.ToLower(task), func(r rune) bool { return !unicode.IsLetter(r) })
	fallback := ""
	for _, l := range w.reasons {
		if l.kind != kind {
			continue
		}
		if l.word == "default" {
			fallback = l.reason
			continue
		}
		for _, tw := range words {
			if strings.HasPrefix(tw, l.word) {
				return l.reason
			}
		}
	}
	return fallback
}

func mustReasons(name string) []reasonLine {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	var out []reasonLine
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, ok := strings.Cut(line, ": ")
		kind, word, ok2 := strings.Cut(key, " ")
		if !ok || !ok2 || (kind != "tool" && kind != "blocker") {
			panic(fmt.Sprintf("prompts: %s:%d: want \"tool|blocker word: reason\"", name, i+1))
		}
		out = append(out, reasonLine{kind, word, reason})
	}
	return out
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
