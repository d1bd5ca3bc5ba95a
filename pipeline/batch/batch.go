package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// Batch runs many occupations through one panel into one output
// directory: DIR/<code>/report.*, DIR/manifest.json and DIR/index.md, the
// latter two rewritten atomically as each occupation ends. Occupations
// already done with the same input, prompts and panel are kept; a failed one does
// not stop the others; a fatal model error (quota, auth) or Stop stops new
// work while in-flight occupations finish.
type Runner struct {
	Panel *deliberation.Panel
	Out   string
	// Concurrency is how many occupations are in flight; 0 means 8. A
	// panel that defers its calls (the Batch API) runs at most 32 at a
	// time in each pass: an occupation waiting on a batch is not running.
	Concurrency int
	// RetryFailed runs only the occupations the manifest marks failed.
	RetryFailed bool
	// Attempts is how often an occupation is deliberated before it is
	// marked failed; 0 means 2. Behind a cache, another attempt pays only
	// for the answers that were missing or invalid.
	Attempts int
	// RequireFullPanel fails an occupation whose verdict would be
	// published with fewer jurors than seats because a juror gave no
	// answer, instead of publishing it on the quorum.
	RequireFullPanel bool
	// Lock is the caller's hold on Out (outdir.LockDir), taken before
	// anything else touched it; nil makes Run take it for the run.
	Lock *outdir.Lock
	// Stop, when closed, stops new occupations from starting.
	Stop <-chan struct{}
	// ManifestEvery is the least time between two writes of the manifest
	// and index while the batch runs; 0 means one second. They are always
	// written at the start and the end. A write costs time in proportion
	// to the catalog (11 MB of manifest at 10,000 occupations), so the
	// wait also grows to 20 times the last write's duration: rewriting
	// them takes at most a twentieth of the run.
	ManifestEvery time.Duration
	// Progress is called after each occupation ends, from one goroutine
	// at a time.
	Progress func(Progress)
	Logger   *slog.Logger
	// Writer writes each verdict with its occupation's edits.yaml; an
	// occupation whose pages a person changed by hand is left alone and
	// marked failed unless Writer.Force.
	Writer outdir.Writer
}

// Progress is the state of a batch after an occupation ends.
type Progress struct {
	Total, Done, Failed, Skipped int
	Last                         outdir.ManifestEntry
}

// Result says how a batch ended.
type Result struct {
	Manifest *outdir.Manifest
	// Ran, Done, Failed count this run's occupations; Skipped those
	// already done; NotStarted those left pending by a stop.
	Ran, Done, Failed, Skipped, NotStarted int
	// Stopped is the fatal error or signal that stopped new work, if any.
	Stopped error
	// NeedsReview lists, by code, the occupations whose report has edits
	// or edited-over text that a person should review (jury edits DIR).
	NeedsReview []string
	// ShortPanel lists, by code, this run's verdicts published with fewer
	// jurors than seats (a ballot invalid, or a juror that never answered
	// even when asked again at the end of the run).
	ShortPanel []string
	// AskedAgain counts the occupations set aside because a juror gave no
	// answer, and deliberated again after the others.
	AskedAgain int
}

// writeShare is how many times a write of the manifest and index lasts
// the least wait until the next (Runner.ManifestEvery).
const writeShare = 20

// defaultAttempts is Runner.Attempts' default.
const defaultAttempts = 2

// ErrFailed reports a batch in which some occupations failed; the error
// Run returns wraps it and names them ("2 occupations failed: …").
var ErrFailed = errors.New("failed")

// ErrStopped reports a batch stopped before it finished.
var ErrStopped = errors.New("batch stopped")

