package llm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
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
	// OmitSeed never sends a request's seed: for servers that refuse the
	// field (a 422 naming "seed").
	OmitSeed bool
	// ResponseFormat is how the answer's schema is sent: ResponseJSONSchema
	// (the default, strict Structured Outputs) or ResponseJSONObject (JSON
	// mode, with the schema in the last message, as for Anthropic and
	// Ollama). A server that refuses json_schema makes the client fall
	// back to json_object on its own, once, with a line in the log.
	ResponseFormat string
	// Logger receives the fallback's line; nil discards it.
	Logger *slog.Logger
}

// The values of OpenAIConfig.ResponseFormat.
const (
	ResponseJSONSchema = "json_schema"
	ResponseJSONObject = "json_object"
)

// OpenAI is a Model speaking the OpenAI chat completions protocol through
// go-openai. It does not retry; wrap it in Retry. Safe for concurrent use.
type OpenAI struct {
	client   *openai.Client
	key      string
	omitSeed bool
	// baseURL and http send what go-openai cannot stream (the Batch
	// API's uploads).
	baseURL string
	http    *http.Client
	logger  *slog.Logger
	// jsonObject is set once the schema goes in the prompt instead of
	// response_format: by configuration, or after the server refused
	// json_schema.
	jsonObject atomic.Bool
	fellBack   sync.Once
}

// NewOpenAI returns a client for any OpenAI-compatible endpoint.
func NewOpenAI(cfg OpenAIConfig) *OpenAI {
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: pooledTransport}
	}
	// go-openai drops the headers of a failed response; capture them so
	// that retry-after can be honoured.
	oc.HTTPClient = headerCapture{next: hc}
	c := &OpenAI{client: openai.NewClientWithConfig(oc), key: cfg.APIKey, omitSeed: cfg.OmitSeed, baseURL: oc.BaseURL, http: hc,
		logger: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))}
	c.jsonObject.Store(cfg.ResponseFormat == ResponseJSONObject)
	return c
}

// pooledTransport is http.DefaultTransport keeping enough idle
// connections to one host for a batch's calls in flight. The default
// keeps two: a batch of 64 occupations opened a new connection (against
// a real provider, a TLS handshake) for seven calls in ten.
var pooledTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 512, 512
	return t
}()

type slotKey struct{}

// headerSlot receives what the transport saw of one request: whether it
// was written to the wire, and the response's headers.
type headerSlot struct {
	wrote    atomic.Bool // set from the transport's writer goroutine
	header   http.Header
	tooLarge bool // the answer passed MaxAnswerBytes
}

// headerCapture is an openai.HTTPDoer that copies each response's headers
// into the slot its request's context carries, and hands go-openai every
// chat completion body normalised (normalizeCompletion).
type headerCapture struct{ next openai.HTTPDoer }

