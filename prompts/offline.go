package prompts

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
	quotes    map[string][]quoteLine
	quoteRE   []*regexp.Regexp // every quote line, read back from a page
	summaries map[string][]*template.Template
	frames    []Frame
	lexicon   []lexLine
	// stems indexes the lexicon's stems by the words they match, so
	// that a lookup reads only the stems a task's words can match, not
	// every line of the lexicon.
	stems stemIndex
}

// stemRef names one stem of the lexicon: stems[stem] of lexicon[line].
type stemRef struct{ line, stem int }

// stemIndex finds the lexicon stems that match a word: an exact stem
// ("=word") by the word, any other by one of the word's prefixes. It is
// a trie of the stems' bytes: a word is read once, byte by byte, instead
// of looking up each of its prefixes in a map.
type stemIndex struct {
	nodes []stemNode // nodes[0] is the root, the empty prefix
}

// stemNode is the prefix a path of the trie spells.
type stemNode struct {
	next   []stemEdge
	prefix []stemRef // prefix stems that are this prefix: they match every word through here
	exact  []stemRef // exact stems that are this word
}

type stemEdge struct {
	b  byte
	to int32
}

// add files ref under stem ("=word": exact).
func (x *stemIndex) add(stem string, ref stemRef) {
	if len(x.nodes) == 0 {
		x.nodes = []stemNode{{}}
	}
	exact, isExact := strings.CutPrefix(stem, "=")
	if isExact {
		stem = exact
	}
	n := 0
	for i := 0; i < len(stem); i++ {
		to := x.child(n, stem[i])
		if to < 0 {
			to = len(x.nodes)
			x.nodes[n].next = append(x.nodes[n].next, stemEdge{stem[i], int32(to)})
			x.nodes = append(x.nodes, stemNode{})
		}
		n = to
	}
	if isExact {
		x.nodes[n].exact = append(x.nodes[n].exact, ref)
	} else {
		x.nodes[n].prefix = append(x.nodes[n].prefix, ref)
	}
}

// child is node n's child by byte b, or -1.
func (x *stemIndex) child(n int, b byte) int {
	for _, e := range x.nodes[n].next {
		if e.b == b {
			return int(e.to)
		}
	}
	return -1
}

func newStemIndex(lexicon []lexLine) stemIndex {
	var x stemIndex
	for i, l := range lexicon {
		for j, s := range l.stems {
			x.add(s.stem, stemRef{i, j})
		}
	}
	return x
}

// matching calls f with every stem that matches the word w (matches).
func (x *stemIndex) matching(w string, f func(stemRef)) {
	if len(x.nodes) == 0 {
		return
	}
	n := 0
	for k := 0; ; k++ {
		for _, r := range x.nodes[n].prefix {
			f(r)
		}
		if k == len(w) {
			for _, r := range x.nodes[n].exact {
				f(r)
			}
			return
		}
		if n = x.child(n, w[k]); n < 0 {
			return
		}
	}
}

// any reports whether a stem matches the word w.
func (x *stemIndex) any(w string) bool {
	if len(x.nodes) == 0 {
		return false
	}
	n := 0
	for k := 0; ; k++ {
		if len(x.nodes[n].prefix) > 0 {
			return true
		}
		if k == len(w) {
			return len(x.nodes[n].exact) > 0
		}
		if n = x.child(n, w[k]); n < 0 {
			return false
		}
	}
}

// quoteLine is one line of offline/quotes.txt: a template and the shape
// of verdict it needs.
type quoteLine struct {
	tmpl  *fieldsOnly
	needs []string // QuoteShapes that must all hold
	index int      // its number among all quote lines, for QuoteFrameOf
}

// QuoteShapes are the conditions a quote line may need, each true or
// false for one juror on one page:
//
//   - exposed: the juror's most exposed task scores 50 or more (own and
//     panel), so a line may call it exposed;
//   - held: its least exposed task scores under 50 (own and panel), so a
//     line may say a person keeps it;
//   - high, mid, low: the headline is 60 or more, 40 to 59, under 40;
//   - dissent: the panel split on some task;
//   - many: the occupation has 20 tasks or more;
//   - mostheld: more than half of its tasks score under 50 (panel), so a
//     line may say software sits most of them out;
//   - lowest: the juror's overall score is strictly the panel's lowest;
//   - apart: the juror's overall score is not the headline, so a line may
//     call it close to the headline.
var QuoteShapes = []string{"exposed", "held", "high", "mid", "low", "dissent", "many", "mostheld", "lowest", "apart"}

