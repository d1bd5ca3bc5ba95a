package llm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tmc/langchaingo/llms"
)

// LangChain is a Model speaking Anthropic's or Ollama's chat protocol
// through github.com/tmc/langchaingo; NewAnthropic and NewOllama make one.
// Like OpenAI it sends one HTTP request per call and does not retry: wrap
// it in Retry. Safe for concurrent use.
//
// langchaingo reports failures as strings, so every request goes through
// an http.RoundTripper that keeps the status, headers and body of its
// response; errors are classified from those, with the same Kinds as
// OpenAI's.
type LangChain struct {
	provider string
	key      string
	dialect  dialect
	model    llms.Model
}

// dialect is what differs between providers: the call options they
// accept, where their answers keep finish reason and usage, and how their
// error bodies read.
type dialect interface {
	// options returns the provider's call options beyond model,
	// temperature and max tokens.
	options(req Request) []llms.CallOption
	// answer reads a successful response; raw is the response body.
	answer(resp *llms.ContentResponse, raw []byte) Response
	// unreadable handles a 2xx the library returned an error for, such as
	// a blocked or empty answer; ok is false when it is not an answer.
	unreadable(err error, raw []byte) (resp Response, ok bool)
	// failure classifies an error response: Kind, Code, Message and
	// RetryAfter.
	failure(status int, h http.Header, body []byte) *Error
	// rateLimit reads what a successful response says of the limits.
	rateLimit(h http.Header) RateLimit
}

// Provider returns the name of the provider the client speaks to:
// "anthropic" or "ollama".
func (c *LangChain) Provider() string { return c.provider }

// DefaultMaxTokens bounds an answer when a request sets no MaxTokens
// (--max-tokens 0), on every client: Anthropic requires a bound,
// langchaingo's default for it (2,048) is tight for a foreperson's note on
// a long task list, and without one an OpenAI-compatible server may
// answer without end. The ballot of the largest occupation in the O*NET
// data (49-2022.00, 40 tasks) with every reason at its 120-character
// limit is 6,857 characters, about 1,700–2,300 tokens; 4,096 fits it, and
// the foreperson's note, with room for a thinking model's reasoning. A
// cut-off answer is re-asked with twice the budget.
const DefaultMaxTokens = 4096

// SchemaPrompt opens the instruction that carries a request's JSON schema
// to providers whose langchaingo client sends no schema (Anthropic,
// Ollama). It is followed by the
// schema's name in parentheses, a colon, a newline and the schema.
const SchemaPrompt = "Answer with one JSON object that follows this JSON schema"

// SchemaInstruction renders s as the instruction LangChain clients append
// to a request's last message, after a blank line: the answer is still
// validated and re-asked by the caller, so the prompt need only say what
// is wanted.
func SchemaInstruction(s Schema) string {
	return fmt.Sprintf("%s (%s):\n%s", SchemaPrompt, s.Name, bytes.TrimSpace(s.JSON))
}

// messages converts a request to langchaingo's form. The schema goes into
// the last message so that the messages before it — the rubric and the
// occupation, shared by every juror — stay a cacheable prefix.
func messages(req Request) ([]llms.MessageContent, error) {
	out := make([]llms.MessageContent, 0, len(req.Messages))
	for i, m := range req.Messages {
		var role llms.ChatMessageType
		switch m.Role {
		case "system":
			role = llms.ChatMessageTypeSystem
		case "user":
			role = llms.ChatMessageTypeHuman
		case "assistant":
			role = llms.ChatMessageTypeAI
		default:
			return nil, fmt.Errorf("message %d: role %q is not system, user or assistant", i+1, m.Role)
		}
		text := m.Content
		if req.Schema != nil && i == len(req.Messages)-1 {
			text += "\n\n" + SchemaInstruction(*req.Schema)
		}
		out = append(out, llms.TextParts(role, text))
	}
	if len(out) == 0 {
		return nil, errors.New("request has no messages")
	}
	return out, nil
}

