package llm

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeTime is a clock that only moves when someone sleeps on it.
type fakeTime struct {
	mu    sync.Mutex
	t     time.Time
	slept time.Duration
}

func (f *fakeTime) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeTime) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	f.slept += d
	return ctx.Err()
}

func limiterOnFakeTime(l Limits) (*Limiter, *fakeTime) {
	ft := &fakeTime{t: time.Unix(1767225600, 0)}
	lim := NewLimiter(l)
	lim.now, lim.sleep = ft.now, ft.sleep
	return lim, ft
}

// busiestSecond returns the most of times in any one-second window.
func busiestSecond(times []time.Time) int {
	most := 0
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

func TestLimiterKeepsEverySecondUnderItsShare(t *testing.T) {
	for _, tc := range []struct {
		name       string
		limits     Limits
		calls      int
		tokens     int
		perSecond  int           // the most any one-second window may hold
		wantFinish time.Duration // when the last call may go
	}{
		{name: "3,000 requests a minute is 49 a second", limits: Limits{RPM: 3000}, calls: 490, perSecond: 49, wantFinish: 9 * time.Second},
		{name: "600 a minute is 9 a second", limits: Limits{RPM: 600}, calls: 90, perSecond: 9, wantFinish: 9 * time.Second},
		{name: "60,000 tokens a minute is 980 a second", limits: Limits{TPM: 60000}, calls: 20, tokens: 490, perSecond: 2, wantFinish: 9 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim, ft := limiterOnFakeTime(tc.limits)
			start := ft.now()
			var sent []time.Time
			for range tc.calls {
				require.NoError(t, lim.Wait(context.Background(), tc.tokens))
				sent = append(sent, ft.now())
			}
			require.Equal(t, tc.perSecond, busiestSecond(sent))
			require.Equal(t, tc.wantFinish, sent[len(sent)-1].Sub(start))
		})
	}
}

// TestLimiterSettlesNearTheRealLimit: told four times what a server
// enforcing 50 requests per one-second window allows, the limiter cuts
// its pace on 429s and settles near the real limit.
func TestLimiterSettlesNearTheRealLimit(t *testing.T) {
	lim, ft := limiterOnFakeTime(Limits{RPM: 12000})
	start := ft.now()
	window, inWindow := int64(-1), 0
	late, lateLimited := 0, 0
	for range 3000 {
		require.NoError(t, lim.Wait(context.Background(), 0))
		now := ft.now()
		if w := now.Sub(start).Nanoseconds() / 1e9; w != window {
			window, inWindow = w, 0
		}
		inWindow++
		var err error
		if inWindow > 50 {
			next := start.Add(time.Duration(window+1) * time.Second)
			err = &Error{Kind: RateLimited, RetryAfter: next.Sub(now)}
		}
		lim.Observe(Response{}, err)
		if now.Sub(start) >= 10*time.Second {
			late++
			if err != nil {
				lateLimited++
			}
		}
	}
	elapsed := ft.now().Sub(start)
	require.LessOrEqual(t, float64(lateLimited)/float64(late), 0.05, "%d of %d calls after 10 s were 429s", lateLimited, late)
	ok := 3000 - lim.RateLimited()
	require.GreaterOrEqual(t, float64(ok)/elapsed.Seconds(), 40.0, "answered %d in %v", ok, elapsed)
}

func TestLimiterLearnsTheLimitsFromTheFirstAnswer(t *testing.T) {
	lim, _ := limiterOnFakeTime(Limits{RPM: 500, TPM: 200000, LearnRPM: true, LearnTPM: true})
	lim.Observe(Response{RateLimit: RateLimit{Known: true, LimitRequests: 3000, RemainingRequests: 2999, LimitTokens: 4000000, RemainingTokens: 3999000}}, nil)
	r := lim.Report()
	require.Equal(t, 3000, r.RPM)
	require.Equal(t, 4000000, r.TPM)
	require.Equal(t, "3000 requests/min (learned), 4000000 tokens/min (learned)", r.String())

	told, _ := limiterOnFakeTime(Limits{RPM: 500, TPM: 200000, LearnTPM: true})
	told.Observe(Response{RateLimit: RateLimit{Known: true, LimitRequests: 3000, RemainingRequests: 2999, LimitTokens: 4000000, RemainingTokens: 3999000}}, nil)
	require.Equal(t, "500 requests/min, 4000000 tokens/min (learned)", told.Report().String(), "a flag overrides the header")
}

