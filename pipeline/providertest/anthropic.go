package providertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// anthropicProtocol speaks the Messages API, POST /v1/messages.
type anthropicProtocol struct{}

// anthropicRequest is the part of a Messages request the server reads.
// Content and system may each be a string or a list of blocks.
type anthropicRequest struct {
	Model       string          `json:"model"`
	System      json.RawMessage `json:"system"`
	MaxTokens   int             `json:"max_tokens"`
	Temperature *float64        `json:"temperature"`
	Messages    []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

// anthropicText reads a string or the text of a list of content blocks.
func anthropicText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", errors.New("content: Input should be a valid list")
	}
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Type == "text" {
			b.WriteString(bl.Text)
		}
	}
	return b.String(), nil
}

func (anthropicProtocol) decode(r *http.Request, body []byte) (openaitest.ChatRequest, bool, error) {
	if r.URL.Path != "/v1/messages" || r.Method != http.MethodPost {
		return openaitest.ChatRequest{}, false, nil
	}
	var req anthropicRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return openaitest.ChatRequest{}, true, errors.New("The request body is not valid JSON: " + err.Error())
	}
	switch {
	case r.Header.Get("anthropic-version") == "":
		return openaitest.ChatRequest{}, true, errors.New("anthropic-version: header is required")
	case req.MaxTokens <= 0:
		return openaitest.ChatRequest{}, true, errors.New("max_tokens: Field required")
	case len(req.Messages) == 0:
		return openaitest.ChatRequest{}, true, errors.New("messages: at least one message is required")
	}
	var msgs []openaitest.ChatMessage
	system, err := anthropicText(req.System)
	if err != nil {
		return openaitest.ChatRequest{}, true, fmt.Errorf("system: %w", err)
	}
	if system != "" {
		msgs = append(msgs, openaitest.ChatMessage{Role: "system", Content: system})
	}
	for i, m := range req.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return openaitest.ChatRequest{}, true, fmt.Errorf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		text, err := anthropicText(m.Content)
		if err != nil {
			return openaitest.ChatRequest{}, true, fmt.Errorf("messages.%d.%w", i, err)
		}
		msgs = append(msgs, openaitest.ChatMessage{Role: m.Role, Content: text})
	}
	return chatRequest(req.Model, msgs, req.Temperature, nil, req.MaxTokens), true, nil
}

func (anthropicProtocol) authorized(r *http.Request) bool { return r.Header.Get("x-api-key") != "" }

// anthropicError writes Anthropic's error body.
func anthropicError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("request-id", "req_011test")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type":       "error",
		"error":      map[string]any{"type": typ, "message": msg},
		"request_id": "req_011test",
	})
}

func (anthropicProtocol) writeError(w http.ResponseWriter, r *http.Request, c openaitest.ChatRequest, f Fault) {
	switch f.kind {
	case kindRateLimit:
		h := w.Header()
		h.Set("anthropic-ratelimit-requests-limit", "50")
		h.Set("anthropic-ratelimit-requests-remaining", "0")
		if f.wait > 0 {
			h.Set("retry-after", strconv.Itoa(int(f.wait/time.Second)))
			h.Set("anthropic-ratelimit-requests-reset", time.Now().Add(f.wait).UTC().Format(time.RFC3339))
		}
		anthropicError(w, http.StatusTooManyRequests, "rate_limit_error",
			"This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.")
	case kindQuota:
		anthropicError(w, http.StatusBadRequest, "invalid_request_error",
			"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.")
	case kindOverloaded:
		anthropicError(w, 529, "overloaded_error", "Overloaded")
	case kindServerError:
		anthropicError(w, http.StatusInternalServerError, "api_error", "Internal server error")
	case kindBadAuth:
		anthropicError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
	case kindMissingKey:
		anthropicError(w, http.StatusUnauthorized, "authentication_error", "x-api-key header is required")
	case kindPermissionDenied:
		anthropicError(w, http.StatusForbidden, "permission_error", "Your API key does not have permission to use the specified resource.")
	case kindBadRequest:
		anthropicError(w, http.StatusBadRequest, "invalid_request_error",
			fmt.Sprintf("max_tokens: 100000 > 8192, which is the maximum allowed number of output tokens for %s", c.Model))
	case kindModelNotFound:
		anthropicError(w, http.StatusNotFound, "not_found_error", "model: "+c.Model)
	}
}

func (anthropicProtocol) writeAnswer(w http.ResponseWriter, r *http.Request, _ []byte, c openaitest.ChatRequest, n int, content, finish string) (int, int) {
	stop := map[string]string{"stop": "end_turn", "length": "max_tokens", "refusal": "refusal"}[finish]
	blocks := []any{}
	if content != "" {
		blocks = append(blocks, map[string]any{"type": "text", "text": content})
	}
	resp := map[string]any{
		"id":            fmt.Sprintf("msg_01test%06d", n),
		"type":          "message",
		"role":          "assistant",
		"model":         c.Model,
		"content":       blocks,
		"stop_reason":   stop,
		"stop_sequence": nil,
		"usage": map[string]any{
			"input_tokens":                promptTokens(c),
			"cache_creation_input_tokens": 0,
			"cache_read_input_tokens":     0,
			"output_tokens":               tokens(content),
			"service_tier":                "standard",
		},
	}
	h := w.Header()
	reset := time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	h.Set("Content-Type", "application/json")
	h.Set("request-id", fmt.Sprintf("req_011test%06d", n))
	h.Set("anthropic-organization-id", "00000000-0000-0000-0000-000000000000")
	h.Set("anthropic-ratelimit-requests-limit", "4000")
	h.Set("anthropic-ratelimit-requests-remaining", strconv.Itoa(max(0, 4000-n)))
	h.Set("anthropic-ratelimit-requests-reset", reset)
	h.Set("anthropic-ratelimit-tokens-limit", "400000")
	h.Set("anthropic-ratelimit-tokens-remaining", "399000")
	h.Set("anthropic-ratelimit-tokens-reset", reset)
	h.Set("anthropic-ratelimit-input-tokens-limit", "200000")
	h.Set("anthropic-ratelimit-input-tokens-remaining", "199000")
	h.Set("anthropic-ratelimit-input-tokens-reset", reset)
	h.Set("anthropic-ratelimit-output-tokens-limit", "200000")
	h.Set("anthropic-ratelimit-output-tokens-remaining", "200000")
	h.Set("anthropic-ratelimit-output-tokens-reset", reset)
	json.NewEncoder(w).Encode(resp)
	return promptTokens(c), tokens(content)
}

func (anthropicProtocol) writeNotFound(w http.ResponseWriter, r *http.Request) {
	anthropicError(w, http.StatusNotFound, "not_found_error", "Not Found")
}

func (anthropicProtocol) writeBadBody(w http.ResponseWriter, err error) {
	anthropicError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
}
