package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Limits are the rate limits a Limiter keeps: requests and tokens per
// minute. Zero means no limit of that kind.
type Limits struct {
	RPM int
	TPM int
	// LearnRPM and LearnTPM say that RPM and TPM are guesses (no flag or
	// jury.yaml set them): the provider's x-ratelimit-limit-requests and
	// x-ratelimit-limit-tokens headers replace them, and until the first
	// answer says what the account allows one call goes at a time.
	LearnRPM, LearnTPM bool
	// MaxPause caps how long one answer of the server pauses every
	// caller; 0 means DefaultMaxWait, Retry's cap. A longer wait stops the
	// run (LongWait) rather than holding its callers.
	MaxPause time.Duration
}

// Limiter paces model calls to the provider's limits, shared by every
// call of a run.
//
// Providers quantize a per-minute limit into short windows (3,000 a minute
// may mean 50 in any second), so the limiter keeps a log of the sends it
// has granted and lets no one-second window hold more than a second's
// share of either limit; a caller reserves its slot on arrival and sleeps
// once. It adapts to what the server says: limits not set by the user are
// taken from the x-ratelimit-limit-* headers; a 429 pauses every caller
// for the wait it names and cuts the pace by a fifth (at most once a
// window), and every answer that is not a 429 wins a little of it back
// (additive increase, multiplicative decrease), so that a run told more
// than the account allows settles near what it does allow;
// x-ratelimit-remaining at zero pauses callers until x-ratelimit-reset.
// Safe for concurrent use; the zero value does not limit.
type Limiter struct {
	mu     sync.Mutex
	limits Limits
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error

	log     []grant // granted sends of the last window, in time order
	pace    float64 // share of the limits in use, (0, 1]
	cutAt   time.Time
	pausedT time.Time
	limited int

	learned  bool // an answer has said (or not) what the account allows
	probing  bool // the one call sent before that is in flight
	probeEnd chan struct{}

	waited [3]time.Duration // per boundRequests, boundTokens, boundServer
}

// grant is one send the limiter let go, at its time, with its tokens.
type grant struct {
	at     time.Time
	tokens int
	bound  int
}

const (
	boundRequests = iota
	boundTokens
	boundServer
)

// margin keeps the pace a little under a window's share, so that the
// jitter between sending and arriving does not tip a window over.
const margin = 0.98

// NewLimiter returns a limiter for the given limits.
func NewLimiter(l Limits) *Limiter {
	return &Limiter{limits: l, now: time.Now, sleep: SleepContext, pace: 1,
		learned: !(l.LearnRPM || l.LearnTPM)}
}

// window returns the length of the window the limits are shared over and
// the requests and tokens each window allows (0: no limit): one second,
// unless a limit is under two a second, then a minute.
func (l *Limiter) window() (time.Duration, int, int) {
	rpm, tpm := l.limits.RPM, l.limits.TPM
	if rpm > 0 && rpm < 120 {
		return time.Minute, max(1, int(float64(rpm)*l.pace)), int(float64(tpm) * l.pace)
	}
	share := func(perMinute int) int {
		if perMinute <= 0 {
			return 0
		}
		return max(1, int(math.Floor(float64(perMinute)/60*margin*l.pace)))
	}
	return time.Second, share(rpm), share(tpm)
}

// reserve grants a send of tokens at the earliest time the windows allow
// and returns that time and which limit set it.
func (l *Limiter) reserve(now time.Time, tokens int) (time.Time, int) {
	w, reqCap, tokCap := l.window()
	// Grants older than a window from now no longer count.
	i := 0
	for i < len(l.log) && !l.log[i].at.After(now.Add(-w)) {
		i++
	}
	l.log = l.log[i:]
	t, bound := now, boundServer
	if l.pausedT.After(t) {
		t = l.pausedT
	}
	if n := len(l.log); n > 0 && l.log[n-1].at.After(t) {
		t, bound = l.log[n-1].at, l.log[n-1].bound // in line behind it
	}
	if reqCap > 0 && len(l.log) >= reqCap {
		if at := l.log[len(l.log)-reqCap].at.Add(w); at.After(t) {
			t, bound = at, boundRequests
		}
	}
	if tokCap > 0 {
		sum, j := 0, 0
		for k := range l.log {
			if l.log[k].at.After(t.Add(-w)) {
				sum += l.log[k].tokens
			} else {
				j = k + 1
			}
		}
		for ; j < len(l.log) && sum+tokens > tokCap; j++ {
			sum -= l.log[j].tokens
			if at := l.log[j].at.Add(w); at.After(t) {
				t, bound = at, boundTokens
			}
		}
	}
	if reqCap > 0 || tokCap > 0 {
		l.log = append(l.log, grant{at: t, tokens: tokens, bound: bound})
	}
	return t, bound
}

// Wait blocks until a request of about tokens tokens may be sent, or ctx
// ends.
func (l *Limiter) Wait(ctx context.Context, tokens int) error {
	_, err := l.wait(ctx, tokens)
	return err
}

