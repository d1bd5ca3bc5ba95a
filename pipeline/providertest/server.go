// Package providertest provides in-process servers that speak the wire
// protocols of Anthropic's Messages API, the Gemini API's OpenAI-compatible
// chat completions and Ollama's chat API the way the real services do —
// status codes, error bodies, retry headers, usage fields — for tests of
// the Anthropic, Gemini and Ollama clients and of panels that mix
// providers. It is openaitest's sibling: each server turns a request back
// into an openaitest.ChatRequest (a schema instruction in the last
// message becomes its response format) and answers it with
// openaitest.SchemaAnswer, so that every provider gives the same valid,
// deterministic answers; scripted faults replace chosen answers.
package providertest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// Protocol names a provider's wire protocol.
type Protocol string

// The protocols a Server speaks.
const (
	// Anthropic is the Messages API: POST /v1/messages.
	Anthropic Protocol = "anthropic"
	// Gemini is the Gemini API's OpenAI-compatible endpoint:
	// POST /v1beta/openai/chat/completions, with Google's error bodies.
	Gemini Protocol = "gemini"
	// Ollama is Ollama's chat API: POST /api/chat.
	Ollama Protocol = "ollama"
)

// Server is a fake provider endpoint speaking one protocol. Point a
// client's base URL at URL(). It is safe for concurrent use.
type Server struct {
	proto protocol
	name  Protocol
	srv   *httptest.Server

	mu       sync.Mutex
	requests []Request
	script   openaitest.Script[Fault]
	answer   openaitest.Answerer
	latency  func() time.Duration
	hang     chan struct{}
}

// Request is one request the server received, in arrival order.
type Request struct {
	// N is the request's 1-based arrival number.
	N      int
	Method string
	Path   string
	// Query is the raw query string.
	Query  string
	Header http.Header
	Body   []byte
	// Chat is the request as the answer builder reads it: the messages in
	// OpenAI's shape (a system message first), with the schema instruction
	// taken out of the last message and put into ResponseFormat.
	Chat openaitest.ChatRequest
	// Fault is what the server did instead of answering, or OK.
	Fault Fault
	// PromptTokens and CompletionTokens are the usage the answer reported
	// in the protocol's own fields; zero when a fault replaced it.
	PromptTokens, CompletionTokens int
}

// Option configures a Server.
type Option func(*Server)

// WithAnswerer replaces the default schema-driven answers.
func WithAnswerer(a openaitest.Answerer) Option { return func(s *Server) { s.answer = a } }

// WithLatency delays every response by the duration f returns.
func WithLatency(f func() time.Duration) Option { return func(s *Server) { s.latency = f } }

// New starts a server speaking p and closes it when the test ends.
func New(tb testing.TB, p Protocol, opts ...Option) *Server {
	s := Start(p, opts...)
	tb.Cleanup(s.Close)
	return s
}

// NewAnthropic starts an Anthropic Messages server for the test.
func NewAnthropic(tb testing.TB, opts ...Option) *Server { return New(tb, Anthropic, opts...) }

// NewGemini starts a Gemini OpenAI-compatible server for the test.
func NewGemini(tb testing.TB, opts ...Option) *Server { return New(tb, Gemini, opts...) }

// NewOllama starts an Ollama chat server for the test.
func NewOllama(tb testing.TB, opts ...Option) *Server { return New(tb, Ollama, opts...) }

