package onet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// Column names as O*NET publishes them.
const (
	ColCode     = "O*NET-SOC Code"
	ColTaskID   = "Task ID"
	ColTask     = "Task"
	ColTaskType = "Task Type"
	ColTitle    = "Title"
)

// OccupationDataFile is the name of O*NET's occupation titles file, looked
// for beside a task file that has no Title column.
const OccupationDataFile = "Occupation Data.txt"

// Catalog is the occupations of a task file, by code.
type Catalog struct {
	// Source is the task file's path, for messages.
	Source string
	byCode map[string]*jury.Occupation
	codes  []string
	// total counts the file's occupations, kept or not.
	total int
}

// Codes returns the catalog's occupation codes, sorted.
func (c *Catalog) Codes() []string { return slices.Clone(c.codes) }

// Len returns the number of occupations the catalog holds.
func (c *Catalog) Len() int { return len(c.codes) }

// Occupation returns the occupation with the given code, or an ErrInvalid
// error naming the file when the catalog lacks it.
func (c *Catalog) Occupation(code string) (jury.Occupation, error) {
	if !jury.ValidCode(code) {
		return jury.Occupation{}, jury.Invalidf("%q is not an O*NET-SOC code like 29-2072.00", code)
	}
	o, ok := c.byCode[code]
	if !ok {
		return jury.Occupation{}, jury.Invalidf("occupation %s is not in %s (%d occupations): check the code", code, c.Source, c.total)
	}
	return *o, nil
}

// ReadCatalog reads every occupation of an O*NET task file in UTF-8; see
// TaskFile.Catalog.
func ReadCatalog(tasksPath, occupationsPath string) (*Catalog, error) {
	return TaskFile{Path: tasksPath, Occupations: occupationsPath}.Catalog()
}

// TaskFile names an O*NET task file — the shared onet_tasks.tsv, or
// O*NET's own Task Statements.txt — and how to read it. Columns are found
// by header name. The file is streamed: memory holds the occupations kept,
// not the file.
type TaskFile struct {
	// Path is the task file.
	Path string
	// Occupations is the titles file used when the task file has no Title
	// column; "" means Occupation Data.txt beside the task file.
	Occupations string
	// Encoding says how both files are written; "" is UTF-8.
	Encoding Encoding
}

// Catalog reads every occupation of the file. Every error is an
// ErrInvalid error naming file:line.
func (f TaskFile) Catalog() (*Catalog, error) {
	c, _, err := f.read(func(string) bool { return true })
	return c, err
}

// Codes reads the file's occupation codes, sorted, keeping no task in
// memory (every row is still checked): with Select, a batch of a few
// occupations of a large file holds only those.
func (f TaskFile) Codes() ([]string, error) {
	_, all, err := f.read(func(string) bool { return false })
	return all, err
}

// Select reads the occupations with the given codes, and only those. A
// code the file lacks is an error when asked for with Catalog.Occupation.
func (f TaskFile) Select(codes []string) (*Catalog, error) {
	want := make(map[string]bool, len(codes))
	for _, c := range codes {
		want[c] = true
	}
	c, _, err := f.read(func(code string) bool { return want[code] })
	return c, err
}

// Occupation reads the one occupation with the given code, keeping none
// of the others in memory (every row is still checked). It returns an
// ErrInvalid error naming the file when the code is malformed or absent.
func (f TaskFile) Occupation(code string) (jury.Occupation, error) {
	if !jury.ValidCode(code) {
		return jury.Occupation{}, jury.Invalidf("%q is not an O*NET-SOC code like 29-2072.00", code)
	}
	c, _, err := f.read(func(c string) bool { return c == code })
	if err != nil {
		return jury.Occupation{}, err
	}
	return c.Occupation(code)
}

