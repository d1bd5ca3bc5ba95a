package golden_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/golden"
)

func TestDiff(t *testing.T) {
	require.Empty(t, golden.Diff("a\nb\n", "a\nb\n"))
	require.Equal(t, "  line 2 -want \"b\"\n  line 2 +got  \"B\"\n", golden.Diff("a\nb\n", "a\nB\n"))
	require.Equal(t, "  line 3 +got  \"c\"\n", golden.Diff("a\nb", "a\nb\nc"), "a line only one side has")
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
