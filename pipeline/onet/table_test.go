package onet_test

import (
	"errors"
	"io"
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
			name:   "quotes inside a field are text",
			in:     "a\tb\nsay \"hi\"\t\"Preflight\" check\n",
			header: []string{"a", "b"},
			lines:  []int{2},
			fields: [][]string{{`say "hi"`, `"Preflight" check`}},
		},
		{
			name:   "a CSV-quoted field as the shared onet_tasks.tsv writes it",
			in:     sharedHeader + "86\t11-1031.00\t15287.0\t\"Conduct \"\"head counts\"\" to help predict the outcome of upcoming votes.\"\t\tLegislators\t1\t1\n",
			header: []string{"", "O*NET-SOC Code", "Task ID", "Task", "Task Type", "Title", "coreweight", "equalweight"},
			lines:  []int{2},
			fields: [][]string{{"86", "11-1031.00", "15287.0", `Conduct "head counts" to help predict the outcome of upcoming votes.`, "", "Legislators", "1", "1"}},
		},
		{
			name:   "CSV-quoted fields: a comma, a tab, an empty field, the last field",
			in:     "a\tb\tc\n\"x, y\"\t\"\"\t\"trains,\"\"\"\n\"one\ttwo\"\tb\tc\n",
			header: []string{"a", "b", "c"},
			lines:  []int{2, 3},
			fields: [][]string{{"x, y", "", `trains,"`}, {"one\ttwo", "b", "c"}},
		},
		{
			name:   "a quote never closed is text",
			in:     "a\tb\n\"open\tend\"s\n",
			header: []string{"a", "b"},
			lines:  []int{2},
			fields: [][]string{{`"open`, `end"s`}},
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
		{"Latin-1 text", "a\tb\n1\t2\n1\tcaf\xe9\n", "t.tsv:3: byte 0xE9 at column 6 is not UTF-8: save the file as UTF-8, or read it with --input-encoding latin1"},
		{"invalid UTF-8 in the header", "a\t\xff\n", "t.tsv:1: byte 0xFF at column 3 is not UTF-8: save the file as UTF-8, or read it with --input-encoding latin1"},
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

func TestTableReaderLatin1(t *testing.T) {
	tr, err := onet.NewTableReader(strings.NewReader("a\tb\n1\tcaf\xe9 \xabna\xefve\xbb\n"), "t.tsv", onet.Latin1)
	require.NoError(t, err)
	row, err := tr.Next()
	require.NoError(t, err)
	require.Equal(t, []string{"1", "café «naïve»"}, row.Fields)
	_, err = tr.Next()
	require.Equal(t, io.EOF, err)
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]onet.Encoding{"": onet.UTF8, "UTF-8": onet.UTF8, "utf8": onet.UTF8, "latin1": onet.Latin1, "ISO-8859-1": onet.Latin1} {
		got, err := onet.ParseEncoding(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := onet.ParseEncoding("cp1252")
	require.EqualError(t, err, `input encoding "cp1252": want utf-8 or latin1`)
}
