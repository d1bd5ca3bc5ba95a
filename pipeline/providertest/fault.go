package providertest

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// Fault is what the server does to one request instead of a good answer.
// Each protocol renders it the way its real service does. The zero value,
// OK, answers normally.
type Fault struct {
	// Name says what the fault is, for test output.
	Name string
	kind faultKind
	// wait is the wait a rate limit names; 0 names none.
	wait time.Duration
	raw  *openaitest.RawResponse
}

// String names the fault for test output: "ok" for OK.
func (f Fault) String() string {
	if f.Name == "" {
		return "ok"
	}
	return f.Name
}

type faultKind int

const (
	kindOK faultKind = iota
	// Errors the protocol renders.
	kindRateLimit
	kindQuota
	kindOverloaded
	kindServerError
	kindBadAuth
	kindMissingKey
	kindPermissionDenied
	kindBadRequest
	kindModelNotFound
	// Transport faults.
	kindHang
	kindReset
	kindMalformed
	// Spoiled answers.
	kindTruncated
	kindNotJSON
	kindRefusal
)

func (k faultKind) isError() bool { return k >= kindRateLimit && k <= kindModelNotFound }

// The faults a script may use.
var (
	// OK answers normally.
	OK = Fault{}
	// RateLimitNoWait is a rate-limit answer that names no wait: Anthropic
	// 429 rate_limit_error without retry-after, Gemini 429
	// RESOURCE_EXHAUSTED without RetryInfo, Ollama 429.
	RateLimitNoWait = Fault{Name: "rate limit, no wait", kind: kindRateLimit}
	// Quota is an account out of credit: Anthropic 400 "Your credit
	// balance is too low", Gemini 429 "Your prepayment credits are
	// depleted", Ollama 429 "you have reached your weekly usage limit".
	Quota = Fault{Name: "quota", kind: kindQuota}
	// Overloaded is the provider's own overload answer: Anthropic 529
	// overloaded_error, Gemini 503 UNAVAILABLE, Ollama 503 "server busy".
	Overloaded = Fault{Name: "overloaded", kind: kindOverloaded}
	// ServerError is a 500: Anthropic api_error, Gemini INTERNAL, Ollama
	// "llama runner process has terminated".
	ServerError = Fault{Name: "500", kind: kindServerError}
	// BadAuth is an invalid key: Anthropic 401 authentication_error,
	// Gemini 400 INVALID_ARGUMENT API_KEY_INVALID, Ollama 401
	// "unauthorized".
	BadAuth = Fault{Name: "bad key", kind: kindBadAuth}
	// PermissionDenied is a key without access: Anthropic 403
	// permission_error, Gemini 403 PERMISSION_DENIED, Ollama 403.
	PermissionDenied = Fault{Name: "permission denied", kind: kindPermissionDenied}
	// BadRequest is a request the API rejects: Anthropic 400
	// invalid_request_error, Gemini 400 INVALID_ARGUMENT, Ollama 400
	// "invalid format".
	BadRequest = Fault{Name: "400", kind: kindBadRequest}
	// ModelNotFound is a 404 for the model: Anthropic not_found_error,
	// Gemini NOT_FOUND, Ollama "model … not found, try pulling it first".
	ModelNotFound = Fault{Name: "model not found", kind: kindModelNotFound}
	// Hang never answers; the client must time out.
	Hang = Fault{Name: "hang", kind: kindHang}
	// Reset closes the connection without an answer (TCP RST).
	Reset = Fault{Name: "reset", kind: kindReset}
	// MalformedBody answers 200 with a body cut off mid-JSON.
	MalformedBody = Fault{Name: "malformed body", kind: kindMalformed}
	// Truncated answers half the content, stopped at the token limit:
	// Anthropic stop_reason max_tokens, Gemini MAX_TOKENS, Ollama
	// done_reason length.
	Truncated = Fault{Name: "max tokens", kind: kindTruncated}
	// NotJSON answers with prose instead of the JSON object.
	NotJSON = Fault{Name: "content not json", kind: kindNotJSON}
	// Refusal declines to answer: Anthropic stop_reason refusal with no
	// content, Gemini a candidate blocked for SAFETY, Ollama an apology in
	// prose.
	Refusal = Fault{Name: "refusal", kind: kindRefusal}

	// missingKey answers a request without credentials.
	missingKey = Fault{Name: "no key", kind: kindMissingKey}
)

// RateLimit is a rate-limit answer naming a wait of the given seconds:
// Anthropic 429 rate_limit_error with retry-after and
// anthropic-ratelimit-*-reset headers, Gemini 429 RESOURCE_EXHAUSTED with
// a RetryInfo retryDelay, Ollama 429 with retry-after (as a gateway in
// front of it sends; Ollama itself names no wait).
func RateLimit(seconds int) Fault {
	return Fault{Name: "rate limit, wait " + time.Duration(seconds*int(time.Second)).String(), kind: kindRateLimit,
		wait: time.Duration(seconds) * time.Second}
}

// Raw is a fault that sends exactly this response — status, headers and
// body — whatever the protocol: the instrument for replaying what a bug
// report quotes. Every openaitest.AnswerHere in body becomes the
// request's valid answer, escaped as the inside of a JSON string.
func Raw(status int, header http.Header, body string) Fault {
	return Fault{Name: fmt.Sprintf("raw HTTP %d", status), raw: &openaitest.RawResponse{Status: status, Header: header, Body: body}}
}

// transport applies the faults that happen below the protocol, reporting
// whether it did.
func (f Fault) transport(w http.ResponseWriter, r *http.Request, hang <-chan struct{}) bool {
	switch f.kind {
	case kindHang:
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	case kindReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		}
	case kindMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"broken","content":[{"type":"text","text":"{\"tas`))
	default:
		return false
	}
	return true
}

// mangle spoils a good answer as the fault says and returns the content
// and finish ("stop", "length" or "refusal") to send.
func (f Fault) mangle(content string) (string, string) {
	switch f.kind {
	case kindTruncated:
		return content[:len(content)/2], "length"
	case kindNotJSON:
		return "Sure! Here is my assessment: most of these tasks are highly automatable.", "stop"
	case kindRefusal:
		return "", "refusal"
	}
	return content, "stop"
}
