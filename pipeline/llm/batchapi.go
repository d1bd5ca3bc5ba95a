package llm

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/onet-jury/jury/pipeline/atomicfile"
)

// MaxBatchLines is the most requests OpenAI accepts in one batch file.
const MaxBatchLines = 50000

// DefaultEnqueuedTokens is OpenAI's enqueued-token limit of gpt-4o-mini
// on the first usage tier: 2,000,000 tokens in running batches.
const DefaultEnqueuedTokens = 2_000_000

// maxResubmits bounds how often one submission refused for the
// enqueued-token limit is sent again.
const maxResubmits = 5

// BatchConfig configures a BatchAPI. The zero value of each field means
// its default.
type BatchConfig struct {
	// StateDir keeps one file per submitted batch (its ID and the keys of
	// its requests), so that a run that crashed picks its batches up by ID
	// instead of paying for them again. Required.
	StateDir string
	// Idle is how long no new request must arrive before the collected
	// ones are submitted; default 2 s.
	Idle time.Duration
	// MaxLines bounds the requests of one batch file; default and at most
	// MaxBatchLines.
	MaxLines int
	// Poll is the first wait between status checks; each wait grows by
	// half up to MaxPoll. Defaults 5 s and 60 s.
	Poll, MaxPoll time.Duration
	// MaxEnqueuedTokens bounds the estimated tokens (EstimateTokens) of
	// the batches this client has running at once: the provider refuses a
	// batch that takes a model's enqueued tokens over its limit
	// (token_limit_exceeded), so requests are split into submissions under
	// it, each sent when the ones before it leave room; default
	// DefaultEnqueuedTokens.
	MaxEnqueuedTokens int
	// Sleep waits d or until ctx is done; tests swap it.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

func (c BatchConfig) withDefaults() BatchConfig {
	if c.Idle <= 0 {
		c.Idle = 2 * time.Second
	}
	if c.MaxLines <= 0 || c.MaxLines > MaxBatchLines {
		c.MaxLines = MaxBatchLines
	}
	if c.Poll <= 0 {
		c.Poll = 5 * time.Second
	}
	if c.MaxPoll <= 0 {
		c.MaxPoll = time.Minute
	}
	if c.MaxEnqueuedTokens <= 0 {
		c.MaxEnqueuedTokens = DefaultEnqueuedTokens
	}
	if c.Sleep == nil {
		c.Sleep = SleepContext
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// BatchAPI is a Model that sends requests through OpenAI's Batch API at
// half the price: calls made close together are collected into one JSONL
// file (custom_id = the request's key), uploaded, run as a batch with a
// 24-hour window, polled with backoff, and each caller gets its own line
// of the output or error file back. A caller blocks until its batch is
// done or its own context ends, so put no short per-attempt timeout
// around it — unless its context carries a Deferral: then the call is
// queued and returns at once with a Deferred error, and its answer is
// kept on disk (an answers file in StateDir) for the caller to ask again
// in the next pass.
//
// One collector goroutine, started by NewBatchAPI and stopped by Close,
// owns the batches: it waits until no new request has come for Idle,
// submits, polls and hands out the answers; requests that arrive while a
// batch runs (re-asks, the foreperson) form the next one. Queued requests
// wait on disk (a spool file in StateDir), not in memory, and a batch's
// output is read line by line: what the collector keeps per request is
// its key and where its line is. Safe for concurrent use; Close it when
// the run ends.
type BatchAPI struct {
	client *OpenAI
	cfg    BatchConfig

	mu      sync.Mutex
	queue   []*batchWaiter
	known   map[string]string // request key → ID of the batch it was sent in
	spool   *os.File          // the queued requests' batch lines
	spoolN  int64             // bytes written to spool
	closed  bool
	arrived chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
	once    sync.Once

	// answered are the answers of ended batches that no caller waited
	// for, by request: lines of answers files in StateDir.
	answered map[reqID]answerRef
	// failed are the failed lines of deferred requests, by key.
	failed map[string]*lineFailure
	// outstanding are the keys of deferred requests not answered yet;
	// settled is closed, and replaced, whenever some are answered.
	outstanding map[string]struct{}
	settled     chan struct{}
	files       []*answersFile
}

// reqID is a request key (Key: 32 hex digits) as 16 bytes: the index
// of a catalog's answers holds one per call.
type reqID [16]byte

// idOf returns key's reqID; a key that is not ours maps to a hash of it.
func idOf(key string) reqID {
	var id reqID
	if len(key) != 2*len(id) {
		sum := sha256.Sum256([]byte(key))
		copy(id[:], sum[:])
		return id
	}
	if _, err := hex.Decode(id[:], []byte(key)); err != nil {
		sum := sha256.Sum256([]byte(key))
		copy(id[:], sum[:])
	}
	return id
}

// answerRef is where an answer sits: n bytes at off in file. served is
// set once it has been handed out (and so counted by the meter).
type answerRef struct {
	file   *answersFile
	off    int64
	n      int32
	served bool
}

// answersFile is one ended batch's answers that no caller waited for,
// StateDir/<batch>.answers.jsonl; unserved counts those not handed out,
// so that Close keeps a file a stopped run has not used up.
type answersFile struct {
	f        *os.File
	path     string
	unserved int
}

// lineFailure is the last failed line of a deferred request, fresh until
// it is handed out, and how many of its lines failed in this run.
type lineFailure struct {
	res   batchResult
	count int
	fresh bool
}

// maxLineFailures bounds the lines one deferred request may fail before
// its error is handed to the caller rather than sent again: one call and
// Retry's default retries.
const maxLineFailures = 1 + DefaultRetries

// batchWaiter is one queued call: its request's batch line sits in a
// spool file at off, n bytes long. done is nil for a deferred call: its
// answer goes to an answers file.
type batchWaiter struct {
	key    string
	tokens int
	spool  *os.File
	off, n int64
	done   chan batchResult
}

type batchResult struct {
	resp Response
	err  error
}

// batchState is the file kept per submitted batch.
type batchState struct {
	ID          string   `json:"id"`
	InputFileID string   `json:"input_file_id"`
	Keys        []string `json:"keys"`
}

// ErrBatchClosed is the error of a call made to, or still queued in, a
// closed BatchAPI.
var ErrBatchClosed = errors.New("batch api closed")

// NewBatchAPI returns a Batch API model on client, reading the batches a
// previous run left in cfg.StateDir, and starts its collector; Close stops
// it.
func NewBatchAPI(client *OpenAI, cfg BatchConfig) (*BatchAPI, error) {
	cfg = cfg.withDefaults()
	if cfg.StateDir == "" {
		return nil, errors.New("batch api: no state directory")
	}
	b := &BatchAPI{client: client, cfg: cfg, known: map[string]string{}, arrived: make(chan struct{}, 1), done: make(chan struct{}),
		answered: map[reqID]answerRef{}, failed: map[string]*lineFailure{}, outstanding: map[string]struct{}{}, settled: make(chan struct{})}
	paths, _ := filepath.Glob(filepath.Join(cfg.StateDir, "*.json"))
	for _, p := range paths {
		var st batchState
		data, err := os.ReadFile(p)
		if err == nil {
			err = json.Unmarshal(data, &st)
		}
		if err != nil || st.ID == "" {
			return nil, fmt.Errorf("batch api: %s is not a batch record (%v): delete it to submit its requests again", p, err)
		}
		for _, k := range st.Keys {
			b.known[k] = st.ID
		}
	}
	if err := os.MkdirAll(cfg.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("batch api: %w", err)
	}
	// Spools and uploads a crashed run left: their requests were never
	// submitted, or are in a batch that has a record; answers files it
	// was writing: their batch still has its record.
	for _, pattern := range []string{"queue-*.jsonl.tmp", "upload-*.jsonl", "*.answers.jsonl.tmp"} {
		leftovers, _ := filepath.Glob(filepath.Join(cfg.StateDir, pattern))
		for _, p := range leftovers {
			os.Remove(p)
		}
	}
	// Answers an earlier run collected and did not use: paid for, so
	// handed out before anything is sent again.
	kept, _ := filepath.Glob(filepath.Join(cfg.StateDir, "*.answers.jsonl"))
	for _, p := range kept {
		if err := b.loadAnswers(p); err != nil {
			b.closeFiles()
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	go b.collect(ctx)
	return b, nil
}

// loadAnswers indexes the lines of an answers file an earlier run left.
func (b *BatchAPI) loadAnswers(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("batch api: read kept answers: %w", err)
	}
	af := &answersFile{f: f, path: path}
	r := bufio.NewReader(f)
	var off int64
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var id struct {
				CustomID string `json:"custom_id"`
			}
			if json.Unmarshal(line, &id) == nil && id.CustomID != "" {
				if _, dup := b.answered[idOf(id.CustomID)]; !dup {
					b.answered[idOf(id.CustomID)] = answerRef{file: af, off: off, n: int32(len(line))}
					af.unserved++
				}
			}
		}
		off += int64(len(line))
		if err != nil {
			break // a cut last line: its request is asked again
		}
	}
	b.files = append(b.files, af)
	return nil
}

// closeFiles closes the answers files, removing those whose every answer
// was handed out.
func (b *BatchAPI) closeFiles() {
	for _, af := range b.files {
		af.f.Close()
		if af.unserved == 0 {
			os.Remove(af.path)
		}
	}
	b.files = nil
}

// Close stops the collector and waits for it: calls still queued, and
// those waiting on a running batch, end with ErrBatchClosed or a pending
// error; a running batch keeps its record in StateDir, so that the next
// run picks it up by ID. Safe to call more than once.
func (b *BatchAPI) Close() error {
	b.once.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		b.stop()
		<-b.done
		b.mu.Lock()
		b.closeFiles()
		b.mu.Unlock()
	})
	return nil
}

