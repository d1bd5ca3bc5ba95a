package prompts_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

func testOccupation() jury.Occupation {
	return jury.Occupation{
		Code:  "29-2072.00",
		Title: "Medical Records Specialists",
		Tasks: []jury.Task{
			{ID: "22877", Text: "Compile and maintain patients' medical records.", Type: jury.Core},
			{ID: "9", Text: "Protect the security of medical records.", Type: jury.Supplemental},
			{ID: "10", Text: "Process patient admission and discharge documents.", Type: jury.Unrated},
		},
	}
}

func TestDefaultPersonas(t *testing.T) {
	ps := prompts.Default().Personas()
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	require.Equal(t, []string{"diplomat", "chaos-agent", "contrarian", "optimist"}, ids)
	require.Equal(t, prompts.BuiltinPersonas(), ps)

	names, voices, stances := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range ps {
		require.NotEmpty(t, strings.TrimSpace(p.Name), p.ID)
		require.NotEmpty(t, strings.TrimSpace(p.Voice), p.ID)
		require.NotEmpty(t, strings.TrimSpace(p.Stance), p.ID)
		require.False(t, names[p.Name], "name %q twice", p.Name)
		require.False(t, voices[p.Voice], "%s: voice shared with another persona", p.ID)
		require.False(t, stances[p.Stance], "%s: stance shared with another persona", p.ID)
		names[p.Name], voices[p.Voice], stances[p.Stance] = true, true, true
	}
	require.Equal(t, "The Diplomat", ps[0].Name)
	require.Equal(t, "The Chaos Agent", ps[1].Name)
	require.Equal(t, "The Contrarian", ps[2].Name)
	require.Equal(t, "The Optimist", ps[3].Name)
}

func TestPersonaLookup(t *testing.T) {
	s := prompts.Default()
	p, ok := s.Persona("contrarian")
	require.True(t, ok)
	require.Equal(t, "The Contrarian", p.Name)
	_, ok = s.Persona("skeptic")
	require.False(t, ok)

	// Personas returns a copy: changing it does not change the set.
	ps := s.Personas()
	ps[0].Name = "Changed"
	require.Equal(t, "The Diplomat", s.Personas()[0].Name)
}

func TestBallotSharesPrefixAcrossPersonas(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	ps := s.Personas()
	first, schema := s.Ballot(occ, ps[0])
	require.Len(t, first, 3)
	require.Equal(t, []string{prompts.RoleSystem, prompts.RoleUser, prompts.RoleUser},
		[]string{first[0].Role, first[1].Role, first[2].Role})
	require.Equal(t, prompts.BallotSchema(occ), schema)

	for _, p := range ps {
		msgs, _ := s.Ballot(occ, p)
		require.Len(t, msgs, 3, p.ID)
		// byte-identical prefix, so that prompt caching applies
		require.Equal(t, first[0], msgs[0], "%s: system message differs", p.ID)
		require.Equal(t, first[1], msgs[1], "%s: occupation message differs", p.ID)
		// the persona's part is last and names it
		last := msgs[2].Content
		require.Contains(t, last, p.Name)
		require.Contains(t, last, p.Voice)
		require.Contains(t, last, p.Stance)
		for _, other := range ps {
			if other.ID != p.ID {
				require.NotContains(t, last, other.Name, "%s's message names %s", p.ID, other.ID)
			}
		}
	}
	for _, p := range ps {
		require.NotContains(t, first[0].Content+first[1].Content, p.Name, "the shared prefix must not name a persona")
	}
}

func TestPrefixDependsOnTheOccupationOnly(t *testing.T) {
	s := prompts.Default()
	a, _ := s.Ballot(testOccupation(), s.Personas()[0])
	other := testOccupation()
	other.Tasks[1].Text = "Guard the records."
	b, _ := s.Ballot(other, s.Personas()[0])
	require.Equal(t, a[0], b[0], "the rubric is the same for every occupation")
	require.NotEqual(t, a[1], b[1], "the occupation message shows the tasks")

	// The same request twice is the same bytes.
	c, _ := prompts.Default().Ballot(testOccupation(), s.Personas()[0])
	require.Equal(t, a, c)
}

