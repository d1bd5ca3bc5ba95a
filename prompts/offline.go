package prompts

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// Words holds the offline juror's words: round-2 quotes per persona and
// reaction, summaries per band, the rationale frames, and the lexicon
// that names, from a task's own words, the technology that takes it over
// or the human blocker that keeps a person on it. Quotes and summaries
// have several variants per key, chosen by a stable number; rationale
// frames are chosen by the caller so that a page does not repeat one.
// Safe for concurrent use.
type Words struct {
	quotes, summaries map[string][]*template.Template
	frames            []Frame
	lexicon           []lexLine
	stems             stemIndex
}

// stemIndex finds the lexicon lines a word matches without trying every
// stem of every line: by the word itself ("=word" stems) and by each of
// its prefixes up to the longest stem.
type stemIndex struct {
	exact, prefix map[string][]int // → lexicon lines, in order
	longest       int
}

func indexStems(lex []lexLine) stemIndex {
	ix := stemIndex{exact: map[string][]int{}, prefix: map[string][]int{}}
	for i, l := range lex {
		for _, stem := range l.stems {
			if exact, ok := strings.CutPrefix(stem, "="); ok {
				ix.exact[exact] = appendLine(ix.exact[exact], i)
				continue
			}
			ix.prefix[stem] = appendLine(ix.prefix[stem], i)
			ix.longest = max(ix.longest, len(stem))
		}
	}
	return ix
}

func appendLine(lines []int, i int) []int {
	if n := len(lines); n > 0 && lines[n-1] == i {
		return lines
	}
	return append(lines, i)
}

// first returns the first lexicon line that fits and has a stem matching
// one of words, or -1.
func (ix stemIndex) first(words []string, fits func(int) bool) int {
	best := -1
	try := func(lines []int) {
		for _, i := range lines {
			if best >= 0 && i >= best {
				return
			}
			if fits(i) {
				best = i
				return
			}
		}
	}
	for _, tw := range words {
		try(ix.exact[tw])
		for k := 0; k <= len(tw) && k <= ix.longest; k++ {
			try(ix.prefix[tw[:k]])
		}
	}
	return best
}

// Frame is one rationale sentence frame of offline/rationales.txt.
type Frame struct {
	// Key is the class of task it fits: "high", "mid", "low", "none", or
	// one of those followed by a label ("high E1") or a blocker kind
	// ("none hands").
	Key  string
	tmpl *template.Template
	re   *regexp.Regexp
}

// Term is what the lexicon names for a task: a technology (Kind "tool")
// or a human blocker (Kind "hands", "presence" or "judgment").
type Term struct {
	Kind, Words string
	// Default is true when no stem of the lexicon matched the task and
	// the words are the kind's generic fallback.
	Default bool
}

