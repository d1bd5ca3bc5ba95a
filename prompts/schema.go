package prompts

import (
	"bytes"
	"encoding/json"

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

// BallotSchema is the strict JSON schema of a ballot on occ: the task IDs
// are an enum, so a model held to the schema cannot invent a task.
func BallotSchema(occ jury.Occupation) Schema {
	labels := make([]string, len(jury.Labels))
	for i, l := range jury.Labels {
		labels[i] = string(l)
	}
	vote := strictObject(object{
		{"id", object{{"type", "string"}, {"enum", taskIDs(occ)}}},
		{"score", object{{"type", "integer"}, {"description", "share of the task's time AI can take over, 0-100"}}},
		{"label", object{{"type", "string"}, {"enum", labels}}},
	})
	return Schema{Name: "ballot", JSON: mustJSON(strictObject(object{
		{"tasks", object{{"type", "array"}, {"items", vote}}},
		{"score", object{{"type", "integer"}, {"description", "overall score for the occupation, 0-100"}}},
		{"quote", object{{"type", "string"}, {"description", "one sentence in your voice"}}},
	}))}
}

// NoteSchema is the strict JSON schema of the foreperson's note on occ.
func NoteSchema(occ jury.Occupation) Schema {
	item := strictObject(object{
		{"id", object{{"type", "string"}, {"enum", taskIDs(occ)}}},
		{"rationale", object{{"type", "string"}}},
	})
	return Schema{Name: "verdict_note", JSON: mustJSON(strictObject(object{
		{"summary", object{{"type", "string"}}},
		{"tasks", object{{"type", "array"}, {"items", item}}},
	}))}
}