// Start starts a server outside a test (benchmarks, tools); the caller
// must Close it. It panics on an unknown protocol.
func Start(p Protocol, opts ...Option) *Server {
	s := &Server{name: p, answer: openaitest.SchemaAnswer, hang: make(chan struct{})}
	switch p {
	case Anthropic:
		s.proto = anthropicProtocol{}
	case Gemini:
		s.proto = geminiProtocol{}
	case Ollama:
		s.proto = ollamaProtocol{}
	default:
		panic(fmt.Sprintf("providertest: unknown protocol %q", p))
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Protocol returns the protocol the server speaks.
func (s *Server) Protocol() Protocol { return s.name }

// URL returns the base URL to give a client: the API root, as
// ANTHROPIC_BASE_URL, OLLAMA_HOST or Gemini's base_url in jury.yaml name
// it (the Gemini client adds /v1beta/openai).
func (s *Server) URL() string { return s.srv.URL }

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

// Script queues faults for the requests match selects (any
// openaitest.Matcher: Any, Juror, Foreperson, Occupation): the first
// matching request gets faults[0], the next faults[1], and so on; OK lets
// one pass. Queues are consulted in the order they were added.
func (s *Server) Script(match openaitest.Matcher, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script.Add(match, faults...)
}

// Every sets a fault for requests no script claims, by arrival number.
func (s *Server) Every(f func(n int) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script.Every(f)
}

// protocol is what differs between the wire protocols.
type protocol interface {
	// decode reads a request on the protocol's route; ok is false for any
	// other route, err describes a body the API would reject.
	decode(r *http.Request, body []byte) (chat openaitest.ChatRequest, ok bool, err error)
	// authorized reports whether the request carries credentials.
	authorized(r *http.Request) bool
	// writeError writes the protocol's error response for kind.
	writeError(w http.ResponseWriter, r *http.Request, c openaitest.ChatRequest, f Fault)
	// writeAnswer writes a successful answer; finish is "stop", "length"
	// or "refusal". It returns the token counts the answer reported.
	writeAnswer(w http.ResponseWriter, r *http.Request, body []byte, c openaitest.ChatRequest, n int, content, finish string) (prompt, completion int)
	// writeNotFound answers a request on an unknown route.
	writeNotFound(w http.ResponseWriter, r *http.Request)
	// writeBadBody answers a request whose body the API cannot read.
	writeBadBody(w http.ResponseWriter, err error)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	chat, routed, decodeErr := s.proto.decode(r, body)
	s.mu.Lock()
	n := len(s.requests) + 1
	rec := Request{N: n, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Chat: chat}
	fault := OK
	if routed && decodeErr == nil {
		fault = s.script.Pick(n, chat)
	}
	rec.Fault = fault
	s.requests = append(s.requests, rec)
	latency, hang := s.latency, s.hang
	s.mu.Unlock()

	if latency != nil {
		select {
		case <-time.After(latency()):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case !routed:
		s.proto.writeNotFound(w, r)
		return
	case !s.proto.authorized(r):
		s.proto.writeError(w, r, chat, missingKey)
		return
	case decodeErr != nil:
		s.proto.writeBadBody(w, decodeErr)
		return
	}
	if fault.raw != nil {
		fault.raw.Write(w, func() (string, error) { return s.answer(chat) })
		return
	}
	if fault.transport(w, r, hang) {
		return
	}
	if fault.kind.isError() {
		s.proto.writeError(w, r, chat, fault)
		return
	}
	content, err := s.answer(chat)
	if err != nil {
		s.proto.writeBadBody(w, err)
		return
	}
	content, finish := fault.mangle(content)
	prompt, completion := s.proto.writeAnswer(w, r, body, chat, n, content, finish)
	s.mu.Lock()
	s.requests[n-1].PromptTokens, s.requests[n-1].CompletionTokens = prompt, completion
	s.mu.Unlock()
}

// chatRequest builds the openaitest.ChatRequest of a provider request:
// msgs in OpenAI's shape, with the schema instruction moved from the last
// message into ResponseFormat.
func chatRequest(model string, msgs []openaitest.ChatMessage, temperature *float64, seed *int, maxTokens int) openaitest.ChatRequest {
	return openaitest.SchemaFromPrompt(openaitest.ChatRequest{Model: model, Messages: msgs, Temperature: temperature, Seed: seed, MaxTokens: maxTokens})
}

// promptTokens counts a request's prompt the way openaitest does: four
// characters a token, four more a message.
func promptTokens(c openaitest.ChatRequest) int {
	n := 0
	for _, m := range c.Messages {
		n += tokens(m.Content) + 4
	}
	if c.ResponseFormat != nil && c.ResponseFormat.JSONSchema != nil {
		n += tokens(string(c.ResponseFormat.JSONSchema.Schema)) + 10
	}
	return n
}

// tokens approximates a token count: four characters a token.
func tokens(s string) int { return (len(s) + 3) / 4 }
