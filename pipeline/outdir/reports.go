package outdir

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/sourcegraph/conc/pool"

	"github.com/onet-jury/jury/jury"
)

// reportFile is the name of a report's JSON file in its directory.
const reportFile = "report.json"

// LoadReports reads the reports at path, as `run` and `batch` write them:
// a report.json file gives one report; a directory gives DIR/report.json
// if there is one and every DIR/*/report.json one level down, sorted by
// occupation code. Files are read and parsed in parallel.
//
// Every error is an ErrInvalid error naming the file: unreadable, broken
// JSON (with the line), not a report, or a directory without any report.
// When several files are bad, the first in path order is named.
func LoadReports(path string) ([]jury.Report, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, jury.Invalidf("%s: %v", path, pathErr(err))
	}
	if !info.IsDir() {
		r, err := ReadReport(path)
		if err != nil {
			return nil, err
		}
		return []jury.Report{r}, nil
	}
	files, err := reportFiles(path)
	if err != nil {
		return nil, err
	}
	reports, err := readReports(files, path)
	if err != nil {
		return nil, err
	}
	var out []jury.Report
	for _, r := range reports {
		if r != nil {
			out = append(out, *r)
		}
	}
	if len(out) == 0 {
		return nil, jury.Invalidf("%s: no report found: want DIR/%s or DIR/<code>/%s, as jury run and batch write them",
			path, reportFile, reportFile)
	}
	slices.SortStableFunc(out, func(a, b jury.Report) int { return cmp.Compare(a.Occupation.Code, b.Occupation.Code) })
	return out, nil
}

// ReadReport reads and parses one report.json. A missing file is returned
// as is, so that errors.Is(err, fs.ErrNotExist) holds; every other error is
// an ErrInvalid error naming the file.
func ReadReport(file string) (jury.Report, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return jury.Report{}, err
	}
	if err != nil {
		return jury.Report{}, jury.Invalidf("%s: %v", file, pathErr(err))
	}
	var r jury.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return r, jury.Invalidf("%s:%d: %s", file, jsonErrLine(data, err), jsonErrText(data, err))
	}
	if !jury.ValidCode(r.Occupation.Code) {
		return r, jury.Invalidf("%s: not a jury report: occupation code %q is not an O*NET-SOC code like 29-2072.00", file, r.Occupation.Code)
	}
	return r, nil
}

// pathErr drops the operation and path an *fs.PathError repeats, since
// the caller names the path itself.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// jsonErrLine is the line of data that a json.Unmarshal error points at.
func jsonErrLine(data []byte, err error) int {
	off := int64(len(data))
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// jsonErrText words a json.Unmarshal error for someone fixing the file.
func jsonErrText(data []byte, err error) string {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Sprintf("not a jury report: want a JSON object, not %s", typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &syn) && syn.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))):
		return "the JSON ends early: is the file complete?"
	}
	return err.Error()
}

// reportFiles lists where reports may be under dir: dir/report.json and
// dir/<sub>/report.json for every subdirectory (or link to one).
func reportFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, jury.Invalidf("%s: %v", dir, pathErr(err))
	}
	files := []string{filepath.Join(dir, reportFile)}
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(sub)
			isDir = err == nil && fi.IsDir()
		}
		if isDir {
			files = append(files, filepath.Join(sub, reportFile))
		}
	}
	return files, nil
}

// readReports reads and parses files in parallel, each into its own slot,
// so that the result keeps path order whatever order the reads finish in.
// A missing file (a directory without a report: the cache, a failed
// occupation) leaves its slot nil. When files are bad, the error names the
// first in path order and counts the others under dir.
func readReports(files []string, dir string) ([]*jury.Report, error) {
	reports := make([]*jury.Report, len(files))
	errs := make([]error, len(files))
	p := pool.New().WithMaxGoroutines(2 * runtime.GOMAXPROCS(0))
	for i, file := range files {
		p.Go(func() {
			r, err := ReadReport(file)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				errs[i] = err
			default:
				reports[i] = &r
			}
		})
	}
	p.Wait()
	var bad []error
	for _, err := range errs {
		if err != nil {
			bad = append(bad, err)
		}
	}
	switch {
	case len(bad) == 1:
		return nil, bad[0]
	case len(bad) > 1:
		return nil, jury.Invalidf("%w (and %d more bad reports in %s)", bad[0], len(bad)-1, dir)
	}
	return reports, nil
}
