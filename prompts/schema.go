package prompts

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/onet-jury/jury/jury"
)

// object is a JSON object that keeps its keys in the order written: models
// generate properties in schema order, so tasks come before the overall
// score and the quote comes last.
type object []field

type field struct {
	key   string
	value any
}

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// appendJSON appends o as json.Marshal writes it, without its reflection:
// a ballot schema is built for every verdict.
func (o object) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f.key)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, f.value); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendValue appends the JSON of a schema's value: the kinds schemas are
// made of are written directly, anything else by json.Marshal.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case object:
		return v.appendJSON(b)
	case string:
		return appendString(b, v), nil
	case []string:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']'), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	}
	data, err := json.Marshal(v)
	return append(b, data...), err
}

// appendString appends s quoted as json.Marshal quotes it: a string of
// printable ASCII that JSON and HTML leave alone is copied, any other
// goes through json.Marshal.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			data, _ := json.Marshal(s) // a string always marshals
			return append(b, data...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// strictObject is a Structured Outputs object: every property required, no
// others allowed.
func strictObject(props object) object {
	required := make([]string, len(props))
	for i, p := range props {
		required[i] = p.key
	}
	return object{
		{"type", "object"},
		{"properties", props},
		{"required", required},
		{"additionalProperties", false},
	}
}

func taskIDs(occ jury.Occupation) []string {
	ids := make([]string, len(occ.Tasks))
	for i, t := range occ.Tasks {
		ids[i] = t.ID
	}
	return ids
}

func mustJSON(o object) json.RawMessage {
	data, err := o.appendJSON(nil)
	if err != nil {
		panic(err) // schemas are built from strings and ints only
	}
	return data
}

// Names of the answers' schemas: a model (or the offline juror) can tell
// what is asked by them.
const (
	BallotSchemaName    = "ballot"
	StatementSchemaName = "statement"
	NoteSchemaName      = "verdict_note"
)

// schemaWords are the descriptions the schemas carry; the prompt hash
// covers them through the rendered schemas.
var schemaWords = map[string]string{
	"task score":    "0-100",
	"task reason":   "tool or human blocker, at most %d characters",
	"overall score": "the occupation's, 0-100",
	"reaction":      "what you think of the panel's headline",
	"quote":         "one line in your voice, at most %d characters; the only percentages it may name are the headline and your own score",
}

// BallotSchema is the strict JSON schema of a round-1 ballot on occ: the
// task IDs are an enum, so a model held to the schema cannot invent a
// task. It has no quote: quotes come in round 2, once the verdict exists.
func BallotSchema(occ jury.Occupation) Schema { return ballotSchema(occ, DefaultLimits()) }

func ballotSchema(occ jury.Occupation, l Limits) Schema {
	labels := make([]string, len(jury.Labels))
	for i, lb := range jury.Labels {
		labels[i] = string(lb)
	}
	vote := strictObject(object{
		{"id", object{{"type", "string"}, {"enum", taskIDs(occ)}}},
		{"score", object{{"type", "integer"}, {"description", schemaWords["task score"]}}},
		{"label", object{{"type", "string"}, {"enum", labels}}},
		{"reason", object{{"type", "string"}, {"description", fmt.Sprintf(schemaWords["task reason"], l.MaxReason)}}},
	})
	// A vote: its ID, score and label with their JSON (about 45
	// characters) and a reason at its longest.
	return Schema{Name: BallotSchemaName, JSON: mustJSON(strictObject(object{
		{"tasks", object{{"type", "array"}, {"items", vote}}},
		{"score", object{{"type", "integer"}, {"description", schemaWords["overall score"]}}},
	})), Budget: answerBudget(len(occ.Tasks)*(45+l.MaxReason) + 40)}
}

// answerBudget is the answer budget, in tokens, of an answer whose
// longest valid form has chars characters: at three characters a token
// (JSON and numbers tokenise densely), times 1.5 for a model's spacing
// and wording, and at least 256. An answer cut off at its budget is
// re-asked with twice as much (deliberation), so a budget too tight for
// one model costs one re-ask, not the verdict.
func answerBudget(chars int) int { return max(256, chars/3*3/2) }

// StatementSchema is the strict JSON schema of a round-2 statement: the
// reaction comes first, so that the quote a model writes follows it.
func StatementSchema() Schema { return statementSchema(DefaultLimits()) }

func statementSchema(l Limits) Schema {
	reactions := make([]string, len(jury.Reactions))
	for i, r := range jury.Reactions {
		reactions[i] = string(r)
	}
	return Schema{Name: StatementSchemaName, JSON: mustJSON(strictObject(object{
		{"reaction", object{{"type", "string"}, {"enum", reactions}, {"description", schemaWords["reaction"]}}},
		{"quote", object{{"type", "string"}, {"description", fmt.Sprintf(schemaWords["quote"], l.MaxQuote)}}},
	})), Budget: answerBudget(l.MaxQuote + 60)}
}

// NoteSchema is the strict JSON schema of the foreperson's note on occ.
func NoteSchema(occ jury.Occupation) Schema { return noteSchema(occ, DefaultLimits()) }

func noteSchema(occ jury.Occupation, l Limits) Schema {
	item := strictObject(object{
		{"id", object{{"type", "string"}, {"enum", taskIDs(occ)}}},
		{"rationale", object{{"type", "string"}}},
	})
	// A summary at its longest, and a one-line rationale (no longer than a
	// quote) with its ID per task.
	return Schema{Name: NoteSchemaName, JSON: mustJSON(strictObject(object{
		{"summary", object{{"type", "string"}}},
		{"tasks", object{{"type", "array"}, {"items", item}}},
	})), Budget: answerBudget(l.MaxSummary + len(occ.Tasks)*(30+l.MaxQuote))}
}
