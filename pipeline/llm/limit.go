package llm

import (
	"cmp"
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// Limits are the rate limits a Limiter keeps: requests and tokens per
// minute. Zero means no limit of that kind.
type Limits struct {
	RPM int
	TPM int
	// MaxPause caps how long one answer of the server pauses every
	// caller; 0 means DefaultMaxWait, Retry's cap. A longer wait stops the
	// run (LongWait) rather than holding its callers.
	MaxPause time.Duration
}

// Limiter paces model calls to the provider's limits, shared by every
// call of a run: a token bucket for requests and one for tokens, each
// holding half a second of its rate, so that a burst stays well inside a
// provider's own bucket even when requests arrive unevenly. It adapts to what the server says: a 429
// with a wait pauses every caller for that long, and x-ratelimit-remaining
// at zero pauses them until x-ratelimit-reset. Safe for concurrent use;
// the zero value does not limit.
type Limiter struct {
	mu      sync.Mutex
	limits  Limits
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	req     bucket
	tok     bucket
	pausedT time.Time
	limited int
}

type bucket struct {
	rate, capacity, level float64 // per second, tokens
	at                    time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.at.IsZero() {
		b.at, b.level = now, b.capacity
		return
	}
	b.level = math.Min(b.capacity, b.level+now.Sub(b.at).Seconds()*b.rate)
	b.at = now
}

// take removes n tokens, going into debt if needed, and returns how long
// the caller must wait for the debt to be repaid.
func (b *bucket) take(n float64, now time.Time) time.Duration {
	if b.rate <= 0 {
		return 0
	}
	b.refill(now)
	b.level -= n
	if b.level >= 0 {
		return 0
	}
	return time.Duration(-b.level / b.rate * float64(time.Second))
}

// NewLimiter returns a limiter for the given limits.
func NewLimiter(l Limits) *Limiter {
	lim := &Limiter{limits: l, now: time.Now, sleep: SleepContext}
	if l.RPM > 0 {
		r := float64(l.RPM) / 60
		lim.req = bucket{rate: r, capacity: math.Max(1, r/2)}
	}
	if l.TPM > 0 {
		r := float64(l.TPM) / 60
		lim.tok = bucket{rate: r, capacity: math.Max(1, r/2)}
	}
	return lim
}

// Wait blocks until a request of about tokens tokens may be sent, or ctx
// ends.
func (l *Limiter) Wait(ctx context.Context, tokens int) error {
	if l == nil {
		return ctx.Err()
	}
	l.mu.Lock()
	now := l.now()
	wait := max(l.req.take(1, now), l.tok.take(float64(tokens), now))
	l.mu.Unlock()
	for {
		if wait > 0 {
			if err := l.sleep(ctx, wait); err != nil {
				return err
			}
		}
		// A 429 seen while this call waited pauses it too.
		l.mu.Lock()
		wait = l.pausedT.Sub(l.now())
		l.mu.Unlock()
		if wait <= 0 {
			return ctx.Err()
		}
	}
}

// Observe adapts the limiter to what the server said of a call.
func (l *Limiter) Observe(resp Response, err error) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	pause := func(d time.Duration) {
		d = min(d, cmp.Or(l.limits.MaxPause, DefaultMaxWait))
		if until := now.Add(d); until.After(l.pausedT) {
			l.pausedT = until
		}
	}
	var e *Error
	if errors.As(err, &e) && e.Kind == RateLimited {
		l.limited++
		if e.RetryAfter > 0 {
			pause(e.RetryAfter)
		} else {
			pause(time.Second)
		}
		return
	}
	rl := resp.RateLimit
	if !rl.Known {
		return
	}
	if rl.LimitRequests > 0 && rl.RemainingRequests == 0 {
		pause(rl.ResetRequests)
	}
	if rl.LimitTokens > 0 && rl.RemainingTokens == 0 {
		pause(rl.ResetTokens)
	}
}

// RateLimited returns how many 429 rate-limit answers the limiter has seen.
func (l *Limiter) RateLimited() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limited
}

// limited is the Model Limit returns.
type limited struct {
	next Model
	lim  *Limiter
}

// Limit wraps next so that every call waits for the limiter first and
// reports back what the server said. Put it inside Retry so that every
// attempt, retries included, takes its turn.
func Limit(next Model, lim *Limiter) Model { return &limited{next: next, lim: lim} }

func (m *limited) Complete(ctx context.Context, req Request) (Response, error) {
	if err := m.lim.Wait(ctx, EstimateTokens(req)); err != nil {
		// Nothing was sent: the attempt is not a call.
		return Response{}, &Error{Kind: Transient, Provider: "rate limiter", Message: "no turn to send: " + err.Error(), Err: err}
	}
	resp, err := m.next.Complete(ctx, req)
	m.lim.Observe(resp, err)
	return resp, err
}

// DefaultCompletionTokens is the completion size assumed when a request
// sets no MaxTokens.
const DefaultCompletionTokens = 1000

// EstimateTokens estimates what a request counts against a token limit:
// its prompt at four characters a token plus its completion allowance, as
// providers count max_tokens up front.
func EstimateTokens(req Request) int {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)/4 + 4
	}
	if req.MaxTokens > 0 {
		return n + req.MaxTokens
	}
	return n + DefaultCompletionTokens
}
