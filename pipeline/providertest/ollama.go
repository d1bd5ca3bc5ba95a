package providertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// ollamaProtocol speaks Ollama's chat API, POST /api/chat. A local
// Ollama asks for no key; the server accepts any request.
type ollamaProtocol struct{}

// ollamaRequest is the part of a chat request the server reads.
type ollamaRequest struct {
	Model    string                   `json:"model"`
	Messages []openaitest.ChatMessage `json:"messages"`
	Format   json.RawMessage          `json:"format"`
	Stream   *bool                    `json:"stream"`
	Options  struct {
		Temperature *float64 `json:"temperature"`
		Seed        *int     `json:"seed"`
		NumPredict  int      `json:"num_predict"`
	} `json:"options"`
}

func (ollamaProtocol) decode(r *http.Request, body []byte) (openaitest.ChatRequest, bool, error) {
	if r.URL.Path != "/api/chat" || r.Method != http.MethodPost {
		return openaitest.ChatRequest{}, false, nil
	}
	var req ollamaRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return openaitest.ChatRequest{}, true, err
	}
	if req.Model == "" {
		return openaitest.ChatRequest{}, true, errors.New("model is required")
	}
	if len(req.Format) > 0 {
		var f string
		if json.Unmarshal(req.Format, &f) == nil && f != "" && f != "json" {
			return openaitest.ChatRequest{}, true, errors.New(`invalid format: expected "json" or a valid JSON schema`)
		}
	}
	o := req.Options
	return chatRequest(req.Model, req.Messages, o.Temperature, o.Seed, o.NumPredict), true, nil
}

func (ollamaProtocol) authorized(*http.Request) bool { return true }

// ollamaError writes Ollama's error body.
func ollamaError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (ollamaProtocol) writeError(w http.ResponseWriter, r *http.Request, c openaitest.ChatRequest, f Fault) {
	switch f.kind {
	case kindRateLimit:
		// Ollama names no wait; a gateway in front of it may.
		if f.wait > 0 {
			w.Header().Set("retry-after", strconv.Itoa(int(f.wait/time.Second)))
		}
		ollamaError(w, http.StatusTooManyRequests, "too many requests")
	case kindQuota:
		ollamaError(w, http.StatusTooManyRequests,
			"you (jury) have reached your weekly usage limit, upgrade for higher limits: https://ollama.com/upgrade (ref: 5d0fb402-680e-49fb-a261-4de5249a0bda)")
	case kindOverloaded:
		ollamaError(w, http.StatusServiceUnavailable, "server busy, please try again.  maximum pending requests exceeded")
	case kindServerError:
		ollamaError(w, http.StatusInternalServerError, "llama runner process has terminated: exit status 2")
	case kindBadAuth, kindMissingKey:
		ollamaError(w, http.StatusUnauthorized, "unauthorized")
	case kindPermissionDenied:
		ollamaError(w, http.StatusForbidden, "forbidden")
	case kindBadRequest:
		ollamaError(w, http.StatusBadRequest, `invalid format: expected "json" or a valid JSON schema`)
	case kindModelNotFound:
		ollamaError(w, http.StatusNotFound, fmt.Sprintf("model %q not found, try pulling it first", c.Model))
	}
}

// writeAnswer answers as Ollama does: a stream of JSON lines unless the
// request says "stream": false, the last line carrying done_reason and the
// token counts.
func (ollamaProtocol) writeAnswer(w http.ResponseWriter, r *http.Request, body []byte, c openaitest.ChatRequest, n int, content, finish string) (int, int) {
	var req ollamaRequest
	_ = json.Unmarshal(body, &req) // decoded once already
	if finish == "refusal" {
		content, finish = "I'm sorry, but I can't help with that request.", "stop"
	}
	created := time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC).Format(time.RFC3339Nano)
	final := map[string]any{
		"model":                c.Model,
		"created_at":           created,
		"message":              map[string]any{"role": "assistant", "content": ""},
		"done":                 true,
		"done_reason":          finish,
		"total_duration":       int64(120 * time.Millisecond),
		"load_duration":        int64(2 * time.Millisecond),
		"prompt_eval_count":    promptTokens(c),
		"prompt_eval_duration": int64(40 * time.Millisecond),
		"eval_count":           tokens(content),
		"eval_duration":        int64(78 * time.Millisecond),
	}
	enc := json.NewEncoder(w)
	if req.Stream != nil && !*req.Stream {
		final["message"] = map[string]any{"role": "assistant", "content": content}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc.Encode(final)
		return promptTokens(c), tokens(content)
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	for len(content) > 0 {
		chunk := content[:min(len(content), 64)]
		content = content[len(chunk):]
		enc.Encode(map[string]any{"model": c.Model, "created_at": created,
			"message": map[string]any{"role": "assistant", "content": chunk}, "done": false})
	}
	enc.Encode(final)
	return final["prompt_eval_count"].(int), final["eval_count"].(int)
}

func (ollamaProtocol) writeNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte("404 page not found"))
}

func (ollamaProtocol) writeBadBody(w http.ResponseWriter, err error) {
	ollamaError(w, http.StatusBadRequest, err.Error())
}
