package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onet-jury/jury/pipeline/offline/exposure"
	"github.com/stretchr/testify/require"
)

// writeLabels writes a small labels_train.tsv-shaped file and returns its
// path.
func writeLabels(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\thuman_exposure_agg\tgpt4_exposure\n")
	texts := [3][]string{
		{"Lift heavy pipes.", "Weld steel beams.", "Carry wooden crates."},
		{"Write letters to clients.", "Draft reports for managers.", "Edit meeting notes."},
		{"Enter invoices into software.", "Scan forms into databases.", "Upload records to spreadsheets."},
	}
	row := 0
	for occ := range 4 {
		for c := range 3 {
			for _, text := range texts[c][:1+(occ+c)%3] {
				fmt.Fprintf(&b, "%d\t11-%04d.00\t%d.0\t%s\tCore\tWorkers\t%s\t%s\n", row, occ, 1000+row, text, exposure.Labels[c], exposure.Labels[(c+occ)%3])
				row++
			}
		}
	}
	path := filepath.Join(dir, "labels.tsv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	labels := writeLabels(t, dir)
	noLabel := filepath.Join(dir, "nolabel.tsv")
	require.NoError(t, os.WriteFile(noLabel, []byte("O*NET-SOC Code\tTask ID\tTask\tTitle\n11-1011.00\t1\tLead.\tChiefs\n"), 0o644))
	badLabel := filepath.Join(dir, "badlabel.tsv")
	require.NoError(t, os.WriteFile(badLabel, []byte("O*NET-SOC Code\tTask ID\tTask\tTitle\thuman_exposure_agg\n11-1011.00\t1\tLead.\tChiefs\tE7\n"), 0o644))
	weights := filepath.Join(dir, "weights.json.gz")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantErr    string
	}{
		{name: "no subcommand", args: nil, wantCode: 2, wantErr: "missing subcommand"},
		{name: "unknown subcommand", args: []string{"fit"}, wantCode: 2, wantErr: `unknown subcommand "fit"`},
		{name: "help", args: []string{"-h"}, wantCode: 0, wantStdout: "jury-model train"},
		{name: "bad flag", args: []string{"cv", "-fold", "3"}, wantCode: 2, wantErr: "flag provided but not defined"},
		{name: "stray argument", args: []string{"train", "extra"}, wantCode: 2, wantErr: `unexpected argument "extra"`},
		{name: "too few folds", args: []string{"cv", "-labels", labels, "-folds", "1"}, wantCode: 2, wantErr: "want at least 2"},
		{name: "missing labels file", args: []string{"cv", "-labels", filepath.Join(dir, "absent.tsv")}, wantCode: 2, wantErr: "absent.tsv: no such file or directory (pass -labels"},
		{name: "missing column", args: []string{"train", "-labels", noLabel, "-out", weights}, wantCode: 2, wantErr: `nolabel.tsv:1: missing column "human_exposure_agg"`},
		{name: "bad label", args: []string{"train", "-labels", badLabel, "-out", weights}, wantCode: 2, wantErr: `badlabel.tsv:2: human_exposure_agg "E7"`},
		{name: "unwritable output", args: []string{"train", "-labels", labels, "-out", filepath.Join(dir, "no", "such", "w.gz")}, wantCode: 1, wantErr: "does the directory"},
		{name: "train", args: []string{"train", "-labels", labels, "-out", weights}, wantCode: 0, wantStdout: "trained on 24 tasks"},
		{name: "cv", args: []string{"cv", "-labels", labels, "-folds", "2"}, wantCode: 0, wantStdout: "offline juror"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			require.Equal(t, tt.wantCode, exitCode(err), "err %v", err)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NotContains(t, err.Error(), "\n", "errors are one line")
			}
			require.Contains(t, stdout.String(), tt.wantStdout)
		})
	}
}

func TestTrainWritesLoadableDeterministicWeights(t *testing.T) {
	dir := t.TempDir()
	labels := writeLabels(t, dir)
	var files [2][]byte
	for i := range files {
		out := filepath.Join(dir, fmt.Sprintf("w%d.json.gz", i))
		var stdout bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"train", "-labels", labels, "-out", out}, &stdout, &bytes.Buffer{}))
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		files[i] = data
		m, err := exposure.Load(data)
		require.NoError(t, err)
		require.Contains(t, stdout.String(), m.Hash())
	}
	require.Equal(t, files[0], files[1])
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.False(t, strings.HasSuffix(e.Name(), ".tmp"), "temporary file %s left behind", e.Name())
	}
}
