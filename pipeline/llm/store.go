package llm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/onet-jury/jury/pipeline/atomicfile"
)

// Mode says what a Store does with a request.
type Mode int

// The modes of a Store.
const (
	// ReplayOrRecord answers from a stored exchange when there is one and
	// calls the model and stores the answer when not. It is the mode of the
	// batch cache and of --record.
	ReplayOrRecord Mode = iota
	// ReplayOnly answers only from stored exchanges; a missing one fails
	// with ErrNotRecorded. CI replays this way.
	ReplayOnly
	// RecordAlways calls the model for every request and overwrites what
	// is stored.
	RecordAlways
)

// ErrNotRecorded reports a request that a replay-only Store has no
// exchange for.
var ErrNotRecorded = errors.New("no recorded answer")

// Store is a Model wrapper that keeps every exchange — request and answer,
// with what the answer cost — as one readable JSON file per request, named
// by the request's key. It serves as the batch's disk cache and as the
// recorder of fixtures. Files are written atomically; secrets are redacted
// before anything is written. Safe for concurrent use.
type Store struct {
	next     Model
	dir      string
	mode     Mode
	provider string
	secrets  []string
	// RecordHint is the command that records a missing exchange, named in
	// ErrNotRecorded errors.
	RecordHint string
	// Recorder, when set, is written into every exchange this store
	// saves ("recorded_by"), so that a tool that re-records its own
	// cassettes can tell them from recordings someone else made.
	Recorder string
	// Now dates the answers this store saves (Response.Date); nil means
	// time.Now. A replayed answer keeps the date it was saved with.
	Now func() time.Time
	// WriteFile writes a stored exchange; nil means
	// atomicfile.WriteFileUnsynced: atomic, made durable by the next
	// report written on the same filesystem rather than by an fsync per
	// answer (an answer lost with the power is asked again). Tests put a
	// full disk here.
	WriteFile func(path string, data []byte, perm os.FileMode) error
	hits      atomic.Int64
	// broken is the first write that failed: every later call fails with
	// it before anything is sent.
	broken atomic.Pointer[Error]
}

// Hits returns how many calls the store answered from disk.
func (s *Store) Hits() int { return int(s.hits.Load()) }

// NewStore wraps next with a store in dir. provider names the endpoint
// (for example "openai" with its base URL) and is part of every key, so
// that answers of different providers never mix. secrets are redacted from
// everything written, on top of anything that looks like a key.
func NewStore(next Model, dir string, mode Mode, provider string, secrets ...string) *Store {
	return &Store{next: next, dir: dir, mode: mode, provider: provider, secrets: secrets}
}

// cassette is the content of one stored file.
type cassette struct {
	Key        string       `json:"key"`
	Call       string       `json:"call"`
	RecordedBy string       `json:"recorded_by,omitempty"`
	Request    keyedRequest `json:"request"`
	Response   Response     `json:"response"`
}

// keyedRequest is everything that shapes an answer: the key is its hash.
type keyedRequest struct {
	Provider    string    `json:"provider"`
	Model       string    `json:"model"`
	Temperature float64   `json:"temperature"`
	Seed        *int      `json:"seed"`
	MaxTokens   int       `json:"max_tokens"`
	Schema      *Schema   `json:"schema"`
	Messages    []Message `json:"messages"`
}

// Key returns the hash that names a request's stored exchange: a SHA-256
// of provider, model, messages, schema, temperature, seed and max tokens.
func Key(provider string, req Request) string {
	data, _ := json.Marshal(keyOf(provider, req))
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:32]
}

func keyOf(provider string, req Request) keyedRequest {
	return keyedRequest{Provider: provider, Model: req.Model, Temperature: req.Temperature, Seed: req.Seed,
		MaxTokens: req.MaxTokens, Schema: req.Schema, Messages: req.Messages}
}

// Path returns the file that holds a request's exchange.
func (s *Store) Path(req Request) string {
	return filepath.Join(s.dir, Key(s.provider, req)+".json")
}

