package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// TestTwoBatchesOnOneOut: a second batch on a folder another batch is
// writing exits 2 before doing anything, naming the folder and the
// holder's pid; the first finishes with a manifest that matches every
// report. The first run's calls are held at the server until the second
// has exited, so the overlap is certain, not a matter of timing.
func TestTwoBatchesOnOneOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary twice")
	}
	bin := juryBinary(t)
	release := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	t.Cleanup(open)
	srv := openaitest.New(t, openaitest.WithLatency(func() time.Duration { <-release; return 0 }))
	occs := openaitest.Occupations(6)
	tasks := writeTaskFile(t, occs)
	out := filepath.Join(t.TempDir(), "out")
	env := append(os.Environ(), "OPENAI_API_KEY=sk-test", "OPENAI_BASE_URL="+srv.URL())
	batch := func() *exec.Cmd {
		cmd := exec.Command(bin, "batch", "--tasks", tasks, "--out", out, "--concurrency", "2", "--rpm", "0", "--tpm", "0")
		cmd.Env = env
		return cmd
	}

	first := batch()
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	require.NoError(t, first.Start())
	<-srv.Arrived(1) // the first holds the folder: it takes the lock before any call

	second := batch()
	var stderr bytes.Buffer
	second.Stderr = &stderr
	err := second.Run()
	calls := srv.Count()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", stderr.String())
	require.Equal(t, 2, exit.ExitCode(), "%s", stderr.String())
	require.Contains(t, stderr.String(), "--out")
	require.Contains(t, stderr.String(), out)
	require.Contains(t, stderr.String(), "pid "+strconv.Itoa(first.Process.Pid))
	require.Equal(t, 1, bytes.Count(stderr.Bytes(), []byte("\n")), "one line: %q", stderr.String())

	open()
	require.NoError(t, first.Wait(), "%s", firstErr.String())
	require.Equal(t, len(occs)*9, srv.Count(), "only the first run paid")
	require.LessOrEqual(t, calls, 2*4, "the second run sent nothing: what the server saw were the first run's calls in flight")

	m, err := outdir.ReadManifest(out)
	require.NoError(t, err)
	require.Len(t, m.Occupations, len(occs))
	for _, e := range m.Occupations {
		require.Equal(t, outdir.StatusDone, e.Status)
		r := readReport(t, filepath.Join(out, e.Code, "report.json"))
		require.Equal(t, r.Headline, *e.Headline, "%s: the manifest matches the report", e.Code)
	}
	require.NoFileExists(t, filepath.Join(out, outdir.LockFile))
}

// TestAFolderThatCannotBeWrittenIsUsage: `jury run` and `jury batch` find
// that --out (or the cache) cannot be written before the first call, and
// exit 2 naming the flag.
func TestAFolderThatCannotBeWrittenIsUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	occs := openaitest.Occupations(2)
	tasks := writeTaskFile(t, occs)
	cases := []struct {
		name string
		args []string
		flag string
	}{
		{name: "run, --out is a file", args: []string{"run", occs[0].Code, "--tasks", tasks, "--out", file}, flag: "--out"},
		{name: "run, --out under a file", args: []string{"run", occs[0].Code, "--tasks", tasks, "--out", filepath.Join(file, "out")}, flag: "--out"},
		{name: "run, --record under a file", args: []string{"run", occs[0].Code, "--tasks", tasks, "--out", t.TempDir(), "--record", filepath.Join(file, "c")}, flag: "--record"},
		{name: "batch, --out is a file", args: []string{"batch", "--tasks", tasks, "--out", file}, flag: "--out"},
		{name: "batch, --cache under a file", args: []string{"batch", "--tasks", tasks, "--out", t.TempDir(), "--cache", filepath.Join(file, "c")}, flag: "--cache"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			code, _, stderr := cli(t, map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": srv.URL()}, tc.args...)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, "jury: "+tc.flag+": ")
			require.Contains(t, stderr, "not a directory")
			require.Zero(t, srv.Count(), "nothing paid before the folder was found bad")
		})
	}
}

// TestBatchWithoutOutSaysWhereAndHowMuch: without --out, `jury batch`
// says where it writes and how many answers it may pay for before it
// starts; off a terminal it does not ask.
func TestBatchWithoutOutSaysWhereAndHowMuch(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tasks := writeTaskFile(t, openaitest.Occupations(2))
	srv := openaitest.New(t)
	code, _, stderr := cli(t, map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": srv.URL()},
		"batch", "--tasks", tasks, "--rpm", "0", "--tpm", "0")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "jury: batch of 2 occupations into "+filepath.Join(dir, "out")+": at most 108 paid answers (18 on a clean run")
	var last outdir.LastRun
	data, err := os.ReadFile(filepath.Join(dir, "out", "last-run.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &last))
	require.Equal(t, 2, last.Done)
}