// Pending returns the IDs of the batches a previous run left unfinished.
func (b *BatchAPI) Pending() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []string
	for _, id := range b.known {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Complete queues req for the next batch and waits for its answer or for
// ctx to end; a call given up before its batch was submitted is not sent.
// An answer an ended batch already holds (a deferred call's, or one an
// earlier run collected) is handed out at once. Under a Deferral
// (WithDeferral), Complete does not wait: it queues req and returns an
// error of kind Deferred.
func (b *BatchAPI) Complete(ctx context.Context, req Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	key := Key("openai", req)
	if d := deferralOf(ctx); d != nil {
		return b.deferCall(d, key, req)
	}
	r, ok, err := b.stored(key, false)
	if err != nil || ok {
		return r.resp, cmp.Or(err, r.err)
	}
	w, err := b.enqueue(key, req, make(chan batchResult, 1))
	if err != nil {
		return Response{}, err
	}
	b.wake()
	select {
	case r := <-w.done:
		return r.resp, r.err
	case <-ctx.Done():
		b.mu.Lock()
		if i := slices.Index(b.queue, w); i >= 0 {
			b.queue = slices.Delete(b.queue, i, i+1)
		}
		b.mu.Unlock()
		return Response{}, ctx.Err()
	}
}

// wake tells the collector that a request came.
func (b *BatchAPI) wake() {
	select {
	case b.arrived <- struct{}{}:
	default:
	}
}

// errDeferred is the error of a deferred call that spent nothing.
func errDeferred(u Usage) error {
	return &Error{Kind: Deferred, Provider: "openai batch", Message: "queued for the next batch", Usage: u}
}

// deferCall answers a call made under a Deferral: from an ended batch
// when it holds the answer, else by queueing the request (once) and
// returning a Deferred error.
func (b *BatchAPI) deferCall(d *Deferral, key string, req Request) (Response, error) {
	r, ok, err := b.stored(key, true)
	if err != nil || ok {
		return r.resp, cmp.Or(err, r.err)
	}
	d.add(b)
	// A failed line sent again: the deferral carries what it cost.
	spent := UsageOf(r.err)
	b.mu.Lock()
	_, queued := b.outstanding[key]
	b.mu.Unlock()
	if queued {
		return Response{}, errDeferred(spent)
	}
	if _, err := b.enqueue(key, req, nil); err != nil {
		return Response{}, err
	}
	b.wake()
	return Response{}, errDeferred(spent)
}

// stored returns what ended batches hold for key: an answer (ok), or a
// failed line's error (ok) to hand out once. Deferring, a fresh failure
// that asking again may cure is not handed out but returned in r.err with
// ok false, for the caller to queue key again; and a failure handed out
// already is handed out again (so that Retry gives up on it), free.
func (b *BatchAPI) stored(key string, deferring bool) (r batchResult, ok bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ref, found := b.answered[idOf(key)]; found {
		r, err := ref.read(b.client.key)
		if err != nil {
			return batchResult{}, false, err
		}
		if ref.served {
			// Paid and counted when first handed out: a verdict that
			// asks again (its answer was found invalid and forgotten, and
			// its conversation goes on from it) replays it for free.
			r.resp.Usage = Usage{}
		} else {
			ref.served = true
			ref.file.unserved--
			b.answered[idOf(key)] = ref
		}
		return r, true, nil
	}
	f, found := b.failed[key]
	if !found {
		return batchResult{}, false, nil
	}
	if !deferring {
		delete(b.failed, key)
		if !f.fresh {
			return batchResult{}, false, nil
		}
		return f.res, true, nil
	}
	if _, queued := b.outstanding[key]; queued {
		return batchResult{}, false, nil
	}
	again := f.count < maxLineFailures && (KindOf(f.res.err) == Transient || KindOf(f.res.err) == RateLimited)
	switch {
	case f.fresh && again:
		f.fresh = false
		return batchResult{err: f.res.err}, false, nil
	case f.fresh:
		f.fresh = false
		return f.res, true, nil
	case again:
		return batchResult{}, false, nil
	}
	e := &Error{Kind: Transient, Provider: "openai batch", Message: "failed"}
	if errors.As(f.res.err, &e) {
		free := *e
		free.Usage = Usage{}
		return batchResult{err: &free}, true, nil
	}
	return batchResult{err: e}, true, nil
}

// read returns the answer the line at ref holds.
func (ref answerRef) read(key string) (batchResult, error) {
	buf := make([]byte, ref.n)
	if _, err := ref.file.f.ReadAt(buf, ref.off); err != nil {
		return batchResult{}, &Error{Kind: Storage, Provider: "openai batch", Message: "read " + ref.file.path + ": " + err.Error(), Err: err}
	}
	var line outputLine
	if err := json.Unmarshal(buf, &line); err != nil {
		return batchResult{}, &Error{Kind: Storage, Provider: "openai batch", Message: "read " + ref.file.path + ": " + err.Error(), Err: err}
	}
	r := lineResult(line)
	r.resp = answerOf(r.resp, key)
	return r, nil
}

// enqueue writes req's batch line to the spool and queues its waiter;
// done nil defers the call.
func (b *BatchAPI) enqueue(key string, req Request, done chan batchResult) (*batchWaiter, error) {
	line, err := json.Marshal(batchLine{CustomID: key, Method: "POST", URL: "/v1/chat/completions", Body: b.client.request(req)})
	if err != nil {
		return nil, fmt.Errorf("batch api: encode request: %w", err)
	}
	line = append(line, '\n')
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrBatchClosed
	}
	if done == nil {
		if _, queued := b.outstanding[key]; queued {
			return nil, nil
		}
		b.outstanding[key] = struct{}{}
	}
	if b.spool == nil {
		f, err := os.CreateTemp(b.cfg.StateDir, "queue-*.jsonl.tmp")
		if err != nil {
			return nil, fmt.Errorf("batch api: spool requests: %w", err)
		}
		b.spool, b.spoolN = f, 0
	}
	if _, err := b.spool.Write(line); err != nil {
		return nil, fmt.Errorf("batch api: spool requests in %s: %w", b.spool.Name(), err)
	}
	w := &batchWaiter{key: key, tokens: EstimateTokens(req), spool: b.spool, off: b.spoolN, n: int64(len(line)), done: done}
	b.spoolN += w.n
	b.queue = append(b.queue, w)
	return w, nil
}