// lexLine is one line of offline/lexicon.txt.
type lexLine struct {
	kind   string
	groups []string // SOC code prefixes; none: every occupation
	stems  []string // "=word" matches the word only
	words  string
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

// OfflineWords returns the embedded offline words.
func OfflineWords() *Words {
	lex := mustLexicon("offline/lexicon.txt")
	return &Words{
		quotes:    mustLines("offline/quotes.txt"),
		summaries: mustLines("offline/summaries.txt"),
		frames:    mustFrames("offline/rationales.txt"),
		lexicon:   lex,
		stems:     indexStems(lex),
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

// Blockers are the lexicon's kinds of human blocker.
var Blockers = []string{"hands", "presence", "judgment"}

// Tool names the technology that takes task over, by the task's words.
func (w *Words) Tool(task, code string) Term { return w.lookup(task, code, "tool") }

// Blocker names what keeps a person on task, by the task's words.
func (w *Words) Blocker(task, code string) Term { return w.lookup(task, code, Blockers...) }

// Reason returns a juror's round-1 reason for a task: the tool that takes
// it over when exposed is true, else what keeps a person on it.
func (w *Words) Reason(task, code string, exposed bool) string {
	if exposed {
		return w.Tool(task, code).Words
	}
	return w.Blocker(task, code).Words
}

// Lexicon returns every term the lexicon can name, defaults included.
func (w *Words) Lexicon() []Term {
	var out []Term
	for _, l := range w.lexicon {
		out = append(out, Term{Kind: l.kind, Words: l.words, Default: l.stems == nil})
	}
	return out
}

// lookup returns the first line of one of kinds whose stem matches the
// task's verb (blockers only), else its first line whose stem matches any
// of its words, else the default line of the first kind.
func (w *Words) lookup(task, code string, kinds ...string) Term {
	words := strings.FieldsFunc(strings.ToLower(task), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	if len(words) == 0 {
		words = []string{""}
	}
	fits := func(l lexLine) bool {
		if !slicesContains(kinds, l.kind) {
			return false
		}
		if len(l.groups) == 0 {
			return true
		}
		for _, g := range l.groups {
			if strings.HasPrefix(code, g) {
				return true
			}
		}
		return false
	}
	// A blocker is told by the task's verb first ("Teach students to
	// operate machinery" is teaching); a tool by its most specific word.
	scopes := [][]string{words[:1], words}
	if kinds[0] == "tool" {
		scopes = scopes[1:]
	}
	for _, scope := range scopes {
		if i := w.stems.first(scope, func(i int) bool { return fits(w.lexicon[i]) }); i >= 0 {
			return Term{Kind: w.lexicon[i].kind, Words: w.lexicon[i].words}
		}
	}
	for _, l := range w.lexicon {
		if l.stems == nil && l.kind == kinds[0] {
			return Term{Kind: l.kind, Words: l.words, Default: true}
		}
	}
	for _, l := range w.lexicon {
		if l.stems == nil && slicesContains(kinds, l.kind) {
			return Term{Kind: l.kind, Words: l.words, Default: true}
		}
	}
	return Term{Kind: kinds[0], Default: true}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func mustLexicon(name string) []lexLine {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	var out []lexLine
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, words, ok := strings.Cut(line, ": ")
		fields := strings.Fields(key)
		if !ok || len(fields) < 2 || strings.TrimSpace(words) == "" || len(words) > 120 {
			panic(fmt.Sprintf("prompts: %s:%d: want \"kind[@groups] stem [stem…]: words\" (words at most 120 characters)", name, i+1))
		}
		kind, groups, _ := strings.Cut(fields[0], "@")
		if kind != "tool" && !slicesContains(Blockers, kind) {
			panic(fmt.Sprintf("prompts: %s:%d: kind %q is not tool, hands, presence or judgment", name, i+1, kind))
		}
		l := lexLine{kind: kind, words: strings.TrimSpace(words)}
		if groups != "" {
			l.groups = strings.Split(groups, ",")
		}
		if fields[1] != "default" {
			l.stems = fields[1:]
		}
		out = append(out, l)
	}
	return out
}

// Summary renders variant n of the summary set key ("high", "mid" or
// "low").
func (w *Words) Summary(key string, n uint64, data any) string {
	return execute(w.summaries[key], n, data)
}

// Frames returns the indexes of the rationale frames whose key is one of
// keys, in file order.
func (w *Words) Frames(keys ...string) []int {
	var out []int
	for i, f := range w.frames {
		if slicesContains(keys, f.Key) {
			out = append(out, i)
		}
	}
	return out
}

// Rationale renders rationale frame i (an index from Frames) with data:
// .Phrase, .Tool and .Blocker.
func (w *Words) Rationale(i int, data any) string {
	return execute([]*template.Template{w.frames[i].tmpl}, 0, data)
}

// FrameOf returns the index of the frame a rationale was written from, or
// -1 if none of the frames makes it.
func (w *Words) FrameOf(rationale string) int {
	for i, f := range w.frames {
		if f.re.MatchString(rationale) {
			return i
		}
	}
	return -1
}

// FrameKey returns the key of frame i.
func (w *Words) FrameKey(i int) string { return w.frames[i].Key }

// frameField is a field of a rationale frame: {{.Phrase}}, {{.Tool}}…
var frameField = regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)

func mustFrames(name string) []Frame {
	var out []Frame
	for _, l := range mustRawLines(name) {
		t := template.Must(template.New(fmt.Sprintf("%s:%d", name, l.line)).Funcs(funcs).Option("missingkey=error").Parse(l.body))
		// A frame has fields only, no actions, so it is matched back
		// from a page by a regular expression.
		parts := frameField.Split(l.body, -1)
		if strings.Contains(strings.Join(parts, ""), "{{") {
			panic(fmt.Sprintf("prompts: %s:%d: a rationale frame has fields only ({{.Phrase}}), no actions", name, l.line))
		}
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re := regexp.MustCompile("^(?s)" + strings.Join(parts, ".+?") + "$")
		out = append(out, Frame{Key: l.key, tmpl: t, re: re})
	}
	return out
}

func execute(vs []*template.Template, n uint64, data any) string {
	if len(vs) == 0 {
		panic("prompts: no offline template for this key") // the files are tested to cover every key
	}
	var b bytes.Buffer
	if err := vs[n%uint64(len(vs))].Execute(&b, data); err != nil {
		panic(fmt.Sprintf("prompts: offline template: %v", err))
	}
	return capitalise(b.String())
}

// capitalise upper-cases the first letter of each sentence that a field
// opened with a lower-case phrase ("speech recognition can…").
func capitalise(s string) string {
	rs := []rune(s)
	start := true // at the start of a sentence, or of a quotation opening one
	for i, r := range rs {
		switch {
		case start && unicode.IsLower(r):
			rs[i] = unicode.ToUpper(r)
			start = false
		case start && (r == '“' || r == '‘'):
		default:
			start = i >= 1 && r == ' ' && (rs[i-1] == '.' || rs[i-1] == '!' || rs[i-1] == '?')
		}
	}
	return string(rs)
}

// funcs are the offline templates' helpers for number agreement.
var funcs = template.FuncMap{
	// count writes n and the noun in agreement: "1 task", "3 tasks".
	"count": func(n int, noun string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, noun)
		}
		return fmt.Sprintf("%d %ss", n, noun)
	},
	// agree picks the singular or plural form for n: {{agree .Exposed "is" "are"}}.
	"agree": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

type rawLine struct {
	line      int
	key, body string
}

func mustRawLines(name string) []rawLine {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	var out []rawLine
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
		out = append(out, rawLine{line, key, body})
	}
	return out
}

// mustLines parses "key: template" lines, skipping blanks and # comments.
func mustLines(name string) map[string][]*template.Template {
	out := map[string][]*template.Template{}
	for _, l := range mustRawLines(name) {
		t := template.Must(template.New(fmt.Sprintf("%s:%d", name, l.line)).Funcs(funcs).Option("missingkey=error").Parse(l.body))
		out[l.key] = append(out[l.key], t)
	}
	return out
}

// IsPlural reports whether an occupation's title names people in the
// plural ("Medical Records Specialists", "Clergy"), for "their" or "its".
func IsPlural(title string) bool {
	head, _, _ := strings.Cut(title, ",")
	for _, w := range strings.Fields(head) {
		lw := strings.ToLower(strings.Trim(w, "()"))
		if strings.HasSuffix(lw, "s") && !strings.HasSuffix(lw, "ss") || lw == "clergy" || lw == "police" || lw == "staff" || lw == "personnel" || lw == "people" {
			return true
		}
	}
	return strings.Contains(head, " and ")
}

// phraseStops end a task phrase where what follows is detail; each
// applies at its first occurrence after enough words that the phrase
// still says something.
var phraseStops = []struct {
	text     string
	minWords int
}{
	{";", 2}, {". ", 2}, {" (", 2}, {", such as", 2}, {" such as ", 2}, {", using", 2}, {" using ", 3},
	{", including", 2}, {" including ", 3}, {" according to ", 2}, {" in order to ", 2}, {" to ensure ", 2},
	{" to determine ", 2}, {" so that ", 2}, {" that ", 3}, {" which ", 3}, {" whether ", 3}, {",", 4},
}

// Longest phrases: a first clause of up to phraseWhole words is kept
// whole; a longer one is cut at a natural boundary within phraseMax words.
const (
	phraseWhole = 12
	phraseMax   = 10
)

// Phrase turns a task statement into a short phrase that fits in a
// sentence: the statement's own words, first letter lower-cased, up to
// its first clause break; a long clause is cut before a preposition or
// conjunction, and a phrase never ends on a function word or auxiliary
// ("of", "the", "or", "is", "its", "could"…). Phrases names every task
// of a page apart.
func Phrase(task string) string {
	return phrase(task, true, phraseWhole, phraseMax)
}

// Phrases returns a phrase for each task statement of one page, distinct
// where the statements are: tasks whose short phrases coincide are named
// by longer cuts of their statements, and if need be by the whole
// statement.
func Phrases(tasks []string) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = Phrase(t)
	}
	longer := []func(string) string{
		func(t string) string { return phrase(t, false, 16, 14) },
		func(t string) string { return phrase(t, false, 1000, 1000) },
	}
	for _, f := range longer {
		seen := map[string][]int{}
		for i, p := range out {
			seen[p] = append(seen[p], i)
		}
		for _, idx := range seen {
			if len(idx) < 2 {
				continue
			}
			for _, i := range idx {
				out[i] = f(tasks[i])
			}
		}
	}
	return out
}

