package llm

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
// around it.
//
// One collector goroutine, started by NewBatchAPI and stopped by Close,
// owns the batches: it waits until no new request has come for Idle,
// submits, polls and hands out the answers; requests that arrive while a
// batch runs (re-asks, the foreperson) form the next one. Queued requests
// wait on disk (a spool file in StateDir), not in memory. Safe for
// concurrent use; Close it when the run ends.
type BatchAPI struct {
	client *OpenAI
	cfg    BatchConfig

	mu      sync.Mutex
	queue   []*batchWaiter
	known   map[string]string // request key → ID of the batch it was sent in
	spool   *os.File          // the queued requests' batch lines
	spoolN  int64             // bytes written to spool
	spools  int               // spool files opened, for their names
	closed  bool
	arrived chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
	once    sync.Once
}

// batchWaiter is one queued call: its request's batch line sits in a
// spool file at off, n bytes long.
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
	b := &BatchAPI{client: client, cfg: cfg, known: map[string]string{}, arrived: make(chan struct{}, 1), done: make(chan struct{})}
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
	// submitted, or are in a batch that has a record.
	for _, pattern := range []string{"queue-*.jsonl.tmp", "upload-*.jsonl"} {
		leftovers, _ := filepath.Glob(filepath.Join(cfg.StateDir, pattern))
		for _, p := range leftovers {
			os.Remove(p)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	go b.collect(ctx)
	return b, nil
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
func (b *BatchAPI) Complete(ctx context.Context, req Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	w, err := b.enqueue(req)
	if err != nil {
		return Response{}, err
	}
	select {
	case b.arrived <- struct{}{}:
	default:
	}
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

// enqueue writes req's batch line to the spool and queues its waiter.
func (b *BatchAPI) enqueue(req Request) (*batchWaiter, error) {
	key := Key("openai", req)
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
	if b.spool == nil {
		b.spools++
		f, err := os.CreateTemp(b.cfg.StateDir, "queue-*.jsonl.tmp")
		if err != nil {
			return nil, fmt.Errorf("batch api: spool requests: %w", err)
		}
		b.spool, b.spoolN = f, 0
	}
	if _, err := b.spool.Write(line); err != nil {
		return nil, fmt.Errorf("batch api: spool requests in %s: %w", b.spool.Name(), err)
	}
	w := &batchWaiter{key: key, tokens: EstimateTokens(req), spool: b.spool, off: b.spoolN, n: int64(len(line)), done: make(chan batchResult, 1)}
	b.spoolN += w.n
	b.queue = append(b.queue, w)
	return w, nil
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
		w.done <- batchResult{err: ErrBatchClosed}
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
				answer(next.keys, byKey, nil, err)
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
		results, err := b.await(ctx, r.id)
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
					answer(r.keys, byKey, nil, err)
					continue
				}
			}
			r.id, r.tries = "", r.tries+1
			queue = append([]submission{r}, queue...)
			continue
		}
		answer(r.keys, byKey, results, err)
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

// answer hands every waiter of keys its line of results, or err.
func answer(keys []string, byKey map[string][]*batchWaiter, results map[string]batchResult, err error) {
	for _, k := range keys {
		r, ok := results[k]
		switch {
		case err != nil:
			r = batchResult{err: err}
		case !ok:
			r = batchResult{err: &Error{Kind: Transient, Provider: "openai batch", Message: "the batch returned no line for this request", Usage: Usage{Calls: 1}}}
		}
		for _, w := range byKey[k] {
			w.done <- r
		}
	}
}

// batchLine is one line of a batch input file.
type batchLine struct {
	CustomID string                       `json:"custom_id"`
	Method   string                       `json:"method"`
	URL      string                       `json:"url"`
	Body     openai.ChatCompletionRequest `json:"body"`
}

// submit uploads one batch file, copied from the spool, and creates its
// batch, keeping its record.
func (b *BatchAPI) submit(ctx context.Context, keys []string, byKey map[string][]*batchWaiter) (string, error) {
	f, err := os.CreateTemp(b.cfg.StateDir, "upload-*.jsonl")
	if err != nil {
		return "", fmt.Errorf("batch api: write batch file: %w", err)
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriter(f)
	for _, k := range keys {
		w := byKey[k][0]
		if _, err := io.Copy(bw, io.NewSectionReader(w.spool, w.off, w.n)); err != nil {
			f.Close()
			return "", fmt.Errorf("batch api: write batch file %s: %w", f.Name(), err)
		}
	}
	err = bw.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("batch api: write batch file %s: %w", f.Name(), err)
	}
	c := b.client.client
	file, err := c.CreateFile(ctx, openai.FileRequest{FileName: "jury-batch.jsonl", FilePath: f.Name(), Purpose: string(openai.PurposeBatch)})
	if err != nil {
		return "", b.client.classify(err, nil)
	}
	batch, err := c.CreateBatch(ctx, openai.CreateBatchRequest{InputFileID: file.ID,
		Endpoint: openai.BatchEndpointChatCompletions, CompletionWindow: "24h"})
	if err != nil {
		return "", b.client.classify(err, nil)
	}
	st := batchState{ID: batch.ID, InputFileID: file.ID, Keys: keys}
	data, _ := json.MarshalIndent(st, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(b.cfg.StateDir, batch.ID+".json"), append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("batch api: keep batch %s: %w", batch.ID, err)
	}
	b.mu.Lock()
	for _, k := range keys {
		b.known[k] = batch.ID
	}
	b.mu.Unlock()
	b.cfg.Logger.Info("batch submitted", "batch", batch.ID, "requests", len(keys), "file", file.ID)
	return batch.ID, nil
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

// await polls a batch until it ends and reads its output and error files.
func (b *BatchAPI) await(ctx context.Context, id string) (map[string]batchResult, error) {
	c := b.client.client
	wait := b.cfg.Poll
	for {
		batch, err := c.RetrieveBatch(ctx, id)
		if err != nil {
			e := b.client.classify(err, nil)
			if KindOf(e) != Transient && KindOf(e) != RateLimited {
				return nil, e
			}
		} else {
			switch batch.Status {
			case "completed":
				return b.results(ctx, batch.Batch)
			case "failed", "expired", "cancelled":
				results, _ := b.results(ctx, batch.Batch) // what finished before the end counts
				msg, code := "batch "+id+" "+batch.Status, ""
				if batch.Errors != nil && len(batch.Errors.Data) > 0 {
					msg += ": " + batch.Errors.Data[0].Message
					code = batch.Errors.Data[0].Code
				}
				kind := Transient
				if batch.Status == "failed" {
					kind = BadRequest // the input file was refused
				}
				if len(results) > 0 {
					return results, nil
				}
				if code == "token_limit_exceeded" {
					msg += fmt.Sprintf(" (lower --batch-tokens below your account's enqueued-token limit; now %d)", b.cfg.MaxEnqueuedTokens)
				}
				return nil, &Error{Kind: kind, Provider: "openai batch", Code: code, Message: msg}
			}
			b.cfg.Logger.Info("batch running", "batch", id, "status", batch.Status,
				"completed", batch.RequestCounts.Completed, "failed", batch.RequestCounts.Failed, "total", batch.RequestCounts.Total)
		}
		if err := b.cfg.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w: %s", errBatchPending, id)
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

// results reads the output and error files of an ended batch.
func (b *BatchAPI) results(ctx context.Context, batch openai.Batch) (map[string]batchResult, error) {
	out := map[string]batchResult{}
	for _, fileID := range []*string{batch.OutputFileID, batch.ErrorFileID} {
		if fileID == nil || *fileID == "" {
			continue
		}
		raw, err := b.client.client.GetFileContent(ctx, *fileID)
		if err != nil {
			return nil, b.client.classify(err, nil)
		}
		sc := bufio.NewScanner(raw)
		sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var line outputLine
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.CustomID == "" {
				continue // a line that cannot be read: its request gets "no line"
			}
			r := lineResult(line)
			r.resp = answerOf(r.resp, b.client.key)
			out[line.CustomID] = r
		}
		raw.Close()
		if err := sc.Err(); err != nil {
			return nil, &Error{Kind: Transient, Provider: "openai batch", Message: "read file " + *fileID + ": " + err.Error(), Err: err}
		}
	}
	return out, nil
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
