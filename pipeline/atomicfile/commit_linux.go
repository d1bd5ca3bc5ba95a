package atomicfile

import (
	"sync"

	"golang.org/x/sys/unix"
)

// commit makes the temporary files durable: one syncfs per filesystem
// they are on, shared with every other writer of this process waiting
// for one (a group commit), instead of one fsync per file. syncfs flushes
// the whole filesystem, the files stored unsynced before among them.
func commit(temps []temp) error {
	var done []uint64
	for _, t := range temps {
		if t.fd < 0 || contains(done, t.dev) {
			continue
		}
		done = append(done, t.dev)
		if err := groupOf(t.dev).sync(t.fd); err != nil {
			return err
		}
	}
	return nil
}

func contains(devs []uint64, d uint64) bool {
	for _, x := range devs {
		if x == d {
			return true
		}
	}
	return false
}

// group is the syncfs calls of one filesystem: a caller waits for a
// syncfs started after it arrived, and starts one if none runs, so that
// callers arriving while one runs share the next.
type group struct {
	mu      sync.Mutex
	cond    sync.Cond
	started uint64 // syncfs calls started
	done    uint64 // the last one finished
	running bool
	err     error // of the last one finished
}

var (
	groupsMu sync.Mutex
	groups   = map[uint64]*group{}
)

func groupOf(dev uint64) *group {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	g := groups[dev]
	if g == nil {
		g = &group{}
		g.cond.L = &g.mu
		groups[dev] = g
	}
	return g
}

func (g *group) sync(fd int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	need := g.started + 1 // the first syncfs to start after this call
	for g.done < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		n := g.started
		g.mu.Unlock()
		err := unix.Syncfs(fd)
		g.mu.Lock()
		g.running, g.done, g.err = false, n, err
		g.cond.Broadcast()
	}
	return g.err
}
