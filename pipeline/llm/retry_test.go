package llm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
)

// fakeClock records the waits Retry asks for instead of sleeping.
type fakeClock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	return ctx.Err()
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t time.Duration
	for _, w := range c.waits {
		t += w
	}
	return t
}

// plainRequest is a request the test server can answer without a schema:
// it is only used with faults that never reach the answer.
func ballotRequest(t *testing.T) llm.Request {
	t.Helper()
	return openaitest.BallotRequest(t)
}

func TestRetryFaultClasses(t *testing.T) {
	cases := []struct {
		name      string
		faults    []openaitest.Fault
		wantCalls int
		wantKind  llm.Kind // 0: success
		wantWait  time.Duration
		// minWait bounds backoff waits from below when they carry jitter.
		minWait time.Duration
	}{
		{name: "ok", wantCalls: 1},
		{name: "429 retry-after 1", faults: []openaitest.Fault{openaitest.RateLimit("1")}, wantCalls: 2, wantWait: time.Second},
		{name: "429 retry-after-ms 1500", faults: []openaitest.Fault{openaitest.RateLimitMs("1500")}, wantCalls: 2, wantWait: 1500 * time.Millisecond},
		{name: "429 over the cap stops at once", faults: []openaitest.Fault{openaitest.RateLimit("600")}, wantCalls: 1, wantKind: llm.LongWait},
		{name: "429s that name a wait have their own budget", faults: openaitest.Repeat(openaitest.RateLimit("2"), 5), wantCalls: 6, wantWait: 10 * time.Second},
		{name: "429 budget exhausted", faults: openaitest.Repeat(openaitest.RateLimit("2"), 6), wantCalls: 6, wantKind: llm.RateLimited, wantWait: 10 * time.Second},
		{name: "429 without a wait backs off", faults: []openaitest.Fault{openaitest.RateLimitNoWait}, wantCalls: 2, minWait: 500 * time.Millisecond},
		{name: "500 then ok", faults: []openaitest.Fault{openaitest.ServerError}, wantCalls: 2, minWait: 500 * time.Millisecond},
		{name: "503 html twice then ok", faults: []openaitest.Fault{openaitest.Unavailable, openaitest.Unavailable}, wantCalls: 3, minWait: 1500 * time.Millisecond},
		{name: "three 500s exhaust two retries", faults: openaitest.Repeat(openaitest.ServerError, 3), wantCalls: 3, wantKind: llm.Transient, minWait: 1500 * time.Millisecond},
		{name: "connection reset", faults: []openaitest.Fault{openaitest.Reset}, wantCalls: 2, minWait: 500 * time.Millisecond},
		{name: "malformed body", faults: []openaitest.Fault{openaitest.MalformedBody}, wantCalls: 2, minWait: 500 * time.Millisecond},
		{name: "hang times out and is retried", faults: []openaitest.Fault{openaitest.Hang}, wantCalls: 2, minWait: 500 * time.Millisecond},
		{name: "insufficient_quota is never retried", faults: []openaitest.Fault{openaitest.Quota}, wantCalls: 1, wantKind: llm.Quota},
		{name: "401 is never retried", faults: []openaitest.Fault{openaitest.BadAuth}, wantCalls: 1, wantKind: llm.Auth},
		{name: "400 is never retried", faults: []openaitest.Fault{openaitest.BadRequest}, wantCalls: 1, wantKind: llm.BadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Script(openaitest.Any, tc.faults...)
			clock := &fakeClock{}
			model := llm.Retry(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}), llm.RetryPolicy{
				Sleep: clock.Sleep, Timeout: 2 * time.Second, Jitter: func() float64 { return 0 },
			})
			resp, err := model.Complete(context.Background(), ballotRequest(t))
			require.Equal(t, tc.wantCalls, srv.Count(), "requests the server saw")
			if tc.wantKind == 0 {
				require.NoError(t, err)
				require.NotEmpty(t, resp.Content)
				require.Equal(t, tc.wantCalls, resp.Usage.Calls)
				require.Equal(t, tc.wantCalls-1, resp.Usage.Retries)
				require.Positive(t, resp.Usage.PromptTokens)
			} else {
				require.Error(t, err)
				require.Equal(t, tc.wantKind, llm.KindOf(err), "error: %v", err)
				require.Equal(t, tc.wantCalls, llm.UsageOf(err).Calls)
			}
			if tc.wantWait > 0 {
				require.Equal(t, tc.wantWait, clock.total())
			}
			if tc.minWait > 0 {
				require.GreaterOrEqual(t, clock.total(), tc.minWait)
			}
			// Every attempt sends the identical body.
			reqs := srv.Requests()
			for _, r := range reqs[1:] {
				require.Equal(t, string(reqs[0].Body), string(r.Body))
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Any, openaitest.ServerError, openaitest.ServerError)
	ctx, cancel := context.WithCancel(context.Background())
	model := llm.Retry(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}), llm.RetryPolicy{
		Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() },
	})
	_, err := model.Complete(ctx, ballotRequest(t))
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, srv.Count())
	require.Equal(t, 1, llm.UsageOf(err).Calls)
}

