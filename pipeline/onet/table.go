// Package onet reads O*NET task and occupation files — tab-separated tables
// whose columns are found by header name — into jury occupations.
package onet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// ErrMissingColumn reports a table whose header lacks a required column.
var ErrMissingColumn = errors.New("missing column")

// Table is a tab-separated file read into memory, with its columns indexed
// by header name. O*NET files are not quoted: a field runs to the next tab.
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

// ReadTable reads a tab-separated table with a header line. Blank lines are
// skipped; a row with a different number of fields than the header is an
// error naming name:line. A UTF-8 byte-order mark and CRLF endings are accepted.
func ReadTable(r io.Reader, name string) (*Table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	t := &Table{Name: name, index: map[string]int{}}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, "\t")
		if t.Header == nil {
			t.Header = fields
			for i, h := range fields {
				h = strings.TrimSpace(h)
				if _, dup := t.index[h]; !dup && h != "" {
					t.index[h] = i
				}
			}
			continue
		}
		if len(fields) != len(t.Header) {
			return nil, jury.Invalidf("%s:%d: %d fields, header has %d (is the file tab-separated?)", name, line, len(fields), len(t.Header))
		}
		t.Rows = append(t.Rows, Row{Line: line, Fields: fields})
	}
	if err := sc.Err(); err != nil {
		return nil, jury.Invalidf("%s:%d: %w", name, line+1, err)
	}
	if t.Header == nil {
		return nil, jury.Invalidf("%s: empty file: want a tab-separated header line", name)
	}
	return t, nil
}

// Columns returns the positions of the named columns, in the order asked,
// or an error wrapping ErrMissingColumn that names every absent one.
func (t *Table) Columns(names ...string) ([]int, error) {
	pos := make([]int, len(names))
	var missing []string
	for i, n := range names {
		p, ok := t.index[n]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", n))
			continue
		}
		pos[i] = p
	}
	if len(missing) > 0 {
		return nil, jury.Invalid(fmt.Errorf("%s:1: %w %s in header (want %s)", t.Name, ErrMissingColumn, strings.Join(missing, ", "), strings.Join(quoteAll(names), ", ")))
	}
	return pos, nil
}

// Column returns the position of an optional column and whether it exists.
func (t *Table) Column(name string) (int, bool) {
	p, ok := t.index[name]
	return p, ok
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