// Frame is one rationale sentence frame of offline/rationales.txt.
type Frame struct {
	// Key is the class of task it fits: "high", "mid", "low", "little",
	// "none", or one of those followed by a label ("high E1") or a
	// blocker kind ("none hands").
	Key string
	// Line is the frame's line in the file: the variants that one line
	// writes with [[a|b]] alternatives share it.
	Line int
	tmpl *fieldsOnly
	re   *regexp.Regexp
}

// Term is what the lexicon names for a task: a technology (Kind "tool")
// or a human blocker (Kind "hands", "presence" or "judgment").
type Term struct {
	Kind, Words string
	// Default is true when no stem of the lexicon matched the task and
	// the words are the kind's generic fallback.
	Default bool
	// LanguageModel is true for a tool built on a language model
	// ("tool/lm" in the lexicon): one a sentence about a language model
	// alone may name.
	LanguageModel bool
}

// lexLine is one line of offline/lexicon.txt.
type lexLine struct {
	kind   string
	lm     bool     // a tool built on a language model ("tool/lm")
	groups []string // SOC code prefixes; none: every occupation
	stems  []lexStem
	words  string
}

// term is what the line names, as a Term.
func (l lexLine) term() Term { return Term{Kind: l.kind, Words: l.words, LanguageModel: l.lm} }

// lexStem is one stem of a lexicon line with the evidence it needs.
type lexStem struct {
	stem string // "=word" matches the word only
	// with: the stem counts only if another word of the task matches
	// one of these stems too ("serv" is food only beside "food" or
	// "beverage"); empty: the stem alone is evidence enough.
	with []string
	// company indexes with, so that the check reads a few words, not the
	// whole set of stems ("+$things" has hundreds).
	company *stemIndex
}

// newStemSet indexes a list of lexicon stems, to tell whether any of
// them matches a word (stemIndex.any).
func newStemSet(stems []string) *stemIndex {
	var x stemIndex
	for _, s := range stems {
		x.add(s, stemRef{})
	}
	return &x
}

// matches reports whether stem (a lexicon stem, "=word" for the exact
// word) matches the task word w.
func matches(stem, w string) bool {
	if exact, ok := strings.CutPrefix(stem, "="); ok {
		return w == exact
	}
	return strings.HasPrefix(w, stem)
}

// evidenced reports whether s matches w and its required company, if
// any, is among the task's words.
func (s lexStem) evidenced(w string, words []string) bool {
	if !matches(s.stem, w) {
		return false
	}
	if len(s.with) == 0 {
		return true
	}
	for _, other := range words {
		if other == w {
			continue
		}
		if s.company != nil {
			if s.company.any(other) {
				return true
			}
			continue
		}
		for _, c := range s.with {
			if matches(c, other) {
				return true
			}
		}
	}
	return false
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
	quotes, quoteRE := mustQuotes("offline/quotes.txt")
	lexicon := mustLexicon("offline/lexicon.txt")
	return &Words{
		quotes:    quotes,
		quoteRE:   quoteRE,
		summaries: mustLines("offline/summaries.txt"),
		frames:    mustFrames("offline/rationales.txt"),
		lexicon:   lexicon,
		stems:     newStemIndex(lexicon),
	}
}

// Quote renders variant n of the quote lines persona has for its reaction
// to the verdict that fit shape (the QuoteShapes that hold); personas
// without quotes of their own (custom jurors from jury.yaml) take the
// "custom" lines, not another persona's voice.
func (w *Words) Quote(persona, reaction string, shape []string, n uint64, data any) string {
	vs := w.fitting(persona, reaction, shape)
	if len(vs) == 0 {
		return execute(nil, n, data) // its panic
	}
	return vs[n%uint64(len(vs))].tmpl.execute(data)
}

