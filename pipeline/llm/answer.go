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

// AnswerText returns the JSON a model meant to answer with: content
// itself when it is a JSON value, else the inside of its first Markdown
// code fence ("```json\n{…}\n```", with or without prose around it) when
// that is JSON. Servers that ignore response_format and models without a
// JSON mode wrap answers that way. Anything else is returned unchanged,
// for the caller's validation to reject: the object itself is never
// repaired.
func AnswerText(content string) string {
	trimmed := strings.TrimSpace(content)
	if trimmed == "" || json.Valid([]byte(trimmed)) {
		return content
	}
	_, rest, ok := strings.Cut(content, "```")
	if !ok {
		return content
	}
	// The opening fence's line may name a language ("json", "JSON").
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.ContainsAny(rest[:nl], "{[\"") {
		rest = rest[nl+1:]
	}
	inside, _, ok := strings.Cut(rest, "```")
	if !ok {
		return content
	}
	inside = strings.TrimSpace(inside)
	if !json.Valid([]byte(inside)) {
		return content
	}
	return inside
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
