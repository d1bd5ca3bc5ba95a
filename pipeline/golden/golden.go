// Package golden compares test output with committed golden files, the
// way gofmt's own tests do: run with -update to rewrite them, and on a
// mismatch the test prints the lines that differ and the command that
// regenerates the file, so that a reviewer reads the change in the diff.
package golden

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

// Assert compares got with the golden file at path. With update it writes
// got there instead (creating the directory). regen is the command that
// regenerates the file, named when the file is missing or differs.
func Assert(tb testing.TB, path string, got []byte, update bool, regen string) {
	tb.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("updated %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("no golden file %s (%v): run %s", path, err, regen)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs from the golden file (-want +got):\n%s\nIf the change is intended, run\n  %s\nand review the diff of %s before committing.",
			path, Diff(string(want), string(got)), regen, path)
	}
}

// Diff returns a unified diff from want to got (-want +got), like diff
// -u: an inserted line shows as one line, not as every later line moved.
// At most 60 lines of it are kept, so that a wholesale change stays
// readable; the rest is counted.
func Diff(want, got string) string {
	d := string(diff.Diff("want", []byte(want), "got", []byte(got)))
	lines := strings.SplitAfter(d, "\n")
	const keep = 60
	if len(lines) > keep {
		d = strings.Join(lines[:keep], "") + fmt.Sprintf("… and %d more lines of diff\n", len(lines)-keep)
	}
	return d
}
