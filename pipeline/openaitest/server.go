// Package openaitest provides an in-process server that speaks the OpenAI
// chat completions protocol the way the real API does — status codes,
// retry-after headers, error bodies, usage fields — for tests of every
// model path. By default it answers each request with a valid answer built
// from the request's JSON schema; scripted faults replace chosen answers.
package openaitest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onet-jury/jury/prompts"
)

// Server is a fake OpenAI endpoint. Point a client at URL()+"/v1" (or set
// OPENAI_BASE_URL to it). It is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []Request
	script   Script[Fault]
	answer   Answerer
	latency  func() time.Duration
	hang     chan struct{}
	bucket   *rateBucket
	limited  int
	batchAPI batchAPI
	waiters  []arrivalWaiter
	cache    promptCache

	cachedTokens, promptTokens int

	// noJSONSchema refuses response_format json_schema (WithoutJSONSchema).
	noJSONSchema bool
	// light keeps no request's body (WithoutBodies).
	light bool
}

// Request is one request the server received, in arrival order.
type Request struct {
	// N is the request's 1-based arrival number; At its arrival time.
	N      int
	At     time.Time
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Chat   ChatRequest
	// Fault is what the server did instead of answering, or "" if it answered.
	Fault Fault
}

// ChatRequest is the part of a chat completion request the server reads.
type ChatRequest struct {
	Model          string          `json:"model"`
	Messages       []ChatMessage   `json:"messages"`
	Temperature    *float64        `json:"temperature"`
	Seed           *int            `json:"seed"`
	MaxTokens      int             `json:"max_completion_tokens"`
	ResponseFormat *ResponseFormat `json:"response_format"`
}

// ChatMessage is one message of a ChatRequest.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ResponseFormat is a request's response_format.
type ResponseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict bool            `json:"strict"`
	} `json:"json_schema"`
}

// SchemaName returns the name of the request's JSON schema, or "".
func (c ChatRequest) SchemaName() string {
	if c.ResponseFormat == nil || c.ResponseFormat.JSONSchema == nil {
		return ""
	}
	return c.ResponseFormat.JSONSchema.Name
}

// Last returns the content of the request's last message.
func (c ChatRequest) Last() string {
	if len(c.Messages) == 0 {
		return ""
	}
	return c.Messages[len(c.Messages)-1].Content
}

// Answerer writes the content of a successful answer to a chat request.
type Answerer func(req ChatRequest) (string, error)

// Option configures a Server.
type Option func(*Server)

// WithAnswerer replaces the default schema-driven answers.
func WithAnswerer(a Answerer) Option { return func(s *Server) { s.answer = a } }

// WithLatency delays every response by the duration f returns.
func WithLatency(f func() time.Duration) Option { return func(s *Server) { s.latency = f } }

// WithoutBodies keeps of each request only its number, arrival time,
// method, path and fault, not its headers and body, and forgets a Batch
// API input file once its batch has run: for benchmarks of tens of
// thousands of requests, whose bodies would otherwise fill the memory of
// the process that measures. Requests then returns records without Body,
// Header or Chat.
func WithoutBodies() Option { return func(s *Server) { s.light = true } }

