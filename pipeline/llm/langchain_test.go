package llm_test

import (
	"context"
	"encoding/json"
	"errors"
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

// fault is a failure every provider can answer with, each in its own way.
type fault string

const (
	rateLimit   fault = "rate limit, retry after 1 s"
	quota       fault = "quota"
	serverError fault = "server error"
	overloaded  fault = "overloaded"
	badAuth     fault = "auth"
	badRequest  fault = "bad request"
)

// endpoint is one provider's client and its test server.
type endpoint struct {
	client llm.Model
	// script makes the next request fail with f.
	script func(f fault)
	count  func() int
}

// wireProvider starts a provider's test server and a client on it.
type wireProvider struct {
	name  string
	start func(t *testing.T) endpoint
}

var providerFaults = map[fault]providertest.Fault{
	rateLimit:   providertest.RateLimit(1),
	quota:       providertest.Quota,
	serverError: providertest.ServerError,
	overloaded:  providertest.Overloaded,
	badAuth:     providertest.BadAuth,
	badRequest:  providertest.BadRequest,
}

func wireProviders() []wireProvider {
	openaiFaults := map[fault]openaitest.Fault{
		rateLimit:   openaitest.RateLimit("1"),
		quota:       openaitest.Quota,
		serverError: openaitest.ServerError,
		overloaded:  openaitest.Unavailable,
		badAuth:     openaitest.BadAuth,
		badRequest:  openaitest.BadRequest,
	}
	provider := func(p providertest.Protocol) wireProvider {
		return wireProvider{name: string(p), start: func(t *testing.T) endpoint {
			srv := providertest.New(t, p)
			return endpoint{
				client: newClient(t, srv),
				script: func(f fault) { srv.Script(openaitest.Any, providerFaults[f]) },
				count:  srv.Count,
			}
		}}
	}
	return []wireProvider{
		{name: "openai", start: func(t *testing.T) endpoint {
			srv := openaitest.New(t)
			return endpoint{
				client: llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}),
				script: func(f fault) { srv.Script(openaitest.Any, openaiFaults[f]) },
				count:  srv.Count,
			}
		}},
		provider(providertest.Anthropic),
		provider(providertest.Gemini),
		provider(providertest.Ollama),
	}
}

// Keys in the shapes the providers issue, so that redaction is tested on
// the real thing.
const (
	anthropicKey = "sk-ant-api03-canary0123456789abcdefghijKLMNOP"
	geminiKey    = "AIzaSyCanary0123456789abcdefghijKLMNOP"
	ollamaKey    = "ollama-canary-0123456789abcdefghij"
)

// providerProtocols are the providers with a providertest server: the
// langchaingo clients (Anthropic, Ollama) and Gemini's OpenAI-compatible
// client.
var providerProtocols = []providertest.Protocol{providertest.Anthropic, providertest.Gemini, providertest.Ollama}

// newClient returns the client for srv's protocol.
func newClient(t *testing.T, srv *providertest.Server) llm.Model {
	t.Helper()
	var c llm.Model
	var err error
	switch srv.Protocol() {
	case providertest.Anthropic:
		c, err = llm.NewAnthropic(llm.AnthropicConfig{APIKey: anthropicKey, BaseURL: srv.URL()})
	case providertest.Gemini:
		c, err = llm.NewGemini(llm.GeminiConfig{APIKey: geminiKey, BaseURL: srv.URL()})
	case providertest.Ollama:
		c, err = llm.NewOllama(llm.OllamaConfig{APIKey: ollamaKey, BaseURL: srv.URL()})
	}
	require.NoError(t, err)
	return c
}

