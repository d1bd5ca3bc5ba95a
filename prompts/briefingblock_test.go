package prompts_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/prompts"
)

// BriefingBlock is the verdict's JSON that DecodeBriefing reads, the same
// for every juror of a verdict; a request that is not a statement
// request has none.
func TestBriefingBlockIsTheVerdictEveryJurorIsShown(t *testing.T) {
	s := prompts.Default()
	occ, r := testOccupation(), testReport()
	var blocks []string
	for i, p := range s.Personas() {
		ballot, _ := s.Ballot(occ, p)
		_, ok := prompts.BriefingBlock(ballot)
		require.False(t, ok, "%s: a ballot request has no verdict", p.ID)
		msgs, _ := s.Statement(occ, p, `{"tasks":[],"score":1}`, r, 70+i)
		block, ok := prompts.BriefingBlock(msgs)
		require.True(t, ok, p.ID)
		var b prompts.Briefing
		require.NoError(t, json.Unmarshal([]byte(block), &b))
		decoded, answer, err := prompts.DecodeBriefing(msgs)
		require.NoError(t, err)
		require.Equal(t, decoded, b, p.ID)
		own, err := prompts.StatementAnswer(msgs)
		require.NoError(t, err)
		require.Equal(t, answer, own, "%s: the juror's own answer, as DecodeBriefing reads it", p.ID)
		require.JSONEq(t, `{"tasks":[],"score":1}`, own)
		blocks = append(blocks, block)
	}
	require.Len(t, blocks, 4)
	for _, b := range blocks[1:] {
		require.Equal(t, blocks[0], b, "every juror is shown the same verdict")
	}
	msgs, _ := s.Statement(occ, s.Personas()[0], "", r, 70)
	_, ok := prompts.BriefingBlock(msgs[:3])
	require.False(t, ok, "too few messages")
}
