package exposure

import (
	"fmt"
	"github.com/onet-jury/jury/jury"
	"io"
	"strings"

	"github.com/onet-jury/jury/pipeline/onet"
)

// Task types as Example.Type and Model.Predict spell them.
const (
	TypeCore         = string(jury.Core)
	TypeSupplemental = string(jury.Supplemental)
	TypeNA           = string(jury.Unrated)
)

// Example is one labelled O*NET task, the unit the model trains and is
// scored on.
type Example struct {
	// Code is the O*NET-SOC code, e.g. "29-2072.00"; it groups tasks into
	// occupations for cross-validation and occupation-level metrics.
	Code string
	// Title is the occupation title.
	Title string
	// TaskID is the O*NET task ID without a decimal part, e.g. "20699".
	TaskID string
	// Text is the task statement.
	Text string
	// Type is "core", "supplemental" or "n/a".
	Type string
	// Label is the human label, "E0", "E1" or "E2".
	Label string
	// GPT4 is GPT-4's label for the same task, or "" when unknown. It is
	// used only for the baseline metrics, never as a feature: a new
	// occupation has none.
	GPT4 string
}

// ReadLabels reads a labels_train.tsv-shaped table: the columns
// "O*NET-SOC Code", "Task ID", "Task", "Title" and "human_exposure_agg" are
// required, "Task Type" and "gpt4_exposure" optional. name is used in error
// messages; a missing column gives an error wrapping onet.ErrMissingColumn.
func ReadLabels(r io.Reader, name string) ([]Example, error) {
	t, err := onet.ReadTable(r, name)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns("O*NET-SOC Code", "Task ID", "Task", "Title", "human_exposure_agg")
	if err != nil {
		return nil, err
	}
	typeCol, hasType := t.Column("Task Type")
	gptCol, hasGPT := t.Column("gpt4_exposure")
	out := make([]Example, 0, len(t.Rows))
	for _, row := range t.Rows {
		f := row.Fields
		id, err := jury.NormalizeTaskID(f[cols[1]])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, row.Line, err)
		}
		ex := Example{
			Code:   strings.TrimSpace(f[cols[0]]),
			TaskID: id,
			Text:   strings.TrimSpace(f[cols[2]]),
			Title:  strings.TrimSpace(f[cols[3]]),
			Label:  strings.TrimSpace(f[cols[4]]),
			Type:   TypeNA,
		}
		if ex.Code == "" || ex.Text == "" {
			return nil, fmt.Errorf("%s:%d: empty O*NET-SOC Code or Task: every labelled row needs both", name, row.Line)
		}
		if _, ok := labelIndex(ex.Label); !ok {
			return nil, fmt.Errorf("%s:%d: human_exposure_agg %q: want E0, E1 or E2", name, row.Line, ex.Label)
		}
		if hasType {
			typ, err := jury.ParseTaskType(f[typeCol])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: Task Type %q: want Core, Supplemental, n/a or empty", name, row.Line, f[typeCol])
			}
			ex.Type = string(typ)
		}
		if hasGPT {
			ex.GPT4 = strings.TrimSpace(f[gptCol])
			if _, ok := labelIndex(ex.GPT4); !ok && ex.GPT4 != "" {
				return nil, fmt.Errorf("%s:%d: gpt4_exposure %q: want E0, E1, E2 or empty", name, row.Line, ex.GPT4)
			}
		}
		out = append(out, ex)
	}
	return out, nil
}
