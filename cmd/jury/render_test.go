package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
)

// renderBatch writes a batch directory of two verdicts and its manifest,
// with every page but report.json and manifest.json removed.
func renderBatch(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../fixtures/golden/29-2072.00/report.json")
	require.NoError(t, err)
	dir := t.TempDir()
	m := &outdir.Manifest{SchemaVersion: outdir.ManifestVersion}
	for _, code := range []string{"29-2072.00", "43-9061.00"} {
		var r jury.Report
		require.NoError(t, json.Unmarshal(data, &r))
		r.Occupation.Code = code
		_, err := outdir.WriteReport(dir, &r)
		require.NoError(t, err)
		h := r.Headline
		m.Set(outdir.ManifestEntry{Code: code, Title: r.Occupation.Title, Status: outdir.StatusDone, Headline: &h, Band: r.Band})
		for _, name := range []string{"report.md", "report.html"} {
			require.NoError(t, os.Remove(filepath.Join(dir, code, name)))
		}
	}
	require.NoError(t, m.Write(dir))
	for _, name := range []string{"index.md", "index.html"} {
		require.NoError(t, os.Remove(filepath.Join(dir, name)))
	}
	return dir
}

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		// args builds the arguments after "render" from the batch directory.
		args       func(dir string) []string
		breakFile  string // a file under the batch directory to break first
		wantCode   int
		wantStdout string
		wantStderr []string
		wantPages  bool
	}{
		{
			name:       "a batch directory",
			args:       func(dir string) []string { return []string{dir} },
			wantStdout: "rendered 2 reports under DIR\n",
			wantPages:  true,
		},
		{
			name:       "one occupation's directory",
			args:       func(dir string) []string { return []string{filepath.Join(dir, "29-2072.00")} },
			wantStdout: "rendered 1 report under DIR/29-2072.00\n",
		},
		{
			name:       "no directory",
			args:       func(string) []string { return nil },
			wantCode:   exitInvalid,
			wantStderr: []string{"jury: render takes one directory, got 0 arguments: jury render DIR\n"},
		},
		{
			name:       "two directories",
			args:       func(dir string) []string { return []string{dir, dir} },
			wantCode:   exitInvalid,
			wantStderr: []string{"render takes one directory, got 2 arguments"},
		},
		{
			name:       "an unknown flag",
			args:       func(dir string) []string { return []string{"--model", "x", dir} },
			wantCode:   exitInvalid,
			wantStderr: []string{"render: flag provided but not defined: -model"},
		},
		{
			name:       "a directory that does not exist",
			args:       func(dir string) []string { return []string{filepath.Join(dir, "nope")} },
			wantCode:   exitInvalid,
			wantStderr: []string{"nope: no such file or directory"},
		},
		{
			name:       "a broken report.json is named",
			args:       func(dir string) []string { return []string{dir} },
			breakFile:  filepath.Join("43-9061.00", "report.json"),
			wantCode:   exitInvalid,
			wantStderr: []string{filepath.Join("43-9061.00", "report.json") + ":1: the JSON ends early"},
		},
		{
			name:       "help",
			args:       func(string) []string { return []string{"--help"} },
			wantStderr: []string{"Usage: jury render [--force] DIR\n", "No model is called"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := renderBatch(t)
			if tt.breakFile != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, tt.breakFile), []byte(`{"schema_version": 1,`), 0o644))
			}
			// A key in the environment changes nothing: render calls no model.
			code, stdout, stderr := cli(t, map[string]string{"OPENAI_API_KEY": canaryKey, "OPENAI_BASE_URL": "http://127.0.0.1:1"}, append([]string{"render"}, tt.args(dir)...)...)
			require.Equal(t, tt.wantCode, code, stderr)
			if tt.wantStdout != "" {
				require.Equal(t, filepath.FromSlash(tt.wantStdout), strings.ReplaceAll(stdout, dir, "DIR"))
			}
			for _, w := range tt.wantStderr {
				require.Contains(t, stderr, w)
			}
			if tt.wantCode != exitOK {
				require.Empty(t, stdout)
				require.NoFileExists(t, filepath.Join(dir, "29-2072.00", "report.html"), "nothing is written on bad input")
			}
			if tt.wantPages {
				for _, p := range []string{"index.md", "index.html", "29-2072.00/report.md", "29-2072.00/report.html", "43-9061.00/report.html"} {
					require.FileExists(t, filepath.Join(dir, p))
				}
			}
		})
	}
}
