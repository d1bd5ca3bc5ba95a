// Package llm is jury's view of a language model: one small interface,
// Model, that takes a Request and returns a Response, the clients that
// implement it, and the wrappers (retry, and later cache, record, limit)
// that wrap any Model the way http.RoundTrippers wrap each other.
package llm

import (
	"context"
	"encoding/json"
	"time"
)

// Model answers one chat request. Implementations must be safe for
// concurrent use and must return promptly when ctx is done.
type Model interface {
	Complete(ctx context.Context, req Request) (Response, error)
}

// ModelFunc adapts a function to the Model interface.
type ModelFunc func(ctx context.Context, req Request) (Response, error)

// Complete calls f.
func (f ModelFunc) Complete(ctx context.Context, req Request) (Response, error) { return f(ctx, req) }

// OfflineModelName is the model name the offline juror answers as.
const OfflineModelName = "jury-offline"

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Schema is a JSON schema the answer must follow; clients send it as a
// strict Structured Outputs response format where the provider has one.
type Schema struct {
	Name string          `json:"name"`
	JSON json.RawMessage `json:"schema"`
}

// Request is everything that shapes a model's answer, plus Meta, which
// names the call in logs and errors and is never sent.
type Request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Schema      *Schema   `json:"schema,omitempty"`
	Temperature float64   `json:"temperature"`
	Seed        *int      `json:"seed,omitempty"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
	Meta        Meta      `json:"-"`
}

// Meta names a request for people: which occupation, which juror, why.
type Meta struct {
	Occupation string
	Juror      string
	Purpose    string
}

// String renders m as "29-2072.00 diplomat ballot" for logs and errors.
func (m Meta) String() string {
	s := m.Occupation
	for _, p := range []string{m.Juror, m.Purpose} {
		if p != "" {
			if s != "" {
				s += " "
			}
			s += p
		}
	}
	return s
}

// Finish reasons a Response may carry.
const (
	FinishStop   = "stop"
	FinishLength = "length"
)

// Response is a model's answer. Usage counts what it cost, retries
// included, so that a cached answer still says what it cost.
type Response struct {
	Content      string `json:"content"`
	Refusal      string `json:"refusal,omitempty"`
	FinishReason string `json:"finish_reason"`
	Model        string `json:"model"`
	Usage        Usage  `json:"usage"`
	// Date is the day the answer was given (YYYY-MM-DD, UTC), as a Store
	// records it with the exchange and gives it back on replay; empty for
	// an answer no Store saw.
	Date      string    `json:"date,omitempty"`
	RateLimit RateLimit `json:"-"`
}

// Usage is the cost of an answer: HTTP requests sent (Calls), how many of
// them were retries, and the tokens the provider counted.
// CompletionTokens include the reasoning tokens a thinking model spent
// (billed as output); ReasoningTokens says how many of them there were,
// where the provider reports it (OpenAI's
// completion_tokens_details.reasoning_tokens, Gemini's thoughtsTokenCount).
type Usage struct {
	Calls            int `json:"calls"`
	Retries          int `json:"retries"`
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	ReasoningTokens  int `json:"reasoning_tokens,omitempty"`
	// CachedTokens are the PromptTokens the provider served from its
	// prompt cache (OpenAI's prompt_tokens_details.cached_tokens), billed
	// at its cached rate.
	CachedTokens int `json:"cached_tokens,omitempty"`
}

// Add returns the sum of two usages.
func (u Usage) Add(o Usage) Usage {
	return Usage{
		Calls:            u.Calls + o.Calls,
		Retries:          u.Retries + o.Retries,
		PromptTokens:     u.PromptTokens + o.PromptTokens,
		CompletionTokens: u.CompletionTokens + o.CompletionTokens,
		ReasoningTokens:  u.ReasoningTokens + o.ReasoningTokens,
		CachedTokens:     u.CachedTokens + o.CachedTokens,
	}
}

// RateLimit is what the provider said of its limits on a successful answer
// (x-ratelimit-* headers); zero fields were not sent.
type RateLimit struct {
	LimitRequests     int
	LimitTokens       int
	RemainingRequests int
	RemainingTokens   int
	ResetRequests     time.Duration
	ResetTokens       time.Duration
	Known             bool
}
