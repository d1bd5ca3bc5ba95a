package llm

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says when and how long Retry waits. The zero value means the
// defaults below.
type RetryPolicy struct {
	// Retries bounds the retries of transient failures (408, 409, 5xx,
	// resets, per-attempt timeouts, 429s without a named wait); default 2.
	Retries int
	// RateLimitRetries bounds the retries of 429s that name a wait; default
	// 5, since waiting is what the server asked for.
	RateLimitRetries int
	// MaxWait caps a named wait: a longer one fails the call at once as
	// LongWait, which stops the run; default 60 s.
	MaxWait time.Duration
	// BaseDelay and MaxDelay bound the exponential backoff; defaults 1 s
	// and 30 s.
	BaseDelay, MaxDelay time.Duration
	// Timeout bounds each attempt; default 120 s.
	Timeout time.Duration
	// Sleep waits d or until ctx is done; tests swap it for a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1); default math/rand/v2.
	Jitter func() float64
	// Logger receives one line per retry; nil discards them.
	Logger *slog.Logger
}

// Defaults of a RetryPolicy's zero fields.
const (
	DefaultRetries          = 2
	DefaultRateLimitRetries = 5
	DefaultMaxWait          = 60 * time.Second
	DefaultBaseDelay        = time.Second
	DefaultMaxDelay         = 30 * time.Second
	DefaultTimeout          = 120 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Retries < 0 {
		p.Retries = 0
	} else if p.Retries == 0 {
		p.Retries = DefaultRetries
	}
	if p.RateLimitRetries <= 0 {
		p.RateLimitRetries = DefaultRateLimitRetries
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Sleep == nil {
		p.Sleep = SleepContext
	}
	if p.Jitter == nil {
		p.Jitter = rand.Float64
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	return p
}

// NoRetries is the Retries value that disables retrying transient
// failures (0 means the default).
const NoRetries = -1

// SleepContext waits d, or returns ctx's error if ctx is done first.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retry is the Model Retry returns.
type retry struct {
	next   Model
	policy RetryPolicy
}

// Retry wraps next so that each call gets a per-attempt timeout and failed
// attempts are retried by policy: a 429 waits for the retry-after it names
// (up to MaxWait, RateLimitRetries times) plus jitter; transient failures back off
// exponentially with jitter (Retries times); quota, auth and other 4xx are
// returned at once. Every attempt sends the identical request. The
// returned Usage (or *Error's Usage) counts every attempt.
func Retry(next Model, policy RetryPolicy) Model {
	return &retry{next: next, policy: policy.withDefaults()}
}

func (r *retry) Complete(ctx context.Context, req Request) (Response, error) {
	p := r.policy
	var spent Usage
	transient, limited := 0, 0
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return Response{}, withUsage(err, spent)
		}
		actx, cancel := context.WithTimeout(ctx, p.Timeout)
		resp, err := r.next.Complete(actx, req)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			resp.Usage = resp.Usage.Add(spent)
			resp.Usage.Retries = retries(resp.Usage.Calls)
			return resp, nil
		}
		if ctx.Err() != nil {
			return Response{}, withUsage(ctx.Err(), spent.Add(UsageOf(err)))
		}
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Kind: Transient, Provider: "model", Message: err.Error(), Usage: Usage{Calls: 1}, Err: err}
		}
		if timedOut {
			e = &Error{Kind: Transient, Provider: e.Provider, Message: "no answer within " + p.Timeout.String(),
				Usage: e.Usage, Err: context.DeadlineExceeded}
		}
		spent = spent.Add(e.Usage)
		if e.Kind == RateLimited && e.RetryAfter == 0 {
			// Some servers name the wait only in words.
			e.RetryAfter = waitInMessage(e.Message)
		}
		var wait time.Duration
		switch {
		case e.Kind == RateLimited && e.RetryAfter > p.MaxWait:
			long := *e
			long.Kind = LongWait
			p.Logger.Warn("the server asks for a wait over the cap: stopping", "call", req.Meta.String(),
				"wait", e.RetryAfter, "cap", p.MaxWait)
			return Response{}, finalError(&long, spent)
		case e.Kind == RateLimited && e.RetryAfter > 0:
			if limited >= p.RateLimitRetries {
				return Response{}, finalError(e, spent)
			}
			limited++
			wait = namedWait(p, e.RetryAfter)
		case e.Kind == Transient || e.Kind == RateLimited:
			if transient >= p.Retries {
				return Response{}, finalError(e, spent)
			}
			wait = backoff(p, transient)
			transient++
		default:
			return Response{}, finalError(e, spent)
		}
		p.Logger.Info("retrying model call", "call", req.Meta.String(), "attempt", attempt+2,
			"kind", e.Kind.String(), "status", e.Status, "wait", wait)
		if err := p.Sleep(ctx, wait); err != nil {
			return Response{}, withUsage(err, spent)
		}
	}
}

// waitWords finds a wait named in an error message: "Please try again in
// 6.5s" or "in 1m30.5s" (OpenAI), "Please retry after 20 seconds" (Azure).
var waitWords = regexp.MustCompile(`(?i)(?:try again|retry)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?(?:ms|h|m|s))+|\d+(?:\.\d+)?\s*seconds?)\b`)

// waitInMessage returns the wait an error message names, or 0.
func waitInMessage(msg string) time.Duration {
	m := waitWords.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(m[1], "seconds"), "second"))
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(s * float64(time.Second))
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// namedWait is the wait after a 429 that names one: the named wait plus
// jitter of up to half of it (at least a quarter of BaseDelay), so that
// the callers one storm turned away do not all come back at the same
// instant and meet the same limit again.
func namedWait(p RetryPolicy, named time.Duration) time.Duration {
	spread := max(named/2, p.BaseDelay/4)
	return named + time.Duration(p.Jitter()*float64(spread))
}

// backoff is the n-th exponential delay, BaseDelay·2ⁿ capped at MaxDelay,
// with jitter drawing it from its upper half.
func backoff(p RetryPolicy, n int) time.Duration {
	d := p.BaseDelay << n
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return d/2 + time.Duration(p.Jitter()*float64(d/2))
}

func finalError(e *Error, spent Usage) error {
	out := *e
	out.Usage = spent
	out.Usage.Retries = retries(spent.Calls)
	if e.Kind == Deferred {
		// The calls spent before a deferral failed, and their request is
		// sent again in a later batch: every one of them is a retry.
		out.Usage.Retries = spent.Calls
	}
	return &out
}

// retries is how many of calls requests were retries: all but the first.
// An attempt that sent nothing (a Batch API line that never ran, a
// refused budget) is not a call, so calls may be 0: never below 0.
func retries(calls int) int { return max(calls-1, 0) }

// withUsage attaches the calls spent to a context error so that a
// cancelled verdict still reports what it cost.
func withUsage(err error, spent Usage) error {
	if spent.Calls == 0 {
		return err
	}
	spent.Retries = retries(spent.Calls)
	return &Error{Kind: Transient, Provider: "model", Message: err.Error(), Usage: spent, Err: err}
}

// UsageOf returns the calls a failed call spent, if it says.
func UsageOf(err error) Usage {
	var e *Error
	if errors.As(err, &e) {
		return e.Usage
	}
	return Usage{}
}
