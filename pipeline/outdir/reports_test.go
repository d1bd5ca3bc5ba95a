package outdir_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/pipeline/render"
)

const diffGoldenFile = "../../fixtures/golden/29-2072.00/report.json"

// readDiffGolden reads the committed golden report.
func readDiffGolden(t testing.TB) jury.Report {
	t.Helper()
	rs, err := outdir.LoadReports(diffGoldenFile)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	return rs[0]
}

// recoded returns a deep enough copy of r under another code.
func recoded(r jury.Report, code string) jury.Report {
	r.Occupation.Code = code
	r.Jurors = append([]jury.JurorResult(nil), r.Jurors...)
	r.Tasks = append([]jury.TaskResult(nil), r.Tasks...)
	return r
}

func writeDiffFile(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestLoadReports(t *testing.T) {
	golden := readDiffGolden(t)
	require.Equal(t, "29-2072.00", golden.Occupation.Code)
	require.Len(t, golden.Tasks, 17)

	batch := t.TempDir()
	for _, code := range []string{"43-9061.00", "11-1011.00", "29-2072.00"} {
		_, err := outdir.WriteReport(batch, new(recoded(golden, code)))
		require.NoError(t, err)
	}
	writeDiffFile(t, filepath.Join(batch, "manifest.json"), "{}")          // files beside the reports are ignored
	writeDiffFile(t, filepath.Join(batch, ".cache", "ab", "x.json"), "{}") // and so are directories without one
	require.NoError(t, os.MkdirAll(filepath.Join(batch, "15-1252.00"), 0o755))

	single := filepath.Join(t.TempDir(), "29-2072.00")
	_, err := outdir.WriteReport(filepath.Dir(single), &golden)
	require.NoError(t, err)

	mixed := t.TempDir()
	_, err = outdir.WriteReport(mixed, new(recoded(golden, "43-9061.00")))
	require.NoError(t, err)
	data, err := render.JSON(new(recoded(golden, "15-1252.00")))
	require.NoError(t, err)
	writeDiffFile(t, filepath.Join(mixed, "report.json"), string(data))

	linked := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(batch, "11-1011.00"), filepath.Join(linked, "11-1011.00")))
	require.NoError(t, os.Symlink(diffGoldenFile, filepath.Join(linked, "not-a-dir")))

	cases := []struct {
		name      string
		path      string
		wantCodes []string
	}{
		{"a file", diffGoldenFile, []string{"29-2072.00"}},
		{"a batch directory", batch, []string{"11-1011.00", "29-2072.00", "43-9061.00"}},
		{"an occupation directory", single, []string{"29-2072.00"}},
		{"a report beside report directories", mixed, []string{"15-1252.00", "43-9061.00"}},
		{"a linked report directory", linked, []string{"11-1011.00"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := outdir.LoadReports(tc.path)
			require.NoError(t, err)
			var codes []string
			for _, r := range rs {
				codes = append(codes, r.Occupation.Code)
				require.Equal(t, golden.Tasks, r.Tasks)
			}
			require.Equal(t, tc.wantCodes, codes)
		})
	}
}

func TestLoadReportsBadInput(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		writeDiffFile(t, p, content)
		return p
	}
	broken := file("broken/report.json", "{\n  \"schema_version\": 1,\n  \"headline\": 5,,\n}\n")
	truncated := file("truncated/report.json", "{\n  \"schema_version\": 1,\n  \"occupation\": {\n")
	wrongType := file("wrong-type/report.json", "{\n  \"schema_version\": 1,\n  \"headline\": \"high\"\n}\n")
	array := file("array/report.json", "[]\n")
	noCode := file("no-code/report.json", "{\"schema_version\": 1}\n")
	twoBad := t.TempDir()
	writeDiffFile(t, filepath.Join(twoBad, "b", "report.json"), "nope")
	writeDiffFile(t, filepath.Join(twoBad, "a", "report.json"), "{")
	unreadable := file("unreadable/report.json", "{}")
	require.NoError(t, os.Chmod(unreadable, 0))

	cases := []struct {
		name, path, wantErr string
	}{
		{"missing", filepath.Join(dir, "nope"), filepath.Join(dir, "nope") + ": no such file or directory"},
		{"empty directory", t.TempDir(), "no report found: want DIR/report.json or DIR/<code>/report.json"},
		{"broken JSON", broken, broken + ":3: invalid character ','"},
		{"truncated JSON", truncated, truncated + ":4: the JSON ends early"},
		{"wrong type", wrongType, wrongType + `:3: field "headline" must be int, not string`},
		{"not an object", array, array + ":1: not a jury report: want a JSON object, not array"},
		{"not a report", noCode, noCode + `: not a jury report: occupation code ""`},
		{"a directory with bad reports names the first", twoBad, filepath.Join(twoBad, "a", "report.json") + ":1: the JSON ends early"},
		{"and counts the others", twoBad, "(and 1 more bad reports in " + twoBad + ")"},
	}
	if os.Geteuid() != 0 { // root reads any file
		cases = append(cases, struct{ name, path, wantErr string }{"unreadable", unreadable, unreadable + ": permission denied"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := outdir.LoadReports(tc.path)
			require.ErrorIs(t, err, jury.ErrInvalid)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// BenchmarkDiff923 measures what `jury diff --format markdown` does on
// two batch directories of 923 occupations (the shared O*NET catalog):
// load both sides, diff them and render the comment. Each report is the
// golden one under another code, grown to 30 tasks (~25 KB, as real
// ones are); the new side has a few changes.
func BenchmarkDiff923(b *testing.B) {
	const n = 923
	golden := readDiffGolden(b)
	for i := 0; len(golden.Tasks) < 30; i++ { // grow to 30 tasks
		t := golden.Tasks[i]
		t.ID = strconv.Itoa(90000 + i)
		golden.Tasks = append(golden.Tasks, t)
	}
	root := b.TempDir()
	oldDir, newDir := filepath.Join(root, "old"), filepath.Join(root, "new")
	// report.json only, without the report.md and fsyncs of WriteReport:
	// LoadReports reads nothing else, and the setup stays quick.
	write := func(dir string, r *jury.Report) int {
		data, err := render.JSON(r)
		require.NoError(b, err)
		writeDiffFile(b, filepath.Join(dir, r.Occupation.Code, "report.json"), string(data))
		return len(data)
	}
	size, changes := 0, 0
	for i := range n {
		r := recoded(golden, fmt.Sprintf("%02d-%04d.00", 11+i/100, 1000+i%100))
		size += write(oldDir, &r)
		switch i % 100 {
		case 7:
			r.Headline += 9
			changes++
		case 42:
			r.Tasks[3].Score += 7
			changes++
		case 77:
			r.Jurors[1].Quote = "Reworded."
			changes++
		}
		write(newDir, &r)
	}

	b.ReportAllocs()
	for b.Loop() {
		old, err := outdir.LoadReports(oldDir)
		if err != nil {
			b.Fatal(err)
		}
		cur, err := outdir.LoadReports(newDir)
		if err != nil {
			b.Fatal(err)
		}
		res, err := jury.Diff(old, cur, jury.DiffOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(old) != n || len(res.Occupations) != changes {
			b.Fatalf("loaded %d reports, %d changed", len(old), len(res.Occupations))
		}
		_ = render.DiffMarkdown(res)
	}
	b.ReportMetric(float64(size)/n/1024, "KB/report") // after the loop, which resets metrics
}
