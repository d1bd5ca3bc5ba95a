package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// GeminiEndpoint is the Gemini API's OpenAI-compatible base URL, the one
// NewGemini talks to when its config names none.
const GeminiEndpoint = "https://generativelanguage.googleapis.com" + geminiCompatPath

// geminiCompatPath is the OpenAI-compatible endpoint's path under the
// API root.
const geminiCompatPath = "/v1beta/openai"

// GeminiConfig configures a Google Gemini client. APIKey is required.
type GeminiConfig struct {
	APIKey string
	// BaseURL is either the API root, such as
	// https://generativelanguage.googleapis.com, to which /v1beta/openai
	// is added, or a full OpenAI-compatible base URL with a path of its
	// own (a gateway's). Empty means GeminiEndpoint.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout, since Retry bounds each attempt.
	HTTPClient *http.Client
}

// Gemini is a Model speaking to Google's Gemini API through its
// OpenAI-compatible chat completions endpoint
// (POST {GeminiEndpoint}/chat/completions, the key as a bearer token) on
// the go-openai client that OpenAI uses. The request's schema is sent as
// response_format json_schema, which Gemini turns into its own
// responseJsonSchema: the answer is held to the schema, not merely asked
// for it in the prompt. It does not retry; wrap it in Retry. Safe for
// concurrent use; the zero value is not usable, call NewGemini.
//
// Why this endpoint rather than Google's maintained Go SDK,
// google.golang.org/genai: jury sends one chat request and reads one
// answer, its usage and its finish reason, which the endpoint serves in
// full, schema included. On go-openai, already linked for OpenAI, it
// costs no module at all, while genai brings Google's auth stack and,
// through it, gRPC: a program that only opens a genai (v1.77) client
// links 402 packages, more than all of jury now does. The deprecated
// github.com/google/generative-ai-go this replaces, with
// cloud.google.com/go/vertexai, cost jury 268 linked packages and 21 MB
// of binary. What the endpoint does differently is handled here, in one
// place: it rejects a seed (so none is sent), names a rate limit's wait
// in its body (RetryInfo) rather than in retry-after, writes errors in
// Google's shape — often as a JSON array of one — which go-openai cannot
// read, and reports a blocked answer as finish reason content_filter.
type Gemini struct {
	client *OpenAI
	key    string
}

// NewGemini returns a client for the Gemini API's OpenAI-compatible
// endpoint. It fails without a key or with a base URL that is not
// absolute.
func NewGemini(cfg GeminiConfig) (*Gemini, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("gemini client: no API key")
	}
	base, err := geminiBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	}
	next := hc.Transport
	if next == nil {
		next = pooledTransport
	}
	hc.Transport = geminiTransport{next: next}
	return &Gemini{client: NewOpenAI(OpenAIConfig{APIKey: cfg.APIKey, BaseURL: base, HTTPClient: hc}), key: cfg.APIKey}, nil
}

// geminiBase resolves a configured base URL: empty is GeminiEndpoint, a
// bare API root gets the endpoint's path, any other URL is used as given.
func geminiBase(base string) (string, error) {
	if base == "" {
		return GeminiEndpoint, nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("gemini client: base URL %q is not an absolute URL", base)
	}
	base = strings.TrimRight(base, "/")
	if strings.Trim(u.Path, "/") == "" {
		base += geminiCompatPath
	}
	return base, nil
}

// Provider returns "gemini".
func (g *Gemini) Provider() string { return "gemini" }

// Complete sends one chat completion request: one HTTP request, no retry.
func (g *Gemini) Complete(ctx context.Context, req Request) (Response, error) {
	// The endpoint answers a seed with 400 "Unknown name \"seed\"".
	req.Seed = nil
	failed := &geminiFailed{}
	resp, err := g.client.Complete(context.WithValue(ctx, geminiFailedKey{}, failed), req)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Response{}, err
		}
		e.Provider = "gemini"
		if status, h, body, ok := failed.get(); ok && e.Status == status {
			f := geminiFailure(status, h, body)
			e.Kind, e.Code, e.RetryAfter = f.Kind, f.Code, f.RetryAfter
			if f.Message != "" {
				e.Message = Redact(f.Message, g.key)
			}
		}
		return Response{}, e
	}
	if resp.FinishReason == "content_filter" {
		// A candidate blocked for safety or recitation: an answer to re-ask.
		resp.FinishReason = FinishStop
		if resp.Refusal == "" {
			resp.Refusal = "the answer was blocked (finish reason content_filter)"
		}
	}
	if resp.Model == "" {
		resp.Model = req.Model
	}
	return resp, nil
}

// geminiFailedKey is the context key of a call's *geminiFailed.
type geminiFailedKey struct{}

// geminiFailed is the error response of one call, as geminiTransport
// read it: go-openai keeps neither the body it cannot parse nor the
// fields of Google's error it does not know.
type geminiFailed struct {
	mu     sync.Mutex
	status int
	header http.Header
	body   []byte
}

func (f *geminiFailed) set(status int, h http.Header, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.header, f.body = status, h, body
}

func (f *geminiFailed) get() (int, http.Header, []byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, f.header, f.body, f.status != 0
}

// maxErrorBody bounds the part of an error body geminiTransport keeps; the
// rest, if any, is passed on unread.
const maxErrorBody = 1 << 20

// geminiTransport keeps the status, headers and body of an error response
// in the call's geminiFailed, and passes the body on unchanged.
type geminiTransport struct{ next http.RoundTripper }

// RoundTrip sends req and keeps its response if it is an error.
func (t geminiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	failed, ok := req.Context().Value(geminiFailedKey{}).(*geminiFailed)
	if err != nil || !ok || resp.StatusCode < 400 {
		return resp, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody)) // a cut body is classified by its status
	failed.set(resp.StatusCode, resp.Header.Clone(), body)
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	return resp, nil
}

// geminiError is Google's error body,
// {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}};
// the OpenAI-compatible endpoint often sends it as a JSON array of one.
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

// parseGeminiError reads an error body in either shape; a body that is
// neither leaves the result empty.
func parseGeminiError(body []byte) geminiError {
	var eb geminiError
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var list []geminiError
		if json.Unmarshal(body, &list) == nil && len(list) > 0 {
			eb = list[0]
		}
		return eb
	}
	_ = json.Unmarshal(body, &eb) // a body that is not JSON is described by status
	return eb
}

// geminiFailure classifies Google's error body: 429 RESOURCE_EXHAUSTED is
// RateLimited, with the wait its RetryInfo names — or Quota when it names
// none and says the billing is exhausted (the stock "check your plan and
// billing details" advice alone does not); 400 API_KEY_INVALID and 403
// PERMISSION_DENIED are Auth; other 4xx BadRequest; 5xx Transient.
func geminiFailure(status int, h http.Header, body []byte) *Error {
	eb := parseGeminiError(body)
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
	if e.Message == "" {
		e.Message = fmt.Sprintf("%s (body: %s)", http.StatusText(status), Excerpt(string(body), 80))
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
