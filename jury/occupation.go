package jury

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TaskType says how central a task is to its occupation; it sets the task's
// weight in the headline.
type TaskType string

// The task types O*NET publishes; n/a covers tasks it has not rated.
const (
	Core         TaskType = "core"
	Supplemental TaskType = "supplemental"
	Unrated      TaskType = "n/a"
)

// ParseTaskType reads a task type as O*NET and occupation files write it:
// Core, Supplemental, n/a or empty (case-insensitive).
func ParseTaskType(s string) (TaskType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "core":
		return Core, nil
	case "supplemental":
		return Supplemental, nil
	case "", "n/a", "na":
		return Unrated, nil
	}
	return "", fmt.Errorf("task type %q: want core, supplemental or n/a", s)
}

// Weight is the task's weight in core-weighted means: 2 for core tasks, 1
// for the others (O*NET's own coreweight).
func (t TaskType) Weight() int {
	if t == Core {
		return 2
	}
	return 1
}

// Task is one O*NET task statement of an occupation.
type Task struct {
	ID   string   `json:"id"`
	Text string   `json:"text"`
	Type TaskType `json:"type"`
}

// Occupation is the input of a verdict: an O*NET-SOC code, its title and its
// task list.
type Occupation struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Tasks []Task `json:"tasks"`
}

// MaxTasks bounds an occupation's task list: Structured Outputs accept at
// most 1,000 enum values, and the task IDs are one enum.
const MaxTasks = 1000

var socCode = regexp.MustCompile(`^\d{2}-\d{4}\.\d{2}$`)

// ValidCode reports whether s is written as an O*NET-SOC code (29-2072.00).
func ValidCode(s string) bool { return socCode.MatchString(s) }

// NormalizeTaskID turns an O*NET task ID as files write it ("20699.0",
// " 20699 ") into its canonical form ("20699"); it fails on anything that is
// not a positive integer.
func NormalizeTaskID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i] // spreadsheets write 20699 as 20699.0 or 20699.00
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return "", fmt.Errorf("task ID %q: want a positive integer such as 20699", s)
	}
	return strconv.FormatUint(n, 10), nil
}

// Validate lists what is wrong with an occupation as input to a verdict:
// code format, a title on one line, at least one task, unique IDs, task text
// on one line.
// It returns an ErrInvalid error naming the occupation, or nil.
func (o Occupation) Validate() error {
	var problems []string
	if !ValidCode(o.Code) {
		problems = append(problems, fmt.Sprintf("code %q is not an O*NET-SOC code like 29-2072.00", o.Code))
	}
	if strings.TrimSpace(o.Title) == "" {
		problems = append(problems, "title is empty")
	}
	if strings.ContainsAny(o.Title, "\r\n") {
		problems = append(problems, "title spans lines")
	} else if hasControl(o.Title) {
		problems = append(problems, "title contains control characters")
	}
	if len(o.Tasks) == 0 {
		problems = append(problems, "no tasks")
	}
	if len(o.Tasks) > MaxTasks {
		problems = append(problems, fmt.Sprintf("%d tasks, at most %d", len(o.Tasks), MaxTasks))
	}
	seen := make(map[string]bool, len(o.Tasks)) // linear, however long the list
	for i, t := range o.Tasks {
		if _, err := NormalizeTaskID(t.ID); err != nil || t.ID != strings.TrimSpace(t.ID) {
			problems = append(problems, fmt.Sprintf("task %d: id %q is not a task ID like 22877", i+1, t.ID))
		}
		if seen[t.ID] {
			problems = append(problems, fmt.Sprintf("task %s appears twice", t.ID))
		}
		seen[t.ID] = true
		if strings.TrimSpace(t.Text) == "" {
			problems = append(problems, fmt.Sprintf("task %s has no text", t.ID))
		}
		if strings.ContainsAny(t.Text, "\r\n") {
			problems = append(problems, fmt.Sprintf("task %s text spans lines", t.ID))
		} else if hasControl(t.Text) {
			problems = append(problems, fmt.Sprintf("task %s text contains control characters", t.ID))
		}
		switch t.Type {
		case Core, Supplemental, Unrated:
		default:
			problems = append(problems, fmt.Sprintf("task %s type %q: want core, supplemental or n/a", t.ID, t.Type))
		}
	}
	if len(problems) > maxProblems {
		// An error is one line: a file of 100,000 bad tasks names the first.
		problems = append(problems[:maxProblems], fmt.Sprintf("and %d more problems", len(problems)-maxProblems))
	}
	if len(problems) > 0 {
		return Invalidf("occupation %s: %s", o.Code, strings.Join(problems, "; "))
	}
	return nil
}

// maxProblems bounds the problems an invalid occupation's error lists.
const maxProblems = 10

// Task returns the task with the given ID and whether it exists.
func (o Occupation) Task(id string) (Task, bool) {
	for _, t := range o.Tasks {
		if t.ID == id {
			return t, true
		}
	}
	return Task{}, false
}

// CompareTaskIDs orders task IDs numerically when both are numbers and as
// strings otherwise, so that 9 sorts before 10.
func CompareTaskIDs(a, b string) int {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case na < nb:
			return -1
		case na > nb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// hasControl reports whether s holds a control character other than a
// tab: input text is quoted into prompts, pages and terminals, where an
// escape sequence could act.
func hasControl(s string) bool {
	_, ok := ControlChar(s)
	return ok
}

// ControlChar returns the first control character of s other than a tab,
// and whether there is one, so that a reader of an input file can name it
// with the file and line (Validate refuses such text too).
func ControlChar(s string) (rune, bool) {
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return r, true
	}
	return 0, false
}