// Complete sends one request: one HTTP request, no retry.
func (c *LangChain) Complete(ctx context.Context, req Request) (Response, error) {
	msgs, err := messages(req)
	if err == nil && req.Model == "" {
		// langchaingo would fill in a model of its own choosing.
		err = errors.New("request names no model")
	}
	if err != nil {
		return Response{}, &Error{Kind: BadRequest, Provider: c.provider, Message: err.Error(), Err: err}
	}
	opts := []llms.CallOption{
		llms.WithModel(req.Model),
		llms.WithTemperature(req.Temperature),
		llms.WithMaxTokens(cmp.Or(req.MaxTokens, DefaultMaxTokens)),
	}
	opts = append(opts, c.dialect.options(req)...)

	x := &exchange{}
	resp, err := c.model.GenerateContent(context.WithValue(ctx, exchangeKey{}, x), msgs, opts...)
	status, header, body, sent := x.result()
	switch {
	case x.tooLarge.Load():
		return Response{}, tooLarge(c.provider, req)
	case ctx.Err() != nil:
		// Cancelled: the call cost something only if it left.
		return Response{}, &Error{Kind: Transient, Provider: c.provider, Message: ctx.Err().Error(),
			Usage: Usage{Calls: boolInt(x.wrote.Load())}, Err: ctx.Err()}
	case err == nil && status/100 == 2:
		out := c.dialect.answer(resp, body)
		out.Model = cmp.Or(out.Model, req.Model)
		out.Usage.Calls = 1
		out.RateLimit = c.dialect.rateLimit(header)
		return answerOf(out, c.key), nil
	case err == nil:
		err = fmt.Errorf("answer without a response (HTTP %d)", status)
	case sent == 0:
		// The library refused the request before sending it.
		return Response{}, &Error{Kind: BadRequest, Provider: c.provider, Message: Redact(err.Error(), c.key), Err: c.redacted(err)}
	}
	if status/100 == 2 {
		if out, ok := c.dialect.unreadable(err, body); ok {
			out.Model = cmp.Or(out.Model, req.Model)
			out.Usage.Calls = 1
			return answerOf(out, c.key), nil
		}
	}
	return Response{}, c.classify(status, header, body, err)
}

// classify turns a failed call into an *Error: from the response when one
// came back, else as a transport failure worth another attempt.
func (c *LangChain) classify(status int, h http.Header, body []byte, err error) *Error {
	var e *Error
	if status >= 300 {
		e = c.dialect.failure(status, h, body)
		e.Status = status
		if e.Message == "" {
			e.Message = fmt.Sprintf("%s (body: %s)", http.StatusText(status), bodyExcerpt(body))
		}
		if e.Kind == BadRequest {
			e.Kind = Classify(status, e.Code, e.Message)
		}
	} else {
		// A reset, a refused connection, or a 2xx whose body did not
		// parse: like OpenAI's, worth another attempt.
		e = &Error{Kind: Transient, Message: Excerpt(strings.TrimPrefix(err.Error(), c.provider+": "), 200)}
	}
	e.Provider = c.provider
	e.Usage = Usage{Calls: 1}
	e.Message = Redact(e.Message, c.key)
	e.Err = c.redacted(err)
	return e
}

func (c *LangChain) redacted(err error) error {
	return redactedError{msg: Redact(err.Error(), c.key), err: err}
}

// exchangeKey is the context key of a call's *exchange.
type exchangeKey struct{}

// exchange is what the transport saw of one call's HTTP request. The
// transport fills it in RoundTrip, on the caller's goroutine, except for
// wrote, which the transport's writer goroutine may set.
type exchange struct {
	wrote    atomic.Bool
	tooLarge atomic.Bool // the answer passed MaxAnswerBytes

	mu     sync.Mutex
	sent   int
	status int
	header http.Header
	body   []byte
}

// begin counts a request.
func (x *exchange) begin() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sent++
}

