package outdir

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// Writer writes verdicts into an output tree, applying each occupation's
// edits.yaml. The zero value refuses to overwrite a page a person changed
// by hand (ErrHandEdited).
type Writer struct {
	// Force overwrites pages a person changed by hand.
	Force bool
}

// Written is what WriteReport wrote.
type Written struct {
	// Dir is the occupation's directory, DIR/<code>.
	Dir string
	// Report is the report as written: the person's edits applied, the
	// model's values beside them.
	Report *jury.Report
	// Warnings are one line each, for the person to read: an edit of
	// edits.yaml whose task or juror does not exist (orphaned), so that it
	// is not shown. Each names edits.yaml:LINE, what is unknown and what
	// the verdict has instead:
	//
	//	out/29-2072.00/edits.yaml:3: quote of persona "skeptic": no such juror (diplomat, chaos-agent, contrarian, optimist): the edit is not shown
	//
	// They are no error: the rest is written, and `jury edits --check`
	// fails on them.
	Warnings []string
}

// WriteReport writes a report with Writer's defaults and returns the
// directory written; see Writer.WriteReport.
func WriteReport(dir string, r *jury.Report) (string, error) {
	w, err := Writer{}.WriteReport(dir, r)
	return w.Dir, err
}

// WriteReport writes the model's report r into dir/<code>/: report.json,
// report.md and report.html, with the edits of dir/<code>/edits.yaml
// applied (jury.ApplyEdits), atomically: the files appear together or not
// at all, and a file already current is not rewritten. An edit applied for
// the first time gets the model's value recorded in edits.yaml. A bad
// edits.yaml is an ErrInvalid error naming edits.yaml:LINE; a page a
// person changed by hand is an ErrHandEdited error, and nothing is
// written, unless w.Force.
func (w Writer) WriteReport(dir string, r *jury.Report) (Written, error) {
	out := filepath.Join(dir, r.Occupation.Code)
	// A verdict written for the first time finds no folder: nothing to
	// read back (edits, hand edits, the files now there), one Lstat
	// instead of six opens that fail.
	_, statErr := os.Lstat(out)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	files, written, err := w.prepare(out, r, fresh)
	if err != nil {
		return written, err
	}
	if fresh {
		return written, atomicfile.WriteFiles(files, 0o644)
	}
	return written, writeChanged(files)
}

// Refresh applies the edits of dir/<code>/edits.yaml again to the verdict
// in dir/<code>/report.json, as Rerender does for one occupation: the
// files change only when the edits (or the templates) did. It is how a
// resumed batch keeps a finished verdict and still follows its edits.
func (w Writer) Refresh(dir, code string) (Written, error) {
	out := filepath.Join(dir, code)
	file := filepath.Join(out, reportFile)
	r, err := ReadReport(file)
	if err != nil {
		return Written{Dir: out}, err
	}
	if err := checkReport(file, &r); err != nil {
		return Written{Dir: out}, err
	}
	files, written, err := w.prepare(out, r.ModelView(), false)
	if err != nil {
		return written, err
	}
	return written, writeChanged(files)
}

// prepare renders what an occupation's directory out should hold for the
// model's report: the files in the order they are written (report.json
// last: when it is on disk, its pages are too), and what they will hold
// (Written: its Dir set even on error). A fresh directory is one that
// does not exist yet: it has no edits and no pages to check.
func (w Writer) prepare(out string, model *jury.Report, fresh bool) ([]atomicfile.File, Written, error) {
	written := Written{Dir: out}
	doc := &EditsDoc{Path: filepath.Join(out, EditsFile)}
	if !fresh {
		var err error
		if doc, err = ReadEdits(out); err != nil {
			return nil, written, err
		}
	}
	shown, edits, recorded := jury.ApplyEdits(model, doc.Edits)
	js, err := render.JSON(shown)
	if err != nil {
		return nil, written, err
	}
	md, page, err := pages(shown, filepath.Dir(out))
	if err != nil {
		return nil, written, err
	}
	mdPath, htmlPath := filepath.Join(out, "report.md"), filepath.Join(out, "report.html")
	if !w.Force && !fresh {
		if err := checkHandEdits(mdPath, htmlPath); err != nil {
			return nil, written, err
		}
	}
	files := []atomicfile.File{{Path: mdPath, Data: md}, {Path: htmlPath, Data: page}}
	back, err := doc.writeBack(edits, recorded)
	if err != nil {
		return nil, written, err
	}
	if back != nil {
		files = append(files, *back)
	}
	written.Report, written.Warnings = shown, doc.unshown(shown, back)
	return append(files, atomicfile.File{Path: filepath.Join(out, reportFile), Data: js}), written, nil
}

// pages renders the pages people read from a report: report.md and
// report.html, each ending in the marker that tells a hand edit from what
// jury wrote. They link back to the index when the directory above them
// (parent) is a batch's, with a manifest.
func pages(r *jury.Report, parent string) (md, page []byte, err error) {
	var opts render.PageOptions
	if _, err := os.Stat(filepath.Join(parent, "manifest.json")); err == nil {
		opts.Index = "../index.html"
	}
	if md, err = render.MarkdownPageWith(r, opts); err != nil {
		return nil, nil, err
	}
	if page, err = render.HTMLPageWith(r, opts); err != nil {
		return nil, nil, err
	}
	// The pages are new, ours to append to.
	return stampOwned(md), stampOwned(page), nil
}

// writeChanged writes, together and atomically and in the order given,
// those of files whose content differs from what is on disk: a file
// already current is not rewritten, so that rendering again after no
// change costs no write and keeps every file's modification time.
func writeChanged(files []atomicfile.File) error {
	var changed []atomicfile.File
	for _, f := range files {
		if old, err := os.ReadFile(f.Path); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		changed = append(changed, f)
	}
	if len(changed) == 0 {
		return nil
	}
	return atomicfile.WriteFiles(changed, 0o644)
}

// indexRows are a batch's occupations as its index pages list them.
func indexRows(entries []ManifestEntry) []render.IndexRow {
	rows := make([]render.IndexRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, render.IndexRow{Code: e.Code, Title: e.Title, Status: e.Status, Headline: e.Headline, Band: string(e.Band), Error: e.Error})
	}
	return rows
}
