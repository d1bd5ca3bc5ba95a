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

// Diff describes how got differs from want, line by line: the first 20
// lines that differ, each as -want and +got.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		shown++
		if i < len(w) {
			fmt.Fprintf(&b, "  line %d -want %q\n", i+1, wl)
		}
		if i < len(g) {
			fmt.Fprintf(&b, "  line %d +got  %q\n", i+1, gl)
		}
	}
	return b.String()
}
