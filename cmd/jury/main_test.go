package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/openaitest"
)

const (
	fixture    = "../../fixtures/occupations/29-2072.00.json"
	sharedTSV  = "../../../shared/data/gpts-are-gpts/onet_tasks.tsv"
	canaryKey  = "sk-canary-0123456789abcdefghijKLMNOP"
	fixtureLen = 17
)

// cli runs jury in-process and returns its exit code, stdout and stderr.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &system{getenv: func(k string) string { return env[k] }, stdout: &stdout, stderr: &stderr, now: testClock})
	return report(err, &stderr), stdout.String(), stderr.String()
}

// testClock is the day every verdict of these tests is given on.
func testClock() time.Time { return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC) }

func readReport(t *testing.T, path string) jury.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var r jury.Report
	require.NoError(t, json.Unmarshal(data, &r))
	return r
}

func TestRunAgainstAnOpenAICompatibleServer(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": srv.URL()}
	code, stdout, stderr := cli(t, env, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "29-2072.00 Medical Records Specialists")

	r := readReport(t, filepath.Join(out, "29-2072.00", "report.json"))
	require.Len(t, r.Tasks, fixtureLen)
	require.Len(t, r.Jurors, 4)
	for _, j := range r.Jurors {
		require.NotEmpty(t, j.Quote)
	}
	require.NotEmpty(t, r.Summary)
	require.Equal(t, 9, r.Usage.Calls)
	md, err := os.ReadFile(filepath.Join(out, "29-2072.00", "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "## The AI Jury")
	require.Contains(t, string(md), fmt.Sprintf("*Thinks %d\u00a0%% is ", r.Headline), "each juror's reaction to the headline")
	require.Equal(t, 9, srv.Count(), "4 ballots, 4 statements, the foreperson")
	require.Equal(t, srv.Count(), r.Usage.Calls, "usage.calls equals the requests the server saw")
	for _, req := range srv.Requests() {
		require.Equal(t, "Bearer x", req.Header.Get("Authorization"))
		require.Equal(t, "gpt-4o-mini", req.Chat.Model)
	}
}

func TestRunFlagsAfterTheArgumentAndFromTheTaskFile(t *testing.T) {
	if _, err := os.Stat(sharedTSV); err != nil {
		t.Skip("../shared/data/gpts-are-gpts absent: skipping the run on onet_tasks.tsv")
	}
	srv := openaitest.New(t)
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": srv.URL()}
	code, _, stderr := cli(t, env, "run", "29-2072.00", "--tasks", sharedTSV, "--out", out, "--model", "gpt-test", "--seed", "7")
	require.Equal(t, 0, code, stderr)
	r := readReport(t, filepath.Join(out, "29-2072.00", "report.json"))
	require.Len(t, r.Tasks, fixtureLen)
	require.Equal(t, "Medical Records Specialists", r.Occupation.Title)
	require.Equal(t, []string{"gpt-test"}, r.Provenance.Models)
	require.Equal(t, 7, r.Provenance.Seed)
	require.Equal(t, 7, *srv.Requests()[0].Chat.Seed)
}

func TestRunBadInput(t *testing.T) {
	srv := openaitest.New(t)
	env := map[string]string{"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": srv.URL()}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    int
		wantErr string
	}{
		{"missing occupation file", []string{"run", "nope/29-0000.00.json"}, env, 2, "nope/29-0000.00.json: no such file"},
		{"broken occupation file", []string{"run", "testdata/broken.json"}, env, 2, "testdata/broken.json:3:"},
		{"missing task file", []string{"run", "29-2072.00", "--tasks", "testdata/none.tsv"}, env, 2, "testdata/none.tsv: no such file"},
		{"task file without the needed headers", []string{"run", "29-2072.00", "--tasks", "testdata/no-task-id.tsv"}, env, 2, `testdata/no-task-id.tsv:1: missing column "Task ID"`},
		{"unknown code", []string{"run", "29-9999.00", "--tasks", sharedTSVOr(t, "testdata/no-task-id.tsv")}, env, 2, ""},
		{"code without a task file", []string{"run", "29-2072.00"}, env, 2, "--tasks FILE"},
		{"no argument", []string{"run"}, env, 2, "run takes one occupation file or O*NET-SOC code"},
		{"two arguments", []string{"run", fixture, fixture}, env, 2, "got 2 arguments"},
		{"unknown flag", []string{"run", fixture, "--bogus"}, env, 2, "flag provided but not defined: -bogus"},
		{"bad temperature", []string{"run", fixture, "--temperature", "3"}, env, 2, "--temperature 3"},
		{"unknown command", []string{"judge"}, env, 2, `unknown command "judge"`},
		{"record and replay together", []string{"run", fixture, "--record", "a", "--replay", "b"}, env, 2, "exclude each other"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := cli(t, tc.env, append(tc.args, "--out", out)...)
			require.Equal(t, tc.want, code, stderr)
			require.Contains(t, stderr, tc.wantErr)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			require.True(t, strings.HasPrefix(stderr, "jury: "))
			requireEmptyDir(t, out)
		})
	}
	require.Zero(t, srv.Count(), "bad input never reaches the model")
}