// Run runs the occupations. The error is nil only when every occupation is
// done; it wraps ErrStopped or ErrFailed otherwise, naming the failures.
func (b *Runner) Run(ctx context.Context, occs []jury.Occupation) (*Result, error) {
	logger := b.Panel.Log()
	if b.Logger != nil {
		logger = b.Logger
	}
	if b.Lock == nil {
		lock, err := outdir.LockDir(b.Out)
		if err != nil {
			return nil, err
		}
		defer lock.Release()
	}
	// A killed run may have left temporary files; none may outlive it.
	if err := atomicfile.Sweep(b.Out); err != nil {
		return nil, fmt.Errorf("clean %s: %w", b.Out, err)
	}
	m, err := outdir.ReadManifest(b.Out)
	if err != nil {
		return nil, err
	}
	res := &Result{Manifest: m, ShortPanel: []string{}}
	var todo []jury.Occupation
	promptHash := b.Panel.Prompts.Hash()
	for _, occ := range occs {
		// An invalid occupation is not validated here: Deliberate refuses
		// it, and it is marked failed with the reason while the others go on.
		prev := m.Entry(occ.Code)
		if b.RetryFailed && (prev == nil || prev.Status != outdir.StatusFailed) {
			continue
		}
		if done, ok := b.finished(occ, promptHash); ok {
			m.Set(done.ManifestEntry)
			if done.Status == outdir.StatusFailed {
				// Current, but its pages were changed by hand: listed
				// with the failures, left as they are.
				logger.Warn("occupation left alone", "code", occ.Code, "error", done.Error)
				res.Failed++
			} else {
				res.Skipped++
			}
			if done.review {
				res.NeedsReview = append(res.NeedsReview, occ.Code)
			}
			continue
		}
		todo = append(todo, occ)
		m.Set(outdir.ManifestEntry{Code: occ.Code, Title: occ.Title, Status: outdir.StatusPending,
			InputHash: deliberation.InputHash(occ), PromptHash: promptHash})
	}
	var mu sync.Mutex // guards m, res, written and the manifest file
	if err := m.Write(b.Out); err != nil {
		return nil, err
	}
	least := b.ManifestEvery
	if least <= 0 {
		least = time.Second
	}
	every := least
	written := time.Now()
	logger.Info("batch starting", "occupations", len(occs), "to_run", len(todo), "already_done", res.Skipped, "out", b.Out)

	var stopped atomic.Pointer[error]
	stop := func(err error) { stopped.CompareAndSwap(nil, &err) }
	conc := b.Concurrency
	if conc <= 0 {
		conc = 8
	}
	// First pass: a verdict short of a juror that never answered (a
	// storm of 429s, a flaky connection) is not published but set aside;
	// the second pass asks again once the others are done, and only then
	// falls back to the quorum (or fails, with RequireFullPanel).
	//
	// A panel on the Batch API defers its calls (llm.Deferral): a pass
	// queues every verdict's next round and gives the verdict up for now;
	// once the batches are answered, the next pass deliberates the
	// deferred verdicts again, replaying what was answered, until none is
	// left. No goroutine waits on a batch, so a pass needs only a few.
	var later []deferred
	dl := llm.NewDeferral()
	dctx := llm.WithDeferral(ctx, dl)
	if b.defers() {
		conc = min(conc, deferredConcurrency)
	}
	onePass := func(items []deferred, final bool) []deferred {
		var again []deferred
		pl := pool.New().WithMaxGoroutines(conc)
		for _, it := range items {
			if b.stopRequested(&stopped) {
				break
			}
			pl.Go(func() {
				if b.stopRequested(&stopped) {
					return
				}
				entry := b.one(dctx, it, promptHash, !final || b.RequireFullPanel)
				if entry.deferred {
					mu.Lock()
					again = append(again, deferred{occ: it.occ, spent: entry.lost, tried: entry.tried})
					mu.Unlock()
					return
				}
				if !final && errors.Is(entry.err, deliberation.ErrSeatLost) {
					logger.Warn("a juror gave no answer: asking again at the end of the run", "code", it.occ.Code, "error", entry.Error)
					mu.Lock()
					later = append(later, deferred{occ: it.occ, spent: entry.lost})
					mu.Unlock()
					return
				}
				if entry.Status == outdir.StatusFailed {
					logger.Warn("occupation failed", "code", it.occ.Code, "error", entry.Error)
					if e := entry.err; e != nil && (llm.Fatal(e) || ctx.Err() != nil) {
						stop(e)
					}
				} else {
					logger.Info("occupation done", "code", it.occ.Code, "headline", *entry.Headline, "calls", entry.Usage.Calls)
				}
				mu.Lock()
				defer mu.Unlock()
				if entry.review {
					res.NeedsReview = append(res.NeedsReview, it.occ.Code)
				}
				m.Set(entry.ManifestEntry)
				res.Ran++
				if entry.Status == outdir.StatusDone {
					res.Done++
				} else {
					res.Failed++
				}
				if entry.short {
					res.ShortPanel = append(res.ShortPanel, it.occ.Code)
					logger.Warn("verdict published with fewer jurors than seats", "code", it.occ.Code, "jurors", entry.jurors)
				}
				// Rewriting the whole manifest after every occupation would
				// cost O(n²) on a big catalog; the reports are the record.
				if time.Since(written) >= every {
					began := time.Now()
					if err := m.Write(b.Out); err != nil {
						stop(err)
					}
					written = time.Now()
					every = max(least, writeShare*written.Sub(began))
				}
				if b.Progress != nil {
					b.Progress(Progress{Total: len(todo) + res.Skipped, Done: res.Done + res.Skipped, Failed: res.Failed, Skipped: res.Skipped, Last: entry.ManifestEntry})
				}
			})
		}
		pl.Wait()
		return again
	}
	pass := func(items []deferred, final bool) {
		for len(items) > 0 {
			items = onePass(items, final)
			if len(items) == 0 || b.stopRequested(&stopped) {
				return
			}
			logger.Info("waiting for the batches of this round", "occupations", len(items))
			if err := dl.Wait(ctx); err != nil {
				stop(err)
				return
			}
			// The same order as the first pass: a batch's lines follow the catalog.
			slices.SortFunc(items, func(a, b deferred) int { return strings.Compare(a.occ.Code, b.occ.Code) })
		}
	}
	first := make([]deferred, len(todo))
	for i, occ := range todo {
		first[i] = deferred{occ: occ}
	}
	pass(first, false)
	if len(later) > 0 && !b.stopRequested(&stopped) {
		res.AskedAgain = len(later)
		slices.SortFunc(later, func(a, b deferred) int { return strings.Compare(a.occ.Code, b.occ.Code) })
		logger.Info("asking again the jurors that gave no answer", "occupations", len(later))
		pass(later, true)
	}
	slices.Sort(res.ShortPanel)
	slices.Sort(res.NeedsReview)
	if len(res.NeedsReview) > 0 {
		logger.Warn("edits need review: run jury edits "+b.Out, "occupations", strings.Join(res.NeedsReview, ","))
	}
	res.NotStarted = len(todo) - res.Ran
	if p := stopped.Load(); p != nil {
		res.Stopped = *p
	}
	if err := m.Write(b.Out); err != nil {
		return res, err
	}
	switch {
	case res.Stopped != nil:
		return res, fmt.Errorf("%w after %d of %d occupations (%d failed, %d not started; run the same command again to resume): %w",
			ErrStopped, res.Done+res.Skipped, len(todo)+res.Skipped, res.Failed, res.NotStarted, res.Stopped)
	case res.Failed > 0:
		var codes []string
		for _, e := range m.Occupations {
			if e.Status == outdir.StatusFailed {
				codes = append(codes, e.Code)
			}
		}
		noun := "occupations"
		if res.Failed == 1 {
			noun = "occupation"
		}
		return res, fmt.Errorf("%d %s %w: %s (see %s; rerun with --retry-failed)", res.Failed, noun, ErrFailed,
			strings.Join(codes, ", "), filepath.Join(b.Out, "manifest.json"))
	}
	return res, nil
}

