package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEval(t *testing.T) {
	preds := filepath.Join(t.TempDir(), "pred.tsv")
	code, stdout, stderr := cli(t, nil, "eval", "--labels", "testdata/labels.tsv", "--predictions", preds)
	require.Equal(t, 0, code, stderr)
	for _, row := range []string{"accuracy", "kappa", "pearson β", "spearman β", "offline juror", "GPT-4"} {
		require.Contains(t, stdout, row)
	}
	data, err := os.ReadFile(preds)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Equal(t, "task_id\tlabel\tp_e0\tp_e1\tp_e2\tscore", lines[0])
	require.Len(t, lines, 7)
	require.True(t, strings.HasPrefix(lines[1], "101\t"), "task IDs without .0: %q", lines[1])

	code, stdout, stderr = cli(t, nil, "eval", "--labels", "testdata/labels.tsv", "--json")
	require.Equal(t, 0, code, stderr)
	var got struct {
		Offline struct {
			Tasks       int      `json:"tasks"`
			Occupations int      `json:"occupations"`
			Accuracy    *float64 `json:"accuracy"`
		} `json:"offline_juror"`
		GPT4 struct {
			Accuracy *float64 `json:"accuracy"`
		} `json:"gpt4"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Equal(t, 6, got.Offline.Tasks)
	require.Equal(t, 2, got.Offline.Occupations)
	require.NotNil(t, got.Offline.Accuracy)
	require.InDelta(t, 4.0/6, *got.GPT4.Accuracy, 1e-4, "GPT-4 agrees with the humans on 4 of 6 tasks")
}

func TestEvalBadInput(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"missing column", []string{"eval", "--labels", "testdata/no-task-id.tsv"}, `missing column "Task ID"`},
		{"missing file", []string{"eval", "--labels", "testdata/none.tsv"}, "testdata/none.tsv: no such file"},
		{"no labels flag", []string{"eval"}, "eval needs --labels FILE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cli(t, nil, tc.args...)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, tc.wantErr)
			require.Equal(t, 1, strings.Count(stderr, "\n"))
		})
	}
}
