package jury

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Label is a task's exposure class under the rubric of Eloundou et al.:
// E0 no exposure, E1 direct exposure to an LLM, E2 exposure through
// LLM-powered software.
type Label string

// The exposure labels a juror may give.
const (
	E0 Label = "E0"
	E1 Label = "E1"
	E2 Label = "E2"
)

// Labels lists the exposure labels in rubric order.
var Labels = []Label{E0, E1, E2}

// Limits a ballot must respect; the prompts quote them to the model.
const (
	// MaxQuote is the longest quote or rationale, in characters.
	MaxQuote = 300
	// MaxReason is the longest reason a juror gives for a task's score,
	// in characters.
	MaxReason = 120
	// OverallSlack is how far a juror's overall score may sit from its own
	// core-weighted task mean.
	OverallSlack = 15
	// E0Max is the highest score an E0 task may get.
	E0Max = 60
	// E1Min is the lowest score an E1 task may get.
	E1Min = 40
)

// Allows reports whether a task score may carry label l: an E0 task cannot
// score above E0Max and an E1 task cannot score below E1Min.
func (l Label) Allows(score int) bool {
	switch l {
	case E0:
		return score <= E0Max
	case E1:
		return score >= E1Min
	case E2:
		return true
	}
	return false
}

// Vote is one juror's judgment of one task: a score, a label and a short
// reason naming the tool that takes the task over or what holds it back.
type Vote struct {
	ID     string `json:"id"`
	Score  int    `json:"score"`
	Label  Label  `json:"label"`
	Reason string `json:"reason"`
}

// Ballot is one juror's validated round-1 answer, given before it knows
// the verdict: a vote on every task of the occupation, in the
// occupation's order, and an overall score. The juror's quote comes in
// round 2 (Statement), once the verdict exists.
type Ballot struct {
	Tasks []Vote `json:"tasks"`
	Score int    `json:"score"`
}

// ballotWire is a ballot as a model writes it, before validation: scores
// stay raw JSON so that 72.5 or "72" can be named as problems.
type ballotWire struct {
	Tasks []struct {
		ID     json.RawMessage `json:"id"`
		Score  json.RawMessage `json:"score"`
		Label  string          `json:"label"`
		Reason *string         `json:"reason"`
	} `json:"tasks"`
	Score json.RawMessage `json:"score"`
}

// ParseBallot reads a model's answer as a ballot for occ and lists every
// problem with it, worded so that they can be sent back to the model. The
// ballot is usable only when no problems are returned.
func ParseBallot(content string, occ Occupation) (Ballot, []string) {
	var w ballotWire
	if p := decodeStrict(content, &w); p != "" {
		return Ballot{}, []string{p}
	}
	var problems []string
	scoresOK := true // the mean check needs every task score to be valid
	votes := make(map[string]Vote, len(occ.Tasks))
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
		if _, dup := votes[id]; dup {
			problems = append(problems, fmt.Sprintf("task %s is scored more than once", id))
			continue
		}
		v := Vote{ID: id, Label: Label(t.Label)}
		if t.Reason == nil {
			problems = append(problems, fmt.Sprintf("task %s: reason missing", id))
		} else {
			v.Reason = strings.TrimSpace(*t.Reason)
			if p := textProblem(fmt.Sprintf("task %s reason", id), v.Reason, MaxReason); p != "" {
				problems = append(problems, p)
			}
		}
		score, p := parseScore(t.Score)
		if p != "" {
			problems = append(problems, fmt.Sprintf("task %s: %s", id, p))
			scoresOK = false
		}
		v.Score = score
		if !slices.Contains(Labels, v.Label) {
			problems = append(problems, fmt.Sprintf("task %s: label %q is not E0, E1 or E2", id, t.Label))
		} else if p == "" && !v.Label.Allows(v.Score) {
			problems = append(problems, labelProblem(id, v))
		}
		votes[id] = v
	}
	var b Ballot
	var missing []string
	for _, t := range occ.Tasks {
		v, ok := votes[t.ID]
		if !ok {
			missing = append(missing, t.ID)
			continue
		}
		b.Tasks = append(b.Tasks, v)
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("tasks missing: %s (score every task exactly once)", strings.Join(missing, ", ")))
	}
	if isNull(w.Score) {
		problems = append(problems, "overall score missing")
	} else {
		score, p := parseScore(w.Score)
		if p != "" {
			problems = append(problems, "overall "+p)
		} else if len(missing) == 0 && len(b.Tasks) > 0 && scoresOK {
			mean := WeightedMean(occ, b.Tasks)
			if math.Abs(float64(score)-mean) > OverallSlack {
				problems = append(problems, fmt.Sprintf("overall score %d is more than %d points from your own core-weighted task mean %.0f", score, OverallSlack, mean))
			}
		}
		b.Score = score
	}
	return b, problems
}

