package exposure_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/offline/exposure"
)

const labelsHeader = "O*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\thuman_exposure_agg\tgpt4_exposure\n"

func TestReadLabelsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		return path
	}
	good := write("labels.tsv", labelsHeader+
		"43-9021.00\t101.0\tRead source documents and enter data.\tCore\tData Entry Keyers\tE1\tE1\n"+
		"43-9021.00\t102.0\tVerify the accuracy of data.\tCore\tData Entry Keyers\tE1\tE2\n")
	cases := []struct {
		name      string
		path      string
		wantTasks []string
		wantErr   string
	}{
		{name: "labelled tasks", path: good, wantTasks: []string{"101", "102"}},
		{name: "no such file", path: filepath.Join(dir, "none.tsv"), wantErr: filepath.Join(dir, "none.tsv") + ": no such file"},
		{name: "a directory", path: dir, wantErr: dir + ": "},
		{name: "a missing column", path: write("no-id.tsv", "O*NET-SOC Code\tTask\tTitle\thuman_exposure_agg\n"), wantErr: `missing column "Task ID"`},
		{name: "no labelled task", path: write("empty.tsv", labelsHeader), wantErr: ": no labelled tasks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			examples, err := exposure.ReadLabelsFile(tc.path)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, ex := range examples {
				ids = append(ids, ex.TaskID)
			}
			require.Equal(t, tc.wantTasks, ids)
		})
	}
}

func TestWritePredictionsFile(t *testing.T) {
	m, err := exposure.Default()
	require.NoError(t, err)
	examples := []exposure.Example{{Code: "43-9021.00", Title: "Data Entry Keyers", TaskID: "101", Text: "Enter data.", Type: exposure.TypeCore}}
	path := filepath.Join(t.TempDir(), "pred.tsv")
	require.NoError(t, exposure.WritePredictionsFile(path, m, examples))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Equal(t, []string{"task_id\tlabel\tp_e0\tp_e1\tp_e2\tscore"}, lines[:1])
	require.Len(t, lines, 2)
	require.True(t, strings.HasPrefix(lines[1], "101\t"), lines[1])

	require.Error(t, exposure.WritePredictionsFile(filepath.Join(path, "under-a-file.tsv"), m, examples))
}
