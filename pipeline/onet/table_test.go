package onet_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/onet"
)

func TestReadTable(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		lines  []int
		fields [][]string
	}{
		{
			name:   "header and rows",
			in:     "a\tb\n1\t2\n3\t4\n",
			header: []string{"a", "b"},
			lines:  []int{2, 3},
			fields: [][]string{{"1", "2"}, {"3", "4"}},
		},
		{
			name:   "BOM, CRLF, blank lines and no final newline",
			in:     "\ufeffa\tb\r\n\r\n1\t2\r\n\r\n3\t\r\n  \r\n4\t5",
			header: []string{"a", "b"},
			lines:  []int{3, 5, 7},
			fields: [][]string{{"1", "2"}, {"3", ""}, {"4", "5"}},
		},
		{
			name:   "a header after blank lines",
			in:     "\n\na\tb\n1\t2\n",
			header: []string{"a", "b"},
			lines:  []int{4},
			fields: [][]string{{"1", "2"}},
		},
		{
			name:   "unquoted fields keep their quotes",
			in:     "a\tb\n\"x, y\"\tit's\n",
			header: []string{"a", "b"},
			lines:  []int{2},
			fields: [][]string{{`"x, y"`, "it's"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := onet.ReadTable(strings.NewReader(tt.in), "t.tsv")
			require.NoError(t, err)
			require.Equal(t, tt.header, tab.Header)
			var lines []int
			var fields [][]string
			for _, r := range tab.Rows {
				lines = append(lines, r.Line)
				fields = append(fields, r.Fields)
			}
			require.Equal(t, tt.lines, lines, "line numbers as an editor shows them")
			require.Equal(t, tt.fields, fields)
		})
	}
}

func TestTableColumns(t *testing.T) {
	tab, err := onet.ReadTable(strings.NewReader("\t O*NET-SOC Code \tTask ID\tTask\tTask ID\n0\t29-2072.00\t1\tx\t2\n"), "tasks.tsv")
	require.NoError(t, err)

	cols, err := tab.Columns("Task", "O*NET-SOC Code", "Task ID")
	require.NoError(t, err)
	require.Equal(t, []int{3, 1, 2}, cols, "names are trimmed; the first of a repeated name wins")

	_, ok := tab.Column("Title")
	require.False(t, ok)
	_, ok = tab.Column("")
	require.False(t, ok, "the unnamed index column cannot be asked for")

	_, err = tab.Columns("Task", "Title", "Task Type")
	require.True(t, errors.Is(err, onet.ErrMissingColumn))
	require.EqualError(t, err, `tasks.tsv:1: missing column "Title", "Task Type" in header (want "Task", "Title", "Task Type")`)
}

func TestReadTableErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "t.tsv: empty file: want a tab-separated header line"},
		{"blank lines only", "\n\r\n \n", "t.tsv: empty file: want a tab-separated header line"},
		{"short row", "a\tb\tc\n1\t2\t3\n1\t2\n", "t.tsv:3: 2 fields, header has 3 (is the file tab-separated?)"},
		{"long row after blank line", "a\tb\n\n1\t2\t3\n", "t.tsv:3: 3 fields, header has 2 (is the file tab-separated?)"},
		{"spaces instead of tabs", "a\tb\n1 2\n", "t.tsv:2: 1 fields, header has 2 (is the file tab-separated?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := onet.ReadTable(strings.NewReader(tt.in), "t.tsv")
			require.Nil(t, tab)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestReadTableLongLine(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	tab, err := onet.ReadTable(strings.NewReader("a\tb\n"+long+"\ty\n"), "t.tsv")
	require.NoError(t, err)
	require.Len(t, tab.Rows[0].Fields[0], 1<<20, "a task text of a megabyte is read whole")

	_, err = onet.ReadTable(strings.NewReader("a\tb\n"+strings.Repeat("x", 5<<20)+"\ty\n"), "t.tsv")
	require.ErrorContains(t, err, "t.tsv:2:", "a line too long to read names its line")
}
