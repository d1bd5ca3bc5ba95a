package outdir

import "github.com/onet-jury/jury/jury"

// Diff compares the reports at two paths, each a report.json, DIR with
// a report.json or DIR/<code>/report.json as run and batch write them
// (LoadReports). An unreadable or incomparable side is an ErrInvalid
// error naming it.
func Diff(oldPath, newPath string, opts jury.DiffOptions) (jury.DiffResult, error) {
	old, err := LoadReports(oldPath)
	if err != nil {
		return jury.DiffResult{}, err
	}
	cur, err := LoadReports(newPath)
	if err != nil {
		return jury.DiffResult{}, err
	}
	return jury.Diff(old, cur, opts)
}