func (d headerCapture) Do(req *http.Request) (*http.Response, error) {
	s, ok := req.Context().Value(slotKey{}).(*headerSlot)
	if !ok {
		return d.next.Do(req)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { s.wrote.Store(info.Err == nil) },
	}))
	resp, err := d.next.Do(req)
	if resp == nil {
		return resp, err
	}
	s.wrote.Store(true)
	s.header = resp.Header.Clone()
	if err != nil {
		return resp, err
	}
	if resp.StatusCode/100 != 2 {
		// go-openai reads an error body whole: only its start names the
		// problem.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, maxErrorBytes), resp.Body}
		return resp, nil
	}
	if !strings.HasSuffix(req.URL.Path, "/chat/completions") {
		return resp, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes+1))
	resp.Body.Close()
	if len(body) > MaxAnswerBytes {
		s.tooLarge = true
		return nil, ErrAnswerTooLarge
	}
	if rerr != nil {
		// A body cut off mid-way stays cut off for go-openai.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	status, body := normalizeCompletion(resp.StatusCode, body)
	if status != resp.StatusCode {
		resp.StatusCode, resp.Status = status, fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// Complete sends one chat completion request: one HTTP request, no retry
// — or two, counted, when the server refuses response_format json_schema
// and the client falls back to json_object.
func (c *OpenAI) Complete(ctx context.Context, req Request) (Response, error) {
	if err := c.check(req); err != nil {
		return Response{}, err
	}
	jsonObject := c.jsonObject.Load()
	resp, err := c.send(ctx, req)
	if err == nil || jsonObject || !c.refusesJSONSchema(err) {
		return resp, err
	}
	c.fellBack.Do(func() {
		c.logger.Warn("the server refuses response_format json_schema: sending json_object with the schema in the prompt from now on",
			"call", req.Meta.String(), "error", err.Error())
	})
	c.jsonObject.Store(true)
	resp, err = c.send(ctx, req)
	spent := resp.Usage
	if err != nil {
		spent = UsageOf(err)
	}
	spent.Calls++
	if err != nil {
		var e *Error
		errors.As(err, &e)
		out := *e
		out.Usage = spent
		return Response{}, &out
	}
	resp.Usage = spent
	return resp, nil
}

// send sends one HTTP request.
func (c *OpenAI) send(ctx context.Context, req Request) (Response, error) {
	slot := &headerSlot{}
	ctx = context.WithValue(ctx, slotKey{}, slot)
	resp, err := c.client.CreateChatCompletion(ctx, c.request(req))
	if err != nil {
		if slot.tooLarge {
			return Response{}, tooLarge("openai", req)
		}
		if ctx.Err() != nil {
			// Cancelled: the call cost something only if it left.
			return Response{}, &Error{Kind: Transient, Provider: "openai", Message: ctx.Err().Error(),
				Usage: Usage{Calls: boolInt(slot.wrote.Load())}, Err: ctx.Err()}
		}
		return Response{}, c.classify(err, slot.header)
	}
	out := answerOf(fromOpenAI(resp), c.key)
	out.RateLimit = parseRateLimit(slot.header)
	return out, nil
}

// refusesJSONSchema reports whether err is a server refusing strict
// Structured Outputs as such ("This response_format type is unavailable
// now", "json_schema is not supported", "'response_format.type' must be
// 'json_object' or 'text'"): a 4xx naming response_format or json_schema
// and saying it is not offered. A schema the server finds invalid is not
// that: it is jury's to fix, and stays a BadRequest.
func (c *OpenAI) refusesJSONSchema(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Kind != BadRequest {
		return false
	}
	m := strings.ToLower(e.Code + " " + e.Message)
	if !strings.Contains(m, "response_format") && !strings.Contains(m, "json_schema") && !strings.Contains(m, "response format") {
		return false
	}
	for _, sign := range []string{"unavailable", "not available", "not supported", "unsupported", "must be", "only supports", "not allowed", "is not one of"} {
		if strings.Contains(m, sign) {
			return true
		}
	}
	return false
}

// MaxEnumValues is the most enum values Structured Outputs accept in one
// schema, counting every enum of it (for a ballot: one per task and one
// per label).
const MaxEnumValues = 1000

// check refuses, before any call, a request the server would refuse for
// its size: a strict schema over MaxEnumValues.
func (c *OpenAI) check(req Request) error {
	if req.Schema == nil || c.jsonObject.Load() {
		return nil
	}
	if n := EnumValues(req.Schema.JSON); n > MaxEnumValues {
		return &Error{Kind: Rejected, Provider: "openai", Code: "too_many_enum_values",
			Message: fmt.Sprintf("the %s schema of %s has %d enum values (every task ID and label counts), more than the %d Structured Outputs accept; nothing was sent",
				req.Schema.Name, cmp.Or(req.Meta.Occupation, "this request"), n, MaxEnumValues)}
	}
	return nil
}

// EnumValues counts the values of every "enum" in a JSON schema.
func EnumValues(schema json.RawMessage) int {
	var v any
	if json.Unmarshal(schema, &v) != nil {
		return 0
	}
	var count func(v any) int
	count = func(v any) int {
		n := 0
		switch t := v.(type) {
		case map[string]any:
			for k, sub := range t {
				if list, ok := sub.([]any); ok && k == "enum" {
					n += len(list)
					continue
				}
				n += count(sub)
			}
		case []any:
			for _, sub := range t {
				n += count(sub)
			}
		}
		return n
	}
	return count(v)
}

// fromOpenAI reads the first choice and the usage of a chat completion.
func fromOpenAI(resp openai.ChatCompletionResponse) Response {
	out := Response{
		Model: resp.Model,
		Usage: Usage{Calls: 1, PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens},
	}
	if d := resp.Usage.PromptTokensDetails; d != nil {
		out.Usage.CachedTokens = d.CachedTokens
	}
	if d := resp.Usage.CompletionTokensDetails; d != nil {
		out.Usage.ReasoningTokens = d.ReasoningTokens
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

// request is the wire form of req, as the client's settings shape it.
func (c *OpenAI) request(req Request) openai.ChatCompletionRequest {
	r := toOpenAI(req)
	if c.omitSeed {
		r.Seed = nil
	}
	if req.Schema != nil && c.jsonObject.Load() && len(r.Messages) > 0 {
		r.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		last := &r.Messages[len(r.Messages)-1]
		last.Content += "\n\n" + SchemaInstruction(*req.Schema)
	}
	return r
}

func toOpenAI(req Request) openai.ChatCompletionRequest {
	r := openai.ChatCompletionRequest{
		Model:               req.Model,
		Temperature:         float32(req.Temperature),
		Seed:                req.Seed,
		MaxCompletionTokens: cmp.Or(req.MaxTokens, DefaultMaxTokens),
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
		if p := ptrString(apiErr.Param); p != "" && !strings.Contains(e.Message, p) {
			e.Message += " (param " + p + ")"
		}
		e.Kind = Classify(e.Status, e.Code+" "+apiErr.Type, e.Message)
	case errors.As(err, &reqErr):
		e.Status = reqErr.HTTPStatusCode
		e.Message = fmt.Sprintf("%s (body: %s)", http.StatusText(e.Status), bodyExcerpt(reqErr.Body))
		e.Kind = Classify(e.Status, "", string(reqErr.Body))
	default:
		// A transport failure, or a 200 whose body is not JSON: both are
		// worth another attempt.
		e.Kind = Transient
		e.Message = Excerpt(err.Error(), 200)
	}
	e.Message = Redact(e.Message, c.key)
	e.Err = redactedError{msg: Redact(err.Error(), c.key), err: err}
	e.RetryAfter = retryAfter(h)
	if e.Kind == RateLimited && e.RetryAfter == 0 {
		e.RetryAfter = resetWait(h)
	}
	return e
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// bodyExcerpt is the part of an error body an error line keeps: the body
// on one line, long enough to name what the server refused (a field such
// as "seed" deep in a validation error), cut after maxBody characters.
func bodyExcerpt(body []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, body) == nil {
		body = b.Bytes()
	}
	return Excerpt(string(body), maxBody)
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

// resetWait is the wait a 429 without retry-after names in
// x-ratelimit-reset-requests / -tokens (Go durations: "6.5s", "1m30s",
// "20ms"): the reset of each limit that has nothing remaining, or the
// longest reset when no remaining count says which.
func resetWait(h http.Header) time.Duration {
	var named, exhausted time.Duration
	for _, kind := range []string{"requests", "tokens"} {
		d, err := time.ParseDuration(h.Get("x-ratelimit-reset-" + kind))
		if err != nil || d <= 0 {
			continue
		}
		named = max(named, d)
		if h.Get("x-ratelimit-remaining-"+kind) == "0" {
			exhausted = max(exhausted, d)
		}
	}
	return cmp.Or(exhausted, named)
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
