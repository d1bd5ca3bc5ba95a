package llm

import (
	"bytes"
	"encoding/json"
	"strings"
)

// answerOf is the one place a client hands back what a model wrote: the
// content is what the model meant (see AnswerText) and neither it nor a
// refusal carries the client's key or anything that looks like a key — a
// model that repeats its credentials must not put them in a report, a
// recording or a log.
func answerOf(r Response, key string) Response {
	r.Content = Redact(AnswerText(r.Content), key)
	r.Refusal = Redact(r.Refusal, key)
	return r
}

// AnswerText returns the JSON a model meant to answer with. It is content
// itself when that is a JSON object or array; otherwise, after dropping a
// leading reasoning block ("<think>…</think>", which reasoning models
// served without a reasoning parser put in the content), the first of:
//
//   - the inside of the first Markdown code fence that holds JSON
//     ("```json\n{…}\n```", with or without prose around it);
//   - a JSON string whose value is a JSON object (an answer encoded
//     twice);
//   - the one JSON object the prose holds, from its first "{" to its last
//     "}" ("Here is my ballot: {…} Hope this helps.").
//
// Servers that ignore response_format and models without a JSON mode
// answer these ways. Anything else is returned unchanged, for the
// caller's validation to reject: the object itself is never repaired.
func AnswerText(content string) string {
	trimmed := strings.TrimSpace(content)
	if trimmed == "" || isJSONValue(trimmed) {
		return content
	}
	text := trimmed
	if rest, ok := strings.CutPrefix(text, "<think>"); ok {
		if _, after, ok := strings.Cut(rest, "</think>"); ok {
			text = strings.TrimSpace(after)
			if isJSONValue(text) {
				return text
			}
		}
	}
	if inside, ok := fenced(text); ok {
		return inside
	}
	var inner string
	if json.Unmarshal([]byte(text), &inner) == nil {
		if inner = strings.TrimSpace(inner); strings.HasPrefix(inner, "{") && json.Valid([]byte(inner)) {
			return inner
		}
		return content
	}
	if first, last := strings.IndexByte(text, '{'), strings.LastIndexByte(text, '}'); first >= 0 && last > first {
		if obj := text[first : last+1]; json.Valid([]byte(obj)) {
			return obj
		}
	}
	return content
}

// isJSONValue reports whether s is a JSON object or array (a bare string
// or number is not an answer).
func isJSONValue(s string) bool {
	return (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && json.Valid([]byte(s))
}

// fenced returns the inside of the first Markdown code fence of s that
// holds JSON.
func fenced(s string) (string, bool) {
	for {
		_, rest, ok := strings.Cut(s, "```")
		if !ok {
			return "", false
		}
		// The opening fence's line may name a language ("json", "JSON").
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.ContainsAny(rest[:nl], "{[\"") {
			rest = rest[nl+1:]
		}
		inside, after, ok := strings.Cut(rest, "```")
		if !ok {
			return "", false
		}
		if inside = strings.TrimSpace(inside); isJSONValue(inside) {
			return inside, true
		}
		s = after
	}
}

// textOfParts joins the text of a message content given as a list of
// parts ([{"type":"text","text":"…"}, {"type":"thinking",…}]): only the
// "text" parts are the answer; thinking and other parts are left out.
func textOfParts(raw json.RawMessage) (string, bool) {
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '[' || json.Unmarshal(raw, &parts) != nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" || p.Type == "output_text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), true
}
