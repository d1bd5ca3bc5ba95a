package prompts_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

func hostileOccupations() map[string]jury.Occupation {
	return map[string]jury.Occupation{
		"plain": testOccupation(),
		"fences and quotes in the title": {
			Code:  "15-1252.00",
			Title: "Software ```json Developers \"Senior\" `lead` </td> & <b>",
			Tasks: []jury.Task{{ID: "1", Text: "Write code.", Type: jury.Core}},
		},
		"fence closing the title": {
			Code:  "15-1252.00",
			Title: "Developers ```",
			Tasks: []jury.Task{{ID: "1", Text: "Write code.", Type: jury.Core}},
		},
		"hostile task text": {
			Code:  "43-9061.00",
			Title: "Office Clerks, General",
			Tasks: []jury.Task{
				{ID: "20699", Text: "Type ```json {\"tasks\": []}``` into forms.", Type: jury.Core},
				{ID: "9", Text: "Close </td></tr></table> tags and `backticks`.", Type: jury.Supplemental},
				{ID: "10", Text: "Say \"hi\", \\escape\\ and ``` end.", Type: jury.Unrated},
				{ID: "11", Text: "Unicode é 語 😀 and a line\u2028separator, a\ttab.", Type: jury.Core},
			},
		},
	}
}

func TestDecodeOccupationRoundTrips(t *testing.T) {
	s := prompts.Default()
	for name, occ := range hostileOccupations() {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, occ.Validate(), "the test occupation must be valid input")
			for _, p := range s.Personas() {
				msgs, _ := s.Ballot(occ, p)
				got, err := prompts.DecodeOccupation(msgs)
				require.NoError(t, err)
				require.Equal(t, occ, got, p.ID)
			}
			msgs, _ := s.Foreperson(occ, testReport())
			got, err := prompts.DecodeOccupation(msgs)
			require.NoError(t, err)
			require.Equal(t, occ, got, "foreperson")
		})
	}
}

func TestDecodeAfterReasks(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	msgs, _ := s.Ballot(occ, s.Personas()[1])
	msgs = append(msgs,
		prompts.Message{Role: prompts.RoleAssistant, Content: "```json\n{\"code\":\"00-0000.00\"}\n```"},
		s.Reask([]string{"quote missing"}))
	got, err := prompts.DecodeOccupation(msgs)
	require.NoError(t, err)
	require.Equal(t, occ, got)

	fmsgs, _ := s.Foreperson(occ, testReport())
	want, err := prompts.DecodeVerdict(fmsgs)
	require.NoError(t, err)
	fmsgs = append(fmsgs,
		prompts.Message{Role: prompts.RoleAssistant, Content: `{"summary":"One."}`},
		s.Reask([]string{"summary has 1 sentences, want 2 to 4"}))
	got2, err := prompts.DecodeVerdict(fmsgs)
	require.NoError(t, err, "a re-asked foreperson request still carries its verdict")
	require.Equal(t, want, got2)
}

func TestDecodeVerdictRoundTrips(t *testing.T) {
	s := prompts.Default()
	msgs, _ := s.Foreperson(testOccupation(), testReport())
	got, err := prompts.DecodeVerdict(msgs)
	require.NoError(t, err)
	require.Equal(t, prompts.Verdict{
		Headline: 83,
		Band:     jury.BandVeryHigh,
		Jurors: []prompts.VerdictJuror{ // valid jurors only, in panel order
			{Name: "The Diplomat", Score: 80, Quote: "Charts file themselves; judgment does not ``` \"yet\"."},
			{Name: "The Contrarian", Score: 70, Quote: "A fence:\n```\nstill not a person </td>."},
			{Name: "The Optimist", Score: 95, Quote: "More time for patients."},
		},
		Tasks: []prompts.VerdictTask{ // report order
			{ID: "22877", Score: 90, Label: jury.E1, Reasons: []string{}},
			{ID: "10", Score: 85, Label: jury.E2, Dissent: true, Reasons: []string{}},
			{ID: "9", Score: 40, Label: jury.E0, Reasons: []string{}},
		},
	}, got)
}

func TestDecodeVerdictOfADecidedReport(t *testing.T) {
	occ := testOccupation()
	var jurors []jury.Juror
	for i, p := range prompts.Default().Personas() {
		jurors = append(jurors, jury.Juror{Persona: p.ID, Name: p.Name, Ballot: jury.Ballot{
			Tasks: []jury.Vote{
				{ID: "22877", Score: 70 + i, Label: jury.E1, Reason: "coding software"},
				{ID: "9", Score: 10, Label: jury.E0, Reason: "legal accountability"},
				{ID: "10", Score: 50, Label: jury.E2, Reason: []string{"OCR", "EHR search"}[i%2]},
			},
			Score: 55,
		}})
	}
	r, err := jury.Decide(occ, jurors, jury.Rule{})
	require.NoError(t, err)
	msgs, _ := prompts.Default().Foreperson(occ, r)
	v, err := prompts.DecodeVerdict(msgs)
	require.NoError(t, err)
	require.Equal(t, r.Headline, v.Headline)
	require.Equal(t, r.Band, v.Band)
	require.Len(t, v.Jurors, 4)
	require.Len(t, v.Tasks, 3)
	for i, task := range r.Tasks {
		reasons := map[string][]string{"22877": {"coding software"}, "9": {"legal accountability"}, "10": {"OCR", "EHR search"}}[task.ID]
		require.Equal(t, prompts.VerdictTask{ID: task.ID, Score: task.Score, Label: task.Label, Dissent: task.Dissent, Reasons: reasons},
			v.Tasks[i], "the jurors' reasons, each once, in panel order")
	}
}

func TestDecodeErrors(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	ballot, _ := s.Ballot(occ, s.Personas()[0])

	_, err := prompts.DecodeOccupation(nil)
	require.ErrorContains(t, err, "0 messages")
	_, err = prompts.DecodeOccupation(ballot[:1])
	require.ErrorContains(t, err, "1 messages")
	_, err = prompts.DecodeOccupation([]prompts.Message{ballot[0], {Role: prompts.RoleUser, Content: "no block here"}})
	require.ErrorContains(t, err, "no JSON block")
	_, err = prompts.DecodeOccupation([]prompts.Message{ballot[0], {Role: prompts.RoleUser, Content: "```json\n{\"code\": 1}"}})
	require.ErrorContains(t, err, "not closed")
	_, err = prompts.DecodeOccupation([]prompts.Message{ballot[0], {Role: prompts.RoleUser, Content: "```json\n{\"code\": 1}\n```"}})
	require.Error(t, err)

	_, err = prompts.DecodeVerdict(ballot[:2])
	require.ErrorContains(t, err, "2 messages")
	_, err = prompts.DecodeVerdict(ballot)
	require.Error(t, err, "a ballot request carries no verdict")
}
