package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAIConfig configures an OpenAI client. The zero value talks to
// api.openai.com with no key; the command line fills it from
// OPENAI_API_KEY and OPENAI_BASE_URL.
type OpenAIConfig struct {
	APIKey  string
	BaseURL string
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout, since Retry bounds each attempt.
	HTTPClient *http.Client
}

// OpenAI is a Model speaking the OpenAI chat completions protocol through
// go-openai. It does not retry; wrap it in Retry. Safe for concurrent use.
type OpenAI struct {
	client *openai.Client
	key    string
}

// NewOpenAI returns a client for any OpenAI-compatible endpoint.
func NewOpenAI(cfg OpenAIConfig) *OpenAI {
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	// go-openai drops the headers of a failed response; capture them so
	// that retry-after can be honoured.
	oc.HTTPClient = headerCapture{next: hc}
	return &OpenAI{client: openai.NewClientWithConfig(oc), key: cfg.APIKey}
}

type slotKey struct{}

// headerSlot receives what the transport saw of one request: whether it
// was written to the wire, and the response's headers.
type headerSlot struct {
	wrote  atomic.Bool // set from the transport's writer goroutine
	header http.Header
}

// headerCapture is an openai.HTTPDoer that copies each response's headers
// into the slot its request's context carries.
type headerCapture struct{ next openai.HTTPDoer }

func (d headerCapture) Do(req *http.Request) (*http.Response, error) {
	s, ok := req.Context().Value(slotKey{}).(*headerSlot)
	if !ok {
		return d.next.Do(req)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { s.wrote.Store(true) },
	}))
	resp, err := d.next.Do(req)
	if resp != nil {
		s.wrote.Store(true)
		s.header = resp.Header.Clone()
	}
	return resp, err
}

// Complete sends one chat completion request: one HTTP request, no retry.
func (c *OpenAI) Complete(ctx context.Context, req Request) (Response, error) {
	slot := &headerSlot{}
	ctx = context.WithValue(ctx, slotKey{}, slot)
	resp, err := c.client.CreateChatCompletion(ctx, toOpenAI(req))
	if err != nil {
		if ctx.Err() != nil {
			// Cancelled: the call cost something only if it left.
			return Response{}, &Error{Kind: Transient, Provider: "openai", Message: ctx.Err().Error(),
				Usage: Usage{Calls: boolInt(slot.wrote.Load())}, Err: ctx.Err()}
		}
		return Response{}, c.classify(err, slot.header)
	}
	out := c.redact(fromOpenAI(resp))
	out.RateLimit = parseRateLimit(slot.header)
	return out, nil
}

// redact removes the client's key, and anything that looks like a key,
// from what a model wrote: a model that repeats its credentials must not
// put them in a report, a recording or a log.
func (c *OpenAI) redact(r Response) Response {
	r.Content, r.Refusal = Redact(r.Content, c.key), Redact(r.Refusal, c.key)
	return r
}

// fromOpenAI reads the first choice and the usage of a chat completion.
func fromOpenAI(resp openai.ChatCompletionResponse) Response {
	out := Response{
		Model: resp.Model,
		Usage: Usage{Calls: 1, PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens},
	}
	if len(resp.Choices) > 0 {
		ch := resp.Choices[0]
		out.Content, out.Refusal, out.FinishReason = ch.Message.Content, ch.Message.Refusal, string(ch.FinishReason)
	}
	return out
}

// temperatureZero stands in for 0: go-openai omits a zero temperature, and
// the API would then use its default of 1.
const temperatureZero = math.SmallestNonzeroFloat32

func toOpenAI(req Request) openai.ChatCompletionRequest {
	r := openai.ChatCompletionRequest{
		Model:               req.Model,
		Temperature:         float32(req.Temperature),
		Seed:                req.Seed,
		MaxCompletionTokens: req.MaxTokens,
	}
	if r.Temperature == 0 {
		r.Temperature = temperatureZero
	}
	for _, m := range req.Messages {
		r.Messages = append(r.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	if req.Schema != nil {
		r.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: req.Schema.Name, Schema: req.Schema.JSON, Strict: true,
			},
		}
	}
	return r
}

// classify turns a go-openai error into an *Error with its kind and the
// wait the server asked for.
func (c *OpenAI) classify(err error, h http.Header) error {
	e := &Error{Provider: "openai", Usage: Usage{Calls: 1}, Err: err}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		e.Status, e.Message = apiErr.HTTPStatusCode, apiErr.Message
		e.Code = codeString(apiErr.Code)
		if e.Code == "" {
			e.Code = apiErr.Type
		}
		e.Kind = ClassifyStatus(e.Status, e.Code+" "+apiErr.Type)
	case errors.As(err, &reqErr):
		e.Status = reqErr.HTTPStatusCode
		e.Message = fmt.Sprintf("%s (body: %s)", http.StatusText(e.Status), oneLine(string(reqErr.Body), 80))
		e.Kind = ClassifyStatus(e.Status, "")
	default:
		// A transport failure, or a 200 whose body is not JSON: both are
		// worth another attempt.
		e.Kind = Transient
		e.Message = oneLine(err.Error(), 200)
	}
	e.Message = Redact(e.Message, c.key)
	e.Err = redactedError{msg: Redact(err.Error(), c.key), err: err}
	e.RetryAfter = retryAfter(h)
	return e
}

// redactedError keeps an error's chain for errors.Is while its message has
// secrets removed.
type redactedError struct {
	msg string
	err error
}

func (r redactedError) Error() string { return r.msg }
func (r redactedError) Unwrap() error { return r.err }

func codeString(code any) string {
	switch c := code.(type) {
	case string:
		return c
	case int:
		if c == 0 { // go-openai decodes "code": null as 0
			return ""
		}
		return strconv.Itoa(c)
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	case nil:
		return ""
	}
	data, _ := json.Marshal(code)
	return string(data)
}

// retryAfter reads the wait a server asks for: retry-after-ms
// (milliseconds), else retry-after (seconds or an HTTP date).
func retryAfter(h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := h.Get("retry-after"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
		}
	}
	return 0
}

// parseRateLimit reads x-ratelimit-* headers. Reset values are Go-style
// durations ("0.523s", "6m0s"), not integers.
func parseRateLimit(h http.Header) RateLimit {
	var rl RateLimit
	if h == nil {
		return rl
	}
	ints := []struct {
		name string
		dst  *int
	}{
		{"x-ratelimit-limit-requests", &rl.LimitRequests},
		{"x-ratelimit-limit-tokens", &rl.LimitTokens},
		{"x-ratelimit-remaining-requests", &rl.RemainingRequests},
		{"x-ratelimit-remaining-tokens", &rl.RemainingTokens},
	}
	for _, f := range ints {
		if v, err := strconv.Atoi(h.Get(f.name)); err == nil {
			*f.dst, rl.Known = v, true
		}
	}
	durs := []struct {
		name string
		dst  *time.Duration
	}{
		{"x-ratelimit-reset-requests", &rl.ResetRequests},
		{"x-ratelimit-reset-tokens", &rl.ResetTokens},
	}
	for _, f := range durs {
		if d, err := time.ParseDuration(h.Get(f.name)); err == nil {
			*f.dst, rl.Known = d, true
		}
	}
	return rl
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
