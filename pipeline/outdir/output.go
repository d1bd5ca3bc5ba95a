package outdir

import (
	"path/filepath"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// WriteReport writes a report's report.json, report.md and report.html
// into dir/<code>/, atomically: the files appear together or not at all.
// It returns the directory written.
func WriteReport(dir string, r *jury.Report) (string, error) {
	js, err := render.JSON(r)
	if err != nil {
		return "", err
	}
	md, page, err := pages(r)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, r.Occupation.Code)
	// report.json last: when it is on disk, its pages are too.
	return out, atomicfile.WriteFiles([]atomicfile.File{
		{Path: filepath.Join(out, "report.md"), Data: md},
		{Path: filepath.Join(out, "report.html"), Data: page},
		{Path: filepath.Join(out, "report.json"), Data: js},
	}, 0o644)
}

// pages renders the pages people read from a report: report.md and
// report.html.
func pages(r *jury.Report) (md, page []byte, err error) {
	if md, err = render.MarkdownPage(r); err != nil {
		return nil, nil, err
	}
	if page, err = render.HTMLPage(r); err != nil {
		return nil, nil, err
	}
	return md, page, nil
}

// indexRows are a batch's occupations as its index pages list them.
func indexRows(entries []ManifestEntry) []render.IndexRow {
	rows := make([]render.IndexRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, render.IndexRow{Code: e.Code, Title: e.Title, Status: e.Status, Headline: e.Headline, Band: string(e.Band), Error: e.Error})
	}
	return rows
}
