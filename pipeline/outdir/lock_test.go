package outdir_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/outdir"
)

func TestLockDirHoldsOneWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	first, err := outdir.LockDir(dir)
	require.NoError(t, err)
	pid, err := os.ReadFile(filepath.Join(dir, outdir.LockFile))
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(os.Getpid())+"\n", string(pid), "the lock file names its holder")

	_, err = outdir.LockDir(dir)
	require.ErrorIs(t, err, outdir.ErrLocked)
	require.Contains(t, err.Error(), dir)
	require.Contains(t, err.Error(), "pid "+strconv.Itoa(os.Getpid()))

	require.NoError(t, first.Release())
	require.NoFileExists(t, filepath.Join(dir, outdir.LockFile), "a finished run leaves only its output")
	again, err := outdir.LockDir(dir)
	require.NoError(t, err, "released: the next run takes it")
	require.NoError(t, again.Release())
}

func TestLockDirAndCheckWritableRefuseABadFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	cases := []struct {
		name string
		dir  string
	}{
		{name: "a file in its place", dir: file},
		{name: "under a file", dir: filepath.Join(file, "out")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := outdir.LockDir(tc.dir)
			require.ErrorIs(t, err, outdir.ErrNotWritable)
			require.Contains(t, err.Error(), tc.dir)
			err = outdir.CheckWritable(tc.dir)
			require.ErrorIs(t, err, outdir.ErrNotWritable)
			require.Contains(t, err.Error(), "not a directory")
		})
	}
}
