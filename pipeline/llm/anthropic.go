package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
)

// AnthropicConfig configures an Anthropic client. APIKey is required.
type AnthropicConfig struct {
	APIKey string
	// BaseURL is the API root as ANTHROPIC_BASE_URL names it; empty means
	// https://api.anthropic.com. A trailing /v1 may be given or left out.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout, since Retry bounds each attempt.
	HTTPClient *http.Client
}

// NewAnthropic returns a client for Anthropic's Messages API
// (POST /v1/messages) through langchaingo. The request's schema is sent
// as an instruction in its last message: langchaingo (v0.1.14) has no way
// to send Anthropic's structured outputs (output_format json_schema).
// Anthropic takes no seed.
func NewAnthropic(cfg AnthropicConfig) (*LangChain, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = "https://api.anthropic.com"
	}
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	m, err := anthropic.New(
		anthropic.WithToken(cfg.APIKey),
		anthropic.WithBaseURL(base),
		anthropic.WithHTTPClient(httpClient(cfg.HTTPClient, nil)),
	)
	if err != nil {
		return nil, fmt.Errorf("anthropic client: %w", err)
	}
	return &LangChain{
		provider: "anthropic",
		key:      cfg.APIKey,
		dialect:  anthropicDialect{},
		model:    m,
	}, nil
}

type anthropicDialect struct{}

func (anthropicDialect) options(Request) []llms.CallOption { return nil }

// answer joins the text blocks (langchaingo makes one choice of each
// content block); usage counts every prompt token, cached or not.
func (anthropicDialect) answer(resp *llms.ContentResponse, raw []byte) Response {
	var out Response
	var b strings.Builder
	for i, ch := range resp.Choices {
		b.WriteString(ch.Content)
		if i == 0 {
			info := ch.GenerationInfo
			out.Usage.PromptTokens = infoInt(info, "InputTokens") + infoInt(info, "CacheCreationInputTokens") + infoInt(info, "CacheReadInputTokens")
			out.Usage.CompletionTokens = infoInt(info, "OutputTokens")
			out.FinishReason = finishOf(ch.StopReason)
			if ch.StopReason == "refusal" {
				out.Refusal = "the model declined to answer (stop_reason refusal)"
			}
		}
	}
	out.Content = b.String()
	out.Model = wireOf(raw).Model
	return out
}

// unreadable turns the answer langchaingo rejects as empty (no content
// blocks, as a refusal or a zero-length answer has) into an empty answer
// that the caller re-asks, keeping what it cost.
func (anthropicDialect) unreadable(_ error, raw []byte) (Response, bool) {
	var msg struct {
		Type       string            `json:"type"`
		Model      string            `json:"model"`
		Content    []json.RawMessage `json:"content"`
		StopReason string            `json:"stop_reason"`
		Usage      struct {
			InputTokens              int `json:"input_tokens"`
			OutputTokens             int `json:"output_tokens"`
			CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
			CacheReadInputTokens     int `json:"cache_read_input_tokens"`
		} `json:"usage"`
	}
	if json.Unmarshal(raw, &msg) != nil || msg.Type != "message" || len(msg.Content) > 0 {
		return Response{}, false
	}
	out := Response{Model: msg.Model, FinishReason: finishOf(msg.StopReason), Usage: Usage{
		PromptTokens:     msg.Usage.InputTokens + msg.Usage.CacheCreationInputTokens + msg.Usage.CacheReadInputTokens,
		CompletionTokens: msg.Usage.OutputTokens,
	}}
	if msg.StopReason == "refusal" {
		out.Refusal = "the model declined to answer (stop_reason refusal)"
	}
	return out, true
}

// failure reads Anthropic's error body,
// {"type":"error","error":{"type":"rate_limit_error","message":"…"}}:
// 429 rate_limit_error is RateLimited, 529 overloaded_error and 500
// api_error Transient, 401 authentication_error and 403 permission_error
// Auth, other 4xx BadRequest — except that a credit balance too low is
// Quota, whatever its status.
func (anthropicDialect) failure(status int, h http.Header, body []byte) *Error {
	var eb struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &eb) // a body that is not JSON is described by status
	e := &Error{Code: eb.Error.Type, Message: eb.Error.Message, Kind: ClassifyStatus(status, eb.Error.Type)}
	switch msg := strings.ToLower(eb.Error.Message); {
	case eb.Error.Type == "overloaded_error":
		e.Kind = Transient
	case strings.Contains(msg, "credit balance") || strings.Contains(msg, "billing"):
		e.Kind = Quota
	}
	e.RetryAfter = retryAfter(h)
	if e.RetryAfter == 0 && e.Kind == RateLimited {
		e.RetryAfter = anthropicReset(h)
	}
	return e
}

// anthropicLimits are the limits Anthropic reports in
// anthropic-ratelimit-<name>-{limit,remaining,reset} headers.
var anthropicLimits = []string{"requests", "tokens", "input-tokens", "output-tokens"}

// anthropicReset is the wait until the exhausted limits reset, read from
// the RFC 3339 anthropic-ratelimit-*-reset headers, when a 429 names no
// retry-after.
func anthropicReset(h http.Header) time.Duration {
	var wait time.Duration
	for _, name := range anthropicLimits {
		if h.Get("anthropic-ratelimit-"+name+"-remaining") != "0" {
			continue
		}
		wait = max(wait, parseRFC3339Wait(h.Get("anthropic-ratelimit-"+name+"-reset")))
	}
	return wait
}

// rateLimit reads the requests and tokens limits of a successful answer.
func (anthropicDialect) rateLimit(h http.Header) RateLimit {
	var rl RateLimit
	fields := []struct {
		name             string
		limit, remaining *int
		reset            *time.Duration
	}{
		{"requests", &rl.LimitRequests, &rl.RemainingRequests, &rl.ResetRequests},
		{"tokens", &rl.LimitTokens, &rl.RemainingTokens, &rl.ResetTokens},
	}
	for _, f := range fields {
		p := "anthropic-ratelimit-" + f.name + "-"
		if v, err := strconv.Atoi(h.Get(p + "limit")); err == nil {
			*f.limit, rl.Known = v, true
		}
		if v, err := strconv.Atoi(h.Get(p + "remaining")); err == nil {
			*f.remaining, rl.Known = v, true
		}
		if v := h.Get(p + "reset"); v != "" {
			*f.reset = parseRFC3339Wait(v)
		}
	}
	return rl
}
