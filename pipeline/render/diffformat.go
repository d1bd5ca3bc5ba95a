package render

import "github.com/onet-jury/jury/jury"

// DiffFormat is a way to write a diff, as `jury diff --format` names it.
type DiffFormat string

// The formats of a diff.
const (
	// DiffFormatText is for a terminal (DiffText).
	DiffFormatText DiffFormat = "text"
	// DiffFormatMarkdown is for a pull-request comment (DiffMarkdown).
	DiffFormatMarkdown DiffFormat = "markdown"
	// DiffFormatJSON is for a program (DiffJSON).
	DiffFormatJSON DiffFormat = "json"
)

// ParseDiffFormat reads the --format flag: text, markdown or json. Any
// other value is a jury.ErrInvalid error naming the flag.
func ParseDiffFormat(s string) (DiffFormat, error) {
	switch f := DiffFormat(s); f {
	case DiffFormatText, DiffFormatMarkdown, DiffFormatJSON:
		return f, nil
	}
	return "", jury.Invalidf("--format %q: want text, markdown or json", s)
}

// Render writes res in format f; colour colours the text format (for a
// terminal) and is ignored by the others.
func (f DiffFormat) Render(res jury.DiffResult, colour bool) ([]byte, error) {
	switch f {
	case DiffFormatMarkdown:
		return DiffMarkdown(res), nil
	case DiffFormatJSON:
		return DiffJSON(res)
	}
	return DiffText(res, colour), nil
}
