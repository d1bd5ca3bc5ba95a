package prompts_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/prompts"
)

// requestTokens counts a request as issue 17 does: characters ÷ 4 over
// the schema and all messages.
func requestTokens(msgs []prompts.Message, schema prompts.Schema) int {
	n := len(schema.JSON)
	for _, m := range msgs {
		n += len(m.Content)
	}
	return n / 4
}

// sharedTokens is the part of a and b, schema first, that is the same
// bytes from the start, in tokens (characters ÷ 4): what a provider's
// prompt cache can serve the later of the two.
func sharedTokens(a, b []prompts.Message, sa, sb prompts.Schema) int {
	text := func(msgs []prompts.Message, s prompts.Schema) string {
		t := string(s.JSON)
		for _, m := range msgs {
			t += m.Role + "\n" + m.Content + "\n"
		}
		return t
	}
	x, y := text(a, sa), text(b, sb)
	n := 0
	for n < len(x) && n < len(y) && x[n] == y[n] {
		n++
	}
	return n / 4
}

// TestRequestSizes holds the requests for Medical Records Specialists
// (29-2072.00, 17 tasks) to their token budget: the ballot request at
// most 1,195 tokens (issue 17; 1,404 on 2026-11-30), and the statements'
// shared part past OpenAI's 1,024-token caching threshold with only the
// juror's own part after it.
func TestRequestSizes(t *testing.T) {
	occ, err := onet.ReadOccupationFile(filepath.Join("..", "fixtures", "occupations", "29-2072.00.json"))
	require.NoError(t, err)
	s := prompts.Default()
	ps := s.Personas()
	for _, p := range ps {
		msgs, schema := s.Ballot(occ, p)
		require.LessOrEqual(t, requestTokens(msgs, schema), 1195, "%s's ballot request", p.ID)
	}

	r := testReport()
	answer := `{"tasks":[],"score":80}`
	a, sa := s.Statement(occ, ps[0], answer, r, 80)
	b, sb := s.Statement(occ, ps[1], answer, r, 80)
	shared := sharedTokens(a, b, sa, sb)
	require.GreaterOrEqual(t, shared, 1024, "the statements' shared prefix is long enough to be cached")
	require.Less(t, requestTokens(a, sa)-shared, 250, "only the juror's own part (here with an empty ballot) follows it")
}
