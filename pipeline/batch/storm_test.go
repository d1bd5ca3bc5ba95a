package batch_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// TestBatchCountsEveryAttempt: an occupation deliberated twice reports the
// calls of both attempts, as the provider counts them.
func TestBatchCountsEveryAttempt(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	occs := openaitest.Occupations(1)
	for _, juror := range []string{"The Diplomat", "The Optimist"} {
		// Refused on the first attempt (three answers each): no quorum.
		srv.Script(openaitest.Juror(juror), openaitest.Repeat(openaitest.Refusal, 3)...)
	}
	b, meter := batchOn(t, srv, out)
	res, err := b.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, 1, res.Done)
	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	// Attempt 1: 2 valid ballots + 2×3 refusals; attempt 2: the 2 missing
	// ballots (the others from the cache), 4 statements, the foreperson.
	require.Equal(t, 8+7, srv.Count())
	require.Equal(t, srv.Count(), m.Entry(occs[0].Code).Usage.Calls)
	spent, _ := meter.Spent()
	require.Equal(t, srv.Count(), spent.Calls)
}

// TestBatchAsksALostJurorAgainLater: a juror lost to the provider's
// failures (not to an invalid answer) is asked again once the other
// occupations are done; only then does the verdict fall back to the
// quorum, and then the page and the result say so — or, with
// RequireFullPanel, the occupation fails.
func TestBatchAsksALostJurorAgainLater(t *testing.T) {
	cases := []struct {
		name        string
		lostCalls   int // the Diplomat's ballot on the lost occupation fails this often; -1: always
		requireFull bool
		wantDone    int
		wantShort   []string
		wantFailed  bool
	}{
		{name: "lost once, full on the second pass", lostCalls: 3, wantDone: 3, wantShort: []string{}},
		{name: "lost twice, published short and said so", lostCalls: 6, wantDone: 3, wantShort: []string{"lost"}},
		{name: "always lost, --require-full-panel fails it", lostCalls: -1, requireFull: true, wantDone: 2, wantShort: []string{}, wantFailed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			out := t.TempDir()
			occs := openaitest.Occupations(3)
			lost := occs[1].Code
			match := openaitest.And(openaitest.Occupation(lost), openaitest.Juror("The Diplomat"))
			if tc.lostCalls > 0 {
				srv.Script(match, openaitest.Repeat(openaitest.ServerError, tc.lostCalls)...)
			} else {
				srv.ByRequest(func(c openaitest.ChatRequest, _ int) openaitest.Fault {
					if match(c) {
						return openaitest.ServerError
					}
					return openaitest.OK
				})
			}
			b, _ := batchOn(t, srv, out)
			b.RequireFullPanel = tc.requireFull
			res, err := b.Run(context.Background(), occs)
			require.Equal(t, 1, res.AskedAgain, "the lost occupation is set aside once")
			require.Equal(t, tc.wantDone, res.Done)
			var wantShort []string
			for _, s := range tc.wantShort {
				wantShort = append(wantShort, map[string]string{"lost": lost}[s])
			}
			require.Equal(t, append([]string{}, wantShort...), res.ShortPanel)
			m, merr := outdir.ReadManifest(out)
			require.NoError(t, merr)
			calls := 0
			for _, e := range m.Occupations {
				calls += e.Usage.Calls
			}
			require.Equal(t, srv.Count(), calls, "the manifest counts every call the server saw, both passes included")
			if tc.wantFailed {
				require.ErrorIs(t, err, batch.ErrFailed)
				m, err := outdir.ReadManifest(out)
				require.NoError(t, err)
				require.Contains(t, m.Entry(lost).Error, "a juror gave no answer")
				require.NoDirExists(t, filepath.Join(out, lost))
				return
			}
			require.NoError(t, err)
			r, err := outdir.ReadReport(filepath.Join(out, lost, "report.json"))
			require.NoError(t, err)
			md, err := os.ReadFile(filepath.Join(out, lost, "report.md"))
			require.NoError(t, err)
			page, err := os.ReadFile(filepath.Join(out, lost, "report.html"))
			require.NoError(t, err)
			if len(wantShort) == 0 {
				require.Equal(t, 4, r.Counted())
				require.NotContains(t, string(md), "jurors counted")
				return
			}
			require.Equal(t, 3, r.Counted())
			require.Contains(t, string(md), "3 of 4 jurors counted")
			require.Contains(t, string(md), "Not counted: gave no answer.")
			require.Contains(t, string(page), "this juror gave no answer")
		})
	}
}

