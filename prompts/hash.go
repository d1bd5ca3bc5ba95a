package prompts

import (
	"encoding/json"

	"github.com/onet-jury/jury/jury"
)

// renderedRequest is one request a Set renders, named for the hash.
type renderedRequest struct {
	name   string
	msgs   []Message
	schema Schema
}

// CanonicalOccupation is the occupation whose rendered requests the
// prompt hash covers: four tasks, one of each type and one in dissent.
func CanonicalOccupation() jury.Occupation {
	return jury.Occupation{Code: "29-2072.00", Title: "Medical Records Specialists", Tasks: []jury.Task{
		{ID: "22877", Text: "Assign the patient to diagnosis-related groups (DRGs), using appropriate computer software.", Type: jury.Core},
		{ID: "22886", Text: "Protect the security of medical records to ensure that confidentiality is maintained.", Type: jury.Supplemental},
		{ID: "22888", Text: "Resolve or clarify codes or diagnoses with conflicting, missing, or unclear information.", Type: jury.Unrated},
		{ID: "22893", Text: "Transcribe medical reports.", Type: jury.Core},
	}}
}

// canonicalReport is a decided report on CanonicalOccupation with every
// persona of the set counted and a statement from each.
func (s *Set) canonicalReport() *jury.Report {
	occ := CanonicalOccupation()
	r := &jury.Report{SchemaVersion: jury.SchemaVersion, Occupation: jury.OccupationRef{Code: occ.Code, Title: occ.Title},
		Headline: 71, Band: jury.BandOf(71)}
	scores := []int{90, 45, 20, 95}
	for i, p := range s.personas {
		r.Jurors = append(r.Jurors, jury.JurorResult{Persona: p.ID, Name: p.Name, Score: 60 + 5*i,
			Reaction: jury.AboutRight, Quote: "A line from " + p.Name + ".", Valid: true, Problems: []string{}})
	}
	for i, t := range occ.Tasks {
		tr := jury.TaskResult{ID: t.ID, Text: t.Text, Type: t.Type, Score: scores[i], Label: jury.E2, Dissent: i == 1}
		for k, p := range s.personas {
			tr.Votes = append(tr.Votes, jury.JurorVote{Persona: p.ID, Score: scores[i] - 10*(k%2), Label: jury.E2, Reason: "EHR search"})
		}
		r.Tasks = append(r.Tasks, tr)
	}
	jury.SortTasks(r.Tasks)
	return r
}

// canonicalRequests renders every kind of request the set makes, on
// CanonicalOccupation: each persona's ballot and statement, a re-ask of
// each kind of answer, and the foreperson's request.
func (s *Set) canonicalRequests() []renderedRequest {
	occ := CanonicalOccupation()
	r := s.canonicalReport()
	var out []renderedRequest
	for _, p := range s.personas {
		msgs, schema := s.Ballot(occ, p)
		out = append(out, renderedRequest{"ballot " + p.ID, msgs, schema})
		b := jury.Ballot{Score: 70}
		for _, t := range occ.Tasks {
			b.Tasks = append(b.Tasks, jury.Vote{ID: t.ID, Score: 70, Label: jury.E2, Reason: "EHR search"})
		}
		answer, _ := json.Marshal(b)
		msgs, schema = s.Statement(occ, p, string(answer), r, b.Score)
		out = append(out, renderedRequest{"statement " + p.ID, msgs, schema})
	}
	msgs, schema := s.Foreperson(occ, r)
	out = append(out, renderedRequest{"foreperson", msgs, schema})
	out = append(out, renderedRequest{"reask", []Message{s.Reask([]string{"task 22877: score missing", "quote is empty"})}, Schema{}})
	return out
}