// settle waits until no deferred call is outstanding, ctx ends or the
// collector stops.
func (b *BatchAPI) settle(ctx context.Context) error {
	for {
		b.mu.Lock()
		n, closed, ch := len(b.outstanding), b.closed, b.settled
		b.mu.Unlock()
		switch {
		case n == 0:
			return nil
		case closed:
			return ErrBatchClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-b.done:
			return ErrBatchClosed
		}
	}
}

// collect is the collector goroutine: it waits for a request, then until
// the queue is quiet for Idle (or full), takes it and runs it.
func (b *BatchAPI) collect(ctx context.Context) {
	defer close(b.done)
	defer b.failQueued()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.arrived:
		}
		seen := -1
		for {
			b.mu.Lock()
			n := len(b.queue)
			b.mu.Unlock()
			if n == 0 || n == seen || n >= b.cfg.MaxLines {
				break
			}
			seen = n
			if b.cfg.Sleep(ctx, b.cfg.Idle) != nil {
				if ctx.Err() != nil {
					return
				}
				break // a test's clock that will not wait: submit what came
			}
		}
		b.mu.Lock()
		taken, spool := b.queue, b.spool
		b.queue, b.spool = nil, nil
		b.mu.Unlock()
		if len(taken) > 0 {
			b.run(ctx, taken)
		}
		if spool != nil {
			spool.Close()
			os.Remove(spool.Name())
		}
	}
}