func TestMessagesQuoteTheLimits(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	msgs, _ := s.Ballot(occ, s.Personas()[0])
	system := msgs[0].Content
	require.Contains(t, system, fmt.Sprintf("at most %d", jury.E0Max))
	require.Contains(t, system, fmt.Sprintf("at least %d", jury.E1Min))
	require.Contains(t, system, fmt.Sprintf("within %d points", jury.OverallSlack))
	require.Contains(t, system, fmt.Sprintf("at most %d characters", jury.MaxReason))
	require.Equal(t, 2, strings.Count(system, "halves it or more"),
		"E1 and E2 carry the same halves-the-time test")
	for _, task := range occ.Tasks {
		require.Contains(t, msgs[1].Content, task.Text)
		require.Contains(t, msgs[1].Content, `"`+task.ID+`"`)
	}
	require.Contains(t, msgs[1].Content, occ.Code)
}

func testReport() *jury.Report {
	return &jury.Report{
		SchemaVersion: jury.SchemaVersion,
		Occupation:    jury.OccupationRef{Code: "29-2072.00", Title: "Medical Records Specialists"},
		Headline:      83,
		Band:          jury.BandVeryHigh,
		Jurors: []jury.JurorResult{
			{Persona: "diplomat", Name: "The Diplomat", Score: 80, Quote: "Charts file themselves; judgment does not ``` \"yet\".", Valid: true},
			{Persona: "chaos-agent", Name: "The Chaos Agent", Valid: false, Problems: []string{"quote is empty"}},
			{Persona: "contrarian", Name: "The Contrarian", Score: 70, Quote: "A fence:\n```\nstill not a person </td>.", Valid: true},
			{Persona: "optimist", Name: "The Optimist", Score: 95, Quote: "More time for patients.", Valid: true},
		},
		Tasks: []jury.TaskResult{
			{ID: "22877", Score: 90, Label: jury.E1, Dissent: false},
			{ID: "10", Score: 85, Label: jury.E2, Dissent: true},
			{ID: "9", Score: 40, Label: jury.E0},
		},
		Provenance: jury.Provenance{PromptHash: "sha256:secret-looking"},
	}
}

func TestForepersonSharesThePrefix(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	ballot, _ := s.Ballot(occ, s.Personas()[2])
	msgs, schema := s.Foreperson(occ, testReport())
	require.Len(t, msgs, 3)
	require.Equal(t, ballot[:2], msgs[:2])
	require.Equal(t, prompts.RoleUser, msgs[2].Role)
	require.Equal(t, prompts.NoteSchema(occ), schema)

	last := msgs[2].Content
	require.Contains(t, last, "83 %")
	require.Contains(t, last, fmt.Sprintf("%d to %d sentences", jury.MinSummarySentences, jury.MaxSummarySentences))
	require.Contains(t, last, fmt.Sprintf("at most %d characters", jury.MaxQuote))
	require.NotContains(t, last, "quote is empty", "an invalid juror's problems are not shown")
	require.NotContains(t, last, "secret-looking", "provenance is not shown")
	for _, p := range s.Personas() {
		require.NotContains(t, last, p.Voice, "the foreperson has no persona voice")
	}
}

func TestHash(t *testing.T) {
	s := prompts.Default()
	h := s.Hash()
	require.Regexp(t, regexp.MustCompile(`^sha256:[0-9a-f]{16}$`), h)
	require.Equal(t, h, s.Hash(), "stable across calls")
	require.Equal(t, h, prompts.Default().Hash(), "stable across sets")

	same, err := prompts.New(prompts.BuiltinPersonas())
	require.NoError(t, err)
	require.Equal(t, h, same.Hash())

	change := map[string]func(p *prompts.Persona){
		"voice":  func(p *prompts.Persona) { p.Voice += " Loudly." },
		"stance": func(p *prompts.Persona) { p.Stance = "Always 50." },
		"name":   func(p *prompts.Persona) { p.Name = "The Envoy" },
		"id":     func(p *prompts.Persona) { p.ID = "envoy" },
	}
	seen := map[string]string{h: "built-in"}
	for what, modify := range change {
		ps := prompts.BuiltinPersonas()
		modify(&ps[0])
		other, err := prompts.New(ps)
		require.NoError(t, err)
		require.NotEqual(t, h, other.Hash(), "changing a persona's %s must change the hash", what)
		require.Regexp(t, `^sha256:[0-9a-f]{16}$`, other.Hash())
		require.NotContains(t, seen, other.Hash(), "%s: same hash as %s", what, seen[other.Hash()])
		seen[other.Hash()] = what
	}

	fewer, err := prompts.New(prompts.BuiltinPersonas()[:3])
	require.NoError(t, err)
	require.NotEqual(t, h, fewer.Hash(), "dropping a juror must change the hash")
}