func sharedTSVOr(t *testing.T, fallback string) string {
	if _, err := os.Stat(sharedTSV); err != nil {
		return fallback
	}
	return sharedTSV
}

func TestRunFailedVerdictsExitOneAndWriteNothing(t *testing.T) {
	cases := []struct {
		name    string
		script  func(*openaitest.Server)
		wantErr string
	}{
		{"quota", func(s *openaitest.Server) {
			s.Every(func(int) openaitest.Fault { return openaitest.Quota })
		}, "insufficient_quota"},
		{"bad key", func(s *openaitest.Server) {
			s.Every(func(int) openaitest.Fault { return openaitest.BadAuth })
		}, "HTTP 401"},
		{"no quorum", func(s *openaitest.Server) {
			s.Script(openaitest.Juror("The Diplomat"), openaitest.Refusal, openaitest.Refusal, openaitest.Refusal)
			s.Script(openaitest.Juror("The Optimist"), openaitest.NotJSON, openaitest.NotJSON, openaitest.NotJSON)
		}, "no quorum: 2 of 4 ballots valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			tc.script(srv)
			out := t.TempDir()
			env := map[string]string{"OPENAI_API_KEY": canaryKey, "OPENAI_BASE_URL": srv.URL()}
			code, stdout, stderr := cli(t, env, "run", fixture, "--out", out)
			require.Equal(t, 1, code, stderr)
			require.Contains(t, stderr, tc.wantErr)
			require.Contains(t, stderr, "29-2072.00", "the error names the occupation")
			require.NotContains(t, stderr+stdout, canaryKey[3:15], "no key in any output")
			require.NotContains(t, stderr+stdout, canaryKey[len(canaryKey)-4:])
			requireEmptyDir(t, out)
		})
	}
}

func TestHelpAndInfo(t *testing.T) {
	code, stdout, _ := cli(t, nil, "help")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "jury run")
	code, _, stderr := cli(t, nil, "run", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "-tasks")
	code, stdout, _ = cli(t, nil, "personas")
	require.Equal(t, 0, code)
	for _, name := range []string{"The Diplomat", "The Chaos Agent", "The Contrarian", "The Optimist"} {
		require.Contains(t, stdout, name)
	}
	code, stdout, _ = cli(t, nil, "version")
	require.Equal(t, 0, code)
	require.Regexp(t, `^jury \S+ \(prompts sha256:[0-9a-f]{16}\)\n$`, stdout)
}

// requireEmptyDir fails if dir holds any file: no partial report.
func requireEmptyDir(t *testing.T, dir string) {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	require.Empty(t, files, "no file may be written after a failure")
}

func TestRunWithoutAKeyUsesTheOfflineJuror(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := cli(t, map[string]string{}, "run", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 1, strings.Count(stderr, "\n"), "one line says so: %q", stderr)
	require.Contains(t, stderr, "no OPENAI_API_KEY: using the offline juror")
	require.Contains(t, stdout, "29-2072.00 Medical Records Specialists")

	r := readReport(t, filepath.Join(out, "29-2072.00", "report.json"))
	require.Len(t, r.Tasks, fixtureLen)
	// The humans' labels give 66 on the offline scale (75 % of the time of
	// the E1 and E2 tasks, core-weighted); the reference page says 83 %.
	require.GreaterOrEqual(t, r.Headline, 56, "the humans' figure is 66")
	require.LessOrEqual(t, r.Headline, 80)
	quotes := map[string]bool{}
	for _, j := range r.Jurors {
		require.True(t, j.Valid)
		require.NotEmpty(t, j.Quote)
		quotes[j.Quote] = true
	}
	require.Len(t, quotes, 4, "four distinct quotes")
	rationales := map[string]bool{}
	for _, task := range r.Tasks {
		require.NotEmpty(t, task.Rationale)
		rationales[task.Rationale] = true
	}
	require.Len(t, rationales, fixtureLen, "no two tasks share a rationale")
	require.NotEmpty(t, r.Summary)
	require.Equal(t, []string{"jury-offline"}, r.Provenance.Models)
	require.Regexp(t, `^sha256:[0-9a-f]{16}$`, r.Provenance.Weights)
}

