package prompts_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

// The round-1 ballot schema of a two-task occupation: strict, with the
// task IDs as an enum and the properties in the order a model should write
// them; no quote, which comes in round 2.
func ExampleBallotSchema() {
	occ := jury.Occupation{
		Code:  "29-2072.00",
		Title: "Medical Records Specialists",
		Tasks: []jury.Task{
			{ID: "22877", Text: "Compile and maintain patients' medical records.", Type: jury.Core},
			{ID: "22878", Text: "Protect the security of medical records.", Type: jury.Supplemental},
		},
	}
	s := prompts.BallotSchema(occ)
	var out bytes.Buffer
	if err := json.Indent(&out, s.JSON, "", "  "); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name)
	fmt.Println(out.String())
	// Output:
	// ballot
	// {
	//   "type": "object",
	//   "properties": {
	//     "tasks": {
	//       "type": "array",
	//       "items": {
	//         "type": "object",
	//         "properties": {
	//           "id": {
	//             "type": "string",
	//             "enum": [
	//               "22877",
	//               "22878"
	//             ]
	//           },
	//           "score": {
	//             "type": "integer",
	//             "description": "0-100"
	//           },
	//           "label": {
	//             "type": "string",
	//             "enum": [
	//               "E0",
	//               "E1",
	//               "E2"
	//             ]
	//           },
	//           "reason": {
	//             "type": "string",
	//             "description": "tool or human blocker, at most 120 characters"
	//           }
	//         },
	//         "required": [
	//           "id",
	//           "score",
	//           "label",
	//           "reason"
	//         ],
	//         "additionalProperties": false
	//       }
	//     },
	//     "score": {
	//       "type": "integer",
	//       "description": "the occupation's, 0-100"
	//     }
	//   },
	//   "required": [
	//     "tasks",
	//     "score"
	//   ],
	//   "additionalProperties": false
	// }
}

// A set's hash goes into every report's provenance; it changes with any
// word sent to a model, here a persona's voice.
func ExampleSet_Hash() {
	builtin := prompts.Default()
	personas := prompts.BuiltinPersonas()
	personas[0].Voice = "Terse."
	changed, err := prompts.New(personas)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(builtin.Hash()), builtin.Hash()[:7])
	fmt.Println(builtin.Hash() == prompts.Default().Hash())
	fmt.Println(builtin.Hash() == changed.Hash())
	// Output:
	// 23 sha256:
	// true
	// false
}