// TestProvidersClassifyFaultsAlike is the contract that lets Retry, Limit
// and the command line ignore which provider answered: the same failure
// is the same Kind, whatever the status and body each provider uses for
// it, and Retry spends the same requests and waits on it.
func TestProvidersClassifyFaultsAlike(t *testing.T) {
	cases := []struct {
		fault fault
		kind  llm.Kind
		// status is each provider's HTTP status for the fault.
		status map[string]int
		// Through Retry: requests sent, total wait, and whether the call
		// then succeeds.
		calls int
		wait  time.Duration
		ok    bool
	}{
		{rateLimit, llm.RateLimited, map[string]int{"openai": 429, "anthropic": 429, "gemini": 429, "ollama": 429}, 2, time.Second, true},
		{quota, llm.Quota, map[string]int{"openai": 429, "anthropic": 400, "gemini": 429, "ollama": 429}, 1, 0, false},
		{serverError, llm.Transient, map[string]int{"openai": 500, "anthropic": 500, "gemini": 500, "ollama": 500}, 2, 500 * time.Millisecond, true},
		{overloaded, llm.Transient, map[string]int{"openai": 503, "anthropic": 529, "gemini": 503, "ollama": 503}, 2, 500 * time.Millisecond, true},
		{badAuth, llm.Auth, map[string]int{"openai": 401, "anthropic": 401, "gemini": 400, "ollama": 401}, 1, 0, false},
		{badRequest, llm.BadRequest, map[string]int{"openai": 400, "anthropic": 400, "gemini": 400, "ollama": 400}, 1, 0, false},
	}
	for _, p := range wireProviders() {
		for _, tc := range cases {
			t.Run(p.name+"/"+string(tc.fault), func(t *testing.T) {
				// One attempt: the kind, the status, one call spent.
				ep := p.start(t)
				ep.script(tc.fault)
				_, err := ep.client.Complete(context.Background(), ballotRequest(t))
				var e *llm.Error
				require.ErrorAs(t, err, &e)
				require.Equal(t, tc.kind, e.Kind, "error: %v", err)
				require.Equal(t, tc.status[p.name], e.Status, "error: %v", err)
				require.Equal(t, p.name, e.Provider)
				require.Equal(t, 1, e.Usage.Calls)
				require.Equal(t, 1, ep.count())

				// Through Retry: the same requests and waits for every provider.
				ep = p.start(t)
				ep.script(tc.fault)
				clock := &fakeClock{}
				model := llm.Retry(ep.client, llm.RetryPolicy{Sleep: clock.Sleep, Timeout: 5 * time.Second, Jitter: func() float64 { return 0 }})
				resp, err := model.Complete(context.Background(), ballotRequest(t))
				require.Equal(t, tc.calls, ep.count(), "requests the server saw")
				require.Equal(t, tc.wait, clock.total())
				if tc.ok {
					require.NoError(t, err)
					require.Equal(t, tc.calls, resp.Usage.Calls)
					require.Equal(t, tc.calls-1, resp.Usage.Retries)
					require.Positive(t, resp.Usage.PromptTokens)
				} else {
					require.Equal(t, tc.kind, llm.KindOf(err))
					require.Equal(t, tc.calls, llm.UsageOf(err).Calls)
				}
			})
		}
	}
}

// TestProviderFaults covers the faults beyond the shared table: each
// provider's own way of saying them.
func TestProviderFaults(t *testing.T) {
	cases := []struct {
		fault     providertest.Fault
		kind      llm.Kind
		status    map[providertest.Protocol]int
		wantWait  time.Duration
		wantInMsg string
	}{
		{fault: providertest.RateLimitNoWait, kind: llm.RateLimited,
			status: map[providertest.Protocol]int{providertest.Anthropic: 429, providertest.Gemini: 429, providertest.Ollama: 429}},
		{fault: providertest.RateLimit(17), kind: llm.RateLimited, wantWait: 17 * time.Second,
			status: map[providertest.Protocol]int{providertest.Anthropic: 429, providertest.Gemini: 429, providertest.Ollama: 429}},
		{fault: providertest.PermissionDenied, kind: llm.Auth,
			status: map[providertest.Protocol]int{providertest.Anthropic: 403, providertest.Gemini: 403, providertest.Ollama: 403}},
		{fault: providertest.ModelNotFound, kind: llm.BadRequest, wantInMsg: "claude-3-5-haiku-latest",
			status: map[providertest.Protocol]int{providertest.Anthropic: 404, providertest.Gemini: 404, providertest.Ollama: 404}},
		{fault: providertest.MalformedBody, kind: llm.Transient,
			status: map[providertest.Protocol]int{}},
		{fault: providertest.Reset, kind: llm.Transient,
			status: map[providertest.Protocol]int{}},
	}
	for _, p := range providerProtocols {
		for _, tc := range cases {
			t.Run(string(p)+"/"+tc.fault.String(), func(t *testing.T) {
				srv := providertest.New(t, p)
				srv.Script(openaitest.Any, tc.fault)
				req := ballotRequest(t)
				req.Model = "claude-3-5-haiku-latest"
				_, err := newClient(t, srv).Complete(context.Background(), req)
				var e *llm.Error
				require.ErrorAs(t, err, &e)
				require.Equal(t, tc.kind, e.Kind, "error: %v", err)
				require.Equal(t, tc.status[p], e.Status, "error: %v", err)
				require.Equal(t, tc.wantWait, e.RetryAfter)
				require.Equal(t, 1, e.Usage.Calls)
				require.Contains(t, err.Error(), tc.wantInMsg)
				require.Equal(t, 1, srv.Count())
			})
		}
	}
}

