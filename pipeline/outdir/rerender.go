package outdir

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// Rerender writes report.md and report.html again from the report.json
// files under dir, as `run` and `batch` lay them out: dir/report.json and
// every dir/<code>/report.json one level down; and index.md and
// index.html from dir/manifest.json when there is one. It calls no model
// and leaves report.json and manifest.json as they are, so that pages can
// follow a new template without a new verdict. It returns how many
// reports it rendered.
//
// Every report is read before any page is written: a broken report.json
// is an ErrInvalid error naming the file (the first in path order) and
// nothing is written. Each directory's pages are written atomically, a
// page already current is left alone, and directories are rendered in
// parallel.
func Rerender(dir string) (int, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return 0, jury.Invalidf("%s: %v", dir, pathErr(err))
	}
	if !info.IsDir() {
		return 0, jury.Invalidf("%s: not a directory: name the output directory of jury run or batch", dir)
	}
	files, err := reportFiles(dir)
	if err != nil {
		return 0, err
	}

	// Read every report before writing anything: a bad one stops the
	// whole render.
	reports, err := readReports(files, dir)
	if err != nil {
		return 0, err
	}

	manifest, err := readManifestIfAny(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range reports {
		if r != nil {
			n++
		}
	}
	if n == 0 && manifest == nil {
		return 0, jury.Invalidf("%s: no report found: want DIR/%s or DIR/<code>/%s, as jury run and batch write them",
			dir, reportFile, reportFile)
	}

	// Render and write: the pages of one report appear together. Writes
	// wait on the disk (each file is synced), so more of them are in
	// flight than there are cores.
	wp := pool.New().WithErrors().WithMaxGoroutines(8 * runtime.GOMAXPROCS(0))
	for i, r := range reports {
		if r == nil {
			continue
		}
		out := filepath.Dir(files[i])
		wp.Go(func() error {
			md, page, err := pages(r)
			if err != nil {
				return err
			}
			return writeChanged(map[string][]byte{
				filepath.Join(out, "report.md"):   md,
				filepath.Join(out, "report.html"): page,
			})
		})
	}
	if manifest != nil {
		wp.Go(func() error {
			rows := indexRows(manifest.Occupations)
			return writeChanged(map[string][]byte{
				filepath.Join(dir, "index.md"):   render.IndexMarkdown(rows),
				filepath.Join(dir, "index.html"): render.IndexHTML(rows),
			})
		})
	}
	if err := wp.Wait(); err != nil {
		return 0, err
	}
	return n, nil
}

// readManifestIfAny reads dir/manifest.json, or returns nil when there is
// none.
func readManifestIfAny(dir string) (*Manifest, error) {
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return ReadManifest(dir)
}

// writeChanged writes, together and atomically, those of files whose
// content differs from what is on disk: a page already current is not
// rewritten, so that rendering again after no change costs no write and
// keeps every file's modification time.
func writeChanged(files map[string][]byte) error {
	for path, data := range files {
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			delete(files, path)
		}
	}
	if len(files) == 0 {
		return nil
	}
	list := make([]atomicfile.File, 0, len(files))
	for path, data := range files {
		list = append(list, atomicfile.File{Path: path, Data: data})
	}
	slices.SortFunc(list, func(a, b atomicfile.File) int { return strings.Compare(a.Path, b.Path) })
	return atomicfile.WriteFiles(list, 0o644)
}
