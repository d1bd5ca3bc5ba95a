package openaitest

import (
	"encoding/json"
	"net"
	"net/http"
)

// Fault is what the server does to one request instead of a good answer.
// The zero value, OK, answers normally.
type Fault struct {
	// Name says what the fault is, for test output.
	Name         string
	retryAfter   string
	retryAfterMs string
	raw          *RawResponse
}

// String names the fault in test output.
func (f Fault) String() string {
	if f.Name == "" {
		return "ok"
	}
	return f.Name
}

// The faults a script may use; each mimics what the real API (or the
// network in front of it) does.
var (
	// OK answers normally.
	OK = Fault{}
	// ServerError is a 500 with OpenAI's JSON error body.
	ServerError = Fault{Name: "500"}
	// Unavailable is a 503 with an HTML body, as a load balancer sends it.
	Unavailable = Fault{Name: "503 html"}
	// RateLimitNoWait is a 429 rate_limit_exceeded with no retry-after.
	RateLimitNoWait = Fault{Name: "429 no wait"}
	// Quota is a 429 insufficient_quota: never to be retried.
	Quota = Fault{Name: "429 insufficient_quota"}
	// BadAuth is a 401 invalid_api_key whose message echoes part of the key.
	BadAuth = Fault{Name: "401"}
	// BadRequest is a 400 invalid_request_error.
	BadRequest = Fault{Name: "400"}
	// Hang never answers; the client must time out.
	Hang = Fault{Name: "hang"}
	// Reset closes the connection without an answer (TCP RST).
	Reset = Fault{Name: "reset"}
	// MalformedBody answers 200 with a body cut off mid-JSON.
	MalformedBody = Fault{Name: "malformed body"}
	// NotJSON answers with prose instead of the JSON object.
	NotJSON = Fault{Name: "content not json"}
	// MissingTask answers a ballot that leaves out one task.
	MissingTask = Fault{Name: "missing task"}
	// UnknownTask answers a ballot with a task the occupation lacks.
	UnknownTask = Fault{Name: "unknown task"}
	// ForeignPercentage answers a statement whose quote names 101 %, a
	// percentage that is neither the headline nor the juror's own score.
	ForeignPercentage = Fault{Name: "foreign percentage"}
	// Refusal answers with a refusal and no content.
	Refusal = Fault{Name: "refusal"}
	// Truncated answers half the content with finish_reason length.
	Truncated = Fault{Name: "finish length"}
)

// RateLimit is a 429 rate_limit_exceeded whose retry-after header names
// the wait in seconds (as the API writes it, e.g. "1" or "0.5").
func RateLimit(seconds string) Fault {
	return Fault{Name: "429 retry-after " + seconds, retryAfter: seconds}
}

// RateLimitMs is a 429 whose retry-after-ms header names the wait.
func RateLimitMs(ms string) Fault {
	return Fault{Name: "429 retry-after-ms " + ms, retryAfterMs: ms}
}

// apply sends the fault's response, reporting whether it did; faults that
// spoil a good answer are applied later by mangle.
func (f Fault) apply(w http.ResponseWriter, r *http.Request, hang <-chan struct{}) bool {
	switch f.Name {
	case ServerError.Name:
		writeError(w, http.StatusInternalServerError, "server_error", "", "The server had an error while processing your request. Sorry about that!")
	case Unavailable.Name:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"))
	case RateLimitNoWait.Name:
		writeError(w, http.StatusTooManyRequests, "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3000, Used 3000, Requested 1.")
	case Quota.Name:
		writeError(w, http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota", "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.")
	case BadAuth.Name:
		key := r.Header.Get("Authorization")
		if len(key) > 7+8 {
			key = key[7:10] + "*****" + key[len(key)-4:]
		}
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: "+key+". You can find your API key at https://platform.openai.com/account/api-keys.")
	case BadRequest.Name:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_value", "Invalid schema for response_format 'ballot'.")
	case Hang.Name:
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	case Reset.Name:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		}
	case MalformedBody.Name:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assist`))
	default:
		if f.retryAfter != "" || f.retryAfterMs != "" {
			if f.retryAfter != "" {
				w.Header().Set("retry-after", f.retryAfter)
			}
			if f.retryAfterMs != "" {
				w.Header().Set("retry-after-ms", f.retryAfterMs)
			}
			writeError(w, http.StatusTooManyRequests, "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3000, Used 3000, Requested 1. Please try again in 1s.")
			return true
		}
		return false
	}
	return true
}

// mangle spoils a good answer's content as the fault says and returns the
// content, finish reason and refusal to send.
func (f Fault) mangle(content string) (string, string, string) {
	switch f.Name {
	case NotJSON.Name:
		return "Sure! Here is my assessment: most of these tasks are highly automatable.", "stop", ""
	case Refusal.Name:
		return "", "stop", "I'm sorry, but I can't help with that request."
	case Truncated.Name:
		return content[:len(content)/2], "length", ""
	case ForeignPercentage.Name:
		var doc map[string]any
		if json.Unmarshal([]byte(content), &doc) != nil {
			return content, "stop", ""
		}
		doc["quote"] = "Give it 101 %, whatever the panel says."
		data, _ := json.Marshal(doc)
		return string(data), "stop", ""
	case MissingTask.Name, UnknownTask.Name:
		var doc map[string]any
		if json.Unmarshal([]byte(content), &doc) != nil {
			return content, "stop", ""
		}
		tasks, _ := doc["tasks"].([]any)
		if f.Name == MissingTask.Name && len(tasks) > 0 {
			doc["tasks"] = tasks[1:]
		} else {
			doc["tasks"] = append(tasks, map[string]any{"id": "99999", "score": 50, "label": "E2"})
		}
		data, _ := json.Marshal(doc)
		return string(data), "stop", ""
	}
	return content, "stop", ""
}