// A hanging provider is cut off by Retry's per-attempt timeout and asked
// again; the timed-out attempt counts as a call.
func TestProviderHangIsRetried(t *testing.T) {
	for _, p := range providerProtocols {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			srv.Script(openaitest.Any, providertest.Hang)
			model := llm.Retry(newClient(t, srv), llm.RetryPolicy{Sleep: (&fakeClock{}).Sleep, Timeout: 2 * time.Second})
			resp, err := model.Complete(context.Background(), ballotRequest(t))
			require.NoError(t, err)
			require.Equal(t, 2, srv.Count())
			require.Equal(t, 2, resp.Usage.Calls)
			require.Equal(t, 1, resp.Usage.Retries)
		})
	}
}

// No client library retries on its own (Google's deprecated Gemini client
// did, with a wait): one request per call, so that Retry alone decides.
func TestProviderLibraryDoesNotRetry(t *testing.T) {
	for _, p := range providerProtocols {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			srv.Script(openaitest.Any, providertest.Overloaded, providertest.Overloaded)
			start := time.Now()
			_, err := newClient(t, srv).Complete(context.Background(), ballotRequest(t))
			require.Equal(t, llm.Transient, llm.KindOf(err), "error: %v", err)
			require.Equal(t, 1, srv.Count())
			require.Less(t, time.Since(start), 500*time.Millisecond, "no wait inside the library")
		})
	}
}

// Each client fills Usage from the provider's own usage fields —
// Anthropic's usage.input_tokens/output_tokens, Gemini's
// usage.prompt_tokens/completion_tokens, Ollama's
// prompt_eval_count/eval_count — and reads the model that answered and
// the finish reason.
func TestProviderAnswers(t *testing.T) {
	for _, p := range providerProtocols {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			resp, err := newClient(t, srv).Complete(context.Background(), ballotRequest(t))
			require.NoError(t, err)
			rec := srv.Requests()[0]
			require.Positive(t, rec.PromptTokens)
			require.Positive(t, rec.CompletionTokens)
			require.Equal(t, llm.Usage{Calls: 1, PromptTokens: rec.PromptTokens, CompletionTokens: rec.CompletionTokens}, resp.Usage)
			require.Equal(t, llm.FinishStop, resp.FinishReason)
			require.Equal(t, "gpt-4o-mini", resp.Model)
			want, err := openaitest.SchemaAnswer(rec.Chat)
			require.NoError(t, err)
			require.Equal(t, want, resp.Content, "the same answer as over the OpenAI protocol")
			require.True(t, json.Valid([]byte(resp.Content)))
		})
	}
}

func TestProviderTruncatedIsFinishLength(t *testing.T) {
	for _, p := range providerProtocols {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			srv.Script(openaitest.Any, providertest.Truncated)
			resp, err := newClient(t, srv).Complete(context.Background(), ballotRequest(t))
			require.NoError(t, err)
			require.Equal(t, llm.FinishLength, resp.FinishReason)
			require.False(t, json.Valid([]byte(resp.Content)))
			require.Positive(t, resp.Usage.CompletionTokens)
		})
	}
}

// A refusal is an answer to re-ask, not a failure to retry: Anthropic's
// stop_reason refusal and Gemini's SAFETY block (finish reason
// content_filter) come back as Refusal, with what they cost.
func TestProviderRefusal(t *testing.T) {
	for _, p := range providerProtocols {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			srv.Script(openaitest.Any, providertest.Refusal)
			resp, err := newClient(t, srv).Complete(context.Background(), ballotRequest(t))
			require.NoError(t, err)
			require.Equal(t, 1, resp.Usage.Calls)
			require.Positive(t, resp.Usage.PromptTokens)
			if p == providertest.Ollama {
				require.Empty(t, resp.Refusal, "Ollama has no refusal field: the apology is the content")
				require.Contains(t, resp.Content, "sorry")
				return
			}
			require.NotEmpty(t, resp.Refusal)
			require.Empty(t, resp.Content)
			require.Equal(t, llm.FinishStop, resp.FinishReason)
		})
	}
}

