package pipeline

import (
	"path/filepath"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// Version is the pipeline's version, recorded in every report's provenance.
const Version = "0.1.0"

// WriteReport writes a report's report.json and report.md into
// dir/<code>/, atomically: both files appear together or not at all. It
// returns the directory written.
func WriteReport(dir string, r *jury.Report) (string, error) {
	js, err := render.JSON(r)
	if err != nil {
		return "", err
	}
	md, err := render.MarkdownPage(r)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, r.Occupation.Code)
	return out, atomicfile.WriteFiles(map[string][]byte{
		filepath.Join(out, "report.json"): js,
		filepath.Join(out, "report.md"):   md,
	}, 0o644)
}
