package pipeline_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/openaitest"
)

var update = flag.Bool("update", false, "update the golden reports in fixtures/golden")

// TestGoldenReport runs the reference occupation through the scripted
// OpenAI-compatible server and compares both report files with the
// committed goldens.
func TestGoldenReport(t *testing.T) {
	occ, err := onet.ReadOccupationFile("../fixtures/occupations/29-2072.00.json")
	require.NoError(t, err)
	srv := openaitest.New(t)
	p := newPanel(t, srv)
	p.Version = pipeline.Version
	r, _, err := p.Deliberate(context.Background(), occ)
	require.NoError(t, err)
	require.Len(t, r.Tasks, 17)

	got := t.TempDir()
	dir, err := pipeline.WriteReport(got, r)
	require.NoError(t, err)
	for _, name := range []string{"report.json", "report.md"} {
		goldenPath := filepath.Join("../fixtures/golden", occ.Code, name)
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(goldenPath), 0o755))
			require.NoError(t, os.WriteFile(goldenPath, data, 0o644))
			continue
		}
		want, err := os.ReadFile(goldenPath)
		require.NoError(t, err, "no golden file: run go test ./pipeline -run TestGoldenReport -update")
		if string(want) != string(data) {
			t.Errorf("%s differs from the golden file (-want +got):\n%s\nIf the change is intended, run:\n  go test ./pipeline -run TestGoldenReport -update\nand review the diff.",
				goldenPath, lineDiff(string(want), string(data)))
		}
	}
}

// lineDiff lists the lines that differ between two texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("-" + wl + "\n+" + gl + "\n")
		}
	}
	return b.String()
}