// wait is Wait, also reporting whether this call is the probe that must
// end (probeDone) before others go.
func (l *Limiter) wait(ctx context.Context, tokens int) (probe bool, err error) {
	if l == nil {
		return false, ctx.Err()
	}
	for {
		l.mu.Lock()
		if !l.learned {
			if l.probing {
				ch := l.probeEnd
				l.mu.Unlock()
				select {
				case <-ch:
					continue
				case <-ctx.Done():
					return false, ctx.Err()
				}
			}
			l.probing, l.probeEnd, probe = true, make(chan struct{}), true
		}
		now := l.now()
		at, bound := l.reserve(now, tokens)
		l.mu.Unlock()
		if d := at.Sub(now); d > 0 {
			if err := l.sleep(ctx, d); err != nil {
				l.mu.Lock()
				l.release(at, tokens)
				l.mu.Unlock()
				if probe {
					l.probeDone()
				}
				return false, err
			}
			l.mu.Lock()
			l.waited[bound] += d
			l.mu.Unlock()
		}
		// A 429 seen while this call waited pauses it too: it takes a
		// new turn after the pause.
		l.mu.Lock()
		again := l.pausedT.After(at)
		if again {
			l.release(at, tokens) // the new turn replaces this one
		}
		l.mu.Unlock()
		if !again {
			return probe, ctx.Err()
		}
	}
}

// release gives back a grant that was not used.
func (l *Limiter) release(at time.Time, tokens int) {
	for i := len(l.log) - 1; i >= 0; i-- {
		if l.log[i].at.Equal(at) && l.log[i].tokens == tokens {
			l.log = slices.Delete(l.log, i, i+1)
			return
		}
	}
}

// probeDone lets the callers held behind the probe go, whatever it
// learned.
func (l *Limiter) probeDone() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.probing {
		l.probing = false
		close(l.probeEnd)
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
		if w, _, _ := l.window(); now.Sub(l.cutAt) >= w {
			l.pace, l.cutAt = math.Max(1.0/64, l.pace*0.8), now
		}
		if e.RetryAfter > 0 {
			pause(e.RetryAfter)
		} else {
			pause(time.Second)
		}
		return
	}
	if err == nil || resp.RateLimit.Known {
		// Additive increase: a window's worth of answers wins back about
		// 2 % of the pace.
		_, reqCap, _ := l.window()
		l.pace = math.Min(1, l.pace+0.02/float64(max(reqCap, 50)))
	}
	rl := resp.RateLimit
	if err == nil || rl.Known {
		l.learned = true
	}
	if !rl.Known {
		return
	}
	if l.limits.LearnRPM && rl.LimitRequests > 0 {
		l.limits.RPM = rl.LimitRequests
	}
	if l.limits.LearnTPM && rl.LimitTokens > 0 {
		l.limits.TPM = rl.LimitTokens
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

// LimitReport says what a limiter kept and what held the run back.
type LimitReport struct {
	// RPM and TPM are the limits in force (0: none); Learned says which
	// came from the provider's headers.
	RPM, TPM                 int
	LearnedRPM, LearnedTPM   bool
	WaitRequests, WaitTokens time.Duration
	WaitServer               time.Duration
	RateLimited              int
	// Pace is the share of the limits in use after 429s, (0, 1].
	Pace float64
}

// Report returns what the limiter keeps and how long callers waited for
// each limit.
func (l *Limiter) Report() LimitReport {
	if l == nil {
		return LimitReport{Pace: 1}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return LimitReport{RPM: l.limits.RPM, TPM: l.limits.TPM,
		LearnedRPM: l.limits.LearnRPM && l.learned, LearnedTPM: l.limits.LearnTPM && l.learned,
		WaitRequests: l.waited[boundRequests], WaitTokens: l.waited[boundTokens], WaitServer: l.waited[boundServer],
		RateLimited: l.limited, Pace: l.pace}
}

// Bound names the limit that held calls back longest: "requests",
// "tokens", "server" (429s and exhausted x-ratelimit-remaining), or ""
// when none held any call back.
func (r LimitReport) Bound() string {
	name, most := "", time.Duration(0)
	for _, b := range []struct {
		name string
		d    time.Duration
	}{{"requests", r.WaitRequests}, {"tokens", r.WaitTokens}, {"server", r.WaitServer}} {
		if b.d > most {
			name, most = b.name, b.d
		}
	}
	return name
}

// String says in a few words which limit bound the run and what the
// account allows: "bound by requests: 3000/min (learned), 2000000 tokens/min
// (learned)".
func (r LimitReport) String() string {
	limit := func(n int, unit string, learned bool) string {
		if n <= 0 {
			return "no " + unit + " limit"
		}
		s := fmt.Sprintf("%d %s/min", n, unit)
		if learned {
			s += " (learned)"
		}
		return s
	}
	s := limit(r.RPM, "requests", r.LearnedRPM) + ", " + limit(r.TPM, "tokens", r.LearnedTPM)
	if b := r.Bound(); b != "" {
		s = "bound by " + b + "; " + s
	}
	if r.Pace < 0.995 {
		s += fmt.Sprintf("; pace %.0f %% after 429s", 100*r.Pace)
	}
	return s
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
	probe, err := m.lim.wait(ctx, EstimateTokens(req))
	if err != nil {
		// Nothing was sent: the attempt is not a call.
		return Response{}, &Error{Kind: Transient, Provider: "rate limiter", Message: "no turn to send: " + err.Error(), Err: err}
	}
	resp, err := m.next.Complete(ctx, req)
	m.lim.Observe(resp, err)
	if probe {
		m.lim.probeDone()
	}
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
	if req.Schema != nil {
		n += len(req.Schema.JSON) / 4
	}
	if req.MaxTokens > 0 {
		return n + req.MaxTokens
	}
	return n + DefaultCompletionTokens
}
