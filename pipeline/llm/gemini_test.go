package llm_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/providertest"
)

// The request the Gemini client sends: OpenAI's chat completion on the
// compatible route, the key as a bearer token, the schema as a native
// response format rather than words in the prompt, and no seed, which the
// endpoint would refuse.
func TestGeminiRequest(t *testing.T) {
	srv := providertest.NewGemini(t)
	seed := 7
	req := ballotRequest(t)
	req.Seed, req.MaxTokens, req.Temperature = &seed, 1500, 0
	resp, err := newClient(t, srv).Complete(context.Background(), req)
	require.NoError(t, err, "the endpoint answers a seed with 400")
	require.True(t, json.Valid([]byte(resp.Content)))

	rec := srv.Requests()[0]
	require.Equal(t, "/v1beta/openai/chat/completions", rec.Path)
	require.Equal(t, "Bearer "+geminiKey, rec.Header.Get("Authorization"))
	require.NotContains(t, rec.Query, geminiKey, "the key stays out of URLs")
	require.NotContains(t, string(rec.Body), `"seed"`)
	require.NotContains(t, string(rec.Body), llm.SchemaPrompt, "the schema is not in the prompt")

	rf := rec.Chat.ResponseFormat
	require.NotNil(t, rf)
	require.Equal(t, "json_schema", rf.Type)
	require.Equal(t, "ballot", rec.Chat.SchemaName())
	require.JSONEq(t, string(req.Schema.JSON), string(rf.JSONSchema.Schema))
	require.Len(t, rec.Chat.Messages, len(req.Messages))
	for i, m := range req.Messages {
		require.Equal(t, m, llm.Message{Role: rec.Chat.Messages[i].Role, Content: rec.Chat.Messages[i].Content}, "message %d", i)
	}
	require.NotNil(t, rec.Chat.Temperature, "a zero temperature is sent")
	require.Less(t, *rec.Chat.Temperature, 1e-6)
	require.Equal(t, 1500, rec.Chat.MaxTokens)
}

// GOOGLE_API_KEY is required; a base URL may name the API root (the
// endpoint's path is added) or the OpenAI-compatible base itself.
func TestGeminiConfig(t *testing.T) {
	_, err := llm.NewGemini(llm.GeminiConfig{})
	require.ErrorContains(t, err, "no API key")
	_, err = llm.NewGemini(llm.GeminiConfig{APIKey: geminiKey, BaseURL: "generativelanguage.googleapis.com"})
	require.ErrorContains(t, err, "not an absolute URL")

	srv := providertest.NewGemini(t)
	for _, base := range []string{srv.URL(), srv.URL() + "/", srv.URL() + "/v1beta/openai", srv.URL() + "/v1beta/openai/"} {
		c, err := llm.NewGemini(llm.GeminiConfig{APIKey: geminiKey, BaseURL: base})
		require.NoError(t, err)
		_, err = c.Complete(context.Background(), ballotRequest(t))
		require.NoError(t, err, base)
	}
	for _, r := range srv.Requests() {
		require.Equal(t, "/v1beta/openai/chat/completions", r.Path)
	}
}

// A call cut off by its context is Gemini's, and counts as a call only if
// it left.
func TestGeminiCancelledCallNamesGemini(t *testing.T) {
	srv := providertest.NewGemini(t)
	srv.Script(openaitest.Any, providertest.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newClient(t, srv).Complete(ctx, ballotRequest(t))
	var e *llm.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "gemini", e.Provider)
	require.Equal(t, llm.Transient, e.Kind)
	require.Equal(t, 1, e.Usage.Calls)
}

// TestGeminiErrorBodies classifies Google's error bodies as the
// OpenAI-compatible endpoint writes them — a JSON array of one error, or
// the bare object — including the cases where status alone would mislead.
func TestGeminiErrorBodies(t *testing.T) {
	array := func(body string) string { return "[" + body + "]\n" }
	rateLimited := `{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}`
	depleted := `{"error":{"code":429,"message":"Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.","status":"RESOURCE_EXHAUSTED"}}`
	badKey := `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`
	cases := []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		kind     llm.Kind
		code     string
		wait     time.Duration
		contains string
	}{
		{name: "429 with RetryInfo is a rate limit with its wait", status: 429, body: array(rateLimited),
			kind: llm.RateLimited, code: "RESOURCE_EXHAUSTED", wait: 17 * time.Second, contains: "exceeded your current quota"},
		{name: "429 with RetryInfo, bare object", status: 429, body: rateLimited,
			kind: llm.RateLimited, code: "RESOURCE_EXHAUSTED", wait: 17 * time.Second},
		{name: "stock quota message without RetryInfo is still a rate limit", status: 429,
			body: array(`{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED"}}`),
			kind: llm.RateLimited, code: "RESOURCE_EXHAUSTED"},
		{name: "retry-after is read when RetryInfo is absent", status: 429, header: map[string]string{"retry-after": "3"},
			body: array(`{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`),
			kind: llm.RateLimited, code: "RESOURCE_EXHAUSTED", wait: 3 * time.Second},
		{name: "depleted credits are quota", status: 429, body: array(depleted),
			kind: llm.Quota, code: "RESOURCE_EXHAUSTED", contains: "out of credit"},
		{name: "depleted credits are quota, bare object", status: 429, body: depleted,
			kind: llm.Quota, code: "RESOURCE_EXHAUSTED"},
		{name: "invalid key is auth though 400", status: 400, body: array(badKey),
			kind: llm.Auth, code: "INVALID_ARGUMENT API_KEY_INVALID", contains: "check GOOGLE_API_KEY"},
		{name: "invalid key is auth though 400, bare object", status: 400, body: badKey,
			kind: llm.Auth, code: "INVALID_ARGUMENT API_KEY_INVALID"},
		{name: "403 permission denied", status: 403,
			body: array(`{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`),
			kind: llm.Auth, code: "PERMISSION_DENIED"},
		{name: "400 unknown field", status: 400,
			body: array(`{"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"seed\": Cannot find field.","status":"INVALID_ARGUMENT"}}`),
			kind: llm.BadRequest, code: "INVALID_ARGUMENT", contains: `Unknown name "seed"`},
		{name: "400 user location is a bad request", status: 400,
			body: array(`{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}`),
			kind: llm.BadRequest, code: "FAILED_PRECONDITION"},
		{name: "503 overloaded", status: 503,
			body: array(`{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}`),
			kind: llm.Transient, code: "UNAVAILABLE"},
		{name: "502 from a proxy, not JSON", status: 502,
			body: "<html><body>502 Bad Gateway</body></html>", kind: llm.Transient, contains: "Bad Gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := llm.NewGemini(llm.GeminiConfig{APIKey: geminiKey, BaseURL: srv.URL})
			require.NoError(t, err)
			_, err = c.Complete(context.Background(), ballotRequest(t))
			var e *llm.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.kind, e.Kind, "error: %v", err)
			require.Equal(t, "gemini", e.Provider)
			require.Equal(t, tc.status, e.Status)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, tc.wait, e.RetryAfter)
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, 1, e.Usage.Calls)
			require.False(t, strings.Contains(err.Error(), geminiKey[4:]), "no key in %v", err)
		})
	}
}
