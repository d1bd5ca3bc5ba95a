package outdir_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
)

func TestFlagErrorNamesTheFlagOfAFolderThatCannotBeUsed(t *testing.T) {
	other := errors.New("disk on fire")
	cases := []struct {
		name        string
		err         error
		wantMsg     string
		wantInvalid bool
	}{
		{"held by another run", fmt.Errorf("%w: out (pid 7)", outdir.ErrLocked), "--out: output folder in use: out (pid 7)", true},
		{"not writable", fmt.Errorf("%w: out: read-only file system", outdir.ErrNotWritable), "--out: folder not writable: out: read-only file system", true},
		{"any other error passes unchanged", other, "disk on fire", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := outdir.FlagError("--out", tc.err)
			require.EqualError(t, err, tc.wantMsg)
			require.Equal(t, tc.wantInvalid, errors.Is(err, jury.ErrInvalid), "bad input exits 2")
			require.ErrorIs(t, err, tc.err)
		})
	}
	require.NoError(t, outdir.FlagError("--out", nil))
}
