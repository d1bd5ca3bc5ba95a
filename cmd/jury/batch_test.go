package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
)

func TestBatchCommandStopsOnQuotaKeepingFinishedWork(t *testing.T) {
	srv := openaitest.New(t)
	srv.Every(func(n int) openaitest.Fault {
		if n > 27 { // three verdicts of nine calls
			return openaitest.Quota
		}
		return openaitest.OK
	})
	tasks := writeTaskFile(t, openaitest.Occupations(8))
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": canaryKey, "OPENAI_BASE_URL": srv.URL()}
	code, _, stderr := cli(t, env, "batch", "--tasks", tasks, "--out", out, "--concurrency", "1", "--rpm", "0", "--tpm", "0", "--log-format", "json")
	require.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(last, "jury: batch stopped after 3 of 8 occupations"), "one clear last line: %q", last)
	require.Contains(t, last, "insufficient_quota")
	require.Contains(t, last, "run the same command again to resume")
	require.NotContains(t, stderr, canaryKey[3:15])

	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	done := 0
	for _, e := range m.Occupations {
		if e.Status == outdir.StatusDone {
			done++
			require.FileExists(t, filepath.Join(out, e.Code, "report.json"))
		}
	}
	require.Equal(t, 3, done, "27 calls: three occupations finished before the quota ran out")
	require.LessOrEqual(t, srv.Count(), 27+4, "nothing new after the quota error: at most the four jurors in flight")
}

func TestBatchCommandViaTheBatchAPI(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithBatchPolls(1))
	tasks := writeTaskFile(t, openaitest.Occupations(5))
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": srv.URL()}
	args := []string{"batch", "--tasks", tasks, "--out", out, "--via", "batch-api", "--batch-poll", "10ms", "--batch-collect", "100ms"}
	code, _, stderr := cli(t, env, args...)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 45, srv.BatchLines())
	require.Equal(t, 3, srv.BatchesCreated(), "the ballots, then the statements, then the forepersons")

	var last outdir.LastRun
	data, err := os.ReadFile(filepath.Join(out, "last-run.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &last))
	require.Equal(t, 45, last.Calls)
	require.Equal(t, 5, last.Done)

	// At half price: the report's cost is half the list price.
	r := readReport(t, filepath.Join(out, "15-1000.00", "report.json"))
	full := (float64(r.Usage.PromptTokens)*0.15 + float64(r.Usage.CompletionTokens)*0.60) / 1e6
	require.InDelta(t, full/2, r.Usage.CostUSD, 1e-8, "rounded to a millionth of a cent")

	code, _, stderr = cli(t, map[string]string{}, args...)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--via batch-api needs OPENAI_API_KEY")
}

func TestBatchCommandBadInput(t *testing.T) {
	tasks := writeTaskFile(t, openaitest.Occupations(2))
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no task file", []string{"batch"}, "batch needs --tasks FILE"},
		{"bad shard", []string{"batch", "--tasks", tasks, "--shard", "3/2"}, `--shard "3/2"`},
		{"unknown only code", []string{"batch", "--tasks", tasks, "--only", "29-2072.00"}, "occupation 29-2072.00 is not in the task file"},
		{"bad only file", []string{"batch", "--tasks", tasks, "--only", "@testdata/none.txt"}, "--only @testdata/none.txt"},
		{"unknown via", []string{"batch", "--tasks", tasks, "--via", "carrier-pigeon"}, `--via "carrier-pigeon"`},
		{"an argument", []string{"batch", "--tasks", tasks, "29-2072.00"}, "batch takes no arguments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := cli(t, nil, append(tc.args, "--out", out)...)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, tc.wantErr)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "%q", stderr)
			requireEmptyDir(t, out)
		})
	}
}

func TestBatchCommandOnlyAndShard(t *testing.T) {
	occs := openaitest.Occupations(6)
	tasks := writeTaskFile(t, occs)
	only := filepath.Join(t.TempDir(), "only.txt")
	require.NoError(t, os.WriteFile(only, []byte("# tonight\n15-1005.00\n\n15-1001.00  # again\n15-1003.00\n"), 0o644))
	out := t.TempDir()
	code, _, stderr := cli(t, nil, "batch", "--tasks", tasks, "--out", out, "--only", "@"+only, "--shard", "1/2")
	require.Equal(t, 0, code, stderr)
	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	var codes []string
	for _, e := range m.Occupations {
		codes = append(codes, e.Code)
	}
	require.Equal(t, []string{"15-1003.00"}, codes, "sorted 1001, 1003, 1005; shard 1/2 takes the second")
}
