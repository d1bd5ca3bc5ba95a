package prompts_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

// orderedObject reads a JSON object's keys in the order its bytes have them.
func orderedObject(t *testing.T, raw json.RawMessage) ([]string, map[string]json.RawMessage) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok, "not an object: %s", raw)
	var keys []string
	values := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		key := tok.(string)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		require.NotContains(t, values, key, "key %q twice", key)
		keys = append(keys, key)
		values[key] = v
	}
	return keys, values
}

// requireStrict walks a schema: every object has additionalProperties false
// and a required list naming every property, in property order.
func requireStrict(t *testing.T, raw json.RawMessage, path string) int {
	t.Helper()
	_, node := orderedObject(t, raw)
	objects := 0
	var typ string
	require.NoError(t, json.Unmarshal(node["type"], &typ), "%s: type", path)
	switch typ {
	case "object":
		objects++
		var additional any
		require.NoError(t, json.Unmarshal(node["additionalProperties"], &additional), "%s: additionalProperties", path)
		require.Equal(t, false, additional, "%s: additionalProperties must be false", path)
		propKeys, props := orderedObject(t, node["properties"])
		var required []string
		require.NoError(t, json.Unmarshal(node["required"], &required), "%s: required", path)
		require.Equal(t, propKeys, required, "%s: every property required", path)
		for _, k := range propKeys {
			objects += requireStrict(t, props[k], path+"."+k)
		}
	case "array":
		require.Contains(t, node, "items", "%s: array without items", path)
		objects += requireStrict(t, node["items"], path+"[]")
	case "string", "integer":
	default:
		t.Fatalf("%s: unexpected type %q", path, typ)
	}
	return objects
}

func enumOf(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	_, node := orderedObject(t, raw)
	var enum []string
	require.NoError(t, json.Unmarshal(node["enum"], &enum))
	return enum
}

// properties returns the ordered property names of an object schema and
// the schemas by name.
func properties(t *testing.T, raw json.RawMessage) ([]string, map[string]json.RawMessage) {
	t.Helper()
	_, node := orderedObject(t, raw)
	return orderedObject(t, node["properties"])
}

func itemsOf(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	_, node := orderedObject(t, raw)
	return node["items"]
}

func TestBallotSchema(t *testing.T) {
	occ := testOccupation() // IDs 22877, 9, 10: not sorted
	s := prompts.BallotSchema(occ)
	require.Equal(t, "ballot", s.Name)
	require.True(t, json.Valid(s.JSON))
	require.Equal(t, 2, requireStrict(t, s.JSON, "ballot"))

	keys, props := properties(t, s.JSON)
	require.Equal(t, []string{"tasks", "score"}, keys, "round 1 has no quote: models write properties in schema order, tasks first")

	voteKeys, vote := properties(t, itemsOf(t, props["tasks"]))
	require.Equal(t, []string{"id", "score", "label", "reason"}, voteKeys)
	require.Equal(t, []string{"22877", "9", "10"}, enumOf(t, vote["id"]), "task IDs in the occupation's order")
	require.Equal(t, []string{"E0", "E1", "E2"}, enumOf(t, vote["label"]))
	requireType(t, vote["score"], "integer")
	requireType(t, props["score"], "integer")
	requireType(t, vote["reason"], "string")
}

func TestStatementSchema(t *testing.T) {
	s := prompts.StatementSchema()
	require.Equal(t, "statement", s.Name)
	require.Equal(t, 1, requireStrict(t, s.JSON, "statement"))
	keys, props := properties(t, s.JSON)
	require.Equal(t, []string{"reaction", "quote"}, keys, "the reaction first, so that the quote follows it")
	require.Equal(t, []string{"too_low", "about_right", "too_high"}, enumOf(t, props["reaction"]))
	requireType(t, props["quote"], "string")
}

func TestNoteSchema(t *testing.T) {
	occ := testOccupation()
	s := prompts.NoteSchema(occ)
	require.Equal(t, "verdict_note", s.Name)
	require.True(t, json.Valid(s.JSON))
	require.Equal(t, 2, requireStrict(t, s.JSON, "note"))

	keys, props := properties(t, s.JSON)
	require.Equal(t, []string{"summary", "tasks"}, keys)
	itemKeys, item := properties(t, itemsOf(t, props["tasks"]))
	require.Equal(t, []string{"id", "rationale"}, itemKeys)
	require.Equal(t, []string{"22877", "9", "10"}, enumOf(t, item["id"]))
	requireType(t, props["summary"], "string")
	requireType(t, item["rationale"], "string")
}