func phrase(task string, clause bool, whole, limit int) string {
	s := strings.TrimRight(strings.TrimSpace(task), ". ")
	if clause {
		s = s[:clauseEnd(s)]
	}
	words := strings.Fields(s)
	if len(words) > whole {
		k := 0
		for i := 3; i <= limit && i < len(words); i++ {
			prev := words[i-1]
			if (isBoundary(words[i]) || strings.HasSuffix(prev, ",")) && !IsFunctionWord(prev) {
				k = i
			}
		}
		if k == 0 {
			k = limit
		}
		words = words[:k]
	}
	words = balanced(words)
	// A list cut at its first comma can leave a modifier without its noun
	// ("with conflicting, missing, or unclear information"): step back to
	// before the preposition or article that opened it.
	if n := len(words); n > 4 && IsFunctionWord(words[n-2]) && hasModifierEnding(words[n-1]) {
		for i := n - 2; i >= 3; i-- {
			if isBoundary(words[i]) && !IsFunctionWord(words[i-1]) {
				words = words[:i]
				break
			}
		}
	}
	for len(words) > 1 {
		last := strings.TrimRight(words[len(words)-1], ",;:-–—")
		if last == "" || IsFunctionWord(last) {
			words = words[:len(words)-1]
			continue
		}
		words[len(words)-1] = last
		break
	}
	s = strings.Join(words, " ")
	if r, size := utf8.DecodeRuneInString(s); r != utf8.RuneError && !isAcronym(words) {
		s = string(unicode.ToLower(r)) + s[size:]
	}
	return s
}

