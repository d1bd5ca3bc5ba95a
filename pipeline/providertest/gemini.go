package providertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// geminiProtocol speaks the Gemini API's generateContent,
// POST /v1beta/models/{model}:generateContent, and its streaming twin
// :streamGenerateContent, which Google's Go client uses for every
// conversation of more than one message.
type geminiProtocol struct{}

// geminiContent is one turn of a generateContent request.
type geminiContent struct {
	Role  string `json:"role"`
	Parts []struct {
		Text string `json:"text"`
	} `json:"parts"`
}

func (c geminiContent) text() string {
	var b strings.Builder
	for _, p := range c.Parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// geminiRequest is the part of a generateContent request the server
// reads, in the JSON names Google's REST clients send.
type geminiRequest struct {
	Contents          []geminiContent `json:"contents"`
	SystemInstruction *geminiContent  `json:"systemInstruction"`
	GenerationConfig  struct {
		MaxOutputTokens  int      `json:"maxOutputTokens"`
		Temperature      *float64 `json:"temperature"`
		ResponseMimeType string   `json:"responseMimeType"`
	} `json:"generationConfig"`
}

func (geminiProtocol) decode(r *http.Request, body []byte) (openaitest.ChatRequest, bool, error) {
	model, ok := strings.CutPrefix(r.URL.Path, "/v1beta/models/")
	if !ok || r.Method != http.MethodPost {
		return openaitest.ChatRequest{}, false, nil
	}
	model, method, ok := strings.Cut(model, ":")
	if !ok || (method != "generateContent" && method != "streamGenerateContent") {
		return openaitest.ChatRequest{}, false, nil
	}
	var req geminiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return openaitest.ChatRequest{}, true, fmt.Errorf("Invalid JSON payload received. %v", err)
	}
	if len(req.Contents) == 0 {
		return openaitest.ChatRequest{}, true, errors.New("* GenerateContentRequest.contents: contents is not specified\n")
	}
	var msgs []openaitest.ChatMessage
	if req.SystemInstruction != nil {
		msgs = append(msgs, openaitest.ChatMessage{Role: "system", Content: req.SystemInstruction.text()})
	}
	for i, c := range req.Contents {
		role := c.Role
		switch role {
		case "user", "":
			role = "user"
		case "model":
			role = "assistant"
		default:
			return openaitest.ChatRequest{}, true, fmt.Errorf("* GenerateContentRequest.contents[%d].role: Please use a valid role: user, model.\n", i)
		}
		msgs = append(msgs, openaitest.ChatMessage{Role: role, Content: c.text()})
	}
	gc := req.GenerationConfig
	return chatRequest(model, msgs, gc.Temperature, nil, gc.MaxOutputTokens), true, nil
}

func (geminiProtocol) authorized(r *http.Request) bool {
	return r.Header.Get("x-goog-api-key") != "" || r.URL.Query().Get("key") != ""
}

// geminiError writes Google's error body.
func geminiError(w http.ResponseWriter, code int, status, msg string, details ...any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	e := map[string]any{"code": code, "message": msg, "status": status}
	if len(details) > 0 {
		e["details"] = details
	}
	json.NewEncoder(w).Encode(map[string]any{"error": e})
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
			"models/%s is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", c.Model))
	}
}

// geminiFinish are the FinishReason enum's names and numbers.
var geminiFinish = map[string]struct {
	name string
	num  int
}{"stop": {"STOP", 1}, "length": {"MAX_TOKENS", 2}, "refusal": {"SAFETY", 3}}

// writeAnswer answers generateContent with one response object and
// streamGenerateContent with a JSON array of chunks, as Google's REST API
// does without alt=sse: the text split across the chunks, the finish
// reason and the full usage in the last one, earlier ones counting only
// the prompt.
func (geminiProtocol) writeAnswer(w http.ResponseWriter, r *http.Request, _ []byte, c openaitest.ChatRequest, n int, content, finish string) (int, int) {
	// Google's REST clients ask for enums as numbers ($alt=json;enum-encoding=int).
	var reason any = geminiFinish[finish].name
	if strings.Contains(r.URL.Query().Get("$alt"), "enum-encoding=int") {
		reason = geminiFinish[finish].num
	}
	prompt, out := promptTokens(c), tokens(content)
	chunk := func(text string, last bool) map[string]any {
		cand := map[string]any{"index": 0}
		if text != "" {
			cand["content"] = map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}
		}
		usage := map[string]any{"promptTokenCount": prompt, "totalTokenCount": prompt}
		if last {
			cand["finishReason"] = reason
			usage = map[string]any{"promptTokenCount": prompt, "candidatesTokenCount": out, "totalTokenCount": prompt + out,
				"promptTokensDetails": []any{map[string]any{"modality": "TEXT", "tokenCount": prompt}}}
		}
		return map[string]any{"candidates": []any{cand}, "usageMetadata": usage,
			"modelVersion": c.Model, "responseId": fmt.Sprintf("test%06d", n)}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Server-Timing", "gfet4t7; dur=12")
	if strings.HasSuffix(r.URL.Path, ":generateContent") {
		json.NewEncoder(w).Encode(chunk(content, true))
		return prompt, out
	}
	var chunks []any
	third := (len(content) + 2) / 3
	for len(content) > third {
		chunks = append(chunks, chunk(content[:third], false))
		content = content[third:]
	}
	chunks = append(chunks, chunk(content, true))
	data, _ := json.MarshalIndent(chunks, "", "  ")
	w.Write(data)
	return prompt, out
}

func (geminiProtocol) writeNotFound(w http.ResponseWriter, r *http.Request) {
	geminiError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("The requested URL %s was not found on this server.", r.URL.Path))
}

func (geminiProtocol) writeBadBody(w http.ResponseWriter, err error) {
	geminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
}