// TestBatchThroughARateLimitStorm drives a batch told four times the
// server's real limit (12,000 RPM against 3,000/min enforced per second):
// every occupation ends done, and no verdict is published with fewer
// than four jurors unless its page and the batch result say so. It runs a
// real rate-limited server, so it asserts on outcomes, never on time; and
// since a slow machine (-race, a loaded CI) may never reach that limit,
// half the attempts also get a 429 derived from the request, so the
// storm — jurors that run out of their 429 budget — happens at any speed.
func TestBatchThroughARateLimitStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a storm takes seconds")
	}
	srv := openaitest.New(t, openaitest.WithRateLimit(3000))
	srv.ByRequest(func(c openaitest.ChatRequest, attempt int) openaitest.Fault {
		if openaitest.Uniform("storm", c.Key(), strconv.Itoa(attempt)) < 0.5 {
			return openaitest.RateLimitMs("20")
		}
		return openaitest.OK
	})
	out := t.TempDir()
	occs := openaitest.Occupations(24)
	b, meter := stormBatchOn(t, srv, out, 12000)
	res, err := b.Run(context.Background(), occs)
	require.NoError(t, err)
	require.Equal(t, len(occs), res.Done, "every occupation done")
	turnedAway := srv.RateLimited()
	for _, r := range srv.Requests() {
		if r.Fault != openaitest.OK {
			turnedAway++
		}
	}
	require.Positive(t, turnedAway, "the server turned requests away: a storm happened")
	require.Positive(t, res.AskedAgain, "some juror ran out of its 429 budget and was asked again")
	spent, _ := meter.Spent()
	t.Logf("%d requests, %d answered 429 (%d by the limit); %d calls paid; %d set aside and asked again; short panels: %v",
		srv.Count(), turnedAway, srv.RateLimited(), spent.Calls, res.AskedAgain, res.ShortPanel)
	for _, o := range occs {
		r, err := outdir.ReadReport(filepath.Join(out, o.Code, "report.json"))
		require.NoError(t, err)
		if r.Counted() == len(r.Jurors) {
			continue
		}
		require.Contains(t, res.ShortPanel, o.Code, "a short panel is in the batch result")
		md, err := os.ReadFile(filepath.Join(out, o.Code, "report.md"))
		require.NoError(t, err)
		require.Contains(t, string(md), "jurors counted: this verdict rests on a short panel")
	}
}

// stormBatchOn is batchOn with real waits and a limiter told rpm.
func stormBatchOn(t *testing.T, srv *openaitest.Server, out string, rpm int) (*batch.Runner, *llm.Meter) {
	t.Helper()
	var model llm.Model = llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	model = llm.Limit(model, llm.NewLimiter(llm.Limits{RPM: rpm}))
	model = llm.Retry(model, llm.RetryPolicy{})
	meter := llm.NewMeter(llm.DefaultPrices(), 0)
	model = llm.Metered(model, meter)
	model = llm.NewStore(model, filepath.Join(out, ".cache"), llm.ReplayOrRecord, "openai")
	b, _ := batchOn(t, srv, out)
	for i := range b.Panel.Seats {
		b.Panel.Seats[i].Model = model
	}
	b.Panel.Foreperson.Model = model
	b.Concurrency = 16
	return b, meter
}