// New starts a server and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	s := Start(opts...)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a server outside a test (benchmarks, tools); the caller
// must Close it.
func Start(opts ...Option) *Server {
	s := &Server{answer: SchemaAnswer, hang: make(chan struct{}), cache: promptCache{}}
	for _, o := range opts { // WithoutPromptCache sets cache to nil
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// WithRateLimit enforces a hard limit of rpm requests a minute, as a
// token bucket holding one second of requests: a request beyond it gets a
// 429 rate_limit_exceeded with retry-after and retry-after-ms naming the
// wait for the next token.
func WithRateLimit(rpm int) Option {
	return func(s *Server) {
		rate := float64(rpm) / 60
		s.bucket = &rateBucket{rate: rate, capacity: math.Max(1, rate), level: math.Max(1, rate), at: time.Now(), rpm: rpm}
	}
}

// WithWindowLimit enforces rpm requests a minute the way providers
// quantize it: at most rpm/60 in each one-second window (fixed windows
// from the server's start). A request beyond it gets a 429
// rate_limit_exceeded whose retry-after names the window's end; every
// answer sends x-ratelimit-limit-requests: rpm, with the window's
// remaining requests and reset.
func WithWindowLimit(rpm int) Option {
	return func(s *Server) {
		s.bucket = &rateBucket{window: true, rpm: rpm, perWindow: max(1, rpm/60), at: time.Now()}
	}
}

// rateBucket is the server's request limit: a token bucket, or fixed
// one-second windows.
type rateBucket struct {
	rate, capacity, level float64
	at                    time.Time

	window    bool
	rpm       int
	perWindow int
	start     time.Time // of the current window
	used      int
}

// take reports whether a request may pass now, the tokens left, and the
// wait for the next token if not.
func (b *rateBucket) take(now time.Time) (bool, int, time.Duration) {
	if b.window {
		if b.start.IsZero() || now.Sub(b.start) >= time.Second {
			b.start = b.at.Add(now.Sub(b.at).Truncate(time.Second))
			b.used = 0
		}
		end := b.start.Add(time.Second).Sub(now)
		if b.used >= b.perWindow {
			return false, 0, end
		}
		b.used++
		return true, b.perWindow - b.used, 0
	}
	b.level = math.Min(b.capacity, b.level+now.Sub(b.at).Seconds()*b.rate)
	b.at = now
	if b.level >= 1 {
		b.level--
		return true, int(b.level), 0
	}
	return false, 0, time.Duration((1 - b.level) / b.rate * float64(time.Second))
}

// RateLimited returns how many requests the rate limit turned away.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// InProcess returns an HTTP client that hands every request straight to
// the server's handler, with no connection in between: for a client inside
// a testing/synctest bubble, whose fake clock moves only once every
// goroutine waits on something of the bubble's own (a connection would
// keep it still). Faults that cut connections need the network client.
func (s *Server) InProcess() *http.Client { return &http.Client{Transport: inProcess{s}} }

type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if r.Body == nil {
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	t.s.serve(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// RateLimitedAfter returns how many requests arrived in all, and, of
// those that arrived after the first one plus d, how many there were and
// how many the rate limit turned away: a storm's share once it has
// settled.
func (s *Server) RateLimitedAfter(d time.Duration) (total, after, limited int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return 0, 0, 0
	}
	from := s.requests[0].At.Add(d)
	for _, r := range s.requests {
		if r.At.Before(from) {
			continue
		}
		after++
		if r.Fault.Name == "429 rate limit" {
			limited++
		}
	}
	return len(s.requests), after, limited
}

// URL returns the API base URL to give a client, ending in /v1.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close releases hanging requests and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.hang:
	default:
		close(s.hang)
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Requests returns a copy of the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Count returns how many requests the server received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Matcher selects the requests a scripted fault applies to.
type Matcher func(ChatRequest) bool

// Any matches every request.
func Any(ChatRequest) bool { return true }

// Juror matches the ballot requests of the persona with the given display
// name ("The Diplomat"), including its re-asks.
func Juror(name string) Matcher { return seat("ballot", name) }

// Statement matches the round-2 statement requests of the persona with
// the given display name ("The Diplomat"), including their re-asks.
func Statement(name string) Matcher { return seat("statement", name) }

// seat matches the requests of one schema that a message addresses to
// the persona with the given display name.
func seat(schema, name string) Matcher {
	return func(c ChatRequest) bool {
		if c.SchemaName() != schema {
			return false
		}
		for _, m := range c.Messages {
			if strings.Contains(m.Content, "You sit on this panel as "+name+".") {
				return true
			}
		}
		return false
	}
}

// Foreperson matches the foreperson's requests.
func Foreperson(c ChatRequest) bool { return c.SchemaName() == "verdict_note" }

// Script queues faults for the requests match selects: the first matching
// request gets faults[0], the next faults[1], and so on; OK lets one pass.
// Queues are consulted in the order they were added.
func (s *Server) Script(match Matcher, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script.Add(match, faults...)
}

// ByRequest sets the fault of requests no script claims from the request
// and its attempt; see Script.ByRequest.
func (s *Server) ByRequest(f func(c ChatRequest, attempt int) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script.ByRequest(f)
}

// Arrived returns a channel closed once n requests have arrived, so that a
// test can act after the fact (cancel, say) instead of after a guessed
// delay.
func (s *Server) Arrived(n int) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if len(s.requests) >= n {
		close(ch)
		return ch
	}
	s.waiters = append(s.waiters, arrivalWaiter{n: n, ch: ch})
	return ch
}

// arrivalWaiter is one Arrived call waiting for its n-th request.
type arrivalWaiter struct {
	n  int
	ch chan struct{}
}

// Every sets a fault for requests no script claims, by arrival number.
func (s *Server) Every(f func(n int) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script.Every(f)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var chat ChatRequest
	s.mu.Lock()
	n := len(s.requests) + 1
	rec := Request{N: n, At: time.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	decodeErr := json.Unmarshal(body, &chat)
	refused := s.refusal(chat) // on the wire format, before the schema comes out of the prompt
	if chat.ResponseFormat != nil && chat.ResponseFormat.Type == "json_object" {
		chat = SchemaFromPrompt(chat)
	}
	rec.Chat = chat
	fault := OK
	if r.URL.Path == "/v1/chat/completions" && decodeErr == nil {
		fault = s.script.Pick(n, chat)
	}
	var limitedFor time.Duration
	lh := limitHeaders{limit: 10000, remaining: -1, reset: 6 * time.Millisecond}
	if s.bucket != nil {
		lh.limit = s.bucket.rpm
	}
	if s.bucket != nil && fault == OK {
		now := time.Now()
		ok, left, wait := s.bucket.take(now)
		lh.remaining = left
		if s.bucket.window {
			lh.reset = s.bucket.start.Add(time.Second).Sub(now)
		}
		if !ok {
			s.limited++
			limitedFor = wait
			fault = Fault{Name: "429 rate limit"}
		}
	}
	rec.Fault = fault
	if s.light {
		rec.Header, rec.Body, rec.Chat = nil, nil, ChatRequest{}
	}
	s.requests = append(s.requests, rec)
	waiting := s.waiters[:0]
	for _, wt := range s.waiters {
		if len(s.requests) >= wt.n {
			close(wt.ch)
		} else {
			waiting = append(waiting, wt)
		}
	}
	s.waiters = waiting
	latency, hang := s.latency, s.hang
	s.mu.Unlock()

	if strings.HasPrefix(r.URL.Path, "/v1/files") || strings.HasPrefix(r.URL.Path, "/v1/batches") {
		s.serveBatchAPI(w, r, body)
		return
	}

	if latency != nil {
		select {
		case <-time.After(latency()):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost:
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
		return
	case r.Header.Get("Authorization") == "" || r.Header.Get("Authorization") == "Bearer ":
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "missing_api_key", "You didn't provide an API key.")
		return
	case decodeErr != nil:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	if limitedFor > 0 {
		secs := math.Ceil(limitedFor.Seconds()*1000) / 1000
		w.Header().Set("retry-after", strconv.FormatFloat(secs, 'f', -1, 64))
		w.Header().Set("retry-after-ms", strconv.FormatInt(limitedFor.Milliseconds()+1, 10))
		w.Header().Set("x-ratelimit-limit-requests", strconv.Itoa(lh.limit))
		w.Header().Set("x-ratelimit-remaining-requests", "0")
		writeError(w, http.StatusTooManyRequests, "requests", "rate_limit_exceeded", "Rate limit reached for requests per min (RPM).")
		return
	}
	if refused != nil && fault.raw == nil {
		refused.Write(w, nil)
		return
	}
	if fault.raw != nil {
		fault.raw.Write(w, func() (string, error) { return s.answer(chat) })
		return
	}
	if fault.apply(w, r, hang) {
		return
	}
	content, err := s.answer(chat)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	content, finish, refusal := fault.mangle(content)
	s.mu.Lock()
	lh.cached = s.cache.cached(chat)
	s.cachedTokens += lh.cached
	s.promptTokens += promptTokens(chat)
	s.mu.Unlock()
	writeCompletion(w, chat, n, content, refusal, finish, lh)
	// Served: its prefixes are in the cache for the requests after it.
	s.mu.Lock()
	s.cache.store(chat)
	s.mu.Unlock()
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req_test")
	w.WriteHeader(status)
	var c any
	if code != "" {
		c = code
	}
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": c,
	}})
}

// limitHeaders are the x-ratelimit-*-requests headers of an answer;
// remaining -1 counts down from the limit by arrival.
// cached is the prompt tokens served from the prompt cache.
type limitHeaders struct {
	limit, remaining int
	reset            time.Duration
	cached           int
}

func writeCompletion(w http.ResponseWriter, c ChatRequest, n int, content, refusal, finish string, lh limitHeaders) {
	prompt := promptTokens(c)
	msg := map[string]any{"role": "assistant", "content": content, "refusal": nil}
	if refusal != "" {
		msg["content"], msg["refusal"] = nil, refusal
	}
	resp := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-test%06d", n),
		"object":  "chat.completion",
		"created": 1767225600,
		"model":   c.Model + "-2026-01-01",
		"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish}},
		"usage": map[string]any{
			"prompt_tokens": prompt, "completion_tokens": tokens(content + refusal),
			"total_tokens":          prompt + tokens(content+refusal),
			"prompt_tokens_details": map[string]any{"cached_tokens": lh.cached},
		},
		"system_fingerprint": "fp_test",
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-request-id", fmt.Sprintf("req_%06d", n))
	h.Set("openai-processing-ms", "12")
	h.Set("x-ratelimit-limit-requests", strconv.Itoa(lh.limit))
	if lh.remaining < 0 {
		lh.remaining = max(0, lh.limit-n)
	}
	h.Set("x-ratelimit-remaining-requests", strconv.Itoa(lh.remaining))
	h.Set("x-ratelimit-reset-requests", lh.reset.String())
	// A tokens limit that leaves the requests limit the binding one.
	tpm := max(2000000, lh.limit*10000)
	h.Set("x-ratelimit-limit-tokens", strconv.Itoa(tpm))
	h.Set("x-ratelimit-remaining-tokens", strconv.Itoa(tpm-1000))
	h.Set("x-ratelimit-reset-tokens", "0.523s")
	json.NewEncoder(w).Encode(resp)
}

// tokens approximates a token count the way providers' rule of thumb does:
// four characters a token.
func tokens(s string) int { return (len(s) + 3) / 4 }

// IsReask reports whether c sends a model the problems of its last answer
// (prompts' re-ask message), rather than asking afresh.
func (c ChatRequest) IsReask() bool {
	first, _, _ := strings.Cut(prompts.Default().Reask(nil).Content, "\n")
	return strings.HasPrefix(c.Last(), first)
}

// Uniform maps its parts to a stable number in [0, 1): a reproducible
// draw for fault plans derived from the request (Script.ByRequest).
func Uniform(parts ...string) float64 { return hash01(parts...) }

// Key identifies a chat request by everything that shapes its answer, so
// that a retry of the same request has the same key.
func (c ChatRequest) Key() string {
	data, _ := json.Marshal(c)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// hash01 maps a string to a stable number in [0, 1).
func hash01(parts ...string) float64 {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// Occupation matches the requests about the occupation with the given
// O*NET-SOC code.
func Occupation(code string) Matcher {
	return func(c ChatRequest) bool {
		return len(c.Messages) > 1 && strings.Contains(c.Messages[1].Content, "(O*NET-SOC "+code+")")
	}
}

// And matches the requests every matcher matches.
func And(ms ...Matcher) Matcher {
	return func(c ChatRequest) bool {
		for _, m := range ms {
			if !m(c) {
				return false
			}
		}
		return true
	}
}
