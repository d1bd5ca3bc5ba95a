package outdir

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/sourcegraph/conc/pool"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// Rerender renders with Writer's defaults; see Writer.Rerender.
func Rerender(dir string) (Rendered, error) { return Writer{}.Rerender(dir) }

// Rendered is what Rerender did.
type Rendered struct {
	// Reports counts the reports rendered.
	Reports int
	// Warnings are those of every report rendered (see
	// Written.Warnings), in path order.
	Warnings []string
}

// Rerender writes report.md and report.html again from the report.json
// files under dir, as `run` and `batch` lay them out: dir/report.json and
// every dir/<code>/report.json one level down; and index.md and
// index.html from dir/manifest.json when there is one. It calls no model,
// so that pages can follow a new template or a changed edits.yaml without
// a new verdict: each report is taken back to the model's verdict
// (jury.Report.ModelView) and the occupation's edits.yaml applied again,
// so report.json changes only when the edits did. It returns how many
// reports it rendered, and the warnings about their edits (an edit whose
// task or juror is gone), one line each.
//
// Every report is read, checked (jury.Report.Check: a headline, band or
// quote set by hand in report.json is refused, naming file:line; task
// order is restored) and rendered before anything is written: a bad
// report.json or edits.yaml, or a page changed by hand (unless w.Force),
// is an ErrInvalid error naming the file (the first in path order) and
// nothing is written. Each directory's files are written atomically, a
// file already current is left alone, and directories are rendered in
// parallel.
func (w Writer) Rerender(dir string) (Rendered, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return Rendered{}, jury.Invalidf("%s: %v", dir, pathErr(err))
	}
	if !info.IsDir() {
		return Rendered{}, jury.Invalidf("%s: not a directory: name the output directory of jury run or batch", dir)
	}
	files, err := reportFiles(dir)
	if err != nil {
		return Rendered{}, err
	}

	// Read every report before writing anything: a bad one stops the
	// whole render.
	reports, err := readReports(files, dir)
	if err != nil {
		return Rendered{}, err
	}

	manifest, err := readManifestIfAny(dir)
	if err != nil {
		return Rendered{}, err
	}
	n := 0
	for _, r := range reports {
		if r != nil {
			n++
		}
	}
	if n == 0 && manifest == nil {
		return Rendered{}, jury.Invalidf("%s: no report found: want DIR/%s or DIR/<code>/%s, as jury run and batch write them",
			dir, reportFile, reportFile)
	}

	// Check and render every report, in parallel, each into its own slot;
	// the first error in path order stops the render before any write.
	// Writes wait on the disk (each file is synced), so more of them are
	// in flight than there are cores.
	out := make([][]atomicfile.File, len(reports))
	written := make([]Written, len(reports))
	errs := make([]error, len(reports))
	rp := pool.New().WithMaxGoroutines(8 * runtime.GOMAXPROCS(0))
	for i, r := range reports {
		if r == nil {
			continue
		}
		rp.Go(func() {
			if err := checkReport(files[i], r); err != nil {
				errs[i] = err
				return
			}
			out[i], written[i], errs[i] = w.prepare(filepath.Dir(files[i]), r.ModelView(), false)
		})
	}
	rp.Wait()
	res := Rendered{Reports: n}
	for i, err := range errs {
		if err != nil {
			return Rendered{}, err
		}
		res.Warnings = append(res.Warnings, written[i].Warnings...)
	}
	wp := pool.New().WithErrors().WithMaxGoroutines(8 * runtime.GOMAXPROCS(0))
	for _, fs := range out {
		if fs != nil {
			wp.Go(func() error { return writeChanged(fs) })
		}
	}
	if manifest != nil {
		wp.Go(func() error {
			rows := indexRows(manifest.Occupations)
			return writeChanged([]atomicfile.File{
				{Path: filepath.Join(dir, "index.md"), Data: render.IndexMarkdown(rows)},
				{Path: filepath.Join(dir, "index.html"), Data: render.IndexHTML(rows)},
			})
		})
	}
	if err := wp.Wait(); err != nil {
		return Rendered{}, err
	}
	return res, nil
}

// checkReport refuses a report.json that is not consistent (see
// jury.Report.Check), naming file:line of the first problem, and puts
// its tasks back in order.
func checkReport(file string, r *jury.Report) error {
	if ps := r.Check(); len(ps) > 0 {
		line := 0
		if ps[0].Key != "" {
			data, _ := os.ReadFile(file)
			line = keyLine(data, ps[0].Key, ps[0].Index)
		}
		if line > 0 {
			return jury.Invalidf("%s:%d: %s", file, line, ps[0].Text)
		}
		return jury.Invalidf("%s: %s", file, ps[0].Text)
	}
	jury.SortTasks(r.Tasks)
	return nil
}

// keyLine is the line of the index-th (from 0) occurrence of "key": in a
// JSON file, or 0 when there is none.
func keyLine(data []byte, key string, index int) int {
	needle := []byte(`"` + key + `":`)
	off := 0
	for i := 0; ; i++ {
		j := bytes.Index(data[off:], needle)
		if j < 0 {
			return 0
		}
		if i == index {
			return bytes.Count(data[:off+j], []byte("\n")) + 1
		}
		off += j + len(needle)
	}
}

// readManifestIfAny reads dir/manifest.json, or returns nil when there is
// none.
func readManifestIfAny(dir string) (*Manifest, error) {
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return ReadManifest(dir)
}
