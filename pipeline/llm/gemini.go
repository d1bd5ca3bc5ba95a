package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/generative-ai-go/genai"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/googleai"
	"google.golang.org/api/option"
)

// GeminiConfig configures a Google Gemini client. APIKey is required.
type GeminiConfig struct {
	APIKey string
	// BaseURL is the API root; empty means
	// https://generativelanguage.googleapis.com.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout, since Retry bounds each attempt.
	HTTPClient *http.Client
}

// NewGemini returns a client for the Gemini API through langchaingo,
// which sends a conversation of more than one message to
// POST /v1beta/models/{model}:streamGenerateContent and a single message
// to :generateContent. It
// asks for a JSON answer (response MIME type application/json) and sends
// the request's schema as an instruction in its last message, since
// langchaingo passes no response schema. Gemini through langchaingo takes
// no seed. Close the client when done.
func NewGemini(cfg GeminiConfig) (*LangChain, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("gemini client: no API key")
	}
	// Given an HTTP client, Google's transport sends no key of its own.
	hc := httpClient(cfg.HTTPClient, func(h http.Header) {
		if h.Get("x-goog-api-key") == "" {
			h.Set("x-goog-api-key", cfg.APIKey)
		}
	})
	g := &geminiModels{cfg: cfg, hc: hc, byName: map[string]*googleai.GoogleAI{}}
	return &LangChain{
		provider: "gemini",
		key:      cfg.APIKey,
		dialect:  geminiDialect{},
		model:    g.model,
		close:    g.close,
	}, nil
}

// geminiModels keeps one langchaingo client per model name: a client
// records the last model it was asked for, unguarded, so clients shared
// between models would race.
type geminiModels struct {
	cfg GeminiConfig
	hc  *http.Client

	mu     sync.Mutex
	byName map[string]*googleai.GoogleAI
}

func (g *geminiModels) model(name string) (llms.Model, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.byName[name]; ok {
		return m, nil
	}
	opts := []googleai.Option{
		googleai.WithAPIKey(g.cfg.APIKey),
		googleai.WithHTTPClient(g.hc),
		googleai.WithDefaultModel(name),
	}
	if g.cfg.BaseURL != "" {
		base := strings.TrimRight(g.cfg.BaseURL, "/")
		opts = append(opts, func(o *googleai.Options) {
			o.ClientOptions = append(o.ClientOptions, option.WithEndpoint(base))
		})
	}
	m, err := googleai.New(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("gemini client: %w", err)
	}
	g.byName[name] = m
	return m, nil
}

func (g *geminiModels) close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var errs []error
	for name, m := range g.byName {
		errs = append(errs, m.Close())
		delete(g.byName, name)
	}
	return errors.Join(errs...)
}

type geminiDialect struct{}

func (geminiDialect) options(Request) []llms.CallOption {
	return []llms.CallOption{llms.WithJSONMode()}
}

// answer reads the first candidate. Token counts come from the last
// usageMetadata of the body: Google's Go client (generative-ai-go v0.15)
// keeps the first chunk's of a stream, which langchaingo passes on as
// input_tokens and output_tokens, and the first chunk counts no output.
func (geminiDialect) answer(resp *llms.ContentResponse, raw []byte) Response {
	var out Response
	if len(resp.Choices) > 0 {
		ch := resp.Choices[0]
		out.Content = ch.Content
		out.FinishReason = finishOf(ch.StopReason)
		out.Usage.PromptTokens = infoInt(ch.GenerationInfo, "input_tokens")
		out.Usage.CompletionTokens = infoInt(ch.GenerationInfo, "output_tokens")
	}
	var b geminiBody
	if json.Unmarshal(lastObject(raw), &b) == nil {
		out.Model = b.ModelVersion
		if u := b.UsageMetadata; u.PromptTokenCount > 0 || u.CandidatesTokenCount > 0 || u.ThoughtsTokenCount > 0 {
			out.Usage = b.usage()
		}
	}
	return out
}

