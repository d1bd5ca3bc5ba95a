package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
)

// OllamaConfig configures an Ollama client. The zero value talks to the
// server OLLAMA_HOST names, else to http://127.0.0.1:11434.
type OllamaConfig struct {
	// BaseURL is the server's root, such as http://127.0.0.1:11434 or
	// https://ollama.com.
	BaseURL string
	// APIKey, when set, is sent as a bearer token, as ollama.com and
	// authenticating proxies want it; a local server needs none.
	APIKey string
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout, since Retry bounds each attempt.
	HTTPClient *http.Client
	// OmitSeed never sends a request's seed.
	OmitSeed bool
}

// NewOllama returns a client for Ollama's chat API (POST /api/chat)
// through langchaingo. It asks for a JSON answer (format json), sends the
// request's schema as an instruction in its last message — langchaingo
// (v0.1.14) sends format as a string, so Ollama's format with a JSON
// schema object cannot go through it — and sends the seed.
func NewOllama(cfg OllamaConfig) (*LangChain, error) {
	var auth func(h http.Header)
	if cfg.APIKey != "" {
		auth = func(h http.Header) { h.Set("Authorization", "Bearer "+cfg.APIKey) }
	}
	opts := []ollama.Option{ollama.WithHTTPClient(httpClient(cfg.HTTPClient, auth))}
	if cfg.BaseURL != "" {
		// ollama.WithServerURL exits the process on a bad URL: check first.
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("ollama client: base URL %q is not an absolute URL", cfg.BaseURL)
		}
		opts = append(opts, ollama.WithServerURL(strings.TrimRight(cfg.BaseURL, "/")))
	}
	m, err := ollama.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("ollama client: %w", err)
	}
	return &LangChain{
		provider: "ollama",
		key:      cfg.APIKey,
		dialect:  ollamaDialect{omitSeed: cfg.OmitSeed},
		model:    m,
	}, nil
}

type ollamaDialect struct{ omitSeed bool }

func (d ollamaDialect) options(req Request) []llms.CallOption {
	opts := []llms.CallOption{llms.WithJSONMode()}
	if req.Seed != nil && !d.omitSeed {
		opts = append(opts, llms.WithSeed(*req.Seed))
	}
	return opts
}

// answer reads langchaingo's PromptTokens and CompletionTokens (Ollama's
// prompt_eval_count and eval_count); langchaingo drops done_reason, so it
// is read from the last line of the body.
func (ollamaDialect) answer(resp *llms.ContentResponse, raw []byte) Response {
	var out Response
	if len(resp.Choices) > 0 {
		ch := resp.Choices[0]
		out.Content = ch.Content
		out.Usage.PromptTokens = infoInt(ch.GenerationInfo, "PromptTokens")
		out.Usage.CompletionTokens = infoInt(ch.GenerationInfo, "CompletionTokens")
	}
	w := wireOf(raw)
	out.Model, out.FinishReason = w.Model, finishOf(w.DoneReason)
	return out
}

func (ollamaDialect) unreadable(error, []byte) (Response, bool) { return Response{}, false }

// failure reads Ollama's error body, {"error":"…"}: a 429 that says a
// usage limit is reached (ollama.com's session, hourly or weekly limits)
// is Quota, other 429s RateLimited; 404 "model … not found" is
// BadRequest; 500 and 503 "server busy" Transient; 401 and 403 Auth.
func (ollamaDialect) failure(status int, h http.Header, body []byte) *Error {
	var eb struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &eb) // a body that is not JSON is described by status
	e := &Error{Message: eb.Error, Kind: ClassifyStatus(status, ""), RetryAfter: retryAfter(h)}
	if status == http.StatusTooManyRequests && strings.Contains(strings.ToLower(eb.Error), "usage limit") {
		e.Kind, e.Code = Quota, "usage_limit"
	}
	return e
}

// rateLimit: Ollama sends no rate-limit headers.
func (ollamaDialect) rateLimit(http.Header) RateLimit { return RateLimit{} }
