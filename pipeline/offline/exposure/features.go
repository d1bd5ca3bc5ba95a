package exposure

import (
	"slices"
	"strings"
	"unicode"
)

// featureSet says which feature groups a model reads from a task. A
// group's value is the feature value its members train with — 0 turns the
// group off, and a value below 1 is a stronger L2 penalty on that group
// alone. Train folds the values into the stored weights, so prediction
// only sums the weights of the features present. It is stored with the
// weights, so a model predicts with the features it was trained on.
type featureSet struct {
	Stem    bool    `json:"stem"`    // strip plural endings from words
	Words   float64 `json:"words"`   // "w:" task words
	Bigrams float64 `json:"bigrams"` // "b:" adjacent content words of the task
	Verb    float64 `json:"verb"`    // "v:" the task's first word, nearly always its verb
	Title   float64 `json:"title"`   // "t:" occupation title words
	Type    float64 `json:"type"`    // "y:" core, supplemental or n/a
	// VerbObject: "o:" the first word joined to each of the next two
	// content words ("o:enter_data", "o:enter_patient").
	VerbObject float64 `json:"verb_object,omitempty"`
	Major      float64 `json:"soc_major,omitempty"` // "g:" SOC major group of the code, "29"
	Minor      float64 `json:"soc_minor,omitempty"` // "m:" first four digits of the code, "29-20"
}

// defaultFeatures is the feature set Train uses. Title words are damped
// (they are shared by all of an occupation's tasks, so unpenalised they
// fit the training occupations' levels) and the first verb is boosted;
// doc.go gives the measurements.
var defaultFeatures = featureSet{Stem: true, Words: 1, Bigrams: 1, Verb: 2, Title: 0.5, Type: 1, VerbObject: 1, Major: 1, Minor: 1}

// value is the training value of a feature, from its group prefix.
func (fs featureSet) value(name string) float64 {
	switch name[0] {
	case 'w':
		return fs.Words
	case 'b':
		return fs.Bigrams
	case 'v':
		return fs.Verb
	case 't':
		return fs.Title
	case 'y':
		return fs.Type
	case 'o':
		return fs.VerbObject
	case 'g':
		return fs.Major
	case 'm':
		return fs.Minor
	}
	return 0
}

// stopwords are left out of bigrams and title features so "records of
// patients" and "patient records" share a bigram, and "and" in a title
// says nothing about the occupation.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true,
	"to": true, "for": true, "in": true, "on": true, "with": true, "by": true,
	"as": true, "at": true, "from": true, "into": true, "such": true,
	"other": true, "that": true, "this": true, "be": true, "is": true,
	"are": true, "their": true, "its": true, "all": true, "any": true,
}

// tokens appends the lower-case words of text to dst: runs of letters and
// digits. Apostrophes are dropped inside words ("patient's" → "patients");
// every other rune separates words; one-letter words are dropped. Words
// are substrings of one lower-cased copy of text, so a task costs one
// allocation here, not one per word.
func tokens(text string, stem bool, dst []string) []string {
	lower := strings.ToLower(text)
	start, quoted := -1, false
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := lower[start:end]
		if quoted {
			w = apostrophes.Replace(w)
		}
		if len(w) > 1 {
			if stem {
				w = stemWord(w)
			}
			dst = append(dst, w)
		}
		start, quoted = -1, false
	}
	for i, r := range lower {
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9' ||
			r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		case r == '\'' || r == '’':
			quoted = true
		default:
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(lower))
	return dst
}

var apostrophes = strings.NewReplacer("'", "", "’", "")

// stemWord strips English plural endings, the one inflection common
// enough in task statements to split a word's evidence: "records" and
// "record", "activities" and "activity".
func stemWord(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:n-2]
	case n > 3 && w[n-1] == 's' && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// socGroups returns the SOC major group ("29") and the first four digits
// ("29-20") of an O*NET-SOC code such as "29-2072.00"; either is "" when
// the code is too short or not digits there, so a malformed code adds no
// group feature rather than a wrong one.
func socGroups(code string) (major, minor string) {
	digit := func(i int) bool { return i < len(code) && '0' <= code[i] && code[i] <= '9' }
	if !digit(0) || !digit(1) {
		return "", ""
	}
	major = code[:2]
	if len(code) >= 5 && code[2] == '-' && digit(3) && digit(4) {
		minor = code[:5]
	}
	return major, minor
}

// features appends the sorted, de-duplicated feature names of one task to
// dst. Training and prediction both go through here, so they cannot
// disagree about what a task looks like. The names are substrings of one
// string built for the task: a task costs a few allocations, not one per
// feature.
func (fs featureSet) features(code, title, taskType, text string, dst []string) []string {
	start := len(dst)
	var buf [64]string
	words := tokens(text, fs.Stem, buf[:0])
	var b strings.Builder
	b.Grow(len(text)*3 + len(title) + 64)
	var endsBuf [128]int
	ends := endsBuf[:0] // where each name ends in b
	add := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		ends = append(ends, b.Len())
	}
	if fs.Words != 0 {
		for _, w := range words {
			add("w:", w)
		}
	}
	if fs.Verb != 0 && len(words) > 0 {
		add("v:", words[0])
	}
	if fs.Bigrams != 0 {
		prev := ""
		for _, w := range words {
			if stopwords[w] {
				continue
			}
			if prev != "" {
				add("b:", prev, "_", w)
			}
			prev = w
		}
	}
	if fs.VerbObject != 0 && len(words) > 0 {
		n := 0
		for _, w := range words[1:] {
			if stopwords[w] {
				continue
			}
			add("o:", words[0], "_", w)
			if n++; n == 2 {
				break
			}
		}
	}
	if fs.Major != 0 || fs.Minor != 0 {
		major, minor := socGroups(code)
		if fs.Major != 0 && major != "" {
			add("g:", major)
		}
		if fs.Minor != 0 && minor != "" {
			add("m:", minor)
		}
	}
	if fs.Title != 0 {
		var tbuf [16]string
		for _, w := range tokens(title, fs.Stem, tbuf[:0]) {
			if !stopwords[w] {
				add("t:", w)
			}
		}
	}
	if fs.Type != 0 {
		add("y:", taskType)
	}
	names, from := b.String(), 0
	for _, end := range ends {
		dst = append(dst, names[from:end])
		from = end
	}
	tail := dst[start:]
	slices.Sort(tail)
	tail = slices.Compact(tail)
	return dst[:start+len(tail)]
}