// clauseEnd returns where the first clause of s ends.
func clauseEnd(s string) int {
	cut := len(s)
	for _, stop := range phraseStops {
		from := 0
		for {
			i := strings.Index(s[from:], stop.text)
			if i < 0 {
				break
			}
			i += from
			if i > 0 && len(strings.Fields(s[:i])) >= stop.minWords {
				cut = min(cut, i)
				break
			}
			from = i + len(stop.text)
		}
	}
	return cut
}

// balanced drops words from the first one that opens a parenthesis or a
// quotation the phrase does not close.
func balanced(words []string) []string {
	open := -1
	depth := 0
	for i, w := range words {
		for _, r := range w {
			switch r {
			case '(', '[':
				if depth == 0 {
					open = i
				}
				depth++
			case ')', ']':
				depth--
			}
		}
	}
	if depth > 0 && open > 0 {
		return words[:open]
	}
	if n := strings.Count(strings.Join(words, " "), `"`); n%2 == 1 {
		for i, w := range words {
			if strings.Contains(w, `"`) && i > 0 {
				return words[:i]
			}
		}
	}
	return words
}

// functionWords are the words a phrase must not end on: articles,
// pronouns and possessives, prepositions, conjunctions and auxiliaries.
var functionWords = wordSet(`a an the this that these those its it their his her our your my one
of to or and nor but as at by for from in into onto on off out over under upon with within without
about across after against along among around before behind between beyond during except like near
per since than through throughout toward towards until via while whether if when where which who
whom whose what so such including using according regarding concerning following
is are was were be been being am can could may might must shall should will would do does did has
have had not no any each every all other another both either neither some same own very more most etc
e.g i.e`)

// boundaries are the words before which a long clause may be cut.
var boundaries = wordSet(`to for with by in on at from of into through during under before after about
and or between among within without per via against toward towards including using according such
as whether that which while when where so`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// IsFunctionWord reports whether w (any case, trailing punctuation
// ignored) is an article, pronoun, preposition, conjunction or auxiliary:
// a word no task phrase ends on.
func IsFunctionWord(w string) bool {
	return functionWords[strings.ToLower(strings.Trim(w, ",;:.()\"'"))]
}

// hasModifierEnding reports whether w ends like an adjective or
// participle that wants a noun after it (conflicting, physical, electronic).
func hasModifierEnding(w string) bool {
	w = strings.ToLower(strings.TrimRight(w, ",;:"))
	for _, end := range []string{"ing", "ical", "ic", "ive", "ous", "ful"} {
		if strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}

func isBoundary(w string) bool { return boundaries[strings.ToLower(strings.Trim(w, ",;:.()\"'"))] }

// isAcronym reports whether the first word is all capitals (OSHA, CAD),
// which must keep its case.
func isAcronym(words []string) bool {
	return len(words) > 0 && len(words[0]) > 1 && strings.ToUpper(words[0]) == words[0]
}
