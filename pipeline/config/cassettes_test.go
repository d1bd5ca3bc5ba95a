package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/llm"
)

func TestCassettesAttachTheOneDirectoryTheFlagsName(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	cases := []struct {
		name     string
		c        config.Cassettes
		wantDir  string
		wantMode llm.Mode
		wantErr  string
	}{
		{name: "none: no store", wantMode: llm.ReplayOrRecord},
		{name: "--record", c: config.Cassettes{Record: dir}, wantDir: dir, wantMode: llm.RecordAlways},
		{name: "--replay", c: config.Cassettes{Replay: dir}, wantDir: dir, wantMode: llm.ReplayOnly},
		{name: "--replay-or-record", c: config.Cassettes{ReplayOrRecord: dir}, wantDir: dir, wantMode: llm.ReplayOrRecord},
		{name: "--replay of a folder that cannot be written: only read", c: config.Cassettes{Replay: filepath.Join(file, "c")},
			wantDir: filepath.Join(file, "c"), wantMode: llm.ReplayOnly},
		{name: "two at once", c: config.Cassettes{Record: dir, Replay: dir},
			wantErr: "--record, --replay and --replay-or-record exclude each other: choose one"},
		{name: "--record under a file", c: config.Cassettes{Record: filepath.Join(file, "c")}, wantErr: "--record: folder not writable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st llm.Stack
			err := tc.c.Attach(&st)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantDir, st.StoreDir)
			require.Equal(t, tc.wantMode, st.StoreMode)
			require.Equal(t, tc.wantMode == llm.ReplayOnly && tc.wantDir != "", st.Replaying(), "replaying needs no key")
		})
	}
}
