package jury_test

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

func validOccupation() jury.Occupation {
	return jury.Occupation{
		Code:  "29-2072.00",
		Title: "Medical Records Specialists",
		Tasks: []jury.Task{
			{ID: "22877", Text: "Compile and maintain patients' medical records.", Type: jury.Core},
			{ID: "22878", Text: "Protect the security of medical records.", Type: jury.Supplemental},
			{ID: "22879", Text: "Process patient admission and discharge documents.", Type: jury.Unrated},
		},
	}
}

func TestOccupationValidate(t *testing.T) {
	many := make([]jury.Task, jury.MaxTasks+1)
	for i := range many {
		many[i] = jury.Task{ID: strconv.Itoa(i + 1), Text: "Do a thing.", Type: jury.Core}
	}
	tests := []struct {
		name   string
		modify func(o *jury.Occupation)
		want   []string // substrings of the error; none means valid
	}{
		{name: "valid", modify: func(*jury.Occupation) {}},
		{name: "exactly MaxTasks tasks", modify: func(o *jury.Occupation) { o.Tasks = many[:jury.MaxTasks] }},
		{name: "tab and punctuation in task text are fine", modify: func(o *jury.Occupation) {
			o.Tasks[0].Text = "Use ```code``` and \"quotes\"\tand </td>."
		}},
		{name: "escape sequence in a title", modify: func(o *jury.Occupation) { o.Title = "Clerks\x1b[2J" },
			want: []string{"title contains control characters"}},
		{name: "bell in task text", modify: func(o *jury.Occupation) { o.Tasks[0].Text = "Ring\a." },
			want: []string{"text contains control characters"}},
		{name: "code without dot", modify: func(o *jury.Occupation) { o.Code = "29-2072" }, want: []string{`code "29-2072" is not an O*NET-SOC code`}},
		{name: "code with letters", modify: func(o *jury.Occupation) { o.Code = "ab-cdef.gh" }, want: []string{`code "ab-cdef.gh"`}},
		{name: "empty code", modify: func(o *jury.Occupation) { o.Code = "" }, want: []string{`code ""`}},
		{name: "empty title", modify: func(o *jury.Occupation) { o.Title = "" }, want: []string{"title is empty"}},
		{name: "blank title", modify: func(o *jury.Occupation) { o.Title = " \t " }, want: []string{"title is empty"}},
		{name: "title on two lines", modify: func(o *jury.Occupation) {
			o.Title = "Medical Records\n```json\n{}\n```"
		}, want: []string{"title spans lines"}},
		{name: "no tasks", modify: func(o *jury.Occupation) { o.Tasks = nil }, want: []string{"no tasks"}},
		{name: "too many tasks", modify: func(o *jury.Occupation) { o.Tasks = many }, want: []string{"1001 tasks, at most 1000"}},
		{name: "non-numeric ID", modify: func(o *jury.Occupation) { o.Tasks[1].ID = "abc" }, want: []string{`task 2: id "abc" is not a task ID`}},
		{name: "zero ID", modify: func(o *jury.Occupation) { o.Tasks[1].ID = "0" }, want: []string{`task 2: id "0"`}},
		{name: "ID with spaces", modify: func(o *jury.Occupation) { o.Tasks[2].ID = " 22879" }, want: []string{`task 3: id " 22879"`}},
		{name: "duplicate ID", modify: func(o *jury.Occupation) { o.Tasks[2].ID = "22877" }, want: []string{"task 22877 appears twice"}},
		{name: "empty task text", modify: func(o *jury.Occupation) { o.Tasks[1].Text = "  " }, want: []string{"task 22878 has no text"}},
		{name: "task text with newline", modify: func(o *jury.Occupation) { o.Tasks[1].Text = "one\ntwo" }, want: []string{"task 22878 text spans lines"}},
		{name: "task text with carriage return", modify: func(o *jury.Occupation) { o.Tasks[1].Text = "one\rtwo" }, want: []string{"task 22878 text spans lines"}},
		{name: "task type as written in O*NET files", modify: func(o *jury.Occupation) { o.Tasks[0].Type = "Core" }, want: []string{`task 22877 type "Core"`}},
		{name: "empty task type", modify: func(o *jury.Occupation) { o.Tasks[0].Type = "" }, want: []string{`task 22877 type ""`}},
		{name: "every problem at once", modify: func(o *jury.Occupation) {
			o.Code = "x"
			o.Title = ""
			o.Tasks[0].Text = ""
			o.Tasks[1].ID = "22877"
		}, want: []string{`code "x"`, "title is empty", "task 22877 has no text", "task 22877 appears twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOccupation()
			o.Tasks = append([]jury.Task(nil), o.Tasks...)
			tt.modify(&o)
			err := o.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.ErrorIs(t, err, jury.ErrInvalid)
			require.True(t, strings.HasPrefix(err.Error(), "occupation "+o.Code+": "), "error %q should name the occupation", err)
			require.NotContains(t, err.Error(), "invalid input", "the marker must not show in the message")
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestOccupationTask(t *testing.T) {
	o := validOccupation()
	task, ok := o.Task("22878")
	require.True(t, ok)
	require.Equal(t, "Protect the security of medical records.", task.Text)
	_, ok = o.Task("99999")
	require.False(t, ok)
}

func TestValidCode(t *testing.T) {
	for s, want := range map[string]bool{
		"29-2072.00":  true,
		"11-1011.03":  true,
		"29-2072":     false,
		"292072.00":   false,
		"29-2072.0":   false,
		" 29-2072.00": false,
		"29-2072.00x": false,
	} {
		require.Equal(t, want, jury.ValidCode(s), "ValidCode(%q)", s)
	}
}

func TestNormalizeTaskID(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "20699", want: "20699"},
		{in: "20699.0", want: "20699"},
		{in: "8823.00", want: "8823"},
		{in: " 20699 ", want: "20699"},
		{in: " 20699.0\t", want: "20699"},
		{in: "007", want: "7"},
		{in: "1", want: "1"},
		{in: "0", wantErr: true},
		{in: "0.0", wantErr: true},
		{in: "abc", wantErr: true},
		{in: "-3", wantErr: true},
		{in: "+3", wantErr: true},
		{in: "20699.5", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "", wantErr: true},
		{in: "  ", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := jury.NormalizeTaskID(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				require.Contains(t, err.Error(), "positive integer")
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseTaskType(t *testing.T) {
	tests := []struct {
		in      string
		want    jury.TaskType
		wantErr bool
	}{
		{in: "Core", want: jury.Core},
		{in: "core", want: jury.Core},
		{in: " CORE ", want: jury.Core},
		{in: "Supplemental", want: jury.Supplemental},
		{in: "supplemental", want: jury.Supplemental},
		{in: "n/a", want: jury.Unrated},
		{in: "N/A", want: jury.Unrated},
		{in: "na", want: jury.Unrated},
		{in: "", want: jury.Unrated},
		{in: "  ", want: jury.Unrated},
		{in: "primary", wantErr: true},
		{in: "cores", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := jury.ParseTaskType(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				require.Contains(t, err.Error(), fmt.Sprintf("%q", tt.in))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestTaskTypeWeight(t *testing.T) {
	require.Equal(t, 2, jury.Core.Weight())
	require.Equal(t, 1, jury.Supplemental.Weight())
	require.Equal(t, 1, jury.Unrated.Weight())
}

func TestCompareTaskIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"9", "10", -1},
		{"10", "9", 1},
		{"10", "10", 0},
		{"2", "100", -1},
		{"22877", "22878", -1},
		{"a", "b", -1},
		{"b", "a", 1},
		{"10", "a", -1}, // not both numbers: as strings
		{"x9", "x10", 1},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, jury.CompareTaskIDs(tt.a, tt.b), "CompareTaskIDs(%q, %q)", tt.a, tt.b)
	}
}

func TestInvalid(t *testing.T) {
	t.Run("nil stays nil", func(t *testing.T) {
		require.NoError(t, jury.Invalid(nil))
		require.Nil(t, jury.Invalid(nil))
	})
	t.Run("marks and keeps message and chain", func(t *testing.T) {
		base := errors.New("flag -n: want a number")
		err := jury.Invalid(base)
		require.ErrorIs(t, err, jury.ErrInvalid)
		require.ErrorIs(t, err, base)
		require.Equal(t, "flag -n: want a number", err.Error())
		require.NotErrorIs(t, err, jury.ErrNoQuorum)
	})
	t.Run("already invalid is returned as is", func(t *testing.T) {
		err := jury.Invalidf("bad")
		require.Same(t, err, jury.Invalid(err))
		wrapped := fmt.Errorf("reading x: %w", err)
		require.Equal(t, wrapped, jury.Invalid(wrapped))
		require.ErrorIs(t, wrapped, jury.ErrInvalid)
	})
	t.Run("plain errors are not invalid", func(t *testing.T) {
		require.NotErrorIs(t, errors.New("x"), jury.ErrInvalid)
	})
}

func TestInvalidf(t *testing.T) {
	err := jury.Invalidf("file %s line %d: %s", "a.csv", 3, "bad")
	require.ErrorIs(t, err, jury.ErrInvalid)
	require.Equal(t, "file a.csv line 3: bad", err.Error())

	err = jury.Invalidf("reading %s: %w", "a.csv", io.ErrUnexpectedEOF)
	require.ErrorIs(t, err, jury.ErrInvalid)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, "reading a.csv: unexpected EOF", err.Error())
}

func TestParseAggregation(t *testing.T) {
	for _, s := range []string{"median", "mean", "trimmed-mean"} {
		a, err := jury.ParseAggregation(s)
		require.NoError(t, err)
		require.Equal(t, jury.Aggregation(s), a)
	}
	for _, s := range []string{"", "Median", "average", "trimmed"} {
		_, err := jury.ParseAggregation(s)
		require.ErrorIs(t, err, jury.ErrInvalid, "%q", s)
		require.Contains(t, err.Error(), fmt.Sprintf("%q", s))
	}
}

// manyTasks returns an occupation of n tasks, each ID used twice when dup
// is set.
func manyTasks(n int, dup bool) jury.Occupation {
	o := jury.Occupation{Code: "29-2072.00", Title: "Medical Records Specialists"}
	for i := range n {
		id := i + 1
		if dup {
			id = i/2 + 1
		}
		o.Tasks = append(o.Tasks, jury.Task{ID: strconv.Itoa(id), Text: "Compile records.", Type: jury.Core})
	}
	return o
}

func TestOccupationValidateManyProblemsIsOneShortLine(t *testing.T) {
	err := manyTasks(100_000, true).Validate()
	require.ErrorIs(t, err, jury.ErrInvalid)
	require.Equal(t, "occupation 29-2072.00: 100000 tasks, at most 1000; task 1 appears twice; task 2 appears twice; "+
		"task 3 appears twice; task 4 appears twice; task 5 appears twice; task 6 appears twice; task 7 appears twice; "+
		"task 8 appears twice; task 9 appears twice; and 49991 more problems", err.Error())
}

// BenchmarkOccupationValidate100kTasks checks an occupation of 100,000
// tasks, every one a duplicate: the check is linear in the tasks.
func BenchmarkOccupationValidate100kTasks(b *testing.B) {
	o := manyTasks(100_000, true)
	for b.Loop() {
		if o.Validate() == nil {
			b.Fatal("duplicates not found")
		}
	}
}