// errStopRequested is the reason recorded when Stop is closed.
var errStopRequested = errors.New("stop requested (signal)")

func (b *Runner) stopRequested(stopped *atomic.Pointer[error]) bool {
	if stopped.Load() != nil {
		return true
	}
	select {
	case <-b.Stop:
		err := errStopRequested
		stopped.CompareAndSwap(nil, &err)
		return true
	default:
		return false
	}
}

// finished returns the manifest entry of a finished verdict that is still
// current (deliberation.Panel.Current: same input, prompts and panel),
// read from its report on disk; ok is false when there is none. The
// report, not the manifest, is the record: the manifest is written at
// most every ManifestEvery and may lag behind a crash.
//
// The kept verdict follows its occupation's edits.yaml (outdir.Writer's
// Refresh): when that cannot be written (pages changed by hand, a bad
// edits.yaml), the entry is marked failed with the reason, and the files
// are left as they are.
func (b *Runner) finished(occ jury.Occupation, promptHash string) (outcome, bool) {
	r, err := outdir.ReadReport(filepath.Join(b.Out, occ.Code, "report.json"))
	if err != nil || !b.Panel.Current(occ, r.ModelView()) {
		return outcome{}, false
	}
	if b.RequireFullPanel && slices.ContainsFunc(r.Jurors, jury.JurorResult.Unanswered) {
		return outcome{}, false
	}
	e := outcome{ManifestEntry: outdir.ManifestEntry{Code: occ.Code, Title: occ.Title, Status: outdir.StatusDone,
		InputHash: r.Provenance.InputHash, PromptHash: promptHash, Usage: r.Usage}}
	w, err := b.Writer.Refresh(b.Out, occ.Code)
	if err != nil {
		e.Status, e.err, e.Error = outdir.StatusFailed, err, oneLine(err)
		return e, true
	}
	h := w.Report.Headline
	e.Headline, e.Band, e.review = &h, w.Report.Band, b.needsReview(w)
	return e, true
}

