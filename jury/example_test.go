package jury_test

import (
	"fmt"

	"github.com/onet-jury/jury/jury"
)

// Three valid ballots on a two-task occupation make a verdict; the fourth
// juror's ballot was rejected and only shows in the list of jurors.
func ExampleDecide() {
	occ := jury.Occupation{
		Code:  "29-2072.00",
		Title: "Medical Records Specialists",
		Tasks: []jury.Task{
			{ID: "22877", Text: "Compile and maintain patients' medical records.", Type: jury.Core},
			{ID: "22878", Text: "Protect the security of medical records.", Type: jury.Supplemental},
		},
	}
	ballot := func(records, security jury.Vote, score int, quote string) jury.Ballot {
		records.ID, security.ID = "22877", "22878"
		return jury.Ballot{Tasks: []jury.Vote{records, security}, Score: score, Quote: quote}
	}
	jurors := []jury.Juror{
		{Persona: "diplomat", Name: "The Diplomat", Ballot: ballot(
			jury.Vote{Score: 80, Label: jury.E2}, jury.Vote{Score: 40, Label: jury.E2}, 65,
			"Software files the charts; people still answer for them.")},
		{Persona: "chaos-agent", Name: "The Chaos Agent", Ballot: ballot(
			jury.Vote{Score: 100, Label: jury.E1}, jury.Vote{Score: 10, Label: jury.E0}, 70,
			"70. The filing cabinet lost.")},
		{Persona: "contrarian", Name: "The Contrarian", Ballot: ballot(
			jury.Vote{Score: 55, Label: jury.E2}, jury.Vote{Score: 30, Label: jury.E0}, 50,
			"A breach still needs a person to blame.")},
		{Persona: "optimist", Name: "The Optimist", Problems: []string{"quote is empty"}},
	}

	r, err := jury.Decide(occ, jurors, jury.Rule{}) // median, quorum 3, dissent above 40 points
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d %% (%s)\n", r.Occupation.Title, r.Headline, r.Band)
	for _, t := range r.Tasks {
		fmt.Printf("task %s: %d %s, dissent %t\n", t.ID, t.Score, t.Label, t.Dissent)
	}
	for _, j := range r.Jurors {
		if j.Valid {
			fmt.Printf("%s (%d): %s\n", j.Name, j.Score, j.Quote)
		} else {
			fmt.Printf("%s: not counted: %v\n", j.Name, j.Problems)
		}
	}
	// Output:
	// Medical Records Specialists: 63 % (high)
	// task 22877: 80 E2, dissent true
	// task 22878: 30 E0, dissent false
	// The Diplomat (65): Software files the charts; people still answer for them.
	// The Chaos Agent (70): 70. The filing cabinet lost.
	// The Contrarian (50): A breach still needs a person to blame.
	// The Optimist: not counted: [quote is empty]
}

// A ballot with problems is not usable; its problems are worded so that
// they can be sent back to the model.
func ExampleParseBallot() {
	occ := jury.Occupation{
		Code:  "29-2072.00",
		Title: "Medical Records Specialists",
		Tasks: []jury.Task{
			{ID: "22877", Text: "Compile and maintain patients' medical records.", Type: jury.Core},
			{ID: "22878", Text: "Protect the security of medical records.", Type: jury.Supplemental},
		},
	}
	answer := `{
  "tasks": [
    {"id": "22877", "score": 75, "label": "E0"},
    {"id": "99999", "score": 50, "label": "E2"}
  ],
  "score": 70,
  "quote": "Paperwork is mine now."
}`
	_, problems := jury.ParseBallot(answer, occ)
	for _, p := range problems {
		fmt.Println("-", p)
	}
	// Output:
	// - task 22877: label E0 contradicts score 75 (E0 means at most 60)
	// - task "99999" is not a task of this occupation
	// - tasks missing: 22878 (score every task exactly once)
}