// TestLimiterSendsOneCallUntilTheLimitsAreKnown: before the first answer
// says what the account allows, a second call does not go.
func TestLimiterSendsOneCallUntilTheLimitsAreKnown(t *testing.T) {
	lim := NewLimiter(Limits{LearnRPM: true, LearnTPM: true})
	var mu sync.Mutex
	inFlight, most, answered := 0, 0, 0
	secondBeforeFirstAnswer := false
	model := Limit(ModelFunc(func(context.Context, Request) (Response, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		if answered == 0 && inFlight > 1 {
			secondBeforeFirstAnswer = true
		}
		mu.Unlock()
		mu.Lock()
		inFlight--
		answered++
		mu.Unlock()
		return Response{RateLimit: RateLimit{Known: true, LimitRequests: 1e6, RemainingRequests: 1e6}}, nil
	}), lim)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := model.Complete(context.Background(), Request{})
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.False(t, secondBeforeFirstAnswer)
	require.Equal(t, 8, answered)
	require.Equal(t, 1000000, lim.Report().RPM)
}

func TestLimiterPausesEveryoneOnA429(t *testing.T) {
	lim, ft := limiterOnFakeTime(Limits{})
	lim.Observe(Response{}, &Error{Kind: RateLimited, RetryAfter: 3 * time.Second})
	require.NoError(t, lim.Wait(context.Background(), 0))
	require.Equal(t, 3*time.Second, ft.slept, "the server's wait applies to the next caller")
	require.NoError(t, lim.Wait(context.Background(), 0))
	require.Equal(t, 3*time.Second, ft.slept, "and only until it is over")
	require.Equal(t, 1, lim.RateLimited())

	lim.Observe(Response{}, &Error{Kind: Quota})
	require.NoError(t, lim.Wait(context.Background(), 0))
	require.Equal(t, 3*time.Second, ft.slept, "a quota error is not a rate limit")
}

func TestLimiterWaitsForTheResetWhenNothingRemains(t *testing.T) {
	lim, ft := limiterOnFakeTime(Limits{})
	lim.Observe(Response{RateLimit: RateLimit{Known: true, LimitRequests: 500, RemainingRequests: 0, ResetRequests: 1500 * time.Millisecond}}, nil)
	require.NoError(t, lim.Wait(context.Background(), 0))
	require.Equal(t, 1500*time.Millisecond, ft.slept)

	lim.Observe(Response{RateLimit: RateLimit{Known: true, LimitRequests: 500, RemainingRequests: 7, ResetRequests: time.Minute}}, nil)
	require.NoError(t, lim.Wait(context.Background(), 0))
	require.Equal(t, 1500*time.Millisecond, ft.slept, "requests remain: no pause")
}

func TestLimiterZeroValueAndNilDoNotLimit(t *testing.T) {
	var nilLimiter *Limiter
	require.NoError(t, nilLimiter.Wait(context.Background(), 1e6))
	lim, ft := limiterOnFakeTime(Limits{})
	for range 1000 {
		require.NoError(t, lim.Wait(context.Background(), 1e6))
	}
	require.Zero(t, ft.slept)
}

func TestLimiterWaitEndsWithTheContext(t *testing.T) {
	lim := NewLimiter(Limits{RPM: 1})
	require.NoError(t, lim.Wait(context.Background(), 0)) // the burst
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, lim.Wait(ctx, 0), context.Canceled)
}

// TestLimiterNeverPausesLongerThanTheCap: one 429 with retry-after: 7200
// must not hold every caller for two hours; Retry stops the run instead.
func TestLimiterNeverPausesLongerThanTheCap(t *testing.T) {
	for _, tc := range []struct {
		cap, want time.Duration
	}{{0, DefaultMaxWait}, {10 * time.Second, 10 * time.Second}} {
		lim, ft := limiterOnFakeTime(Limits{MaxPause: tc.cap})
		lim.Observe(Response{}, &Error{Kind: RateLimited, RetryAfter: 2 * time.Hour})
		lim.Observe(Response{RateLimit: RateLimit{Known: true, LimitTokens: 1, RemainingTokens: 0, ResetTokens: 3 * time.Hour}}, nil)
		require.NoError(t, lim.Wait(context.Background(), 0))
		require.Equal(t, tc.want, ft.slept)
	}
}

// TestAnAttemptThatNeverLeftTheLimiterIsNotACall: an attempt whose time
// runs out while it waits for its turn sent nothing, and Retry's usage
// says so.
func TestAnAttemptThatNeverLeftTheLimiterIsNotACall(t *testing.T) {
	sent := 0
	lim := NewLimiter(Limits{})
	lim.sleep = func(ctx context.Context, d time.Duration) error { <-ctx.Done(); return ctx.Err() }
	lim.Observe(Response{}, &Error{Kind: RateLimited, RetryAfter: 30 * time.Second})
	model := Retry(Limit(ModelFunc(func(context.Context, Request) (Response, error) {
		sent++
		return Response{Usage: Usage{Calls: 1}}, nil
	}), lim), RetryPolicy{Retries: NoRetries, Timeout: time.Millisecond})
	_, err := model.Complete(context.Background(), Request{Model: "m"})
	require.Error(t, err)
	require.Zero(t, sent)
	require.Zero(t, UsageOf(err).Calls)
}
