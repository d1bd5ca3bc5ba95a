package outdir_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

// rerenderGolden reads the committed 17-task golden report under another
// code.
func rerenderGolden(t testing.TB, code string) *jury.Report {
	t.Helper()
	data, err := os.ReadFile("../../fixtures/golden/29-2072.00/report.json")
	require.NoError(t, err)
	var r jury.Report
	require.NoError(t, json.Unmarshal(data, &r))
	r.Occupation.Code = code
	return &r
}

var rerenderCodes = []string{"11-1011.00", "29-2072.00", "43-9061.00"}

// batchDir writes a batch output directory: three reports, a manifest
// that also lists a failed occupation, and a directory with no report.
func batchDir(t *testing.T, withManifest bool) string {
	t.Helper()
	dir := t.TempDir()
	m := &outdir.Manifest{SchemaVersion: outdir.ManifestVersion}
	for i, code := range rerenderCodes {
		r := rerenderGolden(t, code)
		for j := range r.Tasks { // headlines apart, each following from its tasks
			r.Tasks[j].Score = max(0, r.Tasks[j].Score-20*(2-i))
		}
		r.Headline = jury.TasksHeadline(r.Tasks)
		r.Band = jury.BandOf(r.Headline)
		_, err := outdir.WriteReport(dir, r)
		require.NoError(t, err)
		h := r.Headline
		m.Set(outdir.ManifestEntry{Code: code, Title: r.Occupation.Title, Status: outdir.StatusDone, Headline: &h, Band: r.Band})
	}
	m.Set(outdir.ManifestEntry{Code: "15-1252.00", Title: "Software Developers", Status: outdir.StatusFailed, Error: "model error"})
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "15-1252.00"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".cache", "ab"), 0o755))
	if withManifest {
		require.NoError(t, m.Write(dir))
	}
	return dir
}

// spoil replaces the pages under dir with stale ones, so that a test sees
// which ones Rerender wrote.
func spoil(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		require.NoError(t, os.WriteFile(f, []byte("stale"), 0o644))
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

// requirePages checks that dir holds the pages of its report.json, each
// ending in jury's marker.
func requirePages(t *testing.T, dir string) {
	t.Helper()
	var r jury.Report
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "report.json"))), &r))
	var opts render.PageOptions
	if _, err := os.Stat(filepath.Join(dir, "..", "manifest.json")); err == nil {
		opts.Index = "../index.html"
	}
	md, err := render.MarkdownPageWith(&r, opts)
	require.NoError(t, err)
	page, err := render.HTMLPageWith(&r, opts)
	require.NoError(t, err)
	for name, want := range map[string][]byte{"report.md": md, "report.html": page} {
		got := readFile(t, filepath.Join(dir, name))
		body, marker, ok := strings.Cut(got, "<!-- jury sha256:")
		require.True(t, ok, "%s ends in jury's marker", name)
		require.Equal(t, string(want), body, dir)
		require.Contains(t, marker, "change edits.yaml, not this file -->\n")
	}
}

func TestWriteReportWritesThePages(t *testing.T) {
	out := t.TempDir()
	r := rerenderGolden(t, "29-2072.00")
	dir, err := outdir.WriteReport(out, r)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(out, "29-2072.00"), dir)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{"report.html", "report.json", "report.md"}, names, "the three files, no temporary one left")
	requirePages(t, dir)
	require.Contains(t, readFile(t, filepath.Join(dir, "report.html")), "<h1>Medical Records Specialists</h1>")
}

func TestManifestWriteWritesTheIndexPages(t *testing.T) {
	dir := batchDir(t, true)
	m, err := outdir.ReadManifest(dir)
	require.NoError(t, err)
	var rows []render.IndexRow
	for _, e := range m.Occupations {
		rows = append(rows, render.IndexRow{Code: e.Code, Title: e.Title, Status: e.Status, Headline: e.Headline, Band: string(e.Band), Error: e.Error})
	}
	require.Equal(t, string(render.IndexHTML(rows)), readFile(t, filepath.Join(dir, "index.html")))
	require.Equal(t, string(render.IndexMarkdown(rows)), readFile(t, filepath.Join(dir, "index.md")))
	require.Contains(t, readFile(t, filepath.Join(dir, "index.html")), `<a href="29-2072.00/report.html">`)
}