// failQueued answers every queued call with ErrBatchClosed.
func (b *BatchAPI) failQueued() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, w := range b.queue {
		if w.done != nil {
			w.done <- batchResult{err: ErrBatchClosed}
		}
	}
	b.queue = nil
	if b.spool != nil {
		b.spool.Close()
		os.Remove(b.spool.Name())
		b.spool = nil
	}
}

// run sends the waiters' requests — those a previous run already sent by
// polling their batch, the others in new batches — and answers every
// waiter.
func (b *BatchAPI) run(ctx context.Context, waiters []*batchWaiter) {
	byKey := map[string][]*batchWaiter{}
	var keys []string
	for _, w := range waiters {
		if _, dup := byKey[w.key]; !dup {
			keys = append(keys, w.key)
		}
		byKey[w.key] = append(byKey[w.key], w)
	}
	groups := map[string][]string{} // batch ID → keys
	var fresh []string
	b.mu.Lock()
	for _, k := range keys {
		if id, ok := b.known[k]; ok {
			groups[id] = append(groups[id], k)
		} else {
			fresh = append(fresh, k)
		}
	}
	b.mu.Unlock()
	tokens := func(keys []string) int {
		n := 0
		for _, k := range keys {
			n += byKey[k][0].tokens
		}
		return n
	}
	// Batches of an earlier run are running already; new submissions
	// queue behind them under the enqueued-token budget.
	var running []submission
	for _, id := range slices.Sorted(maps.Keys(groups)) {
		running = append(running, submission{id: id, keys: groups[id], tokens: tokens(groups[id])})
	}
	var queue []submission
	for _, chunk := range b.chunks(fresh, byKey) {
		queue = append(queue, submission{keys: chunk, tokens: tokens(chunk)})
	}
	enqueued, budget := 0, b.cfg.MaxEnqueuedTokens
	for _, r := range running {
		enqueued += r.tokens
	}
	for len(queue) > 0 || len(running) > 0 {
		if len(queue) > 0 && (len(running) == 0 || enqueued+queue[0].tokens <= budget) {
			next := queue[0]
			queue = queue[1:]
			id, err := b.submit(ctx, next.keys, byKey)
			if err != nil {
				b.deliver("", next.keys, byKey, nil, err)
				continue
			}
			next.id = id
			running = append(running, next)
			enqueued += next.tokens
			continue
		}
		r := running[0]
		running = running[1:]
		enqueued -= r.tokens
		dl := b.newDelivery(r.id, byKey)
		err := b.await(ctx, r.id, dl.line)
		if isTokenLimit(err) && r.tries < maxResubmits {
			// Refused for the enqueued tokens of batches still running —
			// ours, or another run's: the budget is more than the account
			// allows, so from now on one batch runs at a time, and this
			// one is sent again once the running ones are done.
			b.forget(r.id)
			budget = 0
			if len(running) == 0 && len(r.keys) > 1 {
				// Nothing of ours runs: this file alone is over the
				// account's limit. Send it in halves.
				half := len(r.keys) / 2
				queue = append([]submission{
					{keys: r.keys[:half], tokens: tokens(r.keys[:half]), tries: r.tries},
					{keys: r.keys[half:], tokens: tokens(r.keys[half:]), tries: r.tries},
				}, queue...)
				continue
			}
			if len(running) == 0 {
				// Another run's batches hold the room: give them time.
				if b.cfg.Sleep(ctx, b.cfg.MaxPoll) != nil {
					b.deliver("", r.keys, byKey, nil, err)
					continue
				}
			}
			r.id, r.tries = "", r.tries+1
			queue = append([]submission{r}, queue...)
			continue
		}
		b.deliver(r.id, r.keys, byKey, dl, err)
		if err == nil || !errors.Is(err, errBatchPending) {
			b.forget(r.id)
		}
	}
}

