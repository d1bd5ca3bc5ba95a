package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// normalizeCompletion is where jury tolerates what OpenAI-compatible
// servers really send in answer to a chat completion. It rewrites a 2xx
// body into the one shape go-openai decodes, keeping only what jury reads
// and reading that leniently:
//
//   - numbers jury does not use may be floats or strings ("created":
//     1757876416.566), and token counts may be floats: they are rounded
//     down, never a reason to throw a paid answer away;
//   - message content may be a string, null, or a list of parts
//     ([{"type":"thinking",…},{"type":"text","text":"…"}]): the text
//     parts are the answer;
//   - a body with an "error" object and no choices — a router that
//     committed to HTTP 200 before its upstream failed — becomes the error
//     response it stands for, with the status its code names (502 when it
//     names none), so that it is classified, retried or fatal like any
//     other; a body with neither is a 502 too.
//
// Doing this on the bytes, in the HTTPDoer every request already passes
// through, rather than decoding completions by hand, keeps go-openai the
// only decoder of the protocol and puts every tolerance in one function
// that the Batch API's output lines go through as well. It returns the
// status and body to hand on; a body that is not JSON is handed on as it
// is, for go-openai to fail on as a broken answer.
func normalizeCompletion(status int, body []byte) (int, []byte) {
	var in wireCompletion
	if json.Unmarshal(body, &in) != nil {
		return status, body
	}
	if len(in.Choices) == 0 {
		return envelopeError(in.Error)
	}
	out := map[string]any{
		"id": in.ID.s, "object": "chat.completion", "created": int64(in.Created), "model": in.Model.s,
		"system_fingerprint": in.SystemFingerprint.s,
	}
	var choices []any
	for i, ch := range in.Choices {
		content := ""
		var s *string
		if json.Unmarshal(ch.Message.Content, &s) == nil && s != nil {
			content = *s
		} else if text, ok := textOfParts(ch.Message.Content); ok {
			content = text
		}
		msg := map[string]any{"role": "assistant", "content": content}
		if ch.Message.Refusal.s != "" {
			msg["refusal"] = ch.Message.Refusal.s
		}
		choices = append(choices, map[string]any{"index": i, "message": msg, "finish_reason": ch.FinishReason.s})
	}
	out["choices"] = choices
	u := in.Usage
	out["usage"] = map[string]any{
		"prompt_tokens": int(u.PromptTokens), "completion_tokens": int(u.CompletionTokens), "total_tokens": int(u.TotalTokens),
		"completion_tokens_details": map[string]any{"reasoning_tokens": int(u.CompletionTokensDetails.ReasoningTokens)},
		"prompt_tokens_details":     map[string]any{"cached_tokens": int(u.PromptTokensDetails.CachedTokens)},
	}
	data, err := json.Marshal(out)
	if err != nil {
		return status, body
	}
	return status, data
}

// envelopeError turns the "error" of a 2xx body without choices into the
// status and body of the error response it stands for.
func envelopeError(raw json.RawMessage) (int, []byte) {
	var e struct {
		Message  json.RawMessage `json:"message"`
		Type     looseString     `json:"type"`
		Code     json.RawMessage `json:"code"`
		Param    looseString     `json:"param"`
		Metadata struct {
			Raw          looseString `json:"raw"`
			ProviderName looseString `json:"provider_name"`
		} `json:"metadata"`
	}
	status := http.StatusBadGateway
	msg := "the server answered HTTP 200 with neither choices nor an error"
	var code any
	var s string
	switch {
	case json.Unmarshal(raw, &s) == nil && s != "":
		msg = s + " (an error sent as HTTP 200)"
	case json.Unmarshal(raw, &e) == nil && raw != nil:
		msg = "an error sent as HTTP 200"
		var m looseString
		if json.Unmarshal(e.Message, &m) == nil && m.s != "" {
			msg = m.s + " (sent as HTTP 200)"
		}
		if e.Metadata.ProviderName.s != "" || e.Metadata.Raw.s != "" {
			msg += fmt.Sprintf(" [upstream %s: %s]", e.Metadata.ProviderName.s, Excerpt(e.Metadata.Raw.s, maxBody))
		}
		var n looseNumber
		if json.Unmarshal(e.Code, &n) == nil && n >= 400 && n < 600 {
			status = int(n)
		} else if json.Unmarshal(e.Code, &s) == nil && s != "" {
			code = s
			if strings.Contains(s, "rate_limit") {
				status = http.StatusTooManyRequests
			}
		}
		if code == nil && e.Type.s != "" {
			code = e.Type.s
		}
	}
	data, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": code, "code": code, "param": nil}})
	return status, data
}

// wireCompletion is what jury reads of a chat completion, leniently.
type wireCompletion struct {
	ID                looseString     `json:"id"`
	Created           looseNumber     `json:"created"`
	Model             looseString     `json:"model"`
	SystemFingerprint looseString     `json:"system_fingerprint"`
	Error             json.RawMessage `json:"error"`
	Choices           []struct {
		Message struct {
			Content json.RawMessage `json:"content"`
			Refusal looseString     `json:"refusal"`
		} `json:"message"`
		FinishReason looseString `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens            looseNumber `json:"prompt_tokens"`
		CompletionTokens        looseNumber `json:"completion_tokens"`
		TotalTokens             looseNumber `json:"total_tokens"`
		CompletionTokensDetails struct {
			ReasoningTokens looseNumber `json:"reasoning_tokens"`
		} `json:"completion_tokens_details"`
		PromptTokensDetails struct {
			CachedTokens looseNumber `json:"cached_tokens"`
		} `json:"prompt_tokens_details"`
	} `json:"usage"`
}

// looseNumber decodes a JSON number, or a string holding one, rounded down
// to a whole number; anything else (null, an object) decodes as 0.
type looseNumber float64

// UnmarshalJSON never fails.
func (n *looseNumber) UnmarshalJSON(data []byte) error {
	s := string(bytes.Trim(bytes.TrimSpace(data), `"`))
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		*n = looseNumber(math.Floor(f))
	}
	return nil
}

// looseString decodes a JSON string; anything else decodes as "".
type looseString struct{ s string }

// UnmarshalJSON never fails.
func (l *looseString) UnmarshalJSON(data []byte) error {
	_ = json.Unmarshal(data, &l.s) // not a string: ""
	return nil
}
