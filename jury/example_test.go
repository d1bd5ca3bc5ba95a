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
	ballot := func(records, security jury.Vote, score int) jury.Ballot {
		records.ID, security.ID = "22877", "22878"
		return jury.Ballot{Tasks: []jury.Vote{records, security}, Score: score}
	}
	jurors := []jury.Juror{
		{Persona: "diplomat", Name: "The Diplomat", Ballot: ballot(
			jury.Vote{Score: 80, Label: jury.E2, Reason: "EHR software"}, jury.Vote{Score: 40, Label: jury.E2, Reason: "access-log monitoring"}, 65)},
		{Persona: "chaos-agent", Name: "The Chaos Agent", Ballot: ballot(
			jury.Vote{Score: 100, Label: jury.E1, Reason: "OCR and EHR search"}, jury.Vote{Score: 10, Label: jury.E0, Reason: "legal accountability"}, 70)},
		{Persona: "contrarian", Name: "The Contrarian", Ballot: ballot(
			jury.Vote{Score: 55, Label: jury.E2, Reason: "EHR search"}, jury.Vote{Score: 30, Label: jury.E0, Reason: "legal accountability"}, 50)},
		{Persona: "optimist", Name: "The Optimist", Problems: []string{"task 22878 reason missing"}},
	}

	// Round 1: the ballots make the verdict.
	r, err := jury.Decide(occ, jurors, jury.Rule{}) // median, quorum 3, dissent above 40 points
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d %% (%s)\n", r.Occupation.Title, r.Headline, r.Band)
	for _, t := range r.Tasks {
		fmt.Printf("task %s: %d %s, dissent %t\n", t.ID, t.Score, t.Label, t.Dissent)
	}
	// Round 2: the counted jurors answer the verdict; the Contrarian's
	// statement failed its re-asks, so it is shown without a quote.
	r.ApplyStatements(map[string]jury.Statement{
		"diplomat":    {Reaction: jury.AboutRight, Quote: "Software files the charts; people still answer for them."},
		"chaos-agent": {Reaction: jury.TooLow, Quote: "63 %? The filing cabinet already lost."},
	}, map[string][]string{"contrarian": {"quote names 40 %"}})
	for _, j := range r.Jurors {
		switch {
		case !j.Valid:
			fmt.Printf("%s: not counted: %v\n", j.Name, j.Problems)
		case j.Quote == "":
			fmt.Printf("%s (%d): no quote\n", j.Name, j.Score)
		default:
			fmt.Printf("%s (%d) thinks %d %% is %s: %s\n", j.Name, j.Score, r.Headline, j.Reaction.Words(), j.Quote)
		}
	}
	// Output:
	// Medical Records Specialists: 63 % (high)
	// task 22877: 80 E2, dissent true
	// task 22878: 30 E0, dissent false
	// The Diplomat (65) thinks 63 % is about right: Software files the charts; people still answer for them.
	// The Chaos Agent (70) thinks 63 % is too low: 63 %? The filing cabinet already lost.
	// The Contrarian (50): no quote
	// The Optimist: not counted: [task 22878 reason missing]
}

// A statement is checked against the headline the juror was shown and its
// own round-1 score.
func ExampleParseStatement() {
	_, problems := jury.ParseStatement(`{"reaction": "too_high", "quote": "Maybe 40 %, not 83 %."}`,
		jury.StatementContext{Headline: 83, Own: 95})
	for _, p := range problems {
		fmt.Println("-", p)
	}
	// Output:
	// - reaction too_high contradicts your own score 95, 12 points above the headline 83: answer too_low or about_right
	// - quote names 40 %, but the only percentages it may name are the headline 83 % and your own score 95 %
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
    {"id": "22877", "score": 75, "label": "E0", "reason": "EHR software"},
    {"id": "99999", "score": 50, "label": "E2", "reason": "OCR"}
  ],
  "score": 70
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
