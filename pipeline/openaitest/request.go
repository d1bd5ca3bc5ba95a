package openaitest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/prompts"
)

// SampleOccupation is a small occupation for tests: three tasks, one of
// each type.
func SampleOccupation() jury.Occupation {
	return jury.Occupation{Code: "43-9021.00", Title: "Data Entry Keyers", Tasks: []jury.Task{
		{ID: "101", Text: "Read source documents and enter data into computer databases.", Type: jury.Core},
		{ID: "102", Text: "Compile, sort, and verify the accuracy of data before it is entered.", Type: jury.Supplemental},
		{ID: "103", Text: "Load machines with required input or output media.", Type: jury.Unrated},
	}}
}

// BallotRequest returns the Diplomat's ballot request on SampleOccupation,
// as the pipeline builds it.
func BallotRequest(tb testing.TB) llm.Request {
	tb.Helper()
	set := prompts.Default()
	msgs, schema := set.Ballot(SampleOccupation(), set.Personas()[0])
	req := llm.Request{Model: "gpt-4o-mini", Schema: &llm.Schema{Name: schema.Name, JSON: schema.JSON}, Temperature: 0.2,
		Meta: llm.Meta{Occupation: "43-9021.00", Juror: "diplomat", Purpose: "ballot"}}
	for _, m := range msgs {
		req.Messages = append(req.Messages, llm.Message{Role: m.Role, Content: m.Content})
	}
	return req
}

// Occupations returns n small synthetic occupations with distinct codes
// and task IDs, sorted by code, for batch tests and benchmarks: 15-1000.00
// to 15-9999.00, then on in major group 16 and above.
func Occupations(n int) []jury.Occupation {
	out := make([]jury.Occupation, n)
	for i := range out {
		base := 1000 * (i + 1)
		out[i] = jury.Occupation{
			Code:  fmt.Sprintf("%02d-%04d.00", 15+i/9000, 1000+i%9000),
			Title: fmt.Sprintf("Synthetic Occupation %d", i+1),
			Tasks: []jury.Task{
				{ID: strconv.Itoa(base + 1), Text: fmt.Sprintf("Prepare written reports on project %d.", i+1), Type: jury.Core},
				{ID: strconv.Itoa(base + 2), Text: fmt.Sprintf("Inspect site %d equipment for damage.", i+1), Type: jury.Core},
				{ID: strconv.Itoa(base + 3), Text: fmt.Sprintf("Schedule meetings for team %d.", i+1), Type: jury.Supplemental},
			},
		}
	}
	return out
}