// Complete answers from the store or from the wrapped model, as the mode
// says.
func (s *Store) Complete(ctx context.Context, req Request) (Response, error) {
	key := Key(s.provider, req)
	path := filepath.Join(s.dir, key+".json")
	if e := s.broken.Load(); e != nil && s.mode != ReplayOnly {
		// Asking the model again would pay for an answer it cannot keep.
		// Stored answers are still served below.
		if resp, err := s.load(path, key); err == nil {
			s.hit(ctx)
			return resp, nil
		}
		return Response{}, e
	}
	if s.mode != RecordAlways {
		resp, err := s.load(path, key)
		switch {
		case err == nil:
			s.hit(ctx)
			return resp, nil
		case !errors.Is(err, fs.ErrNotExist):
			return Response{}, err
		case s.mode == ReplayOnly:
			hint := ""
			if s.RecordHint != "" {
				hint = ": record it with " + s.RecordHint
			}
			return Response{}, &Error{Kind: NotRecorded, Provider: "replay",
				Message: fmt.Sprintf("%v for %s (request %s) in %s%s", ErrNotRecorded, req.Meta, key[:16], s.dir, hint),
				Err:     fmt.Errorf("%w: %s", ErrNotRecorded, key)}
		}
	}
	resp, err := s.next.Complete(ctx, req)
	if err != nil {
		return resp, err
	}
	if resp.Date == "" {
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		resp.Date = now().UTC().Format(time.DateOnly)
	}
	if err := s.save(path, key, req, resp); err != nil {
		e := s.storageError(err)
		e.Usage = resp.Usage // paid, and lost
		s.broken.CompareAndSwap(nil, e)
		return Response{}, e
	}
	return resp, nil
}

// hit counts an answer served from disk, unless it is one this run
// stored in an earlier pass of a Deferral (LaterPass): replaying those is
// how a deferred verdict moves on, not a cache hit.
func (s *Store) hit(ctx context.Context) {
	if !LaterPass(ctx) {
		s.hits.Add(1)
	}
}

// storageError is the one line a failed write of the store becomes:
// the folder, the errno, and what to do.
func (s *Store) storageError(err error) *Error {
	why := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		why = fmt.Sprintf("%s: %s", errnoName(errno), errno.Error())
	}
	return &Error{Kind: Storage, Provider: "cache",
		Message: fmt.Sprintf("cannot write to %s (%s): free space or make it writable, then run the same command again (answers already stored are not paid twice)", s.dir, why),
		Err:     err}
}

// errnoName names the errors a store's writes meet, as the C headers do.
func errnoName(e syscall.Errno) string {
	switch e {
	case syscall.ENOSPC:
		return "ENOSPC"
	case syscall.EDQUOT:
		return "EDQUOT"
	case syscall.EROFS:
		return "EROFS"
	case syscall.EACCES:
		return "EACCES"
	case syscall.EPERM:
		return "EPERM"
	case syscall.EIO:
		return "EIO"
	case syscall.ENOTDIR:
		return "ENOTDIR"
	}
	return fmt.Sprintf("errno %d", int(e))
}

// Forget removes a request's stored exchange, so that an answer found
// invalid is asked again rather than replayed. Replay-only stores keep
// their files: a recording is evidence.
func (s *Store) Forget(req Request) error {
	if s.mode == ReplayOnly {
		return nil
	}
	err := os.Remove(s.Path(req))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.storageError(fmt.Errorf("forget answer: %w", err))
	}
	return nil
}

// RecordedBy returns the Recorder named in a stored exchange's file, ""
// when it names none or is not a stored exchange.
func RecordedBy(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var ex struct {
		RecordedBy string `json:"recorded_by"`
	}
	if json.Unmarshal(data, &ex) != nil {
		return ""
	}
	return ex.RecordedBy
}

func (s *Store) load(path, key string) (Response, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Response{}, err
	}
	if len(data) == 0 {
		// What a power loss can leave of an answer stored unsynced.
		return Response{}, fmt.Errorf("%s: empty: %w", path, fs.ErrNotExist)
	}
	var ex cassette
	if err := json.Unmarshal(data, &ex); err != nil || ex.Key != key {
		return Response{}, &Error{Kind: BadRequest, Provider: "store",
			Message: fmt.Sprintf("%s is not a stored exchange for request %s: delete it to call the model again", path, key[:16]), Err: err}
	}
	return ex.Response, nil
}

// savePool holds the buffers stored exchanges are encoded into: a batch
// saves one per answer, most of them at once when a Batch API batch
// returns.
var savePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *Store) save(path, key string, req Request, resp Response) error {
	ex := cassette{Key: key, Call: req.Meta.String(), RecordedBy: s.Recorder, Request: keyOf(s.provider, req), Response: resp}
	ex.Response.RateLimit = RateLimit{}
	b := savePool.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 1<<20 {
			b.Reset()
			savePool.Put(b)
		}
	}()
	b.Reset()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ex); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	data := b.Bytes()
	if text := b.String(); Redact(text, s.secrets...) != text {
		data = []byte(Redact(text, s.secrets...))
	}
	write := s.WriteFile
	if write == nil {
		write = atomicfile.WriteFileUnsynced
	}
	if err := write(path, data, 0o644); err != nil {
		return fmt.Errorf("store answer: %w", err)
	}
	return nil
}
