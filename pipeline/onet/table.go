// Package onet reads O*NET task and occupation files — tab-separated tables
// whose columns are found by header name — into jury occupations.
package onet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// ErrMissingColumn reports a table whose header lacks a required column.
var ErrMissingColumn = errors.New("missing column")

// maxLine bounds one line of a table: a task text of a megabyte is read
// whole, a file with no line breaks is refused rather than read into memory.
const maxLine = 4 << 20

// Table is a tab-separated file read into memory, with its columns indexed
// by header name. Fields run to the next tab, except a CSV-quoted field
// (see TableReader).
type Table struct {
	// Name is the file name used in error messages.
	Name string
	// Header holds the column names in file order.
	Header []string
	// Rows holds the data rows; each has exactly len(Header) fields.
	Rows  []Row
	index map[string]int
}

// Row is one data line of a Table with the line number it was read from.
type Row struct {
	Line   int
	Fields []string
}

// ReadTable reads a whole tab-separated table with a header line; see
// TableReader for what it accepts. Files too large to hold use a
// TableReader instead.
func ReadTable(r io.Reader, name string) (*Table, error) {
	tr, err := NewTableReader(r, name, UTF8)
	if err != nil {
		return nil, err
	}
	t := &Table{Name: name, Header: tr.Header, index: tr.index}
	for {
		row, err := tr.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, row)
	}
}

// Columns returns the positions of the named columns, in the order asked,
// or an error wrapping ErrMissingColumn that names every absent one.
func (t *Table) Columns(names ...string) ([]int, error) {
	return columns(t.Name, t.index, names)
}

// Column returns the position of an optional column and whether it exists.
func (t *Table) Column(name string) (int, bool) {
	p, ok := t.index[name]
	return p, ok
}

// TableReader reads a tab-separated table one row at a time, so that a file
// of any size is read in constant memory. It is not safe for concurrent use.
//
// Blank lines are skipped; a row with a different number of fields than the
// header is an error naming name:line. A UTF-8 byte-order mark and CRLF
// endings are accepted. Text that is not valid UTF-8 is an error naming
// name:line, unless the reader was made for Latin1.
//
// O*NET's own files are not quoted, but files that went through a
// spreadsheet or pandas are: a field that begins with a double quote and
// whose closing quote comes right before a tab or the end of the line is
// read as the text it stands for (outer quotes dropped, "" read as ").
// Any other field, quotes and all, is read as written.
type TableReader struct {
	// Name is the file name used in error messages.
	Name string
	// Header holds the column names in file order.
	Header []string
	index  map[string]int
	sc     *bufio.Scanner
	enc    Encoding
	line   int
	buf    []byte
}

// NewTableReader reads the header of a table from r; name is used in error
// messages and enc says how its bytes are written.
func NewTableReader(r io.Reader, name string, enc Encoding) (*TableReader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	t := &TableReader{Name: name, index: map[string]int{}, sc: sc, enc: enc}
	fields, err := t.next()
	if err == io.EOF {
		return nil, jury.Invalidf("%s: empty file: want a tab-separated header line", name)
	}
	if err != nil {
		return nil, err
	}
	t.Header = fields
	for i, h := range fields {
		h = strings.TrimSpace(h)
		if _, dup := t.index[h]; !dup && h != "" {
			t.index[h] = i
		}
	}
	return t, nil
}

// Next returns the next data row, or io.EOF after the last one. Any other
// error is an ErrInvalid error naming name:line.
func (t *TableReader) Next() (Row, error) {
	fields, err := t.next()
	if err != nil {
		return Row{}, err
	}
	if len(fields) != len(t.Header) {
		return Row{}, jury.Invalidf("%s:%d: %d fields, header has %d (is the file tab-separated?)", t.Name, t.line, len(fields), len(t.Header))
	}
	return Row{Line: t.line, Fields: fields}, nil
}

// Columns returns the positions of the named columns, in the order asked,
// or an error wrapping ErrMissingColumn that names every absent one.
func (t *TableReader) Columns(names ...string) ([]int, error) {
	return columns(t.Name, t.index, names)
}

// Column returns the position of an optional column and whether it exists.
func (t *TableReader) Column(name string) (int, bool) {
	p, ok := t.index[name]
	return p, ok
}

// next returns the fields of the next line that is not blank.
func (t *TableReader) next() ([]string, error) {
	for t.sc.Scan() {
		t.line++
		line := bytes.TrimRight(t.sc.Bytes(), "\r")
		if t.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		line, err := t.decode(line)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return splitFields(line), nil
	}
	if err := t.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, jury.Invalidf("%s:%d: a line longer than %d MB: is this a tab-separated text file?", t.Name, t.line+1, maxLine>>20)
		}
		return nil, jury.Invalidf("%s:%d: %w", t.Name, t.line+1, err)
	}
	return nil, io.EOF
}

// decode returns the line as UTF-8.
func (t *TableReader) decode(line []byte) ([]byte, error) {
	if t.enc == Latin1 {
		t.buf = appendLatin1(t.buf[:0], line)
		return t.buf, nil
	}
	if err := checkUTF8(line); err != nil {
		return nil, jury.Invalidf("%s:%d: %v", t.Name, t.line, err)
	}
	return line, nil
}

// splitFields splits a line at tabs, reading CSV-quoted fields as the text
// they stand for. Each field is a new string: a kept field does not hold
// on to the rest of its line.
func splitFields(line []byte) []string {
	fields := make([]string, 0, bytes.Count(line, tab)+1)
	for {
		if text, rest, last, ok := quotedField(line); ok {
			fields = append(fields, text)
			if last {
				return fields
			}
			line = rest
			continue
		}
		i := bytes.IndexByte(line, '\t')
		if i < 0 {
			return append(fields, string(line))
		}
		fields = append(fields, string(line[:i]))
		line = line[i+1:]
	}
}

var tab = []byte{'\t'}

// quotedField reads a CSV-quoted field at the start of line: its text, the
// line after the tab that ends it, and whether it ends the line. ok is
// false when line does not start with one, and the field is read as
// written.
func quotedField(line []byte) (text string, rest []byte, last, ok bool) {
	if len(line) == 0 || line[0] != '"' {
		return "", nil, false, false
	}
	for i := 1; i < len(line); i++ {
		if line[i] != '"' {
			continue
		}
		if i+1 < len(line) && line[i+1] == '"' {
			i++ // a doubled quote inside the field
			continue
		}
		switch {
		case i+1 == len(line):
			last = true
		case line[i+1] == '\t':
			rest = line[i+2:]
		default:
			return "", nil, false, false // a quote in the text: `"Preflight" check`
		}
		return strings.ReplaceAll(string(line[1:i]), `""`, `"`), rest, last, true
	}
	return "", nil, false, false
}

func columns(name string, index map[string]int, names []string) ([]int, error) {
	pos := make([]int, len(names))
	var missing []string
	for i, n := range names {
		p, ok := index[n]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", n))
			continue
		}
		pos[i] = p
	}
	if len(missing) > 0 {
		return nil, jury.Invalid(fmt.Errorf("%s:1: %w %s in header (want %s)", name, ErrMissingColumn, strings.Join(missing, ", "), strings.Join(quoteAll(names), ", ")))
	}
	return pos, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
