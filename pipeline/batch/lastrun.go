package batch

import (
	"time"

	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// LastRun is what this run of occupations spent and how it ended, for
// DIR/last-run.json: r's counts, what st's meter, stores and limiter
// saw (st needs both a Meter and a Limiter), and the time from started
// to ended.
func (r *Result) LastRun(st *llm.Stack, occupations int, started, ended time.Time) outdir.LastRun {
	spent, cost := st.Meter.Spent()
	limits := st.Limiter.Report()
	return outdir.LastRun{RPM: limits.RPM, TPM: limits.TPM, BoundBy: limits.Bound(), CachedTokens: spent.CachedTokens,
		Started: started.UTC().Format(time.RFC3339), Seconds: ended.Sub(started).Seconds(),
		Occupations: occupations, Ran: r.Ran, Done: r.Done, Failed: r.Failed, AlreadyDone: r.Skipped, NotStarted: r.NotStarted,
		Calls: spent.Calls, Retries: spent.Retries, CacheHits: st.Hits(), RateLimited: st.Limiter.RateLimited(),
		PromptTokens: spent.PromptTokens, CompletionTokens: spent.CompletionTokens, CostUSD: cost, NeedsReview: r.NeedsReview,
		AskedAgain: r.AskedAgain, ShortPanel: r.ShortPanel}
}
