package prompts

import (
	"bytes"
	"encoding/json"
	"fmt"

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
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
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