func TestSchemaEnumFollowsTheOccupation(t *testing.T) {
	occ := testOccupation()
	occ.Tasks = append(occ.Tasks, jury.Task{ID: "20699", Text: "New task.", Type: jury.Core})
	_, props := properties(t, prompts.BallotSchema(occ).JSON)
	_, vote := properties(t, itemsOf(t, props["tasks"]))
	require.Equal(t, []string{"22877", "9", "10", "20699"}, enumOf(t, vote["id"]))

	// Large occupations keep every ID (Structured Outputs allow 1,000).
	big := jury.Occupation{Code: "11-1011.00", Title: "Big"}
	var want []string
	for i := 1; i <= jury.MaxTasks; i++ {
		id := fmt.Sprint(100000 + i)
		big.Tasks = append(big.Tasks, jury.Task{ID: id, Text: "t", Type: jury.Core})
		want = append(want, id)
	}
	_, props = properties(t, prompts.NoteSchema(big).JSON)
	_, item := properties(t, itemsOf(t, props["tasks"]))
	require.Equal(t, want, enumOf(t, item["id"]))
}

func requireType(t *testing.T, raw json.RawMessage, want string) {
	t.Helper()
	_, node := orderedObject(t, raw)
	var typ string
	require.NoError(t, json.Unmarshal(node["type"], &typ))
	require.Equal(t, want, typ)
}

// instance writes an answer that follows a schema to the letter: arrays of
// task items hold one item per task ID of the enum, integers are 50,
// labels the last enum value, texts distinct sentences.
func instance(t *testing.T, raw json.RawMessage, key string, n *int) any {
	t.Helper()
	_, node := orderedObject(t, raw)
	var typ string
	require.NoError(t, json.Unmarshal(node["type"], &typ))
	switch typ {
	case "object":
		keys, props := orderedObject(t, node["properties"])
		obj := map[string]any{}
		for _, k := range keys {
			obj[k] = instance(t, props[k], k, n)
		}
		return obj
	case "array":
		_, item := properties(t, node["items"])
		var arr []any
		for _, id := range enumOf(t, item["id"]) {
			obj := instance(t, node["items"], "", n).(map[string]any)
			obj["id"] = id
			arr = append(arr, obj)
		}
		return arr
	case "integer":
		return 50
	case "string":
		if _, ok := node["enum"]; ok {
			enum := enumOf(t, raw)
			return enum[len(enum)-1]
		}
		*n++
		if key == "summary" {
			return "The first sentence is here. The second one follows."
		}
		return fmt.Sprintf("Sentence number %d of the answer.", *n)
	}
	t.Fatalf("type %q", typ)
	return nil
}

// An answer that follows the schema passes validation: the schema and the
// parser agree on every key.
func TestSchemasAgreeWithTheParsers(t *testing.T) {
	occ := testOccupation()
	n := 0
	ballot, err := json.Marshal(instance(t, prompts.BallotSchema(occ).JSON, "", &n))
	require.NoError(t, err)
	b, problems := jury.ParseBallot(string(ballot), occ)
	require.Empty(t, problems, "%s", ballot)
	require.Len(t, b.Tasks, len(occ.Tasks))

	statement, err := json.Marshal(instance(t, prompts.StatementSchema().JSON, "", &n))
	require.NoError(t, err)
	st, problems := jury.ParseStatement(string(statement), jury.StatementContext{Headline: 50, Own: 50})
	require.Empty(t, problems, "%s", statement)
	require.Equal(t, jury.TooHigh, st.Reaction)

	note, err := json.Marshal(instance(t, prompts.NoteSchema(occ).JSON, "", &n))
	require.NoError(t, err)
	nt, problems := jury.ParseNote(string(note), occ)
	require.Empty(t, problems, "%s", note)
	require.Len(t, nt.Rationales, len(occ.Tasks))
}
