package golden_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/golden"
)

func TestDiff(t *testing.T) {
	require.Empty(t, golden.Diff("a\nb\n", "a\nb\n"))
	require.Equal(t, "diff want got\n--- want\n+++ got\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n", golden.Diff("a\nb\n", "a\nB\n"))

	// One inserted line is one line of diff, not every later line.
	want := "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
	got := "0\n" + want
	d := golden.Diff(want, got)
	require.Equal(t, 1, strings.Count(d, "\n+")-strings.Count(d, "\n+++"), d)
	require.Zero(t, strings.Count(d, "\n-")-strings.Count(d, "\n---"), d)

	// A wholesale change is cut, and says how much was left out.
	long := strings.Repeat("x\n", 200)
	require.Contains(t, golden.Diff(long, strings.ReplaceAll(long, "x", "y")), "more lines of diff")
}

// recorder is a testing.TB that keeps what the assertion reports.
type recorder struct {
	testing.TB
	errors, logs []string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Errorf(format string, args ...any) { r.errors = append(r.errors, format) }
func (r *recorder) Logf(format string, args ...any)   { r.logs = append(r.logs, format) }

func TestAssert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "page.golden")
	rec := &recorder{TB: t}
	golden.Assert(rec, path, []byte("one\n"), true, "make golden")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "one\n", string(data), "-update writes the file")

	golden.Assert(rec, path, []byte("one\n"), false, "make golden")
	require.Empty(t, rec.errors, "the same bytes pass")

	golden.Assert(rec, path, []byte("two\n"), false, "make golden")
	require.Len(t, rec.errors, 1, "different bytes fail")
	data, _ = os.ReadFile(path)
	require.Equal(t, "one\n", string(data), "without -update the golden file is never touched")
}