// geminiBody is the part of a generateContent answer (or of the last
// chunk of a stream) that jury reads itself.
type geminiBody struct {
	ModelVersion string `json:"modelVersion"`
	Candidates   []struct {
		// FinishReason is a name ("MAX_TOKENS"), or its number (2) when
		// the client asked for enums as numbers.
		FinishReason json.RawMessage `json:"finishReason"`
	} `json:"candidates"`
	UsageMetadata struct {
		PromptTokenCount     int `json:"promptTokenCount"`
		CandidatesTokenCount int `json:"candidatesTokenCount"`
		// ThoughtsTokenCount is what a thinking model spent reasoning:
		// billed as output, spent from the same maxOutputTokens, and not
		// part of candidatesTokenCount.
		ThoughtsTokenCount int `json:"thoughtsTokenCount"`
	} `json:"usageMetadata"`
}

// usage counts the body's tokens, thoughts as completion tokens.
func (b geminiBody) usage() Usage {
	u := b.UsageMetadata
	return Usage{PromptTokens: u.PromptTokenCount, CompletionTokens: u.CandidatesTokenCount + u.ThoughtsTokenCount,
		ReasoningTokens: u.ThoughtsTokenCount}
}

// unreadable turns a blocked answer (finish reason SAFETY or RECITATION,
// or a blocked prompt), which the Gemini client returns as an error, into
// a refusal, and an answer without candidates into an empty one: the
// caller re-asks both.
func (geminiDialect) unreadable(err error, raw []byte) (Response, bool) {
	var b geminiBody
	if json.Unmarshal(lastObject(raw), &b) != nil {
		return Response{}, false
	}
	out := Response{Model: b.ModelVersion, FinishReason: FinishStop, Usage: b.usage()}
	if len(b.Candidates) > 0 {
		// A thinking model can spend the whole budget before writing a
		// word: MAX_TOKENS with no content is a cut-off answer.
		if r := string(b.Candidates[0].FinishReason); r == "2" || r == `"MAX_TOKENS"` {
			out.FinishReason = FinishLength
		}
	}
	var blocked *genai.BlockedError
	switch {
	case errors.As(err, &blocked):
		out.Refusal = "the answer was " + blocked.Error()
	case errors.Is(err, googleai.ErrNoContentInResponse):
	default:
		return Response{}, false
	}
	return out, true
}

// geminiError is Google's error body:
// {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}.
type geminiError struct {
	Error struct {
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type       string `json:"@type"`
			Reason     string `json:"reason"`     // google.rpc.ErrorInfo
			RetryDelay string `json:"retryDelay"` // google.rpc.RetryInfo
		} `json:"details"`
	} `json:"error"`
}

// failure reads Google's error body: 429 RESOURCE_EXHAUSTED is
// RateLimited, with the wait its RetryInfo names — or Quota when it names
// none and says the billing is exhausted (the stock "check your plan and
// billing details" advice alone does not); 400 API_KEY_INVALID and 403
// PERMISSION_DENIED are Auth; other 4xx BadRequest; 5xx Transient.
func (geminiDialect) failure(status int, h http.Header, body []byte) *Error {
	var eb geminiError
	_ = json.Unmarshal(body, &eb) // a body that is not JSON is described by status
	e := &Error{Code: eb.Error.Status, Message: eb.Error.Message, Kind: ClassifyStatus(status, "")}
	for _, d := range eb.Error.Details {
		if d.Reason != "" {
			e.Code = strings.TrimSpace(e.Code + " " + d.Reason)
		}
		if d.RetryDelay != "" {
			if w, err := time.ParseDuration(d.RetryDelay); err == nil && w > 0 {
				e.RetryAfter = w
			}
		}
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = retryAfter(h)
	}
	switch {
	case strings.Contains(e.Code, "API_KEY_INVALID") || strings.Contains(e.Message, "API key not valid") ||
		strings.Contains(e.Code, "API_KEY_SERVICE_BLOCKED"):
		e.Kind = Auth
	case status == http.StatusTooManyRequests && e.RetryAfter == 0 && geminiBillingExhausted(e.Message):
		e.Kind = Quota
	}
	return e
}

// geminiBillingExhausted reports whether a 429's message says the account
// can pay for no more calls, rather than that a per-minute limit is hit.
func geminiBillingExhausted(msg string) bool {
	m := strings.ToLower(msg)
	m = strings.ReplaceAll(m, "please check your plan and billing details", "")
	for _, s := range []string{"credits are depleted", "prepayment", "billing", "spending cap", "spend cap"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// rateLimit: Gemini sends no rate-limit headers.
func (geminiDialect) rateLimit(http.Header) RateLimit { return RateLimit{} }