// read streams the task file and keeps the occupations keep accepts; it
// also returns every code of the file, sorted.
func (f TaskFile) read(keep func(code string) bool) (_ *Catalog, all []string, _ error) {
	tasksPath := f.Path
	file, err := openInput(tasksPath)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	t, err := NewTableReader(file, tasksPath, f.Encoding)
	if err != nil {
		return nil, nil, err
	}
	cols, err := t.Columns(ColCode, ColTaskID, ColTask, ColTaskType)
	if err != nil {
		return nil, nil, err
	}
	titleCol, hasTitle := t.Column(ColTitle)
	occupationsPath := f.Occupations
	var titles map[string]string
	if !hasTitle {
		if occupationsPath == "" {
			occupationsPath = filepath.Join(filepath.Dir(tasksPath), OccupationDataFile)
			if _, err := os.Stat(occupationsPath); err != nil {
				return nil, nil, jury.Invalidf("%s:1: no %q column, and no %s beside it: name O*NET's occupation file with --occupations FILE", tasksPath, ColTitle, OccupationDataFile)
			}
		}
		if titles, err = readTitles(occupationsPath, f.Encoding); err != nil {
			return nil, nil, err
		}
	}
	c := &Catalog{Source: tasksPath, byCode: map[string]*jury.Occupation{}}
	// Lines where each kept task was read: duplicates are found in linear
	// time, and named by both lines.
	seen := map[string]map[string]int{}
	codes := map[string]bool{}
	for {
		row, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		fields := row.Fields
		at := func(format string, args ...any) error {
			return jury.Invalidf("%s:%d: %s", tasksPath, row.Line, fmt.Sprintf(format, args...))
		}
		code := strings.TrimSpace(fields[cols[0]])
		if !jury.ValidCode(code) {
			return nil, nil, at("%q is not an O*NET-SOC code like 29-2072.00", code)
		}
		id, err := jury.NormalizeTaskID(fields[cols[1]])
		if err != nil {
			return nil, nil, at("%v", err)
		}
		text := strings.TrimSpace(fields[cols[2]])
		if text == "" {
			return nil, nil, at("task %s has no text", id)
		}
		if r, ok := jury.ControlChar(text); ok {
			return nil, nil, at("task %s text holds a control character (%U): remove it from the file", id, r)
		}
		typ, err := jury.ParseTaskType(fields[cols[3]])
		if err != nil {
			return nil, nil, at("%v", err)
		}
		if !codes[code] {
			codes[code] = true
			all = append(all, code)
		}
		if !keep(code) {
			continue
		}
		o := c.byCode[code]
		if o == nil {
			title := ""
			if hasTitle {
				title = strings.TrimSpace(fields[titleCol])
			} else if title = titles[code]; title == "" {
				return nil, nil, at("occupation %s has no title in %s", code, occupationsPath)
			}
			if title == "" {
				return nil, nil, at("occupation %s has an empty title", code)
			}
			if r, ok := jury.ControlChar(title); ok {
				return nil, nil, at("the title of %s holds a control character (%U): remove it from the file", code, r)
			}
			o = &jury.Occupation{Code: code, Title: title}
			c.byCode[code] = o
			c.codes = append(c.codes, code)
			seen[code] = map[string]int{}
		}
		if prev, dup := seen[code][id]; dup {
			return nil, nil, at("task %s of %s appears twice (first on line %d)", id, code, prev)
		}
		seen[code][id] = row.Line
		o.Tasks = append(o.Tasks, jury.Task{ID: id, Text: text, Type: typ})
	}
	if len(all) == 0 {
		return nil, nil, jury.Invalidf("%s: no tasks", tasksPath)
	}
	slices.Sort(c.codes)
	slices.Sort(all)
	c.total = len(all)
	return c, all, nil
}

// ReadTitles reads O*NET's Occupation Data.txt (O*NET-SOC Code, Title,
// Description) into a map from code to title.
func ReadTitles(path string) (map[string]string, error) {
	return readTitles(path, UTF8)
}

func readTitles(path string, enc Encoding) (map[string]string, error) {
	file, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	t, err := NewTableReader(file, path, enc)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(ColCode, ColTitle)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for {
		row, err := t.Next()
		if err == io.EOF {
			return titles, nil
		}
		if err != nil {
			return nil, err
		}
		titles[strings.TrimSpace(row.Fields[cols[0]])] = strings.TrimSpace(row.Fields[cols[1]])
	}
}

// openInput opens an input file, or returns an ErrInvalid error naming it.
func openInput(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, jury.Invalidf("%s: no such file: check the path", path)
		}
		return nil, jury.Invalidf("%s: %v", path, errors.Unwrap(err))
	}
	return f, nil
}
