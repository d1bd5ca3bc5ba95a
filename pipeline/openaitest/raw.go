package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/onet-jury/jury/pipeline/llm"
)

// AnswerHere stands, in a Raw body, for the valid answer the server would
// have sent to the request, written as the inside of a JSON string
// (escaped, without its quotes): a raw body can wrap a real answer the
// way a quirky server does, e.g. "content":"```json\n{{answer}}\n```".
const AnswerHere = "{{answer}}"

// RawResponse is an HTTP response sent exactly as given.
type RawResponse struct {
	Status int
	Header http.Header
	// Body is sent as is, with AnswerHere replaced by the answer.
	Body string
}

// Raw is a fault that sends exactly this response — status, headers and
// body — as a real server sent it: the instrument for replaying what a
// bug report quotes. Every occurrence of AnswerHere in body becomes the
// request's valid answer.
func Raw(status int, header http.Header, body string) Fault {
	return Fault{Name: fmt.Sprintf("raw HTTP %d", status), raw: &RawResponse{Status: status, Header: header, Body: body}}
}

// Write sends r on w; answer builds the answer AnswerHere stands for, and
// is only called when the body holds the mark.
func (r *RawResponse) Write(w http.ResponseWriter, answer func() (string, error)) {
	body := r.Body
	if strings.Contains(body, AnswerHere) {
		content, err := answer()
		if err != nil {
			content = "openaitest: " + err.Error()
		}
		quoted, _ := json.Marshal(content)
		body = strings.ReplaceAll(body, AnswerHere, string(quoted[1:len(quoted)-1]))
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(r.Status)
	w.Write([]byte(body))
}

// SchemaFromPrompt returns c as a model reads it when the schema came in
// the prompt rather than in response_format (JSON mode, or a provider
// without Structured Outputs): the instruction that llm.SchemaInstruction
// appends to the last message is taken out of it and put into
// ResponseFormat as a json_schema. Without such an instruction c is
// returned unchanged.
func SchemaFromPrompt(c ChatRequest) ChatRequest {
	if len(c.Messages) == 0 {
		return c
	}
	c.Messages = append([]ChatMessage(nil), c.Messages...)
	last := &c.Messages[len(c.Messages)-1]
	i := strings.LastIndex(last.Content, "\n\n"+llm.SchemaPrompt+" (")
	if i < 0 {
		return c
	}
	rest := last.Content[i+len(llm.SchemaPrompt)+4:]
	name, schema, ok := strings.Cut(rest, "):\n")
	if !ok || !json.Valid([]byte(schema)) {
		return c
	}
	last.Content = last.Content[:i]
	rf, _ := json.Marshal(map[string]any{"type": "json_schema", "json_schema": map[string]any{
		"name": name, "schema": json.RawMessage(schema), "strict": false,
	}})
	c.ResponseFormat = &ResponseFormat{}
	_ = json.Unmarshal(rf, c.ResponseFormat) // marshalled just above
	return c
}

// WithoutJSONSchema makes the server one that offers JSON mode only, as
// several OpenAI-compatible servers do: a request with response_format
// json_schema gets 400 invalid_request_error "This response_format type
// is unavailable now"; a json_object request is answered from the schema
// its prompt carries.
func WithoutJSONSchema() Option { return func(s *Server) { s.noJSONSchema = true } }

// MaxEnumValues is the Structured Outputs limit the server enforces, as
// the real API does: at most this many enum values in one schema.
const MaxEnumValues = 1000

// refusal is the error the server's own checks give a request, or nil.
func (s *Server) refusal(c ChatRequest) *RawResponse {
	rf := c.ResponseFormat
	if rf == nil || rf.Type != "json_schema" || rf.JSONSchema == nil {
		return nil
	}
	errBody := func(msg, param string) string {
		data, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": param, "code": nil}})
		return string(data)
	}
	if s.noJSONSchema {
		return &RawResponse{Status: http.StatusBadRequest, Body: errBody("This response_format type is unavailable now", "response_format")}
	}
	if n := llm.EnumValues(rf.JSONSchema.Schema); n > MaxEnumValues {
		return &RawResponse{Status: http.StatusBadRequest, Body: errBody(fmt.Sprintf(
			"Invalid schema for response_format '%s': Expected at most %d enum values in total within a schema, but received %d.",
			rf.JSONSchema.Name, MaxEnumValues, n), "response_format")}
	}
	return nil
}
