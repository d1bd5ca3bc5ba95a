package llm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
)

// A cache shared by two OpenAI-compatible servers never hands one
// server's answer to the other; cassettes replay against any server.
func TestStackKeysTheCacheByEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name          string
		keyByEndpoint bool
		wantCalls     int
	}{
		{"cache: each endpoint asked once", true, 2},
		{"cassettes: the second server replays the first's answer", false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			calls := 0
			client := llm.ModelFunc(func(context.Context, llm.Request) (llm.Response, error) {
				calls++
				return llm.Response{Content: "{}", FinishReason: llm.FinishStop, Usage: llm.Usage{Calls: 1}}, nil
			})
			for _, url := range []string{"http://127.0.0.1:8000/v1", "http://vllm.internal:8000/v1"} {
				st := &llm.Stack{StoreDir: dir, StoreMode: llm.ReplayOrRecord, KeyByEndpoint: tc.keyByEndpoint}
				m, err := st.Wrap(client, "openai", url, "sk-test")
				require.NoError(t, err)
				_, err = m.Complete(context.Background(), ballotRequest(t))
				require.NoError(t, err)
			}
			require.Equal(t, tc.wantCalls, calls)
		})
	}
}