// The request each langchaingo client sends: the schema as an instruction
// in the last message only, JSON mode where the provider has one, the
// sampling settings, and the credentials. (Gemini's: TestGeminiRequest.)
func TestLangChainRequests(t *testing.T) {
	seed := 7
	for _, p := range []providertest.Protocol{providertest.Anthropic, providertest.Ollama} {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			req := ballotRequest(t)
			req.Seed, req.MaxTokens, req.Temperature = &seed, 1500, 0
			_, err := newClient(t, srv).Complete(context.Background(), req)
			require.NoError(t, err)
			rec := srv.Requests()[0]
			body := string(rec.Body)

			require.Equal(t, 1, strings.Count(body, llm.SchemaPrompt), "the schema once, in the last message")
			require.Equal(t, "ballot", rec.Chat.SchemaName())
			require.JSONEq(t, string(req.Schema.JSON), string(rec.Chat.ResponseFormat.JSONSchema.Schema))
			require.Len(t, rec.Chat.Messages, len(req.Messages))
			for i, m := range req.Messages {
				require.Equal(t, m, llm.Message{Role: rec.Chat.Messages[i].Role, Content: rec.Chat.Messages[i].Content}, "message %d", i)
			}
			require.NotNil(t, rec.Chat.Temperature, "a zero temperature is sent")
			require.Zero(t, *rec.Chat.Temperature)
			require.Equal(t, 1500, rec.Chat.MaxTokens)

			switch p {
			case providertest.Anthropic:
				require.Equal(t, "/v1/messages", rec.Path)
				require.Equal(t, anthropicKey, rec.Header.Get("x-api-key"))
				require.Nil(t, rec.Chat.Seed, "Anthropic takes no seed")
			case providertest.Ollama:
				require.Equal(t, "/api/chat", rec.Path)
				require.Equal(t, "Bearer "+ollamaKey, rec.Header.Get("Authorization"))
				require.Contains(t, body, `"format":"json"`)
				require.NotNil(t, rec.Chat.Seed)
				require.Equal(t, seed, *rec.Chat.Seed)
			}
		})
	}
}

func TestProviderErrorsNeverShowTheKey(t *testing.T) {
	keys := map[providertest.Protocol]string{providertest.Anthropic: anthropicKey, providertest.Gemini: geminiKey, providertest.Ollama: ollamaKey}
	for _, p := range providerProtocols {
		for _, f := range []providertest.Fault{providertest.BadAuth, providertest.Reset} {
			t.Run(string(p)+"/"+f.String(), func(t *testing.T) {
				srv := providertest.New(t, p)
				srv.Script(openaitest.Any, f)
				_, err := newClient(t, srv).Complete(context.Background(), ballotRequest(t))
				require.Error(t, err)
				key := keys[p]
				for e := err; e != nil; e = errors.Unwrap(e) {
					require.NotContains(t, e.Error(), key[:12])
					require.NotContains(t, e.Error(), key[len(key)-8:])
				}
			})
		}
	}
}

func TestLangChainConfig(t *testing.T) {
	_, err := llm.NewAnthropic(llm.AnthropicConfig{})
	require.Error(t, err, "Anthropic needs a key")
	_, err = llm.NewOllama(llm.OllamaConfig{BaseURL: "localhost:11434"})
	require.ErrorContains(t, err, "not an absolute URL")

	// ANTHROPIC_BASE_URL names the root; a /v1 suffix works too.
	srv := providertest.NewAnthropic(t)
	for _, base := range []string{srv.URL(), srv.URL() + "/", srv.URL() + "/v1"} {
		c, err := llm.NewAnthropic(llm.AnthropicConfig{APIKey: anthropicKey, BaseURL: base})
		require.NoError(t, err)
		_, err = c.Complete(context.Background(), ballotRequest(t))
		require.NoError(t, err, base)
	}
}

