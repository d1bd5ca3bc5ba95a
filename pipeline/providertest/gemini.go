package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// geminiPath is the route of the Gemini API's OpenAI-compatible chat
// completions under its root.
const geminiPath = "/v1beta/openai/chat/completions"

// geminiProtocol speaks the Gemini API's OpenAI-compatible chat
// completions, POST /v1beta/openai/chat/completions, as Google serves
// them: OpenAI's request and answer, Google's errors — a JSON array of
// one {"error":{"code","message","status","details"}}, the wait of a rate
// limit in a RetryInfo detail, no retry-after header — and a 400 for any
// field the endpoint does not know, such as seed.
type geminiProtocol struct{}

// geminiFields are the request fields the endpoint accepts.
var geminiFields = map[string]bool{
	"model": true, "messages": true, "temperature": true, "top_p": true, "n": true, "stream": true,
	"stream_options": true, "stop": true, "max_tokens": true, "max_completion_tokens": true,
	"response_format": true, "tools": true, "tool_choice": true, "reasoning_effort": true,
	"modalities": true, "audio": true, "extra_body": true,
}

func (geminiProtocol) decode(r *http.Request, body []byte) (openaitest.ChatRequest, bool, error) {
	if r.URL.Path != geminiPath || r.Method != http.MethodPost {
		return openaitest.ChatRequest{}, false, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return openaitest.ChatRequest{}, true, fmt.Errorf("Invalid JSON payload received. %v", err)
	}
	var unknown []string
	for name := range fields {
		if !geminiFields[name] {
			unknown = append(unknown, fmt.Sprintf("Invalid JSON payload received. Unknown name %q: Cannot find field.", name))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return openaitest.ChatRequest{}, true, fmt.Errorf("%s", strings.Join(unknown, "\n"))
	}
	var c openaitest.ChatRequest
	if err := json.Unmarshal(body, &c); err != nil {
		return openaitest.ChatRequest{}, true, fmt.Errorf("Invalid JSON payload received. %v", err)
	}
	if c.MaxTokens == 0 {
		var legacy struct {
			MaxTokens int `json:"max_tokens"`
		}
		_ = json.Unmarshal(body, &legacy) // decoded just above
		c.MaxTokens = legacy.MaxTokens
	}
	if len(c.Messages) == 0 {
		return openaitest.ChatRequest{}, true, fmt.Errorf("* GenerateContentRequest.contents: contents is not specified\n")
	}
	for i, m := range c.Messages {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return openaitest.ChatRequest{}, true, fmt.Errorf("messages[%d].role: %q is not a supported role", i, m.Role)
		}
	}
	return c, true, nil
}

func (geminiProtocol) authorized(r *http.Request) bool {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && key != ""
}

// geminiError writes Google's error body the way the OpenAI-compatible
// endpoint does: a JSON array holding one error.
func geminiError(w http.ResponseWriter, code int, status, msg string, details ...any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	e := map[string]any{"code": code, "message": msg, "status": status}
	if len(details) > 0 {
		e["details"] = details
	}
	json.NewEncoder(w).Encode([]any{map[string]any{"error": e}})
}

func (geminiProtocol) writeError(w http.ResponseWriter, r *http.Request, c openaitest.ChatRequest, f Fault) {
	switch f.kind {
	case kindRateLimit:
		details := []any{
			map[string]any{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []any{map[string]any{
				"quotaMetric":     "generativelanguage.googleapis.com/generate_content_free_tier_requests",
				"quotaId":         "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
				"quotaDimensions": map[string]any{"location": "global", "model": c.Model},
				"quotaValue":      "15",
			}}},
			map[string]any{"@type": "type.googleapis.com/google.rpc.Help", "links": []any{map[string]any{
				"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
			}}},
		}
		if f.wait > 0 {
			details = append(details, map[string]any{"@type": "type.googleapis.com/google.rpc.RetryInfo",
				"retryDelay": fmt.Sprintf("%ds", int(f.wait/time.Second))})
		}
		geminiError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED",
			"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.", details...)
	case kindQuota:
		geminiError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED",
			"Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.")
	case kindOverloaded:
		geminiError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The model is overloaded. Please try again later.")
	case kindServerError:
		geminiError(w, http.StatusInternalServerError, "INTERNAL",
			"An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting")
	case kindBadAuth:
		geminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
			map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
				"domain": "googleapis.com", "metadata": map[string]any{"service": "generativelanguage.googleapis.com"}},
			map[string]any{"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
				"message": "API key not valid. Please pass a valid API key."})
	case kindMissingKey:
		geminiError(w, http.StatusForbidden, "PERMISSION_DENIED",
			"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
	case kindPermissionDenied:
		geminiError(w, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
	case kindBadRequest:
		geminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT",
			"* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be less than or equal to 8192\n")
	case kindModelNotFound:
		geminiError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf(
			"models/%s is not found for API version v1main, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", c.Model))
	}
}

// geminiFinish maps the server's finishes to the endpoint's finish
// reasons: a candidate blocked for SAFETY comes back as content_filter.
var geminiFinish = map[string]string{"stop": "stop", "length": "length", "refusal": "content_filter"}

// writeAnswer writes an OpenAI chat completion as the endpoint does: the
// model named as asked, usage in OpenAI's fields, no rate-limit headers,
// and no content at all for a blocked candidate.
func (geminiProtocol) writeAnswer(w http.ResponseWriter, r *http.Request, _ []byte, c openaitest.ChatRequest, n int, content, finish string) (int, int) {
	prompt, out := promptTokens(c), tokens(content)
	msg := map[string]any{"role": "assistant"}
	if finish != "refusal" {
		msg["content"] = content
	}
	resp := map[string]any{
		"id":      fmt.Sprintf("test%06d", n),
		"object":  "chat.completion",
		"created": 1767225600,
		"model":   c.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": geminiFinish[finish]}},
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out},
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Server-Timing", "gfet4t7; dur=12")
	json.NewEncoder(w).Encode(resp)
	return prompt, out
}

func (geminiProtocol) writeNotFound(w http.ResponseWriter, r *http.Request) {
	geminiError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("The requested URL %s was not found on this server.", r.URL.Path))
}

func (geminiProtocol) writeBadBody(w http.ResponseWriter, err error) {
	geminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
}