func labelProblem(id string, v Vote) string {
	if v.Label == E0 {
		return fmt.Sprintf("task %s: label E0 contradicts score %d (E0 means at most %d)", id, v.Score, E0Max)
	}
	return fmt.Sprintf("task %s: label E1 contradicts score %d (E1 means at least %d)", id, v.Score, E1Min)
}

// CoreWeighted reports whether WeightedMean weighs the report's tasks
// unequally: some count twice as core tasks and some do not. A task list
// without that distinction (all core, or O*NET's "n/a") counts every
// task the same, and a page says so.
func (r *Report) CoreWeighted() bool {
	for _, t := range r.Tasks {
		if t.Type.Weight() != r.Tasks[0].Type.Weight() {
			return true
		}
	}
	return false
}

// WeightedMean is the core-weighted mean (core 2, other tasks 1) of the
// votes' scores over the tasks of occ they name.
func WeightedMean(occ Occupation, votes []Vote) float64 {
	var sum, weight float64
	for _, v := range votes {
		t, ok := occ.Task(v.ID)
		if !ok {
			continue
		}
		w := float64(t.Type.Weight())
		sum += w * float64(v.Score)
		weight += w
	}
	if weight == 0 {
		return 0
	}
	return sum / weight
}

// decodeStrict decodes one JSON object with no unknown keys and nothing
// after it, returning a problem worded for the model, or "".
func decodeStrict(content string, v any) string {
	content = strings.TrimSpace(content)
	if content == "" {
		return "the answer is empty: answer with the JSON object the schema describes"
	}
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return fmt.Sprintf("the answer is not valid JSON (%v at byte %d): answer with the JSON object only", syntax, syntax.Offset)
		case errors.As(err, &typ):
			field := typ.Field
			if field == "" {
				field = "the answer"
			} else {
				field = fmt.Sprintf("field %q", field)
			}
			return fmt.Sprintf("the answer does not match the schema: %s must be %s, not %s", field, jsonKind(typ.Type), typ.Value)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return "the answer is cut off: answer with the complete JSON object"
		}
		return fmt.Sprintf("the answer does not match the schema: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "the answer has text after the JSON object: answer with the JSON object only"
	}
	return ""
}

func parseID(raw json.RawMessage) (string, string) {
	raw = bytes.TrimSpace(raw)
	if id, ok := plainString(raw); ok {
		return id, ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		if len(raw) == 0 {
			return "", "id missing"
		}
		return "", fmt.Sprintf("id %s must be a string such as \"22877\"", raw)
	}
	return s, ""
}

// plainString returns the string a raw JSON value holds when it is a
// quoted run of printable ASCII without escapes ("22877"), as
// json.Unmarshal would decode it; ok is false for anything else, which
// json.Unmarshal then decodes (or names as a problem).
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(raw[1 : len(raw)-1]), true
}

// isNull reports whether a raw JSON value is absent or null.
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func parseScore(raw json.RawMessage) (int, string) {
	if isNull(raw) {
		return 0, "score missing"
	}
	n := string(bytes.TrimSpace(raw))
	v, err := strconv.Atoi(n) // a JSON string such as "72" is not a number
	if err != nil {
		return 0, fmt.Sprintf("score %s must be a whole number from 0 to 100", n)
	}
	if v < 0 || v > 100 {
		return v, fmt.Sprintf("score %d is outside 0–100", v)
	}
	return v, ""
}

// lineProblem checks a one-line text a model wrote (a quote, a rationale):
// not empty, one line, no control characters, at most MaxQuote characters.
func lineProblem(what, s string) string { return textProblem(what, s, MaxQuote) }

// textProblem is lineProblem with another length limit.
func textProblem(what, s string, maxLen int) string {
	switch {
	case s == "":
		return what + " is empty"
	case strings.ContainsAny(s, "\r\n"):
		return what + " must be one line"
	case !utf8.ValidString(s):
		return what + " is not valid UTF-8"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return what + " contains control characters"
	case utf8.RuneCountInString(s) > maxLen:
		return fmt.Sprintf("%s is %d characters, at most %d", what, utf8.RuneCountInString(s), maxLen)
	}
	return ""
}

// jsonKind names a Go type as the JSON a model should write instead.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	if t == reflect.TypeFor[json.Number]() || t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64 {
		return "a number"
	}
	return "a JSON value"
}