// Quotes returns how many quote lines persona has for a reaction that
// fit shape.
func (w *Words) Quotes(persona, reaction string, shape []string) int {
	return len(w.fitting(persona, reaction, shape))
}

// QuoteFrameOf returns the number of the quote line (in file order) that
// wrote quote, or -1 if none did.
func (w *Words) QuoteFrameOf(quote string) int {
	for i, re := range w.quoteRE {
		if re.MatchString(quote) {
			return i
		}
	}
	return -1
}

func (w *Words) fitting(persona, reaction string, shape []string) []quoteLine {
	all := w.quotes[persona+" "+reaction]
	if len(all) == 0 {
		all = w.quotes["custom "+reaction]
	}
	var out []quoteLine
	for _, q := range all {
		fits := true
		for _, need := range q.needs {
			fits = fits && slicesContains(shape, need)
		}
		if fits {
			out = append(out, q)
		}
	}
	return out
}

// mustQuotes parses "persona reaction [shape…]: template" lines; a quote
// has fields only, no actions, so that it reads back from a page.
func mustQuotes(name string) (map[string][]quoteLine, []*regexp.Regexp) {
	out := map[string][]quoteLine{}
	var res []*regexp.Regexp
	for _, l := range mustRawLines(name) {
		fields := strings.Fields(l.key)
		if len(fields) < 2 {
			panic(fmt.Sprintf("prompts: %s:%d: want \"persona reaction [shape…]: template\"", name, l.line))
		}
		for _, need := range fields[2:] {
			if !slicesContains(QuoteShapes, need) {
				panic(fmt.Sprintf("prompts: %s:%d: shape %q is not one of %v", name, l.line, need, QuoteShapes))
			}
		}
		t, re := mustFieldsOnly(name, l.line, l.body)
		key := fields[0] + " " + fields[1]
		out[key] = append(out[key], quoteLine{tmpl: t, needs: fields[2:], index: len(res)})
		res = append(res, re)
	}
	return out, res
}

// Blockers are the lexicon's kinds of human blocker.
var Blockers = []string{"hands", "presence", "judgment"}

// Tool names the technology that takes task over, by the task's words.
func (w *Words) Tool(task, code string) Term {
	t := w.read(task)
	return w.lookup(&t, code, "tool")
}

// Blocker names what keeps a person on task, by the task's words.
func (w *Words) Blocker(task, code string) Term {
	t := w.read(task)
	return w.lookup(&t, code, Blockers...)
}

// Terms returns Tool(task, code) and Blocker(task, code), reading the
// task's words once.
func (w *Words) Terms(task, code string) (tool, blocker Term) {
	t := w.read(task)
	return w.lookup(&t, code, "tool"), w.lookup(&t, code, Blockers...)
}

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
		t := l.term()
		t.Default = l.stems == nil
		out = append(out, t)
	}
	return out
}

// taskWords is a task read for the lexicon: its words, lower case, and
// every stem of the lexicon that matches one of them.
type taskWords struct {
	words []string
	hits  []stemHit
}

// stemHit is a stem that matches the task's word words[word].
type stemHit struct {
	word int
	ref  stemRef
}