func TestOpenAIReadsRateLimitHeaders(t *testing.T) {
	srv := openaitest.New(t)
	resp, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}).Complete(context.Background(), ballotRequest(t))
	require.NoError(t, err)
	require.True(t, resp.RateLimit.Known)
	require.Equal(t, 10000, resp.RateLimit.LimitRequests)
	require.Equal(t, 523*time.Millisecond, resp.RateLimit.ResetTokens, "reset headers are Go durations")
	require.Equal(t, 6*time.Millisecond, resp.RateLimit.ResetRequests)
}

func TestErrorsNeverShowTheKey(t *testing.T) {
	const canary = "sk-canary-0123456789abcdefghijKLMNOP"
	srv := openaitest.New(t)
	srv.Script(openaitest.Any, openaitest.BadAuth)
	_, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: canary, BaseURL: srv.URL()}).Complete(context.Background(), ballotRequest(t))
	require.Error(t, err)
	require.Equal(t, llm.Auth, llm.KindOf(err))
	require.NotContains(t, err.Error(), canary[:12])
	require.NotContains(t, err.Error(), canary[len(canary)-4:])
	require.Contains(t, err.Error(), "401")
}

func TestClassifyStatus(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   llm.Kind
	}{
		{429, "rate_limit_exceeded", llm.RateLimited},
		{429, "insufficient_quota", llm.Quota},
		{401, "invalid_api_key", llm.Auth},
		{403, "", llm.Auth},
		{400, "invalid_value", llm.BadRequest},
		{404, "", llm.BadRequest},
		{408, "", llm.Transient},
		{409, "", llm.Transient},
		{500, "", llm.Transient},
		{503, "", llm.Transient},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, llm.ClassifyStatus(tc.status, tc.code), "%d %s", tc.status, tc.code)
	}
}

func TestRetryJittersNamedWaits(t *testing.T) {
	cases := []struct {
		name   string
		fault  openaitest.Fault
		jitter float64
		want   time.Duration
	}{
		{name: "no jitter waits what the server names", fault: openaitest.RateLimit("2"), jitter: 0, want: 2 * time.Second},
		{name: "jitter adds up to half the named wait", fault: openaitest.RateLimit("2"), jitter: 0.5, want: 2500 * time.Millisecond},
		{name: "a tiny wait still spreads over a quarter of the base delay", fault: openaitest.RateLimitMs("20"), jitter: 1, want: 20*time.Millisecond + 250*time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Script(openaitest.Any, tc.fault)
			clock := &fakeClock{}
			model := llm.Retry(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}), llm.RetryPolicy{
				Sleep: clock.Sleep, Jitter: func() float64 { return tc.jitter },
			})
			_, err := model.Complete(context.Background(), ballotRequest(t))
			require.NoError(t, err)
			require.Equal(t, tc.want, clock.total())
		})
	}
}

// TestRetryNeverCountsNegativeRetries: an attempt that sent nothing (a
// Batch API request whose batch failed as a whole carries no call) must
// not make the retry count negative — last-run.json once said
// "retries": -5.
func TestRetryNeverCountsNegativeRetries(t *testing.T) {
	cases := []struct {
		name      string
		calls     int // what each failed attempt says it sent
		wantCalls int
	}{
		{name: "attempts that sent nothing", calls: 0, wantCalls: 0},
		{name: "attempts that each sent one", calls: 1, wantCalls: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			failing := llm.ModelFunc(func(context.Context, llm.Request) (llm.Response, error) {
				return llm.Response{}, &llm.Error{Kind: llm.Transient, Provider: "openai batch", Message: "batch failed",
					Usage: llm.Usage{Calls: tc.calls}}
			})
			clock := &fakeClock{}
			_, err := llm.Retry(failing, llm.RetryPolicy{Sleep: clock.Sleep}).Complete(context.Background(), ballotRequest(t))
			require.Error(t, err)
			u := llm.UsageOf(err)
			require.Equal(t, tc.wantCalls, u.Calls)
			require.Equal(t, max(tc.wantCalls-1, 0), u.Retries)
		})
	}
}
