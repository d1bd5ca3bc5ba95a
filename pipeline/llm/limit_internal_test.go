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

func TestLimiterPacesRequestsAtTheRate(t *testing.T) {
	lim, ft := limiterOnFakeTime(Limits{RPM: 600}) // 10 a second, burst of 5
	for range 105 {
		require.NoError(t, lim.Wait(context.Background(), 0))
	}
	// 5 go at once; the other 100 at 10 a second.
	require.Equal(t, 10*time.Second, ft.slept.Round(time.Millisecond))
}

func TestLimiterPacesTokens(t *testing.T) {
	lim, ft := limiterOnFakeTime(Limits{TPM: 60000}) // 1,000 tokens a second, burst 500
	for range 11 {
		require.NoError(t, lim.Wait(context.Background(), 1000))
	}
	// 11,000 tokens less the 500 of burst, at 1,000 a second.
	require.Equal(t, 10500*time.Millisecond, ft.slept.Round(time.Millisecond))
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
