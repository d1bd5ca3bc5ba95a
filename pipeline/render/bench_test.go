package render_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

// BenchmarkReportPages renders the pages of one offline verdict of
// fixtures/golden (17 tasks, four jurors) as a batch writes them:
// report.json, report.md and report.html.
func BenchmarkReportPages(b *testing.B) {
	data, err := os.ReadFile("../../fixtures/golden/29-2072.00/report.json")
	require.NoError(b, err)
	var r jury.Report
	require.NoError(b, json.Unmarshal(data, &r))
	opts := render.PageOptions{Index: "../index.html"}
	b.ReportAllocs()
	for b.Loop() {
		_, err := render.JSON(&r)
		require.NoError(b, err)
		_, err = render.MarkdownPageWith(&r, opts)
		require.NoError(b, err)
		_, err = render.HTMLPageWith(&r, opts)
		require.NoError(b, err)
	}
}
