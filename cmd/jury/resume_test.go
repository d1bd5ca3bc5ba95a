package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/outdir"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// juryBinary builds the jury command once per test run.
func juryBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jury-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "jury")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// writeTaskFile writes occupations as an O*NET task file.
func writeTaskFile(t *testing.T, occs []jury.Occupation) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("O*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\n")
	for _, o := range occs {
		for _, task := range o.Tasks {
			typ := map[jury.TaskType]string{jury.Core: "Core", jury.Supplemental: "Supplemental", jury.Unrated: ""}[task.Type]
			fmt.Fprintf(&b, "%s\t%s.0\t%s\t%s\t%s\n", o.Code, task.ID, task.Text, typ, o.Title)
		}
	}
	path := filepath.Join(t.TempDir(), "tasks.tsv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestBatchResumesAfterSIGKILLByteForByte(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := juryBinary(t)
	// The server answers at once until a gate closes; then every later
	// answer waits for the gate to open again. A kill lands while a run is
	// held at the gate, so it always comes before that run could finish,
	// however fast or loaded the machine.
	var (
		gateMu sync.Mutex
		gate   chan struct{} // nil: open
		served atomic.Int64
		holdAt atomic.Int64
	)
	holdAt.Store(math.MaxInt64)
	answer := func(c openaitest.ChatRequest) (string, error) {
		if served.Add(1) > holdAt.Load() {
			gateMu.Lock()
			g := gate
			gateMu.Unlock()
			if g != nil {
				<-g
			}
		}
		return openaitest.SchemaAnswer(c)
	}
	// No prompt cache: the two runs' reports must agree on their usage.
	srv := openaitest.New(t, openaitest.WithoutPromptCache(), openaitest.WithAnswerer(answer))
	const n = 48
	tasks := writeTaskFile(t, openaitest.Occupations(n))
	env := append(os.Environ(), "OPENAI_API_KEY=sk-test", "OPENAI_BASE_URL="+srv.URL())
	batch := func(out string) *exec.Cmd {
		cmd := exec.Command(bin, "batch", "--tasks", tasks, "--out", out, "--concurrency", "3", "--rpm", "0", "--tpm", "0")
		cmd.Env = env
		return cmd
	}

	whole := filepath.Join(t.TempDir(), "whole")
	out, err := batch(whole).CombinedOutput()
	require.NoError(t, err, "%s", out)
	calls := srv.Count()
	require.Equal(t, n*9, calls)

	resumed := filepath.Join(t.TempDir(), "resumed")
	for kill, after := range []int64{40, 70, 100} {
		// Hold every answer after the next `after` ones, start, and kill
		// once a request waits at the gate.
		g := make(chan struct{})
		gateMu.Lock()
		gate = g
		gateMu.Unlock()
		holdAt.Store(served.Load() + after)
		waiting := srv.Arrived(srv.Count() + int(after) + 1)
		cmd := batch(resumed)
		require.NoError(t, cmd.Start())
		<-waiting
		require.NoError(t, cmd.Process.Kill()) // SIGKILL: no chance to clean up
		cmd.Wait()
		holdAt.Store(math.MaxInt64)
		close(g) // the dead run's held requests end; the next run passes
		data, _ := os.ReadFile(filepath.Join(resumed, "manifest.json"))
		t.Logf("kill %d: %d occupations done", kill+1, strings.Count(string(data), `"status": "done"`))
	}
	out, err = batch(resumed).CombinedOutput()
	require.NoError(t, err, "%s", out)
	var last outdir.LastRun
	data, err := os.ReadFile(filepath.Join(resumed, "last-run.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &last))
	require.Positive(t, last.Ran, "the kills interrupted the batch before it finished")
	require.Positive(t, last.AlreadyDone, "the resumed run kept what was done")

	// Killed calls may have reached the server, but no answer already
	// stored was asked for again: at most the calls in flight at each kill
	// (3 occupations × 4 jurors) were paid twice.
	require.LessOrEqual(t, srv.Count()-calls, n*9+3*12)
	want, got := tree(t, whole), tree(t, resumed)
	for name, data := range want {
		other, ok := got[name]
		require.True(t, ok, "%s missing after resume", name)
		require.True(t, data == other, "%s differs after resume", name)
	}
	for name := range got {
		require.Contains(t, want, name, "%s only after resume", name)
	}
}

// tree reads every result file under dir: reports, manifest and index,
// not the cache or the run's own spending record. It fails on any
// temporary file, which would be a partial write left behind.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		require.False(t, atomicfile.IsTemp(d.Name()), "partial file left: %s", path)
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() || rel == "last-run.json" || strings.HasPrefix(rel, ".cache") {
			return nil
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		files[rel] = string(data)
		return nil
	}))
	require.NotEmpty(t, files)
	return files
}

func TestBatchSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and signals the binary")
	}
	bin := juryBinary(t)
	srv := openaitest.New(t, openaitest.WithLatency(func() time.Duration { return 50 * time.Millisecond }))
	tasks := writeTaskFile(t, openaitest.Occupations(40))
	env := append(os.Environ(), "OPENAI_API_KEY=sk-test", "OPENAI_BASE_URL="+srv.URL())
	start := func(out string) (*exec.Cmd, *syncBuffer) {
		cmd := exec.Command(bin, "batch", "--tasks", tasks, "--out", out, "--concurrency", "2", "--rpm", "0", "--tpm", "0")
		cmd.Env = env
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		require.NoError(t, cmd.Start())
		return cmd, stderr
	}
	waitForDone := func(out string, n int) {
		for range 200 {
			data, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
			if strings.Count(string(data), `"status": "done"`) >= n {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no %d occupations done in %s", n, out)
	}

	t.Run("one SIGINT lets work in flight finish", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		cmd, stderr := start(out)
		waitForDone(out, 2)
		require.NoError(t, cmd.Process.Signal(os.Interrupt))
		err := cmd.Wait()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		require.Equal(t, 1, exit.ExitCode())
		require.Contains(t, stderr.String(), "stop requested (signal)")
		m, err := outdir.ReadManifest(out)
		require.NoError(t, err)
		done, pending := 0, 0
		for _, e := range m.Occupations {
			switch e.Status {
			case outdir.StatusDone:
				done++
				require.FileExists(t, filepath.Join(out, e.Code, "report.json"))
			case outdir.StatusPending:
				pending++
			}
		}
		require.GreaterOrEqual(t, done, 2)
		require.Positive(t, pending, "stopped before the end")
		tree(t, out) // no partial file
	})

	t.Run("a second SIGINT exits at once", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		cmd, stderr := start(out)
		waitForDone(out, 1)
		require.NoError(t, cmd.Process.Signal(os.Interrupt))
		// Signals of one kind sent together may arrive as one: wait until
		// the first is taken.
		require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "a second signal exits at once") },
			10*time.Second, 10*time.Millisecond)
		require.NoError(t, cmd.Process.Signal(os.Interrupt))
		err := cmd.Wait()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		require.Equal(t, 1, exit.ExitCode())
		require.Contains(t, stderr.String(), "second signal")
		// Every report on disk is whole: files appear by rename only.
		// (Temporary files a hard exit leaves are swept by the next run.)
		reports, _ := filepath.Glob(filepath.Join(out, "*", "report.json"))
		require.NotEmpty(t, reports)
		for _, path := range reports {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.True(t, json.Valid(data), "%s is whole", path)
		}
	})
}

// syncBuffer is a strings.Builder safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
