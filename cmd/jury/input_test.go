package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunInputFilesWrittenByOtherTools(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	const header = "\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\tcoreweight\tequalweight\n"
	latin1TSV := write("latin1.tsv", header+"0\t29-2072.00\t1\tCode caf\xe9 menus.\tCore\tMedical Records Specialists\t2\t1\n")
	quotedTSV := write("quoted.tsv", header+"86\t11-1031.00\t15287.0\t\"Conduct \"\"head counts\"\" to help predict the outcome of upcoming votes.\"\t\tLegislators\t1\t1\n")
	bomJSON := write("bom.json", "\ufeff"+`{"code": "29-2072.00", "title": "Medical Records Specialists", "tasks": [{"id": "1", "text": "Transcribe medical reports.", "type": "core"}]}`)
	latin1JSON := write("latin1.json", "{\"code\": \"29-2072.00\", \"title\": \"Medical Records Specialists\",\n \"tasks\": [{\"id\": \"1\", \"text\": \"Code caf\xe9 menus.\", \"type\": \"core\"}]}")

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
		// wantTask is the first task's text in report.json.
		wantTask string
	}{
		{"Latin-1 task file", []string{"29-2072.00", "--tasks", latin1TSV}, 2, latin1TSV + ":2: byte 0xE9 at column 24 is not UTF-8: save the file as UTF-8, or read it with --input-encoding latin1", ""},
		{"Latin-1 task file read as Latin-1", []string{"29-2072.00", "--tasks", latin1TSV, "--input-encoding", "latin1"}, 0, "", "Code café menus."},
		{"CSV-quoted task text", []string{"11-1031.00", "--tasks", quotedTSV}, 0, "", `Conduct "head counts" to help predict the outcome of upcoming votes.`},
		{"occupation file with a byte-order mark", []string{bomJSON}, 0, "", "Transcribe medical reports."},
		{"Latin-1 occupation file", []string{latin1JSON}, 2, latin1JSON + ":2: byte 0xE9 at column", ""},
		{"Latin-1 occupation file read as Latin-1", []string{latin1JSON, "--input-encoding", "latin1"}, 0, "", "Code café menus."},
		{"unknown encoding", []string{bomJSON, "--input-encoding", "cp1252"}, 2, `--input-encoding "cp1252": want utf-8 or latin1`, ""},
		{"not a code, with a task file", []string{"banana", "--tasks", latin1TSV}, 2, `"banana" is not an O*NET-SOC code: with --tasks, name the occupation by its code, such as 29-2072.00`, ""},
		{"a code without a task file", []string{"29-2072.00"}, 2, "29-2072.00 is a code: name the O*NET task file to find it in with --tasks FILE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := cli(t, map[string]string{}, append(append([]string{"run"}, tt.args...), "--offline", "--out", out)...)
			require.Equal(t, tt.wantCode, code, stderr)
			if tt.wantCode != 0 {
				require.Contains(t, stderr, tt.wantErr)
				require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
				requireEmptyDir(t, out)
				return
			}
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			require.Len(t, entries, 1)
			r := readReport(t, filepath.Join(out, entries[0].Name(), "report.json"))
			require.Equal(t, tt.wantTask, r.Tasks[0].Text)
		})
	}
}
