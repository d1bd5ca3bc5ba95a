package config

import (
	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// Cassettes are the directories of `jury run`'s --record, --replay and
// --replay-or-record flags, of which at most one may be set. The zero
// value records nothing.
type Cassettes struct {
	Record, Replay, ReplayOrRecord string
}

// Store returns the cassette directory the flags name ("" for none) and
// the mode to keep it in; two flags set at once are bad input.
func (c Cassettes) Store() (string, llm.Mode, error) {
	set := 0
	dir, mode := "", llm.ReplayOrRecord
	for _, f := range []struct {
		dir  string
		mode llm.Mode
	}{{c.Record, llm.RecordAlways}, {c.Replay, llm.ReplayOnly}, {c.ReplayOrRecord, llm.ReplayOrRecord}} {
		if f.dir != "" {
			set++
			dir, mode = f.dir, f.mode
		}
	}
	if set > 1 {
		return "", 0, jury.Invalidf("--record, --replay and --replay-or-record exclude each other: choose one")
	}
	return dir, mode, nil
}

// Attach puts the cassettes in st's store. A directory that will be
// recorded into must be writable before anything is paid for; one only
// replayed is only read.
func (c Cassettes) Attach(st *llm.Stack) error {
	dir, mode, err := c.Store()
	if err != nil {
		return err
	}
	st.StoreDir, st.StoreMode = dir, mode
	if dir != "" && mode != llm.ReplayOnly {
		return outdir.FlagError("--record", outdir.CheckWritable(dir))
	}
	return nil
}