// submission is one batch file's requests: sent (id set) or waiting for
// room under the enqueued-token budget.
type submission struct {
	id     string
	keys   []string
	tokens int
	tries  int
}

// chunks splits keys into batch files of at most MaxLines requests and
// MaxEnqueuedTokens estimated tokens (a request over the budget alone goes
// in a file of its own).
func (b *BatchAPI) chunks(keys []string, byKey map[string][]*batchWaiter) [][]string {
	var out [][]string
	var cur []string
	n := 0
	for _, k := range keys {
		t := byKey[k][0].tokens
		if len(cur) > 0 && (len(cur) >= b.cfg.MaxLines || n+t > b.cfg.MaxEnqueuedTokens) {
			out, cur, n = append(out, cur), nil, 0
		}
		cur, n = append(cur, k), n+t
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// isTokenLimit reports whether err is a batch refused because the
// model's enqueued tokens would exceed the account's limit.
func isTokenLimit(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == "token_limit_exceeded"
}

// delivery hands one batch's lines out as the output is read: a caller
// that waits gets its answer at once; the answer of a deferred call, or
// of a request no caller asked for (a batch of a run that crashed), goes
// to the batch's answers file, the failure of a deferred call to failed.
type delivery struct {
	b     *BatchAPI
	id    string
	byKey map[string][]*batchWaiter
	got   map[string]bool
	file  *os.File
	w     *bufio.Writer
	off   int64
	refs  map[string]answerRef
	fails map[string]batchResult
	err   error
}

func (b *BatchAPI) newDelivery(id string, byKey map[string][]*batchWaiter) *delivery {
	return &delivery{b: b, id: id, byKey: byKey, got: map[string]bool{}, refs: map[string]answerRef{}, fails: map[string]batchResult{}}
}

// line hands out key's result; raw is its line of the output file, nil
// for an error jury made up (no line, a failed batch).
func (d *delivery) line(key string, raw []byte, r batchResult) {
	if d.got[key] {
		return
	}
	d.got[key] = true
	ws := d.byKey[key]
	deferred := len(ws) == 0
	for _, w := range ws {
		if w.done != nil {
			w.done <- r
		} else {
			deferred = true
		}
	}
	switch {
	case !deferred:
	case r.err != nil:
		if len(ws) > 0 {
			d.fails[key] = r
		}
	case raw != nil && d.err == nil:
		if d.file == nil {
			d.file, d.err = os.Create(filepath.Join(d.b.cfg.StateDir, d.id+".answers.jsonl.tmp"))
			if d.err != nil {
				return
			}
			d.w = bufio.NewWriterSize(d.file, 256<<10)
		}
		n, err := d.w.Write(raw)
		if err == nil {
			err = d.w.WriteByte('\n')
		}
		if err != nil {
			d.err = err
			return
		}
		d.refs[key] = answerRef{off: d.off, n: int32(n + 1)}
		d.off += int64(n + 1)
	}
}

// finish makes the answers file durable and indexes it, keeps the
// failures, and settles the deferred calls of keys.
func (d *delivery) finish(keys []string, settle bool) {
	var af *answersFile
	if d.file != nil {
		path := filepath.Join(d.b.cfg.StateDir, d.id+".answers.jsonl")
		err := d.err
		if err == nil {
			err = d.w.Flush()
		}
		if err == nil {
			err = d.file.Sync()
		}
		if err == nil {
			err = os.Rename(d.file.Name(), path)
		}
		if err != nil {
			d.file.Close()
			os.Remove(d.file.Name())
			e := &Error{Kind: Storage, Provider: "openai batch", Message: fmt.Sprintf("keep the answers of batch %s in %s: %v", d.id, d.b.cfg.StateDir, err), Err: err}
			for k := range d.refs {
				if len(d.byKey[k]) > 0 {
					d.fails[k] = batchResult{err: e}
				}
			}
			d.refs = nil
		} else {
			af = &answersFile{f: d.file, path: path}
		}
	}
	b := d.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if af != nil {
		for k, ref := range d.refs {
			if _, dup := b.answered[idOf(k)]; dup {
				continue
			}
			ref.file = af
			b.answered[idOf(k)] = ref
			af.unserved++
			delete(b.failed, k)
		}
		b.files = append(b.files, af)
	}
	for k, r := range d.fails {
		f := b.failed[k]
		if f == nil {
			f = &lineFailure{}
			b.failed[k] = f
		}
		f.res, f.fresh = r, true
		f.count++
	}
	if !settle {
		return
	}
	changed := false
	for _, k := range keys {
		if _, ok := b.outstanding[k]; ok {
			delete(b.outstanding, k)
			changed = true
		}
	}
	if changed {
		close(b.settled)
		b.settled = make(chan struct{})
	}
}

// deliver hands every waiter of keys its line (through dl, which has
// read the batch's output), or err, or an error saying its line is
// missing. A batch still running when the collector stops leaves its
// deferred calls outstanding: the next run picks it up by its record.
func (b *BatchAPI) deliver(id string, keys []string, byKey map[string][]*batchWaiter, dl *delivery, err error) {
	if dl == nil {
		dl = b.newDelivery(id, byKey)
	}
	pending := errors.Is(err, errBatchPending)
	for _, k := range keys {
		if dl.got[k] {
			continue
		}
		r := batchResult{err: err}
		if err == nil {
			r.err = &Error{Kind: Transient, Provider: "openai batch", Message: "the batch returned no line for this request", Usage: Usage{Calls: 1}}
		}
		if pending {
			for _, w := range byKey[k] {
				if w.done != nil {
					w.done <- r
				}
			}
			continue
		}
		dl.line(k, nil, r)
	}
	dl.finish(keys, !pending)
}

// batchLine is one line of a batch input file.
type batchLine struct {
	CustomID string                       `json:"custom_id"`
	Method   string                       `json:"method"`
	URL      string                       `json:"url"`
	Body     openai.ChatCompletionRequest `json:"body"`
}

// submit uploads one batch file, streamed from the spool, and creates
// its batch, keeping its record.
func (b *BatchAPI) submit(ctx context.Context, keys []string, byKey map[string][]*batchWaiter) (string, error) {
	fileID, err := b.upload(ctx, keys, byKey)
	if err != nil {
		return "", err
	}
	batch, err := b.client.client.CreateBatch(ctx, openai.CreateBatchRequest{InputFileID: fileID,
		Endpoint: openai.BatchEndpointChatCompletions, CompletionWindow: "24h"})
	if err != nil {
		return "", b.client.classify(err, nil)
	}
	st := batchState{ID: batch.ID, InputFileID: fileID, Keys: keys}
	data, _ := json.MarshalIndent(st, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(b.cfg.StateDir, batch.ID+".json"), append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("batch api: keep batch %s: %w", batch.ID, err)
	}
	b.mu.Lock()
	for _, k := range keys {
		b.known[k] = batch.ID
	}
	b.mu.Unlock()
	b.cfg.Logger.Info("batch submitted", "batch", batch.ID, "requests", len(keys), "file", fileID)
	return batch.ID, nil
}

// upload sends the batch file of keys (POST /files, purpose "batch") as
// a multipart body written from the spool while it is sent: a file of
// 50,000 requests is never in memory. It returns the file's ID.
func (b *BatchAPI) upload(ctx context.Context, keys []string, byKey map[string][]*batchWaiter) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("purpose", string(openai.PurposeBatch))
		var part io.Writer
		if err == nil {
			part, err = mw.CreateFormFile("file", "jury-batch.jsonl")
		}
		buf := make([]byte, 0, 64<<10)
		for _, k := range keys {
			if err != nil {
				break
			}
			w := byKey[k][0]
			buf = slices.Grow(buf[:0], int(w.n))[:w.n]
			if _, err = w.spool.ReadAt(buf, w.off); err == nil {
				_, err = part.Write(buf)
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.client.baseURL+"/files", pr)
	if err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("batch api: upload: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+b.client.key)
	resp, err := b.client.http.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return "", &Error{Kind: Transient, Provider: "openai batch", Message: "upload: " + err.Error(), Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	pr.CloseWithError(io.ErrClosedPipe) // a refusal before the whole body was read
	if err != nil {
		return "", &Error{Kind: Transient, Provider: "openai batch", Message: "upload: " + err.Error(), Err: err}
	}
	if resp.StatusCode/100 != 2 {
		var e openai.ErrorResponse
		_ = json.Unmarshal(body, &e)
		code, msg := "", bodyExcerpt(body)
		if e.Error != nil {
			code, msg = cmp.Or(codeString(e.Error.Code), e.Error.Type), e.Error.Message
		}
		return "", &Error{Kind: Classify(resp.StatusCode, code, msg), Provider: "openai batch", Status: resp.StatusCode, Code: code,
			Message: "upload: " + msg, RetryAfter: retryAfter(resp.Header)}
	}
	var file openai.File
	if err := json.Unmarshal(body, &file); err != nil || file.ID == "" {
		return "", &Error{Kind: Transient, Provider: "openai batch", Message: "upload: unreadable answer: " + bodyExcerpt(body)}
	}
	return file.ID, nil
}

// forget drops a finished batch's record.
func (b *BatchAPI) forget(id string) {
	b.mu.Lock()
	for k, v := range b.known {
		if v == id {
			delete(b.known, k)
		}
	}
	b.mu.Unlock()
	os.Remove(filepath.Join(b.cfg.StateDir, id+".json"))
}

var errBatchPending = errors.New("batch still running")

// await polls a batch until it ends and hands each line of its output
// and error files to each.
func (b *BatchAPI) await(ctx context.Context, id string, each func(key string, raw []byte, r batchResult)) error {
	c := b.client.client
	wait := b.cfg.Poll
	for {
		batch, err := c.RetrieveBatch(ctx, id)
		if err != nil {
			e := b.client.classify(err, nil)
			if KindOf(e) != Transient && KindOf(e) != RateLimited {
				return e
			}
		} else {
			switch batch.Status {
			case "completed":
				_, err := b.results(ctx, batch.Batch, each)
				return err
			case "failed", "expired", "cancelled":
				n, _ := b.results(ctx, batch.Batch, each) // what finished before the end counts
				msg, code := "batch "+id+" "+batch.Status, ""
				if batch.Errors != nil && len(batch.Errors.Data) > 0 {
					msg += ": " + batch.Errors.Data[0].Message
					code = batch.Errors.Data[0].Code
				}
				kind := Transient
				if batch.Status == "failed" {
					kind = BadRequest // the input file was refused
				}
				if n > 0 {
					return nil
				}
				if code == "token_limit_exceeded" {
					msg += fmt.Sprintf(" (lower --batch-tokens below your account's enqueued-token limit; now %d)", b.cfg.MaxEnqueuedTokens)
				}
				return &Error{Kind: kind, Provider: "openai batch", Code: code, Message: msg}
			}
			b.cfg.Logger.Info("batch running", "batch", id, "status", batch.Status,
				"completed", batch.RequestCounts.Completed, "failed", batch.RequestCounts.Failed, "total", batch.RequestCounts.Total)
		}
		if err := b.cfg.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w: %s", errBatchPending, id)
		}
		wait = min(b.cfg.MaxPoll, wait+wait/2)
	}
}

// outputLine is one line of a batch's output or error file.
type outputLine struct {
	CustomID string `json:"custom_id"`
	Response *struct {
		StatusCode int             `json:"status_code"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// results reads the output and error files of an ended batch a line at
// a time, handing each to each, and returns how many it read.
func (b *BatchAPI) results(ctx context.Context, batch openai.Batch, each func(key string, raw []byte, r batchResult)) (int, error) {
	n := 0
	for _, fileID := range []*string{batch.OutputFileID, batch.ErrorFileID} {
		if fileID == nil || *fileID == "" {
			continue
		}
		raw, err := b.client.client.GetFileContent(ctx, *fileID)
		if err != nil {
			return n, b.client.classify(err, nil)
		}
		sc := bufio.NewScanner(raw)
		sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
		for sc.Scan() {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var line outputLine
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.CustomID == "" {
				continue // a line that cannot be read: its request gets "no line"
			}
			r := lineResult(line)
			r.resp = answerOf(r.resp, b.client.key)
			each(line.CustomID, sc.Bytes(), r)
			n++
		}
		raw.Close()
		if err := sc.Err(); err != nil {
			return n, &Error{Kind: Transient, Provider: "openai batch", Message: "read file " + *fileID + ": " + err.Error(), Err: err}
		}
	}
	return n, nil
}

// lineResult turns one output or error line into an answer or an error
// classified like a synchronous call's.
func lineResult(line outputLine) batchResult {
	fail := func(status int, code, msg string) batchResult {
		return batchResult{err: &Error{Kind: Classify(status, code, msg), Provider: "openai batch", Status: status,
			Code: code, Message: msg, Usage: Usage{Calls: 1}}}
	}
	if line.Error != nil {
		return fail(500, line.Error.Code, line.Error.Message)
	}
	if line.Response == nil {
		return fail(500, "", "empty line")
	}
	status, raw := line.Response.StatusCode, line.Response.Body
	if status == 200 {
		status, raw = normalizeCompletion(status, raw)
	}
	if status != 200 {
		var body openai.ErrorResponse
		_ = json.Unmarshal(raw, &body)
		code, msg := "", bodyExcerpt(raw)
		if body.Error != nil {
			code, msg = cmp.Or(codeString(body.Error.Code), body.Error.Type), body.Error.Message
		}
		return fail(status, code, msg)
	}
	var resp openai.ChatCompletionResponse
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&resp); err != nil && !errors.Is(err, io.EOF) {
		return fail(500, "", "unreadable answer: "+err.Error())
	}
	return batchResult{resp: fromOpenAI(resp)}
}
