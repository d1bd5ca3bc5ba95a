package outdir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/outdir"
)

func TestOpenEditDraft(t *testing.T) {
	cases := []struct {
		name        string
		edits       string // "" for no edits.yaml
		wantStarter bool
	}{
		{name: "no edits.yaml: a starter file naming the occupation", wantStarter: true},
		{name: "an edits.yaml: the file as it is", edits: handEdits},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			_, err := outdir.Writer{}.WriteReport(out, rerenderGolden(t, "29-2072.00"))
			require.NoError(t, err)
			dir := filepath.Join(out, "29-2072.00")
			if tc.edits != "" {
				writeDiffFile(t, filepath.Join(dir, outdir.EditsFile), tc.edits)
			}

			d, err := outdir.OpenEditDraft(dir)
			require.NoError(t, err)
			require.Equal(t, filepath.Join(dir, "edits.yaml"), d.Path)
			require.Equal(t, tc.wantStarter, d.Starter)
			if tc.wantStarter {
				require.Contains(t, string(d.Data), "# Edits to the verdict on 29-2072.00")
				require.NoFileExists(t, d.Path, "opening writes nothing")
			} else {
				require.Equal(t, tc.edits, string(d.Data))
			}

			require.NoError(t, d.SaveStarter())
			require.Equal(t, string(d.Data), readFile(t, d.Path), "the editor opens what was shown")
			w, err := d.Apply()
			require.NoError(t, err)
			require.Equal(t, dir, w.Dir)
			if !tc.wantStarter {
				require.Contains(t, readFile(t, filepath.Join(dir, "report.md")), "Records still need a person who answers for them.",
					"the saved edits reach the pages")
			}
		})
	}
}

func TestOpenEditDraftWantsAnOccupationDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := outdir.OpenEditDraft(dir)
	require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
	require.EqualError(t, err, dir+": no report.json: name an occupation's directory as jury run writes it (out/<code>)")
}

func TestSaveStarterLeavesAnEditedFileAlone(t *testing.T) {
	out := t.TempDir()
	_, err := outdir.Writer{}.WriteReport(out, rerenderGolden(t, "29-2072.00"))
	require.NoError(t, err)
	dir := filepath.Join(out, "29-2072.00")
	writeDiffFile(t, filepath.Join(dir, outdir.EditsFile), handEdits)
	d, err := outdir.OpenEditDraft(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(d.Path, []byte("# changed since\n"), 0o644))
	require.NoError(t, d.SaveStarter())
	require.Equal(t, "# changed since\n", readFile(t, d.Path))
}

func TestEditLineNote(t *testing.T) {
	cases := []struct {
		name string
		line outdir.EditLine
		want string
	}{
		{"a current edit: who and when", outdir.EditLine{State: jury.EditCurrent, Author: "ana", Date: "2026-01-31", Why: "x"}, "ana, 2026-01-31"},
		{"a current edit with no date", outdir.EditLine{State: jury.EditCurrent, Author: "ana"}, "ana"},
		{"an edit to review: why", outdir.EditLine{State: jury.EditNeedsReview, Author: "ana", Why: "the model's quote changed"}, "the model's quote changed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.line.Note())
		})
	}
}
