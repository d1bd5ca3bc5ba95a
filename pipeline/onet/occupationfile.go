package onet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// occupationFile is the occupation file format: see fixtures/README.md.
type occupationFile struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Tasks []struct {
		ID   json.RawMessage `json:"id"`
		Text string          `json:"text"`
		Type string          `json:"type"`
	} `json:"tasks"`
}

// ReadOccupationFile reads an occupation file — a JSON object with code,
// title and tasks (id, text, type core/supplemental/n/a) — and validates it.
// Every error is an ErrInvalid error naming the file, and the line where
// the JSON is broken.
func ReadOccupationFile(path string) (jury.Occupation, error) {
	return ReadOccupationFileAs(path, UTF8)
}

// ReadOccupationFileAs reads an occupation file written in the given
// encoding; see ReadOccupationFile.
func ReadOccupationFileAs(path string, enc Encoding) (jury.Occupation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return jury.Occupation{}, jury.Invalidf("%s: no such file: check the path", path)
		}
		return jury.Occupation{}, jury.Invalidf("%s: %v", path, errors.Unwrap(err))
	}
	if enc == Latin1 {
		data = appendLatin1(nil, data)
	}
	return ParseOccupation(data, path)
}

// ParseOccupation parses the bytes of an occupation file named name: UTF-8
// JSON, with or without a byte-order mark. Bytes that are not UTF-8 are an
// error naming the line, not text turned into U+FFFD.
func ParseOccupation(data []byte, name string) (jury.Occupation, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if at := invalidUTF8(data); at >= 0 {
		start := bytes.LastIndexByte(data[:at], '\n') + 1
		end := bytes.IndexByte(data[at:], '\n')
		if end < 0 {
			end = len(data) - at
		}
		return jury.Occupation{}, jury.Invalidf("%s:%d: %v", name, bytes.Count(data[:at], []byte("\n"))+1, checkUTF8(data[start:at+end]))
	}
	var w occupationFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return jury.Occupation{}, jury.Invalidf("%s:%d: %v", name, lineOf(data, dec.InputOffset(), err), jsonMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return jury.Occupation{}, jury.Invalidf("%s: text after the occupation object", name)
	}
	occ := jury.Occupation{Code: w.Code, Title: w.Title}
	lines := taskLines(data, len(w.Tasks))
	first := map[string]int{}
	for i, t := range w.Tasks {
		at := name
		if lines != nil {
			at = fmt.Sprintf("%s:%d", name, lines[i])
		}
		id, err := jury.NormalizeTaskID(rawText(t.ID))
		if err != nil {
			return occ, jury.Invalidf("%s: task %d: %v", at, i+1, err)
		}
		typ, err := jury.ParseTaskType(t.Type)
		if err != nil {
			return occ, jury.Invalidf("%s: task %s: %v", at, id, err)
		}
		if prev, dup := first[id]; dup && lines != nil {
			return occ, jury.Invalidf("%s: task %s appears twice (first on line %d): give each task its own O*NET task ID", at, id, prev)
		}
		if lines != nil {
			first[id] = lines[i]
		}
		occ.Tasks = append(occ.Tasks, jury.Task{ID: id, Text: t.Text, Type: typ})
	}
	if err := occ.Validate(); err != nil {
		return occ, jury.Invalidf("%s: %w", name, err)
	}
	return occ, nil
}

// taskIDKey is a task's "id" key; the occupation object itself has none.
var taskIDKey = regexp.MustCompile(`"id"\s*:`)

// taskLines returns the line of each of n tasks' "id" key in data, in
// order, so that a problem with a task names its line; nil when the keys
// cannot be told apart that simply (their count is not n).
func taskLines(data []byte, n int) []int {
	at := taskIDKey.FindAllIndex(data, -1)
	if len(at) != n {
		return nil
	}
	lines := make([]int, n)
	line, from := 1, 0
	for i, m := range at {
		line += bytes.Count(data[from:m[0]], []byte("\n"))
		from = m[0]
		lines[i] = line
	}
	return lines
}

// lineOf finds the line of a JSON error: the offset the error names, else
// where the decoder stopped.
func lineOf(data []byte, stopped int64, err error) int {
	off := stopped
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// The decoder reports an unknown key only once the object ends.
		key := strings.TrimPrefix(err.Error(), "json: unknown field ")
		if at := regexp.MustCompile(regexp.QuoteMeta(key) + `\s*:`).FindIndex(data); at != nil {
			off = int64(at[0])
		}
	}
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// rawText returns a JSON string's content, or the text of any other value
// (a number such as 22877), for the task ID checks to judge.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func jsonMessage(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the JSON ends early: is the file complete?"
	}
	return err.Error() + " (see fixtures/README.md for the format)"
}