func TestRunOfflineFlagWinsOverAKey(t *testing.T) {
	srv := openaitest.New(t)
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": srv.URL()}
	code, _, stderr := cli(t, env, "run", "--offline", fixture, "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "--offline: using the offline juror")
	require.Zero(t, srv.Count())
}

func TestRunReplaysCassettesWithoutNetwork(t *testing.T) {
	out := t.TempDir()
	// A closed port: any call would fail.
	env := map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}
	code, _, stderr := cli(t, env, "run", fixture, "--model", "jury-offline", "--replay", "../../fixtures/cassettes", "--out", out)
	require.Equal(t, 0, code, stderr)
	got, err := os.ReadFile(filepath.Join(out, "29-2072.00", "report.json"))
	require.NoError(t, err)
	want, err := os.ReadFile("../../fixtures/golden/29-2072.00/report.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))

	// A cassette that does not exist: one line naming the call and the fix.
	code, _, stderr = cli(t, env, "run", fixture, "--replay", t.TempDir(), "--seed", "9", "--out", out)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no recorded answer for 29-2072.00")
	require.Contains(t, stderr, "record it with jury run --record DIR")
	require.Equal(t, 1, strings.Count(stderr, "\n"), "%q", stderr)
}

// TestRecordingNeverWritesTheKey records a run with a canary key whose
// answers and errors try to echo it, then searches every file written and
// everything printed.
func TestRecordingNeverWritesTheKey(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithAnswerer(func(c openaitest.ChatRequest) (string, error) {
		answer, err := openaitest.SchemaAnswer(c)
		if c.SchemaName() == "statement" {
			// A hostile model repeats the key it was called with.
			answer = strings.Replace(answer, `"quote":"`, `"quote":"my key is `+canaryKey+` `, 1)
		}
		return answer, err
	}))
	srv.Script(openaitest.Juror("The Diplomat"), openaitest.ServerError) // a retry, logged
	dir := t.TempDir()
	cassettes, out := filepath.Join(dir, "cassettes"), filepath.Join(dir, "out")
	env := map[string]string{"OPENAI_API_KEY": canaryKey, "OPENAI_BASE_URL": srv.URL()}
	code, stdout, stderr := cli(t, env, "run", fixture, "--record", cassettes, "--out", out, "--log-format", "json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "retrying model call")
	for _, r := range srv.Requests() {
		require.Equal(t, "Bearer "+canaryKey, r.Header.Get("Authorization"), "the key is sent")
	}

	var written []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			written = append(written, path)
			require.False(t, strings.Contains(string(data), canaryKey[3:]), "the key is in %s", path)
		}
		return err
	}))
	require.GreaterOrEqual(t, len(written), 9+3, "cassettes and report files were written")
	require.False(t, strings.Contains(stdout+stderr, canaryKey[3:]), "the key is printed")
	r := readReport(t, filepath.Join(out, "29-2072.00", "report.json"))
	require.Contains(t, r.Jurors[0].Quote, "[redacted]", "the echoed key is redacted, not the quote dropped")
}

func TestTerminalOutputCarriesNoEscapeSequences(t *testing.T) {
	dir := t.TempDir()
	occ := `{"code": "29-2072.00", "title": "Medical \u001b[31mRecords\u001b[0m Specialists",
  "tasks": [{"id": "1", "text": "Transcribe medical reports.", "type": "core"}]}`
	path := filepath.Join(dir, "occ.json")
	require.NoError(t, os.WriteFile(path, []byte(occ), 0o644))
	code, stdout, stderr := cli(t, nil, "run", path, "--out", dir)
	require.Equal(t, 2, code, "a title with an escape sequence is bad input")
	require.Contains(t, stderr, "title contains control characters")
	require.NotContains(t, stdout+stderr, "\x1b")

	// An error quoting hostile input is one plain line too.
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"code": "\u001b]0;pwned\u0007", "title": "x", "tasks": []}`), 0o644))
	code, _, stderr = cli(t, nil, "run", bad, "--out", t.TempDir())
	require.Equal(t, 2, code)
	require.NotContains(t, stderr, "\x1b")
	require.NotContains(t, stderr, "\x07")
	require.Equal(t, 1, strings.Count(stderr, "\n"))
}
