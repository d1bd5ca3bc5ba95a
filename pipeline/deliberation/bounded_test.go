package deliberation_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/prompts"
)

// TestAHugeRefusalMakesAShortProblem: a 2 MB refusal is kept as its
// first words, so the verdict's error line stays short (it once became
// an 8.4 MB line per occupation).
func TestAHugeRefusalMakesAShortProblem(t *testing.T) {
	srv := openaitest.New(t)
	refusal := "I cannot help with that. " + strings.Repeat("Really not. ", 180_000)
	body := `{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"` +
		refusal + `"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
	srv.ByRequest(func(openaitest.ChatRequest, int) openaitest.Fault {
		return openaitest.Raw(200, http.Header{"Content-Type": {"application/json"}}, body)
	})
	model := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: "gpt-4o-mini"})
	_, _, err := p.Deliberate(context.Background(), openaitest.SampleOccupation())
	require.ErrorIs(t, err, jury.ErrNoQuorum)
	require.Contains(t, err.Error(), "the model refused: I cannot help with that.")
	require.Less(t, len(err.Error()), 8*1000, "four jurors' problems, each cut short")
}