func TestRerender(t *testing.T) {
	tests := []struct {
		name string
		// setup returns the directory to render and the pages it spoiled.
		setup     func(t *testing.T) string
		wantN     int
		wantIndex bool
	}{
		{
			name: "one occupation's directory",
			setup: func(t *testing.T) string {
				dir, err := outdir.WriteReport(t.TempDir(), rerenderGolden(t, "29-2072.00"))
				require.NoError(t, err)
				return dir
			},
			wantN: 1,
		},
		{
			name:      "a batch directory with its manifest",
			setup:     func(t *testing.T) string { return batchDir(t, true) },
			wantN:     3,
			wantIndex: true,
		},
		{
			name:  "report directories without a manifest",
			setup: func(t *testing.T) string { return batchDir(t, false) },
			wantN: 3,
		},
		{
			name: "a manifest and no report yet",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				m := &outdir.Manifest{SchemaVersion: outdir.ManifestVersion}
				m.Set(outdir.ManifestEntry{Code: "15-1252.00", Title: "Software Developers", Status: outdir.StatusPending})
				require.NoError(t, m.Write(dir))
				return dir
			},
			wantN:     0,
			wantIndex: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			// Spoil every page, and keep the files Rerender must not touch.
			reportDirs, _ := filepath.Glob(filepath.Join(dir, "*", "report.json"))
			if _, err := os.Stat(filepath.Join(dir, "report.json")); err == nil {
				reportDirs = append(reportDirs, filepath.Join(dir, "report.json"))
			}
			keep := map[string]string{}
			for _, js := range reportDirs {
				d := filepath.Dir(js)
				spoil(t, filepath.Join(d, "report.md"), filepath.Join(d, "report.html"))
				keep[js] = readFile(t, js)
			}
			manifest := filepath.Join(dir, "manifest.json")
			if tt.wantIndex {
				spoil(t, filepath.Join(dir, "index.md"), filepath.Join(dir, "index.html"))
				keep[manifest] = readFile(t, manifest)
			}

			n, err := outdir.Rerender(dir)
			require.NoError(t, err)
			require.Equal(t, tt.wantN, n.Reports)
			require.Len(t, reportDirs, tt.wantN)
			for _, js := range reportDirs {
				requirePages(t, filepath.Dir(js))
			}
			for path, content := range keep {
				require.Equal(t, content, readFile(t, path), "%s is left as it was", path)
			}
			if tt.wantIndex {
				m, err := outdir.ReadManifest(dir)
				require.NoError(t, err)
				want := t.TempDir()
				require.NoError(t, m.Write(want))
				for _, name := range []string{"index.md", "index.html"} {
					require.Equal(t, readFile(t, filepath.Join(want, name)), readFile(t, filepath.Join(dir, name)), name)
				}
			} else {
				require.NoFileExists(t, filepath.Join(dir, "index.html"))
			}
			require.NoFileExists(t, filepath.Join(dir, "15-1252.00", "report.md"), "a directory without a report gets no pages")
			require.NoFileExists(t, filepath.Join(dir, "15-1252.00", "report.html"))
		})
	}
}