// Clients are safe for concurrent use: jurors share them.
func TestProviderConcurrentCalls(t *testing.T) {
	for _, p := range providerProtocols {
		t.Run(string(p), func(t *testing.T) {
			srv := providertest.New(t, p)
			srv.Script(openaitest.Any, providertest.ServerError, providertest.OK, providertest.Overloaded)
			c := newClient(t, srv)
			errs := make(chan error, 8)
			for i := range 8 {
				go func() {
					req := ballotRequest(t)
					if i%2 == 1 {
						req.Model = "other-model"
					}
					_, err := c.Complete(context.Background(), req)
					errs <- err
				}()
			}
			failed := 0
			for range 8 {
				if err := <-errs; err != nil {
					require.Equal(t, llm.Transient, llm.KindOf(err))
					failed++
				}
			}
			require.Equal(t, 2, failed)
			require.Equal(t, 8, srv.Count())
		})
	}
}

// TestLangChainErrorBodies classifies error responses as Anthropic and
// Ollama write them, including the cases where status alone would
// mislead. (Gemini's: TestGeminiErrorBodies.)
func TestLangChainErrorBodies(t *testing.T) {
	soon := time.Now().Add(30 * time.Second).UTC().Format(time.RFC3339)
	cases := []struct {
		name     string
		proto    providertest.Protocol
		status   int
		header   map[string]string
		body     string
		kind     llm.Kind
		code     string
		wait     time.Duration // checked to the second
		contains string
	}{
		{name: "anthropic 429 without retry-after waits for the exhausted limit's reset", proto: providertest.Anthropic, status: 429,
			header: map[string]string{"anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": soon,
				"anthropic-ratelimit-requests-remaining": "7", "anthropic-ratelimit-requests-reset": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
			body: `{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your organization's rate limit of 40,000 input tokens per minute."}}`,
			kind: llm.RateLimited, code: "rate_limit_error", wait: 30 * time.Second},
		{name: "anthropic retry-after wins over resets", proto: providertest.Anthropic, status: 429,
			header: map[string]string{"retry-after": "3", "anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": soon},
			body:   `{"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}`,
			kind:   llm.RateLimited, code: "rate_limit_error", wait: 3 * time.Second},
		{name: "anthropic 529 overloaded", proto: providertest.Anthropic, status: 529,
			body: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, kind: llm.Transient, code: "overloaded_error"},
		{name: "anthropic credit balance is quota", proto: providertest.Anthropic, status: 400,
			body: `{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}`,
			kind: llm.Quota, code: "invalid_request_error", contains: "credit balance"},
		{name: "anthropic 413 request_too_large", proto: providertest.Anthropic, status: 413,
			body: `{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}`, kind: llm.Rejected, code: "request_too_large"},
		{name: "anthropic 502 from a proxy, not JSON", proto: providertest.Anthropic, status: 502,
			body: "<html><body>502 Bad Gateway</body></html>", kind: llm.Transient, contains: "Bad Gateway"},
		{name: "ollama 404 model not found", proto: providertest.Ollama, status: 404,
			body: `{"error":"model \"llama3.2\" not found, try pulling it first"}`, kind: llm.BadRequest, contains: "try pulling it first"},
		{name: "ollama 500", proto: providertest.Ollama, status: 500,
			body: `{"error":"llama runner process has terminated: exit status 2"}`, kind: llm.Transient},
		{name: "ollama session usage limit is quota", proto: providertest.Ollama, status: 429,
			body: `{"error":"you (jury) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade"}`, kind: llm.Quota, code: "usage_limit"},
		{name: "ollama 429 with retry-after", proto: providertest.Ollama, status: 429, header: map[string]string{"retry-after": "2"},
			body: `{"error":"too many requests"}`, kind: llm.RateLimited, wait: 2 * time.Second},
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
			var c *llm.LangChain
			var err error
			switch tc.proto {
			case providertest.Anthropic:
				c, err = llm.NewAnthropic(llm.AnthropicConfig{APIKey: anthropicKey, BaseURL: srv.URL})
			case providertest.Ollama:
				c, err = llm.NewOllama(llm.OllamaConfig{BaseURL: srv.URL})
			}
			require.NoError(t, err)
			_, err = c.Complete(context.Background(), ballotRequest(t))
			var e *llm.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.kind, e.Kind, "error: %v", err)
			require.Equal(t, tc.status, e.Status)
			require.Equal(t, tc.code, e.Code)
			if tc.wait == 0 {
				require.Zero(t, e.RetryAfter)
			} else {
				// Resets are times: the wait is counted from now.
				require.InDelta(t, tc.wait.Seconds(), e.RetryAfter.Seconds(), 1.5, "wait %v", e.RetryAfter)
			}
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, 1, e.Usage.Calls)
		})
	}
}
