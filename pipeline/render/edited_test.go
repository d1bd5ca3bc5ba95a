package render_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

// editedReport is testdata/edited-report.json: a verdict a person
// edited (a summary, a quote whose model text changed, a rationale, two
// scores, one with its label, one edit orphaned, and review flags), with
// a short panel (an invalid ballot and a juror that never answered), two
// models, a dissent and text that would be markup.
func editedReport(t *testing.T) *jury.Report {
	t.Helper()
	data, err := os.ReadFile("testdata/edited-report.json")
	require.NoError(t, err)
	var r jury.Report
	require.NoError(t, json.Unmarshal(data, &r))
	return &r
}

// The pages of an edited verdict in a batch (linked to the index) show
// every mark and escape every text as the goldens do.
func TestEditedPagesGolden(t *testing.T) {
	opts := render.PageOptions{Index: "../index.html"}
	md, err := render.MarkdownPageWith(editedReport(t), opts)
	require.NoError(t, err)
	requireGolden(t, "edited-report.md.golden", md)
	page, err := render.HTMLPageWith(editedReport(t), opts)
	require.NoError(t, err)
	requireGolden(t, "edited-report.html.golden", page)
}