func TestRerenderBadInput(t *testing.T) {
	tests := []struct {
		name string
		// setup returns the directory to render.
		setup func(t *testing.T) string
		// want are parts of the error message, which names the file.
		want []string
	}{
		{
			name:  "missing directory",
			setup: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") },
			want:  []string{"nope", "no such file or directory"},
		},
		{
			name: "a file, not a directory",
			setup: func(t *testing.T) string {
				dir, err := outdir.WriteReport(t.TempDir(), rerenderGolden(t, "29-2072.00"))
				require.NoError(t, err)
				return filepath.Join(dir, "report.json")
			},
			want: []string{"report.json: not a directory"},
		},
		{
			name:  "no report and no manifest",
			setup: func(t *testing.T) string { return t.TempDir() },
			want:  []string{"no report found"},
		},
		{
			name: "broken JSON",
			setup: func(t *testing.T) string {
				dir := batchDir(t, true)
				js := filepath.Join(dir, "29-2072.00", "report.json")
				require.NoError(t, os.WriteFile(js, []byte(readFile(t, js)[:400]), 0o644))
				return dir
			},
			want: []string{filepath.Join("29-2072.00", "report.json") + ":", "ends early"},
		},
		{
			name: "a report of the wrong shape",
			setup: func(t *testing.T) string {
				dir := batchDir(t, true)
				js := filepath.Join(dir, "43-9061.00", "report.json")
				require.NoError(t, os.WriteFile(js, []byte(`{"headline": "high"}`), 0o644))
				return dir
			},
			want: []string{filepath.Join("43-9061.00", "report.json") + ":1:", `"headline"`},
		},
		{
			name: "two broken reports: the first is named",
			setup: func(t *testing.T) string {
				dir := batchDir(t, false)
				for _, code := range []string{"43-9061.00", "11-1011.00"} {
					require.NoError(t, os.WriteFile(filepath.Join(dir, code, "report.json"), []byte("{"), 0o644))
				}
				return dir
			},
			want: []string{filepath.Join("11-1011.00", "report.json") + ":", "and 1 more bad reports"},
		},
		{
			name: "broken manifest",
			setup: func(t *testing.T) string {
				dir := batchDir(t, true)
				require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{nope"), 0o644))
				return dir
			},
			want: []string{"manifest.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			// Nothing is written when anything is bad.
			pages, _ := filepath.Glob(filepath.Join(dir, "*", "report.html"))
			spoil(t, pages...)

			n, err := outdir.Rerender(dir)
			require.Error(t, err)
			require.ErrorIs(t, err, jury.ErrInvalid, "bad input: exit code 2")
			require.Zero(t, n.Reports)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
			for _, p := range pages {
				require.Equal(t, "stale", readFile(t, p), "%s was written though a report is bad", p)
			}
		})
	}
}

// BenchmarkRerender923 re-renders a batch of 923 occupations (the shared
// O*NET catalog), each the 17-task golden report under another code, and
// its index: the cost of `jury render DIR`. "stale" is the run after a
// template change, every page written again; "current" a second run,
// every page read and found unchanged.
func BenchmarkRerender923(b *testing.B) {
	const n = 923
	dir := b.TempDir()
	m := &outdir.Manifest{SchemaVersion: outdir.ManifestVersion}
	var pages []string
	for i := range n {
		code := fmt.Sprintf("%02d-%04d.00", 11+i/100, 1000+i%100)
		r := rerenderGolden(b, code)
		js, err := render.JSON(r)
		require.NoError(b, err)
		require.NoError(b, os.MkdirAll(filepath.Join(dir, code), 0o755))
		require.NoError(b, os.WriteFile(filepath.Join(dir, code, "report.json"), js, 0o644))
		h := r.Headline
		m.Set(outdir.ManifestEntry{Code: code, Title: r.Occupation.Title, Status: outdir.StatusDone, Headline: &h, Band: r.Band})
		pages = append(pages, filepath.Join(dir, code, "report.md"), filepath.Join(dir, code, "report.html"))
	}
	require.NoError(b, m.Write(dir))
	rerender := func(b *testing.B) {
		got, err := outdir.Rerender(dir)
		if err != nil {
			b.Fatal(err)
		}
		if got.Reports != n {
			b.Fatalf("rendered %d reports, want %d", got.Reports, n)
		}
	}
	b.Run("stale", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			for _, p := range pages {
				if err := os.WriteFile(p, []byte("stale"), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			rerender(b)
		}
	})
	b.Run("current", func(b *testing.B) {
		rerender(b)
		b.ReportAllocs()
		for b.Loop() {
			rerender(b)
		}
	})
}
