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
	// Rejected is a 4xx about one request's content or size — a content
	// filter, a prompt over the context window, a schema over the
	// provider's enum limit — or a request jury knows to be too large
	// before sending it. It is not retried and does not stop a run: it
	// fails the one verdict that sent it, with the reason.
	Rejected
	// LongWait is a rate limit whose named wait is longer than Retry's
	// cap (MaxWait): like Quota it stops the run at once, naming the wait,
	// instead of holding every caller for hours.
	LongWait
	// Storage is a paid answer the cache could not keep (a full disk, a
	// read-only folder): it stops the run before another call is paid for
	// an answer that would be thrown away too.
	Storage
	// Deferred is a call a model took but answers later, in a later pass
	// of the run (the Batch API under a Deferral): nothing is lost, and
	// the verdict that made it is deliberated again once the answers are
	// in. It is not retried and does not fail the verdict.
	Deferred
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
	case Rejected:
		return "rejected"
	case LongWait:
		return "wait over the cap"
	case Storage:
		return "storage"
	case Deferred:
		return "deferred"
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
		fmt.Fprintf(&b, ": %s", Excerpt(e.Message, maxMessage))
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %s", Excerpt(e.Err.Error(), maxMessage))
	}
	switch e.Kind {
	case Quota:
		b.WriteString(" (the account is out of credit: add funds or use another key)")
	case Auth:
		fmt.Fprintf(&b, " (check %s)", authHint(e.Provider))
	case LongWait:
		fmt.Fprintf(&b, " (the server asked to wait %s: run again after that)", e.RetryAfter)
	case Rejected:
		b.WriteString(" (this verdict only: shorten or split its input, or seat it on another provider)")
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
// verdict: no other call can succeed after a quota, auth or bad request,
// nor for hours after a rate limit that names a wait over the cap, nor
// usefully once the cache cannot keep what is paid for.
func Fatal(err error) bool {
	switch KindOf(err) {
	case Quota, Auth, BadRequest, Budget, NotRecorded, LongWait, Storage:
		return true
	}
	return false
}

// Final reports whether asking again cannot help the verdict that got
// err: a Fatal error, or a request Rejected for its content or size. The
// panel stops the verdict on it and a batch does not deliberate again.
func Final(err error) bool { return Fatal(err) || KindOf(err) == Rejected }

// ClassifyStatus maps an HTTP status and a provider's error code to a Kind;
// every client uses it (through Classify), so retry treats all providers
// alike.
func ClassifyStatus(status int, code string) Kind { return Classify(status, code, "") }

// Classify maps an HTTP status, a provider's error code and its message to
// a Kind. A 4xx whose code or message is about the request's content or
// size (content_filter, context_length_exceeded, an enum limit, 413) is
// Rejected rather than BadRequest: it concerns one verdict, not the run.
func Classify(status int, code, message string) Kind {
	switch {
	case status == 429 && isQuotaCode(code), status == 402:
		return Quota
	case status == 429:
		return RateLimited
	case status == 401 || status == 403:
		return Auth
	case status == 408 || status == 409 || status >= 500:
		return Transient
	case status == 413 || (status >= 400 && aboutOneRequest(code, message)):
		return Rejected
	case status >= 400:
		return BadRequest
	}
	return Transient
}

// oneRequestSigns are codes and phrases of errors about a request's
// content or size, as OpenAI, Azure OpenAI and OpenAI-compatible servers
// word them.
var oneRequestSigns = []string{
	"content_filter", "content_policy", "content management policy", "responsibleaipolicyviolation",
	"context_length_exceeded", "maximum context length", "context window", "prompt is too long",
	"string_above_max_length", "too many tokens",
	"enum values", "enum value count",
}

// aboutOneRequest reports whether an error's code or message says the
// request's content or size was refused.
func aboutOneRequest(code, message string) bool {
	s := strings.ToLower(code + " " + message)
	for _, sign := range oneRequestSigns {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
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
	s = RedactURLs(s)
	if !mayHoldKey(s) {
		return s
	}
	return keyLike.ReplaceAllString(s, "[redacted]")
}

// keyStarts are the literals every keyLike match begins with, after a
// word boundary.
var keyStarts = []string{"sk-", "Bearer", "AIza"}

// mayHoldKey reports whether s holds one of keyStarts at a word boundary:
// only then can keyLike match, so that the expression, slow over a stored
// answer of many kilobytes, runs only where a key could be.
func mayHoldKey(s string) bool {
	for _, lit := range keyStarts {
		for from := 0; ; {
			i := strings.Index(s[from:], lit)
			if i < 0 {
				break
			}
			i += from
			if i == 0 || !isWordByte(s[i-1]) {
				return true
			}
			from = i + 1
		}
	}
	return false
}

// isWordByte reports whether c is a word character of \b (ASCII).
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// maxMessage bounds a provider's message in an error line: long enough
// for the part of a body that names the problem (a field, a limit).
const maxMessage = 400

// maxBody bounds the excerpt of an error body that is not in the
// provider's error shape.
const maxBody = 300

// Excerpt is s on one line — runs of spaces and line breaks made one
// space, invalid UTF-8 dropped — cut after max runes with an ellipsis. It
// reads no more of s than it keeps, so a 2 MB refusal or error body costs
// what its excerpt does. Error lines, logs and re-asks quote untrusted
// text through it.
func Excerpt(s string, max int) string {
	cut := false
	if len(s) > 4*max+4 {
		s, cut = s[:4*max+4], true
	}
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if r := []rune(s); len(r) > max {
		s, cut = string(r[:max]), true
	}
	if cut {
		s += "…"
	}
	return s
}

// MaxAnswerBytes bounds the body of one answer a client reads: an answer
// of the largest occupation is tens of kilobytes, so a body past this is
// a server gone wrong, and reading it whole could exhaust memory.
const MaxAnswerBytes = 8 << 20

// maxErrorBytes bounds the body of an error response a client reads;
// the part that names the problem comes first.
const maxErrorBytes = 1 << 20

// ErrAnswerTooLarge reports an answer whose body passed MaxAnswerBytes.
var ErrAnswerTooLarge = errors.New("answer too large")

// tooLarge is the error of a call whose answer passed MaxAnswerBytes: it
// names the call (occupation, juror, purpose) and fails that verdict only.
func tooLarge(provider string, req Request) *Error {
	return &Error{Kind: Rejected, Provider: provider,
		Message: fmt.Sprintf("the answer to %s passed %d MiB and was left unread: %v (set --max-tokens, or check the server)",
			req.Meta, MaxAnswerBytes>>20, ErrAnswerTooLarge),
		Usage: Usage{Calls: 1}, Err: ErrAnswerTooLarge}
}
