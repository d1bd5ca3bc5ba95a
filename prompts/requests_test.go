package prompts_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

// TestRequestsSendTheSetsBytes: a verdict's requests rendered once per
// verdict are the requests Set renders one by one, for every persona,
// whatever the goroutine that asks.
func TestRequestsSendTheSetsBytes(t *testing.T) {
	s := prompts.Default()
	occs := map[string]jury.Occupation{"test occupation": testOccupation(), "canonical": prompts.CanonicalOccupation()}
	for name, occ := range occs {
		t.Run(name, func(t *testing.T) {
			r := testReport()
			q := s.Requests(occ)
			st := q.Statements(r)
			var wg sync.WaitGroup
			for i, p := range s.Personas() {
				answer := fmt.Sprintf("{\n  \"tasks\": [],\n  \"score\": %d\n}", 70+i)
				wg.Add(1)
				go func() {
					defer wg.Done()
					wantMsgs, wantSchema := s.Ballot(occ, p)
					msgs, schema := q.Ballot(p)
					require.Equal(t, wantMsgs, msgs, "%s ballot", p.ID)
					require.Equal(t, wantSchema, schema, "%s ballot schema", p.ID)

					wantMsgs, wantSchema = s.Statement(occ, p, answer, r, 70+i)
					msgs, schema = st.Statement(p, answer, 70+i)
					require.Equal(t, wantMsgs, msgs, "%s statement", p.ID)
					require.Equal(t, wantSchema, schema, "%s statement schema", p.ID)
				}()
			}
			wg.Wait()
			wantMsgs, wantSchema := s.Foreperson(occ, r)
			msgs, schema := q.Foreperson(r)
			require.Equal(t, wantMsgs, msgs)
			require.Equal(t, wantSchema, schema)
		})
	}
}

// TestRequestsReturnMessagesTheCallerOwns: a re-ask appends to one
// juror's messages; no other juror's request sees it.
func TestRequestsReturnMessagesTheCallerOwns(t *testing.T) {
	s := prompts.Default()
	q := s.Requests(testOccupation())
	ps := s.Personas()
	first, _ := q.Ballot(ps[0])
	want, _ := q.Ballot(ps[1])
	_ = append(first[:2], s.Reask([]string{"score missing"}))
	got, _ := q.Ballot(ps[1])
	require.Equal(t, want, got)

	st := q.Statements(testReport())
	a, _ := st.Statement(ps[0], `{"tasks":[],"score":70}`, 70)
	want, _ = st.Statement(ps[1], `{"tasks":[],"score":71}`, 71)
	_ = append(a[:3], s.Reask([]string{"quote is empty"}))
	got, _ = st.Statement(ps[1], `{"tasks":[],"score":71}`, 71)
	require.Equal(t, want, got)
}
