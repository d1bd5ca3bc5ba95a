package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Kind classifies a failed call so that retry and the command line behave
// the same whatever the provider.
type Kind int

// The kinds of failure. Only Transient and RateLimited are retried.
const (
	// Transient failures — 408, 409, 5xx, resets, timeouts, broken bodies —
	// are retried with backoff.
	Transient Kind = iota + 1
	// RateLimited is a 429 that is not about quota; it is retried after the
	// wait the server names.
	RateLimited
	// Quota is a 429 insufficient_quota: the account is out of credit.
	Quota
	// Auth is a 401 or 403: the key is missing, wrong or not allowed.
	Auth
	// BadRequest is any other 4xx: the request itself is wrong.
	BadRequest
	// Budget is a call the Meter refused: it would take the run past its
	// spending limit (--max-cost). Nothing was sent.
	Budget
	// NotRecorded is a request a replay-only Store has no recording for.
	// Nothing was sent.
	NotRecorded
)

// String names the kind in logs and messages.
func (k Kind) String() string {
	switch k {
	case Transient:
		return "transient"
	case RateLimited:
		return "rate limit"
	case Quota:
		return "quota"
	case Auth:
		return "auth"
	case BadRequest:
		return "bad request"
	case Budget:
		return "budget"
	case NotRecorded:
		return "not recorded"
	}
	return "unknown"
}

// Error is a failed model call, classified. Clients return it for every
// failure; Retry adds the calls it spent in Usage.
type Error struct {
	Kind       Kind
	Provider   string
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
	Usage      Usage
	Err        error
}

// Error renders the failure in one line with secrets redacted.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", oneLine(e.Message, 200))
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %s", oneLine(e.Err.Error(), 200))
	}
	switch e.Kind {
	case Quota:
		b.WriteString(" (the account is out of credit: add funds or use another key)")
	case Auth:
		fmt.Fprintf(&b, " (check %s)", authHint(e.Provider))
	}
	return Redact(b.String())
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// authHint names what to check when a provider refuses the credentials:
// its key variable from the registry, or the server's own settings for a
// provider that needs no key.
func authHint(provider string) string {
	for _, p := range providers {
		if strings.HasPrefix(provider, p.Name) {
			if p.KeyVar == "" {
				return "the " + p.Name + " server's access settings"
			}
			return p.KeyVar
		}
	}
	return "OPENAI_API_KEY"
}

// KindOf returns the kind of a failed call, or 0 for a nil or unclassified
// error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// Fatal reports whether err must stop the whole run rather than one
// verdict: no other call can succeed after a quota, auth or bad request.
func Fatal(err error) bool {
	switch KindOf(err) {
	case Quota, Auth, BadRequest, Budget, NotRecorded:
		return true
	}
	return false
}

// ClassifyStatus maps an HTTP status and a provider's error code to a Kind;
// every client uses it, so retry treats all providers alike.
func ClassifyStatus(status int, code string) Kind {
	switch {
	case status == 429 && isQuotaCode(code):
		return Quota
	case status == 429:
		return RateLimited
	case status == 401 || status == 403:
		return Auth
	case status == 408 || status == 409 || status >= 500:
		return Transient
	case status >= 400:
		return BadRequest
	}
	return Transient
}

func isQuotaCode(code string) bool {
	c := strings.ToLower(code)
	return strings.Contains(c, "insufficient_quota") || strings.Contains(c, "quota_exceeded") || c == "billing_hard_limit_reached"
}

// IsTransport reports whether err is a transport failure worth retrying: a
// reset or refused connection, an unexpected EOF, a network timeout.
func IsTransport(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &ne):
		return true
	}
	return false
}

// keyLike matches OpenAI and Anthropic keys (sk-…, also masked with *),
// bearer tokens and Google API keys.
var keyLike = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-*]{8,}|\bBearer\s+[A-Za-z0-9._~+/\-]{8,}=*|\bAIza[0-9A-Za-z_\-]{20,}`)

// Redact replaces anything that looks like an API key or bearer token, and
// every given secret, with "[redacted]". Errors and logs pass through it.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return keyLike.ReplaceAllString(RedactURLs(s), "[redacted]")
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