// needsReview reports whether a written report needs a person: an edit
// that needs review, or one not shown because its juror or task does not
// exist (each said in the log, as jury render says it).
func (b *Runner) needsReview(w outdir.Written) bool {
	for _, warning := range w.Warnings {
		b.Panel.Log().Warn("edit not shown", "detail", warning)
	}
	return w.Report.ReviewCount() > 0 || len(w.Warnings) > 0
}

// deferred is an occupation to deliberate, what earlier passes spent on
// it and how many of its attempts they ended.
type deferred struct {
	occ   jury.Occupation
	spent jury.Usage
	tried int
}

// deferredConcurrency bounds the occupations in flight in a pass whose
// calls are deferred: none waits on the network, so a few keep the
// cores busy, and memory does not grow with the catalog.
const deferredConcurrency = 32

// defers reports whether a seat of the panel defers its calls to a later
// batch (the Batch API).
func (b *Runner) defers() bool {
	if llm.Defers(b.Panel.Foreperson.Model) {
		return true
	}
	return slices.ContainsFunc(b.Panel.Seats, func(s deliberation.Seat) bool { return llm.Defers(s.Model) })
}

type outcome struct {
	outdir.ManifestEntry
	err error
	// short is a verdict published with fewer jurors than seats; jurors
	// says how many of them counted ("3 of 4").
	short  bool
	jurors string
	// lost is what this and earlier passes paid and no later attempt
	// replays.
	lost jury.Usage
	// review is set when the report written needs a person's review.
	review bool
	// deferred is set when a call was deferred to a later batch: the
	// occupation goes on in the next pass, where tried attempts are over.
	deferred bool
	tried    int
}

func oneLine(err error) string { return strings.Join(strings.Fields(llm.Redact(err.Error())), " ") }

// one runs one occupation and writes its report. full refuses a verdict
// short of a juror that never answered (deliberation.ErrSeatLost); spent
// is what earlier passes paid for it, counted in the entry's usage.
func (b *Runner) one(ctx context.Context, it deferred, promptHash string, full bool) outcome {
	occ, spent := it.occ, it.spent
	e := outcome{ManifestEntry: outdir.ManifestEntry{Code: occ.Code, Title: occ.Title, InputHash: deliberation.InputHash(occ), PromptHash: promptHash}}
	attempts := b.Attempts
	if attempts <= 0 {
		attempts = defaultAttempts
	}
	deliberate := b.Panel.Deliberate
	if full {
		deliberate = b.Panel.DeliberateFull
	}
	var r *jury.Report
	var usage jury.Usage
	var err error
	for a := it.tried + 1; a <= attempts; a++ {
		// Every attempt is paid for: the entry counts what each earlier
		// one lost (its valid answers are replayed from the cache and
		// counted again in the next attempt's usage).
		spent = spent.Add(deliberation.Lost(usage, err))
		r, usage, err = deliberate(ctx, occ)
		if llm.KindOf(err) == llm.Deferred {
			// Not over: the attempt goes on in the next pass.
			e.deferred, e.tried = true, a-1
			e.lost = spent.Add(deliberation.Lost(usage, err))
			return e
		}
		if err == nil || llm.Final(err) || ctx.Err() != nil || errors.Is(err, jury.ErrInvalid) ||
			(errors.Is(err, deliberation.ErrSeatLost) && !b.RequireFullPanel) {
			break
		}
		if a < attempts {
			b.Panel.Log().Warn("deliberating again", "code", occ.Code, "attempt", a+1, "error", err)
		}
	}
	e.Usage = usage.Add(spent)
	e.lost = spent.Add(deliberation.Lost(usage, err))
	var w outdir.Written
	if err == nil {
		w, err = b.Writer.WriteReport(b.Out, r)
	}
	if err != nil {
		e.Status, e.err, e.Error = outdir.StatusFailed, err, oneLine(err)
		return e
	}
	h := w.Report.Headline
	e.Status, e.Headline, e.Band, e.review = outdir.StatusDone, &h, w.Report.Band, b.needsReview(w)
	if n := r.Counted(); n < len(r.Jurors) {
		e.short, e.jurors = true, fmt.Sprintf("%d of %d", n, len(r.Jurors))
	}
	return e
}

// MostCalls bounds the answers a batch of n occupations pays for on
// panel: per occupation every seat's ballot and statement and the
// foreperson's note, each with its re-asks, on each attempt (attempts 0
// means the Runner's default, 2). Retries of failed calls are not
// answers and are not counted. Answers in the cache are not paid for, so
// a resumed batch pays less.
func MostCalls(panel *deliberation.Panel, n, attempts int) int {
	if attempts <= 0 {
		attempts = defaultAttempts
	}
	return n * (2*len(panel.Seats) + 1) * (1 + panel.Reasks()) * attempts
}