// lexWords splits a task into the words the lexicon reads: lower case,
// letters, digits and hyphens; a task without any is one empty word.
func lexWords(task string) []string {
	words := strings.FieldsFunc(strings.ToLower(task), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	if len(words) == 0 {
		words = []string{""}
	}
	return words
}

// read splits task into its words and finds the stems that match them.
func (w *Words) read(task string) taskWords {
	words := lexWords(task)
	t := taskWords{words: words}
	for i, tw := range words {
		w.stems.matching(tw, func(r stemRef) { t.hits = append(t.hits, stemHit{i, r}) })
	}
	return t
}

// lookup returns the first line of one of kinds whose stem matches the
// task's verb (blockers only), else its first line whose stem matches any
// of its words, else the default line of the first kind.
func (w *Words) lookup(t *taskWords, code string, kinds ...string) Term {
	// A blocker is told by the task's verb first ("Teach students to
	// operate machinery" is teaching); a tool by its most specific word.
	scopes := []int{1, len(t.words)} // the scope is the first n words
	if kinds[0] == "tool" {
		scopes = scopes[1:]
	}
	// The first line of the lexicon with a stem evidenced by a word of
	// the scope: of the stems that match the scope's words (the index),
	// the one on the earliest line that fits.
	for _, n := range scopes {
		first := len(w.lexicon)
		for _, h := range t.hits {
			if h.word < n && h.ref.line < first && w.lexicon[h.ref.line].fits(code, kinds) &&
				w.lexicon[h.ref.line].stems[h.ref.stem].evidenced(t.words[h.word], t.words) {
				first = h.ref.line
			}
		}
		if first < len(w.lexicon) {
			l := w.lexicon[first]
			return l.term()
		}
	}
	return w.fallback(kinds)
}

// fits reports whether line l may name a term of one of kinds for the
// occupation code: its kind is one of them and its SOC groups, if any,
// include the code.
func (l lexLine) fits(code string, kinds []string) bool {
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

// fallback is the term of a task no stem of kinds matched: the default
// line of the first kind, else of any of kinds.
func (w *Words) fallback(kinds []string) Term {
	for _, l := range w.lexicon {
		if l.stems == nil && l.kind == kinds[0] {
			t := l.term()
			t.Default = true
			return t
		}
	}
	for _, l := range w.lexicon {
		if l.stems == nil && slicesContains(kinds, l.kind) {
			t := l.term()
			t.Default = true
			return t
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
	sets := map[string][]string{}
	companies := map[string]*stemIndex{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, words, ok := strings.Cut(line, ": ")
		fields := strings.Fields(key)
		if !ok || len(fields) < 2 || strings.TrimSpace(words) == "" || len(words) > 120 && fields[0] != "set" {
			panic(fmt.Sprintf("prompts: %s:%d: want \"kind[@groups] stem [stem…]: words\" (words at most 120 characters) or \"set $name: stem…\"", name, i+1))
		}
		if fields[0] == "set" {
			if len(fields) != 2 || !strings.HasPrefix(fields[1], "$") {
				panic(fmt.Sprintf("prompts: %s:%d: want \"set $name: stem…\"", name, i+1))
			}
			sets[fields[1]] = expandSets(name, i+1, strings.Fields(words), sets)
			continue
		}
		kind, groups, _ := strings.Cut(fields[0], "@")
		kind, lm := strings.CutSuffix(kind, "/lm")
		if kind != "tool" && !slicesContains(Blockers, kind) || lm && kind != "tool" {
			panic(fmt.Sprintf("prompts: %s:%d: kind %q is not tool, tool/lm, hands, presence or judgment", name, i+1, fields[0]))
		}
		l := lexLine{kind: kind, lm: lm, words: strings.TrimSpace(words)}
		if groups != "" {
			l.groups = strings.Split(groups, ",")
		}
		var all []string // "+$set" before the stems: company every stem needs
		for _, f := range fields[1:] {
			if f == "default" {
				break
			}
			if rest, ok := strings.CutPrefix(f, "+"); ok {
				all = append(all, expandSets(name, i+1, strings.Split(rest, "+"), sets)...)
				continue
			}
			stem, with, _ := strings.Cut(f, "+")
			s := lexStem{stem: stem, with: slices.Clone(all)}
			if with != "" {
				s.with = append(s.with, expandSets(name, i+1, strings.Split(with, "+"), sets)...)
			}
			if len(s.with) > 0 {
				// Stems that need the same company (every stem of a
				// "+$set" line) share one index of it.
				key := strings.Join(s.with, " ")
				if companies[key] == nil {
					companies[key] = newStemSet(s.with)
				}
				s.company = companies[key]
			}
			l.stems = append(l.stems, s)
		}
		out = append(out, l)
	}
	return out
}

// expandSets replaces each "$name" among stems by the stems of its set.
func expandSets(file string, line int, stems []string, sets map[string][]string) []string {
	var out []string
	for _, s := range stems {
		if strings.HasPrefix(s, "$") {
			set, ok := sets[s]
			if !ok {
				panic(fmt.Sprintf("prompts: %s:%d: no set %s above this line", file, line, s))
			}
			out = append(out, set...)
			continue
		}
		out = append(out, s)
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
	return w.frames[i].tmpl.execute(data)
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

// FrameLine returns the line of offline/rationales.txt that frame i is
// written from: frames from one line are variants of one sentence.
func (w *Words) FrameLine(i int) int { return w.frames[i].Line }

// FrameKey returns the key of frame i.
func (w *Words) FrameKey(i int) string { return w.frames[i].Key }

// frameField is a field of a rationale frame: {{.Phrase}}, {{.Tool}}…
var frameField = regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)

func mustFrames(name string) []Frame {
	var out []Frame
	for _, l := range mustRawLines(name) {
		for _, body := range alternatives(l.body) {
			t, re := mustFieldsOnly(name, l.line, body)
			out = append(out, Frame{Key: l.key, Line: l.line, tmpl: t, re: re})
		}
	}
	return out
}

// alternative is one [[a|b|c]] choice of a rationale frame.
var alternative = regexp.MustCompile(`\[\[([^\]]*)\]\]`)

// alternatives expands a frame's [[a|b]] choices into every sentence
// they write, in order.
func alternatives(body string) []string {
	loc := alternative.FindStringSubmatchIndex(body)
	if loc == nil {
		return []string{body}
	}
	var out []string
	for _, choice := range strings.Split(body[loc[2]:loc[3]], "|") {
		out = append(out, alternatives(body[:loc[0]]+choice+body[loc[1]:])...)
	}
	return out
}

// fieldsOnly is a template of fields only ({{.Phrase}}), no actions: the
// text between its fields (parts, one more than fields) and the fields'
// names, so that it is filled in without executing the template.
type fieldsOnly struct {
	tmpl          *template.Template
	parts, fields []string
}

// execute renders the template with data, as execute does: a map whose
// fields are strings and ints is filled in directly (what the template
// prints for them), anything else goes through the template.
func (f *fieldsOnly) execute(data any) string {
	if m, ok := data.(map[string]any); ok {
		var b strings.Builder
		for i, field := range f.fields {
			b.WriteString(f.parts[i])
			switch v := m[field].(type) {
			case string:
				b.WriteString(v)
			case int:
				b.WriteString(strconv.Itoa(v))
			default:
				return execute([]*template.Template{f.tmpl}, 0, data)
			}
		}
		b.WriteString(f.parts[len(f.fields)])
		return capitalise(b.String())
	}
	return execute([]*template.Template{f.tmpl}, 0, data)
}

// mustFieldsOnly parses a template of fields only ({{.Phrase}}), no
// actions, and the regular expression that reads it back from a page.
func mustFieldsOnly(name string, line int, body string) (*fieldsOnly, *regexp.Regexp) {
	t := template.Must(template.New(fmt.Sprintf("%s:%d", name, line)).Funcs(funcs).Option("missingkey=error").Parse(body))
	parts := frameField.Split(body, -1)
	if strings.Contains(strings.Join(parts, ""), "{{") {
		panic(fmt.Sprintf("prompts: %s:%d: a line has fields only ({{.Phrase}}), no actions", name, line))
	}
	f := &fieldsOnly{tmpl: t, parts: slices.Clone(parts)}
	for _, m := range frameField.FindAllString(body, -1) {
		f.fields = append(f.fields, m[len("{{."):len(m)-len("}}")])
	}
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return f, regexp.MustCompile("^(?s)" + strings.Join(parts, ".+?") + "$")
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

// capitalised reports whether capitalise would leave s as it is: valid
// UTF-8 (capitalise's copy replaces a broken byte) in which no sentence
// opens with a lower-case letter. Most lines are.
func capitalised(s string) bool {
	start, prev := true, rune(0)
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			return false
		case start && unicode.IsLower(r):
			return false
		case start && (r == '“' || r == '‘'):
		default:
			start = i >= 1 && r == ' ' && (prev == '.' || prev == '!' || prev == '?')
		}
		prev = r
	}
	return true
}

// capitalise upper-cases the first letter of each sentence that a field
// opened with a lower-case phrase ("speech recognition can…").
func capitalise(s string) string {
	if capitalised(s) {
		return s
	}
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
// plural ("Medical Records Specialists", "Clergy", "Tank Car, Truck, and
// Ship Loaders"), for "their" or "its".
func IsPlural(title string) bool {
	plural := func(w string) bool {
		lw := strings.ToLower(strings.Trim(w, "()"))
		return isPlural(lw) || lw == "clergy" || lw == "police" || lw == "staff" || lw == "personnel" || lw == "people"
	}
	// The head noun ends a part between commas: the first ("Sales
	// Managers, Retail"), or a later one after a list of trades ("Locker
	// Room, Coatroom, and Dressing Room Attendants").
	parts := strings.Split(title, ",")
	for _, part := range parts {
		if words := strings.Fields(part); len(words) > 0 && plural(words[len(words)-1]) {
			return true
		}
	}
	return strings.Contains(parts[0], " and ")
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
		break
	}
	words = wholeCut(strings.Fields(strings.TrimRight(strings.TrimSpace(task), ". ")), len(words))
	words[len(words)-1] = strings.TrimRight(words[len(words)-1], ",;:-–—")
	s = strings.Join(words, " ")
	if r, size := utf8.DecodeRuneInString(s); r != utf8.RuneError && !isAcronym(words) {
		s = string(unicode.ToLower(r)) + s[size:]
	}
	return s
}

// dangling are words a phrase does not end on although they are not
// function words: each promises what follows ("activities related",
// "prior", "due", "used").
var dangling = wordSet(`related relating pertaining prior due relative pursuant used involved engaged unable preparatory accordance`)

// wholeCut returns the first k words of the statement's tokens, or a
// nearby cut if those end mid-way: on a function or dangling word, on an
// infinitive without its object ("analyze information to determine"),
// inside a list ("prepare rooms, sterile instruments") or on a list of
// verbs without their object ("preside over, or serve"). It steps back
// to the nearest natural cut first, then forward, then takes the whole
// statement.
func wholeCut(tokens []string, k int) []string {
	n := len(tokens)
	bare := func(w string) string { return strings.ToLower(strings.Trim(w, ",;:.()\"'")) }
	// lostNoun reports whether the cut at k leaves a modifier without its
	// noun: one the cut parts from it ("compile statistical data"), one
	// that shares it with the next ("maintain electrical or electronic
	// wiring"), or the first of a list of modifiers cut at its comma
	// ("administer local, inhalation, intravenous, or other anesthetics";
	// "weld components in flat, vertical, or overhead positions").
	lostNoun := func(k int) bool {
		if k >= n {
			return false
		}
		last, next := bare(tokens[k-1]), bare(tokens[k])
		switch comma := strings.HasSuffix(tokens[k-1], ","); {
		case comma:
			return !isPlural(last) && sharedTail(tokens[k:])
		case !isAdjective(last):
			return false
		case next == "or" || next == "and":
			return k+1 < n && isAdjective(bare(tokens[k+1]))
		}
		return next != "" && !isBoundary(next) && !IsFunctionWord(next)
	}
	valid := func(k int) bool {
		last := bare(tokens[k-1])
		if last == "" || IsFunctionWord(last) || dangling[last] {
			return false
		}
		if k == n {
			return true
		}
		if k >= 2 && bare(tokens[k-2]) == "to" {
			return false // an infinitive without its object
		}
		if lostNoun(k) {
			return false
		}
		if k >= 3 && (bare(tokens[k-2]) == "and" || bare(tokens[k-2]) == "or") {
			// "design and create", "to check and ensure", "lay out and
			// drill": verbs sharing the object the cut left off.
			if IsFunctionWord(tokens[k-3]) || k == 3 {
				return false
			}
			// After "to", a plural ("to persons or agencies") is a noun.
			first := bare(tokens[k-3])
			plural := strings.HasSuffix(first, "s") && !strings.HasSuffix(first, "ss")
			if before := bare(tokens[k-4]); strings.HasSuffix(tokens[k-4], ",") || before == "and" || before == "or" || before == "to" && !plural {
				return false
			}
		}
		items := strings.Split(strings.TrimRight(strings.Join(tokens[:k], " "), ",;:"), ",")
		if len(items) < 2 {
			return true
		}
		// A comma before "using", "such as", "to"… closes the clause; one
		// before another item, or "and"/"or", leaves a list in two.
		if next := bare(tokens[k]); strings.HasSuffix(tokens[k-1], ",") && (next == "and" || next == "or" || !isBoundary(next) && !IsFunctionWord(next)) {
			return false
		}
		lastItem := strings.Fields(items[len(items)-1])
		// Inside a list, a cut ends the phrase only once the list's "and"
		// or "or" has come: "complete contract forms, prepare change"
		// leaves the list, and "change of address records", in two. A
		// comma before "using", "such as"… ends the list ("resolve
		// complex, severe exposure claims, using…").
		if k < n && !listClosed(items) && !(strings.HasSuffix(tokens[k-1], ",") && isBoundary(tokens[k])) {
			return false
		}
		if len(lastItem) > 0 && (lastItem[0] == "and" || lastItem[0] == "or") {
			lastItem = lastItem[1:]
		}
		// Short items ahead of a one-word last item are verbs sharing an
		// object the cut left off.
		return !(len(lastItem) == 1 && len(strings.Fields(items[0])) <= 2)
	}
	natural := func(k int) bool {
		return k == n || strings.HasSuffix(tokens[k-1], ",") || isBoundary(tokens[k]) || dangling[bare(tokens[k])]
	}
	if k > n {
		k = n
	}
	if valid(k) {
		return tokens[:k]
	}
	if lostNoun(k) && k >= 2 && !IsFunctionWord(bare(tokens[k-2])) {
		// The noun is ahead and the modifier follows a verb ("administer
		// local, inhalation, …, or other anesthetics"): reach the noun
		// before stepping back. After a preposition ("at local,
		// national, and international meetings") the cut steps back
		// before it.
		for j := k + 1; j <= n && j <= k+phraseMax; j++ {
			if natural(j) && valid(j) {
				return tokens[:j]
			}
		}
	}
	for j := k - 1; j >= 2; j-- {
		if natural(j) && valid(j) {
			return tokens[:j]
		}
	}
	for j := k + 1; j <= n && j <= k+phraseMax; j++ {
		if natural(j) && valid(j) {
			return tokens[:j]
		}
	}
	return tokens
}

// sharedTail reports whether rest, what follows a cut at a comma, goes on
// with one-word singular items and closes with "and" or "or" and two
// words or more before a comma or a preposition: "inhalation,
// intravenous, or other anesthetics", "tissue, and cell samples",
// "direct, or coordinate activities". A plural item ("insurance,
// benefits, and casualty programs") makes it a list of nouns, each whole.
func sharedTail(rest []string) bool {
	for i, w := range rest {
		b := strings.ToLower(strings.Trim(w, ",;:.()\"'"))
		if b == "and" || b == "or" {
			if i == 0 {
				return false // "A, and B": two items, each whole
			}
			n := 0
			for _, t := range rest[i+1:] {
				if isBoundary(t) {
					break
				}
				n++
				if strings.HasSuffix(t, ",") {
					break
				}
			}
			return n >= 2
		}
		if !strings.HasSuffix(w, ",") || isPlural(b) {
			return false // an item of more than one word, or a noun
		}
	}
	return false
}

// isPlural reports whether a lower-case word reads as a plural noun: it
// ends in s, but not as "class", "various" or "status" do.
func isPlural(w string) bool {
	return strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is")
}

// listClosed reports whether a list's items, split at its commas, have
// reached its conjunction: an item after the first opens with "and" or
// "or", or the last holds one ("direct, supervise and evaluate").
func listClosed(items []string) bool {
	for i, item := range items {
		words := strings.Fields(item)
		for j, w := range words {
			if (w == "and" || w == "or") && (j == 0 && i > 0 || i == len(items)-1) {
				return true
			}
		}
	}
	return false
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
			if i > 0 && countFields(s[:i]) >= stop.minWords {
				cut = min(cut, i)
				break
			}
			from = i + len(stop.text)
		}
	}
	return cut
}

// countFields is len(strings.Fields(s)), without the slice.
func countFields(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
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

// isAdjective reports whether w has an adjective's ending ("electrical",
// "electronic", "structural", "protective", "nuclear").
func isAdjective(w string) bool {
	for _, end := range []string{"al", "ic", "ive", "ous", "ful", "ary", "ar"} {
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
