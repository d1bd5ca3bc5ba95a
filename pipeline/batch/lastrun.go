package batch

import (
	"fmt"
	"log/slog"
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

// Finish ends a run of occupations: its LastRun (ended now) is logged in
// one line, "batch finished", with the limits that bound it, and written
// to out/last-run.json. The LastRun is returned even when the write
// fails.
func (r *Result) Finish(out string, st *llm.Stack, occupations int, started time.Time, logger *slog.Logger) (outdir.LastRun, error) {
	lr := r.LastRun(st, occupations, started, time.Now())
	logger.Info("batch finished", "done", lr.Done, "already_done", lr.AlreadyDone, "failed", lr.Failed, "not_started", lr.NotStarted,
		"calls", lr.Calls, "cache_hits", lr.CacheHits, "429s", lr.RateLimited, "prompt_tokens", lr.PromptTokens, "cached_tokens", lr.CachedTokens,
		"cost_usd", fmt.Sprintf("%.4f", lr.CostUSD), "seconds", fmt.Sprintf("%.1f", lr.Seconds), "limits", st.Limiter.Report().String())
	return lr, lr.Write(out)
}
