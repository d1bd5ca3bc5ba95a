package llm

import (
	"context"
	"slices"
	"sync"
)

// Deferral lets a run give a model that answers late (the Batch API)
// every request of a round without a goroutine waiting on each: under a
// context that carries it (WithDeferral), BatchAPI.Complete queues a
// request it has no answer for and returns at once with an error of
// kind Deferred. The caller gives up that verdict for now; once every
// verdict of the pass has done so, Wait lets the batches run and keeps
// their answers on disk, and the next pass deliberates the deferred
// verdicts again: what was answered is replayed (the cache, or the
// batch's answers), the next round is deferred in turn. So the state a
// verdict keeps between rounds is its stored answers, not a goroutine.
//
// Choose it over plain blocking calls when every verdict of a large
// catalog is in flight at once. The zero value is not usable: call
// NewDeferral. Safe for concurrent use.
type Deferral struct {
	mu   sync.Mutex
	apis []*BatchAPI
	pass int
}

// NewDeferral returns a Deferral in its first pass.
func NewDeferral() *Deferral { return &Deferral{pass: 1} }

type deferralKey struct{}

// WithDeferral returns ctx carrying d: models that can answer late defer
// the calls made under it.
func WithDeferral(ctx context.Context, d *Deferral) context.Context {
	return context.WithValue(ctx, deferralKey{}, d)
}

func deferralOf(ctx context.Context) *Deferral {
	d, _ := ctx.Value(deferralKey{}).(*Deferral)
	return d
}

// LaterPass reports whether ctx carries a Deferral past its first pass:
// an answer found in the cache then is most likely one this run stored in
// an earlier pass, not a cache hit.
func LaterPass(ctx context.Context) bool {
	d := deferralOf(ctx)
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pass > 1
}

// add notes that b deferred a call.
func (d *Deferral) add(b *BatchAPI) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !slices.Contains(d.apis, b) {
		d.apis = append(d.apis, b)
	}
}

// Wait returns once every call deferred so far has its answer (or its
// error) kept for the next pass, or ctx ends, and starts the next pass.
func (d *Deferral) Wait(ctx context.Context) error {
	d.mu.Lock()
	apis := slices.Clone(d.apis)
	d.pass++
	d.mu.Unlock()
	for _, b := range apis {
		if err := b.settle(ctx); err != nil {
			return err
		}
	}
	return nil
}

// deferrer is a model, or a wrapper around one, that says whether it may
// answer Deferred.
type deferrer interface {
	Defers() bool
}

// Defers reports whether m, through its wrappers, may defer calls made
// under a Deferral (a Batch API client).
func Defers(m Model) bool {
	d, ok := m.(deferrer)
	return ok && d.Defers()
}

// Defers reports whether the wrapped model may defer calls.
func (s *Store) Defers() bool { return Defers(s.next) }

// Defers reports whether the wrapped model may defer calls.
func (m *metered) Defers() bool { return Defers(m.next) }

// Defers reports whether the wrapped model may defer calls.
func (r *retry) Defers() bool { return Defers(r.next) }

// Defers reports true: a Batch API client defers calls made under a
// Deferral.
func (b *BatchAPI) Defers() bool { return true }
