package deliberation_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// TestDeliberateTakesAnswersWrappedAsServersWrapThem: a server that
// ignores response_format wraps every valid answer — in a Markdown fence,
// after a reasoning block, inside prose. Each seat is asked once: 9 calls
// and a report (two rounds), not three tries a seat and none.
func TestDeliberateTakesAnswersWrappedAsServersWrapThem(t *testing.T) {
	for name, wrapped := range map[string]string{
		"fenced":          "```json\\n" + openaitest.AnswerHere + "\\n```",
		"after <think>":   "<think>\\nClerical work, mostly text.\\n</think>\\n\\n" + openaitest.AnswerHere,
		"inside of prose": "Here is my answer: " + openaitest.AnswerHere + " Let me know if you need more.",
	} {
		t.Run(name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Every(func(int) openaitest.Fault {
				return openaitest.Raw(200, nil, `{"id":"chatcmpl-f","object":"chat.completion","created":1757876416,"model":"qwen2.5-7b-instruct",`+
					`"choices":[{"index":0,"message":{"role":"assistant","content":"`+wrapped+`"},"finish_reason":"stop"}],`+
					`"usage":{"prompt_tokens":900,"completion_tokens":200,"total_tokens":1100}}`)
			})
			r, usage, err := newPanel(t, srv).Deliberate(context.Background(), openaitest.SampleOccupation())
			require.NoError(t, err)
			require.Len(t, r.Tasks, 3)
			require.Equal(t, 9, usage.Calls)
			require.Zero(t, usage.Reasks)
			require.Equal(t, srv.Count(), usage.Calls)
		})
	}
}

// TestDeliberateRaisesTheBudgetAfterACutOff: an answer cut off at its
// token budget is re-asked with a larger one, not the same.
func TestDeliberateRaisesTheBudgetAfterACutOff(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Juror("The Diplomat"), openaitest.Truncated)
	p := newPanel(t, srv)
	p.MaxTokens = 300
	_, usage, err := p.Deliberate(context.Background(), openaitest.SampleOccupation())
	require.NoError(t, err)
	require.Equal(t, 1, usage.Reasks)
	var budgets []int
	for _, r := range srv.Requests() {
		if openaitest.Juror("The Diplomat")(r.Chat) {
			budgets = append(budgets, r.Chat.MaxTokens)
		}
	}
	require.Len(t, budgets, 2)
	require.Equal(t, 300, budgets[0])
	require.Greater(t, budgets[1], budgets[0], "the re-ask after a cut-off gets a larger budget")
	require.Equal(t, srv.Count(), usage.Calls)
}
