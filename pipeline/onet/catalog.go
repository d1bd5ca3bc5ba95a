package onet

import (
	"errors"
	"fmt"
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
}

// Codes returns the catalog's occupation codes, sorted.
func (c *Catalog) Codes() []string { return slices.Clone(c.codes) }

// Len returns the number of occupations.
func (c *Catalog) Len() int { return len(c.codes) }

// Occupation returns the occupation with the given code, or an ErrInvalid
// error naming the file when the catalog lacks it.
func (c *Catalog) Occupation(code string) (jury.Occupation, error) {
	if !jury.ValidCode(code) {
		return jury.Occupation{}, jury.Invalidf("%q is not an O*NET-SOC code like 29-2072.00", code)
	}
	o, ok := c.byCode[code]
	if !ok {
		return jury.Occupation{}, jury.Invalidf("occupation %s is not in %s (%d occupations): check the code", code, c.Source, len(c.codes))
	}
	return *o, nil
}

// ReadCatalog reads an O*NET task file: the shared onet_tasks.tsv, or
// O*NET's own Task Statements.txt. Columns are found by header name; when
// the file has no Title column, titles come from occupationsPath, or from
// Occupation Data.txt beside the task file when occupationsPath is "".
// Every error is an ErrInvalid error naming file:line.
func ReadCatalog(tasksPath, occupationsPath string) (*Catalog, error) {
	t, err := readTableFile(tasksPath)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(ColCode, ColTaskID, ColTask, ColTaskType)
	if err != nil {
		return nil, jury.Invalid(err)
	}
	titleCol, hasTitle := t.Column(ColTitle)
	var titles map[string]string
	if !hasTitle {
		if occupationsPath == "" {
			occupationsPath = filepath.Join(filepath.Dir(tasksPath), OccupationDataFile)
			if _, err := os.Stat(occupationsPath); err != nil {
				return nil, jury.Invalidf("%s:1: no %q column, and no %s beside it: name O*NET's occupation file with --occupations FILE", tasksPath, ColTitle, OccupationDataFile)
			}
		}
		if titles, err = ReadTitles(occupationsPath); err != nil {
			return nil, err
		}
	}
	c := &Catalog{Source: tasksPath, byCode: map[string]*jury.Occupation{}}
	for _, row := range t.Rows {
		f := row.Fields
		at := func(format string, args ...any) error {
			return jury.Invalidf("%s:%d: %s", tasksPath, row.Line, fmt.Sprintf(format, args...))
		}
		code := strings.TrimSpace(f[cols[0]])
		if !jury.ValidCode(code) {
			return nil, at("%q is not an O*NET-SOC code like 29-2072.00", code)
		}
		id, err := jury.NormalizeTaskID(f[cols[1]])
		if err != nil {
			return nil, at("%v", err)
		}
		text := strings.TrimSpace(f[cols[2]])
		if text == "" {
			return nil, at("task %s has no text", id)
		}
		typ, err := jury.ParseTaskType(f[cols[3]])
		if err != nil {
			return nil, at("%v", err)
		}
		o := c.byCode[code]
		if o == nil {
			title := ""
			if hasTitle {
				title = strings.TrimSpace(f[titleCol])
			} else if title = titles[code]; title == "" {
				return nil, at("occupation %s has no title in %s", code, occupationsPath)
			}
			if title == "" {
				return nil, at("occupation %s has an empty title", code)
			}
			o = &jury.Occupation{Code: code, Title: title}
			c.byCode[code] = o
			c.codes = append(c.codes, code)
		}
		for _, prev := range o.Tasks {
			if prev.ID == id {
				return nil, at("task %s of %s appears twice", id, code)
			}
		}
		o.Tasks = append(o.Tasks, jury.Task{ID: id, Text: text, Type: typ})
	}
	if len(c.codes) == 0 {
		return nil, jury.Invalidf("%s: no tasks", tasksPath)
	}
	slices.Sort(c.codes)
	return c, nil
}

// ReadTitles reads O*NET's Occupation Data.txt (O*NET-SOC Code, Title,
// Description) into a map from code to title.
func ReadTitles(path string) (map[string]string, error) {
	t, err := readTableFile(path)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(ColCode, ColTitle)
	if err != nil {
		return nil, jury.Invalid(err)
	}
	titles := make(map[string]string, len(t.Rows))
	for _, row := range t.Rows {
		titles[strings.TrimSpace(row.Fields[cols[0]])] = strings.TrimSpace(row.Fields[cols[1]])
	}
	return titles, nil
}

func readTableFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, jury.Invalidf("%s: no such file", path)
		}
		return nil, jury.Invalidf("%s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	t, err := ReadTable(f, path)
	return t, jury.Invalid(err)
}