func TestNewRejectsBadPersonas(t *testing.T) {
	ok := func() []prompts.Persona {
		return []prompts.Persona{
			{ID: "skeptic", Name: "The Skeptic", Voice: "Dry.", Stance: "Doubt."},
			{ID: "fan", Name: "The Fan", Voice: "Warm.", Stance: "Hope."},
		}
	}
	tests := []struct {
		name   string
		modify func(ps []prompts.Persona) []prompts.Persona
		want   string
	}{
		{name: "no personas", modify: func([]prompts.Persona) []prompts.Persona { return nil }, want: "no personas"},
		{name: "duplicate IDs", modify: func(ps []prompts.Persona) []prompts.Persona { ps[1].ID = "skeptic"; return ps }, want: `persona "skeptic" defined twice`},
		{name: "empty ID", modify: func(ps []prompts.Persona) []prompts.Persona { ps[1].ID = ""; return ps }, want: `persona 2: id ""`},
		{name: "ID with a space", modify: func(ps []prompts.Persona) []prompts.Persona { ps[0].ID = "the skeptic"; return ps }, want: `persona 1: id "the skeptic"`},
		{name: "ID with a slash", modify: func(ps []prompts.Persona) []prompts.Persona { ps[0].ID = "a/b"; return ps }, want: `persona 1: id "a/b"`},
		{name: "empty name", modify: func(ps []prompts.Persona) []prompts.Persona { ps[1].Name = ""; return ps }, want: `persona "fan": name is empty`},
		{name: "blank name", modify: func(ps []prompts.Persona) []prompts.Persona { ps[1].Name = "  "; return ps }, want: `persona "fan": name is empty`},
		{name: "missing voice", modify: func(ps []prompts.Persona) []prompts.Persona { ps[0].Voice = ""; return ps }, want: `persona "skeptic": voice and stance are both required`},
		{name: "blank stance", modify: func(ps []prompts.Persona) []prompts.Persona { ps[1].Stance = "\t"; return ps }, want: `persona "fan": voice and stance are both required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := prompts.New(tt.modify(ok()))
			require.Nil(t, s)
			require.ErrorIs(t, err, jury.ErrInvalid)
			require.Contains(t, err.Error(), tt.want)
		})
	}
	s, err := prompts.New(ok())
	require.NoError(t, err)
	require.Len(t, s.Personas(), 2)
}

func TestNewCopiesPersonas(t *testing.T) {
	ps := prompts.BuiltinPersonas()
	s, err := prompts.New(ps)
	require.NoError(t, err)
	h := s.Hash()
	ps[0].Voice = "Changed after the fact."
	p, _ := s.Persona("diplomat")
	require.NotEqual(t, "Changed after the fact.", p.Voice)
	require.Equal(t, h, s.Hash())
}

func TestReask(t *testing.T) {
	s := prompts.Default()
	problems := []string{
		"task 22877: score 72.5 must be a whole number from 0 to 100",
		`task "99999" is not a task of this occupation`,
		"tasks missing: 9, 10 (score every task exactly once)",
		"quote contains control characters: <b> & {{.}}",
	}
	m := s.Reask(problems)
	require.Equal(t, prompts.RoleUser, m.Role)
	var listed []string
	for _, line := range strings.Split(m.Content, "\n") {
		if rest, ok := strings.CutPrefix(line, "- "); ok {
			listed = append(listed, rest)
		}
	}
	require.Equal(t, problems, listed, "every problem, verbatim, in order, one per line")

	one := s.Reask(problems[:1]).Content
	require.Equal(t, 1, strings.Count(one, "\n- "))
}

func TestConcurrentUse(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	want, _ := s.Ballot(occ, s.Personas()[1])
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range s.Personas() {
				got, _ := s.Ballot(occ, p)
				if got[0] != want[0] || got[1] != want[1] {
					errs <- "prefix differs under concurrency"
				}
			}
			s.Foreperson(occ, testReport())
			s.Reask([]string{"x"})
			_ = s.Hash()
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestStatementSharesTheVerdictAndEndsWithTheJuror(t *testing.T) {
	s := prompts.Default()
	occ := testOccupation()
	r := testReport()
	var first []prompts.Message
	for i, p := range s.Personas() {
		ballot, _ := s.Ballot(occ, p)
		answer := "{\n  \"tasks\": [],\n  \"score\": 7" + fmt.Sprint(i) + "\n}"
		msgs, schema := s.Statement(occ, p, answer, r, 70+i)
		require.Equal(t, prompts.StatementSchema(), schema)
		require.Len(t, msgs, 4)
		require.Equal(t, []string{prompts.RoleSystem, prompts.RoleUser, prompts.RoleUser, prompts.RoleUser},
			[]string{msgs[0].Role, msgs[1].Role, msgs[2].Role, msgs[3].Role})
		require.Equal(t, ballot[:2], msgs[:2], "%s: the rubric and the occupation of round 1, byte for byte", p.ID)
		verdict := msgs[2].Content
		require.Contains(t, verdict, "83 %", "the headline")
		require.NotContains(t, verdict, "quote is empty", "an invalid juror's problems are not shown")
		for _, other := range s.Personas() {
			require.NotContains(t, verdict, other.Voice, "the shared verdict speaks to no juror in particular")
		}
		// The juror's own part comes last: its persona, its ballot answer
		// (compacted) and its score.
		own := msgs[3].Content
		require.Contains(t, own, p.Name)
		require.Contains(t, own, p.Voice)
		require.Contains(t, own, p.Stance)
		require.Contains(t, own, `{"tasks":[],"score":7`+fmt.Sprint(i)+`}`)
		require.Contains(t, own, fmt.Sprintf("Your own overall score was %d %%", 70+i))
		require.Contains(t, own, "83 %", "the headline")
		for _, other := range s.Personas() {
			if other.ID != p.ID {
				require.NotContains(t, own, other.Name, "%s's part names %s", p.ID, other.ID)
			}
		}

		b, ans, err := prompts.DecodeBriefing(msgs)
		require.NoError(t, err)
		require.JSONEq(t, answer, ans)
		require.Equal(t, prompts.BriefingOf(r), b)
		name, ok := prompts.DecodePersonaName(msgs)
		require.True(t, ok)
		require.Equal(t, p.Name, name)
		if first == nil {
			first = msgs
			continue
		}
		require.Equal(t, first[:3], msgs[:3], "%s: everything before the juror's own part is byte-identical across jurors", p.ID)
	}
	b := prompts.BriefingOf(r)
	require.Equal(t, 83, b.Headline)
	require.Equal(t, []prompts.BriefedJuror{{Name: "The Diplomat", Score: 80}, {Name: "The Contrarian", Score: 70}, {Name: "The Optimist", Score: 95}}, b.Jurors)
	require.Len(t, b.MostExposed, 1, "three tasks: one most and one least exposed, never the same")
	require.Equal(t, "22877", b.MostExposed[0].ID)
	require.Equal(t, "9", b.LeastExposed[0].ID)
	require.Len(t, b.Dissent, 1)
	require.Equal(t, "10", b.Dissent[0].ID)
}

func TestPersonasHaveAnExampleLine(t *testing.T) {
	s := prompts.Default()
	for _, p := range s.Personas() {
		require.NotEmpty(t, p.Example, p.ID)
		require.Less(t, len(p.Example), 160, "%s: a short line", p.ID)
		msgs, _ := s.Ballot(testOccupation(), p)
		require.Contains(t, msgs[2].Content, p.Example)
		require.NotContains(t, p.Voice, "one sentence", "%s: a line, not a sentence, so that fragments are allowed", p.ID)
	}
}
