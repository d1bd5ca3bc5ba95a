package jury

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the foreperson's note.
const (
	// MinSummarySentences and MaxSummarySentences bound the summary.
	MinSummarySentences = 2
	MaxSummarySentences = 4
	// MaxSummary is the longest summary, in characters.
	MaxSummary = 1200
)

// Note is the foreperson's validated answer: a summary of the verdict and
// one rationale sentence per task, keyed by task ID.
type Note struct {
	Summary    string
	Rationales map[string]string
}

type noteWire struct {
	Summary *string `json:"summary"`
	Tasks   []struct {
		ID        json.RawMessage `json:"id"`
		Rationale *string         `json:"rationale"`
	} `json:"tasks"`
}

// ParseNote reads the foreperson's answer for occ and lists every problem
// with it: a summary of 2–4 sentences on one paragraph, and for every task
// exactly once a distinct one-sentence rationale.
func ParseNote(content string, occ Occupation) (Note, []string) {
	var w noteWire
	if p := decodeStrict(content, &w); p != "" {
		return Note{}, []string{p}
	}
	var problems []string
	n := Note{Rationales: make(map[string]string, len(occ.Tasks))}
	if w.Summary == nil {
		problems = append(problems, "summary missing")
	} else {
		n.Summary = strings.TrimSpace(*w.Summary)
		problems = append(problems, summaryProblems(n.Summary)...)
	}
	byText := map[string]string{}
	for i, t := range w.Tasks {
		id, p := parseID(t.ID)
		if p != "" {
			problems = append(problems, fmt.Sprintf("tasks[%d]: %s", i, p))
			continue
		}
		if _, known := occ.Task(id); !known {
			problems = append(problems, fmt.Sprintf("task %q is not a task of this occupation", id))
			continue
		}
		if _, dup := n.Rationales[id]; dup {
			problems = append(problems, fmt.Sprintf("task %s has more than one rationale", id))
			continue
		}
		if t.Rationale == nil {
			problems = append(problems, fmt.Sprintf("task %s: rationale missing", id))
			continue
		}
		r := strings.TrimSpace(*t.Rationale)
		lower := strings.ToLower(r)
		if p := lineProblem(fmt.Sprintf("task %s rationale", id), r); p != "" {
			problems = append(problems, p)
		} else if CountSentences(r) > 1 {
			problems = append(problems, fmt.Sprintf("task %s rationale must be one sentence", id))
		} else if other, same := byText[lower]; same {
			problems = append(problems, fmt.Sprintf("tasks %s and %s have the same rationale: write one for each task", other, id))
		} else if task, _ := occ.Task(id); RestatesTask(r, task.Text) {
			problems = append(problems, fmt.Sprintf("task %s rationale only restates the task: name the technology that takes it over or the reason a person is still needed", id))
		}
		byText[lower] = id
		n.Rationales[id] = r
	}
	var missing []string
	for _, t := range occ.Tasks {
		if _, ok := n.Rationales[t.ID]; !ok {
			missing = append(missing, t.ID)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("rationales missing for tasks %s (one for every task)", strings.Join(missing, ", ")))
	}
	return n, problems
}

func summaryProblems(s string) []string {
	switch {
	case s == "":
		return []string{"summary is empty"}
	case !utf8.ValidString(s):
		return []string{"summary is not valid UTF-8"}
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0:
		return []string{"summary must be one paragraph with no control characters"}
	case utf8.RuneCountInString(s) > MaxSummary:
		return []string{fmt.Sprintf("summary is %d characters, at most %d", utf8.RuneCountInString(s), MaxSummary)}
	}
	if n := CountSentences(s); n < MinSummarySentences || n > MaxSummarySentences {
		return []string{fmt.Sprintf("summary has %d sentences, want %d to %d", n, MinSummarySentences, MaxSummarySentences)}
	}
	return nil
}

// CountSentences counts the sentences of a paragraph: runs of text ended by
// '.', '!' or '?' followed by a space and a capital letter or digit, or by
// the end of the text. Abbreviations such as "e.g. the" do not end one.
func CountSentences(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	rs := []rune(s)
	n := 0
	ended := false // whether the last sentence ends with its full stop
	for i := 0; i < len(rs); i++ {
		if !strings.ContainsRune(".!?", rs[i]) {
			continue
		}
		j := i + 1
		for j < len(rs) && strings.ContainsRune(".!?\"”’)", rs[j]) {
			j++
		}
		if j == len(rs) {
			n++
			ended = true
			break
		}
		if rs[j] != ' ' {
			continue
		}
		k := j
		for k < len(rs) && rs[k] == ' ' {
			k++
		}
		if k < len(rs) && (unicode.IsUpper(rs[k]) || unicode.IsDigit(rs[k]) || strings.ContainsRune("\"“‘(", rs[k])) {
			n++
			i = k - 1
		}
	}
	if !ended {
		n++ // a last sentence without its full stop still counts, even one ending in a quote or a parenthesis
	}
	return n
}

// MinNewWords is how many words of its own a rationale must add to its
// task's statement; with fewer it only restates the task.
const MinNewWords = 3

// RestatesTask reports whether a rationale only restates its task: fewer
// than MinNewWords of its content words (three letters or more, not a
// filler such as "this" or "task") are missing from the task statement,
// words compared by their first five letters so that "records" matches
// "record" and "scheduling" matches "schedule".
//
// The offline foreperson asks it of every rationale it considers and
// validation of every rationale it reads: it allocates next to nothing
// and stops at the MinNewWords-th new word.
func RestatesTask(rationale, task string) bool {
	var buf [64]string
	known := buf[:0] // stems; a task has few content words, a list beats a map
	eachContentWord(task, func(w string) bool {
		known = append(known, stem(w))
		return true
	})
	n := 0
	eachContentWord(rationale, func(w string) bool {
		if st := stem(w); !slices.Contains(known, st) {
			n++
			known = append(known, st) // a repeated word counts once
		}
		return n < MinNewWords
	})
	return n < MinNewWords
}

// eachContentWord calls f with the content words of s, lower case, in
// order (as strings.FieldsFunc splits strings.ToLower(s) at every rune
// not a letter, then words of three letters or more that are not
// fillers), until f returns false. Only a word with capitals is lowered
// (into a copy): the rest are substrings of s.
func eachContentWord(s string, f func(w string) bool) {
	start := -1
	word := func(end int) bool {
		w := strings.ToLower(s[start:end]) // rune by rune, as the whole string would be
		start = -1
		return utf8.RuneCountInString(w) < 3 || fillers[w] || f(w)
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(unicode.ToLower(r)):
			if start < 0 {
				start = i
			}
		case start >= 0:
			if !word(i) {
				return
			}
		}
	}
	if start >= 0 {
		word(len(s))
	}
}

// stem is w's first five letters (runes), a substring of w.
func stem(w string) string {
	n := 0
	for i := range w {
		if n == 5 {
			return w[:i]
		}
		n++
	}
	return w
}

// fillers are words that add nothing to a rationale on their own.
var fillers = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "this": true, "that": true, "these": true,
	"those": true, "task": true, "tasks": true, "work": true, "which": true, "from": true, "into": true,
	"are": true, "can": true, "will": true, "its": true, "their": true, "other": true, "such": true,
	"as": true, "job": true, "also": true, "all": true, "any": true, "has": true, "have": true,
	"been": true, "being": true, "was": true, "were": true, "them": true, "they": true, "then": true,
}