func (x *exchange) record(status int, h http.Header, body []byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.status, x.header, x.body = status, h, body
}

func (x *exchange) result() (int, http.Header, []byte, int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.header, x.body, x.sent
}

// maxRecorded bounds the response body the transport reads: a body
// past it is not read on (see MaxAnswerBytes).
const maxRecorded = MaxAnswerBytes + 1

// recorder is the http.RoundTripper every LangChain request goes through:
// it adds credentials the library cannot send itself and keeps the
// response's status, headers and body in the call's exchange. It reads the body before returning, so that nothing
// is left to race with the library's reads.
type recorder struct {
	next http.RoundTripper
	// auth, when set, adds the credentials to a request's headers.
	auth func(h http.Header)
}

// httpClient returns a copy of hc (nil: a client with no overall timeout,
// since Retry bounds each attempt) whose transport records every request.
func httpClient(hc *http.Client, auth func(h http.Header)) *http.Client {
	out := &http.Client{}
	if hc != nil {
		*out = *hc
	}
	next := out.Transport
	if next == nil {
		next = pooledTransport
	}
	out.Transport = &recorder{next: next, auth: auth}
	return out
}

// RoundTrip sends req and records its response.
func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.auth != nil {
		req = req.Clone(req.Context())
		t.auth(req.Header)
	}
	x, ok := req.Context().Value(exchangeKey{}).(*exchange)
	if !ok {
		return t.next.RoundTrip(req)
	}
	x.begin()
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { x.wrote.Store(info.Err == nil) },
	}))
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	x.wrote.Store(true)
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxRecorded))
	x.record(resp.StatusCode, resp.Header.Clone(), body)
	var rest io.Reader = bytes.NewReader(body)
	switch {
	case rerr != nil:
		resp.Body.Close()
		rest = io.MultiReader(rest, errReader{rerr})
		resp.Body = io.NopCloser(rest)
	case len(body) == maxRecorded:
		// Too large to read on: the library gets no body, the call an
		// error naming it.
		resp.Body.Close()
		x.tooLarge.Store(true)
		x.record(resp.StatusCode, resp.Header.Clone(), nil)
		resp.Body = io.NopCloser(bytes.NewReader(nil))
	default:
		resp.Body.Close()
		resp.Body = io.NopCloser(rest)
	}
	return resp, nil
}

// errReader fails every read with err: a body cut off mid-way stays cut
// off for the library.
type errReader struct{ err error }

// Read returns the error.
func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// wire is what jury reads of a success body itself, where langchaingo
// does not pass it on: the model that answered and Ollama's done_reason.
type wire struct {
	Model      string `json:"model"`
	DoneReason string `json:"done_reason"`
}

// wireOf decodes the last JSON object of a success body.
func wireOf(body []byte) wire {
	var w wire
	_ = json.Unmarshal(lastObject(body), &w) // a body without these fields leaves them empty
	return w
}

// lastObject returns the last JSON object of a body: the whole body, or
// the final line of a stream of JSON lines (Ollama's).
func lastObject(body []byte) []byte {
	body = bytes.TrimSpace(body)
	if json.Valid(body) {
		return body
	}
	if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
		return body[i+1:]
	}
	return body
}

// finishOf maps a provider's finish reason to FinishStop or FinishLength:
// Anthropic "max_tokens", Ollama "length".
func finishOf(reason string) string {
	switch reason {
	case "max_tokens", "length":
		return FinishLength
	}
	return FinishStop
}

// infoInt reads a token count from a choice's GenerationInfo, whatever
// integer type the provider's client stored it as.
func infoInt(info map[string]any, key string) int {
	switch v := info[key].(type) {
	case int:
		return v
	case int32:
		return int(v)
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return 0
}

// parseRFC3339Wait returns how long until an RFC 3339 time, or 0.
func parseRFC3339Wait(v string) time.Duration {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return 0
	}
	return max(0, time.Until(t))
}
