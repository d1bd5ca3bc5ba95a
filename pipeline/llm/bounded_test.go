package llm_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/providertest"
)

// hugeBody is a 2xx body past llm.MaxAnswerBytes: a server gone wrong.
func hugeBody() string {
	return `{"pad":"` + strings.Repeat("x", llm.MaxAnswerBytes+1024) + `"}`
}

// TestAnAnswerTooLargeIsLeftUnread: every client stack stops reading an
// answer past llm.MaxAnswerBytes and fails the call with one line naming
// the occupation and the juror; it fails that verdict only (Rejected).
func TestAnAnswerTooLargeIsLeftUnread(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name   string
		client func(t *testing.T) llm.Model
	}{
		{name: "openai", client: func(t *testing.T) llm.Model {
			srv := openaitest.New(t)
			srv.Script(openaitest.Any, openaitest.Raw(200, json, hugeBody()))
			return llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
		}},
	}
	for _, p := range providerProtocols {
		cases = append(cases, struct {
			name   string
			client func(t *testing.T) llm.Model
		}{name: string(p), client: func(t *testing.T) llm.Model {
			srv := providertest.New(t, p)
			srv.Script(openaitest.Any, providertest.Raw(200, json, hugeBody()))
			return newClient(t, srv)
		}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := ballotRequest(t)
			req.Meta = llm.Meta{Occupation: "29-2072.00", Juror: "diplomat", Purpose: "ballot"}
			_, err := tc.client(t).Complete(context.Background(), req)
			require.ErrorIs(t, err, llm.ErrAnswerTooLarge)
			require.Equal(t, llm.Rejected, llm.KindOf(err))
			require.False(t, llm.Fatal(err), "one verdict fails, not the run")
			require.Contains(t, err.Error(), "29-2072.00 diplomat ballot")
			require.Less(t, len(err.Error()), 400)
			require.Equal(t, 1, llm.UsageOf(err).Calls)
		})
	}
}

// TestAHugeErrorBodyMakesAShortLine: an error body of megabytes becomes
// an error line of at most a few hundred characters, its start (the part
// that names the problem) kept.
func TestAHugeErrorBodyMakesAShortLine(t *testing.T) {
	srv := openaitest.New(t)
	msg := "Invalid schema for response_format: " + strings.Repeat("blah ", 400_000)
	srv.Script(openaitest.Any, openaitest.Raw(400, http.Header{"Content-Type": {"application/json"}},
		`{"error":{"message":"`+msg+`","type":"invalid_request_error","code":"invalid_schema"}}`))
	_, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}).Complete(context.Background(), ballotRequest(t))
	require.Error(t, err)
	line := err.Error()
	require.Less(t, len(line), 1000)
	require.Contains(t, line, "Invalid schema for response_format")
	require.NotContains(t, line, "\n")
}
