package jury_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

// diffReport is a small report by hand: three tasks, two jurors.
func diffReport(code string, headline int) jury.Report {
	return jury.Report{
		SchemaVersion: jury.SchemaVersion,
		Occupation:    jury.OccupationRef{Code: code, Title: "Occupation " + code},
		Headline:      headline,
		Band:          jury.BandOf(headline),
		Summary:       "The panel agrees.",
		Jurors: []jury.JurorResult{
			{Persona: "diplomat", Name: "The Diplomat", Score: headline, Quote: "Balanced, as ever.", Valid: true},
			{Persona: "optimist", Name: "The Optimist", Score: headline, Quote: "Bright days ahead.", Valid: true},
		},
		Tasks: []jury.TaskResult{
			{ID: "22892", Text: "Review records.", Score: 83, Label: jury.E2},
			{ID: "22886", Text: "Code diagnoses.", Score: 59, Label: jury.E2},
			{ID: "22881", Text: "Consult staff.", Score: 5, Label: jury.E0},
		},
	}
}

// edit returns a copy of r, changed by f, that shares nothing with r.
func edit(r jury.Report, f func(*jury.Report)) jury.Report {
	r.Jurors = append([]jury.JurorResult(nil), r.Jurors...)
	r.Tasks = append([]jury.TaskResult(nil), r.Tasks...)
	f(&r)
	return r
}

func task(r *jury.Report, id string) *jury.TaskResult {
	for i := range r.Tasks {
		if r.Tasks[i].ID == id {
			return &r.Tasks[i]
		}
	}
	panic("no task " + id)
}

// Two runs of five occupations: in one, the headline fell beyond the
// tolerance of 5 points and a task rose; in another a juror reworded its
// quote; in a third a task moved within tolerance.
func ExampleDiff() {
	old := []jury.Report{
		diffReport("29-2072.00", 83), diffReport("43-9061.00", 60), diffReport("15-1252.00", 40),
		diffReport("11-1011.00", 30), diffReport("13-1011.00", 35),
	}
	new := []jury.Report{
		edit(old[0], func(r *jury.Report) {
			r.Headline = 71
			task(r, "22892").Score = 90
		}),
		edit(old[1], func(r *jury.Report) { r.Jurors[0].Quote = "Balanced, still." }),
		edit(old[2], func(r *jury.Report) { task(r, "22881").Score = 8 }),
		old[3], old[4],
	}
	res, err := jury.Diff(old, new, jury.DiffOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	for _, o := range res.Occupations {
		fmt.Printf("%s: headline %d → %d, size %d, fails %t\n", o.Code, o.OldHeadline, o.NewHeadline, o.Size, o.Fails)
		for _, t := range o.Tasks {
			fmt.Printf("  %s (fails %t)\n", t, t.Fails)
		}
		for _, q := range o.Quotes {
			fmt.Printf("  %s: %q → %q\n", q.Name, q.Old, q.New)
		}
	}
	// Output:
	// 3 of 5 occupations changed; largest: 29-2072.00 headline 83 → 71
	// 29-2072.00: headline 83 → 71, size 12, fails true
	//   task 22892 83 → 90 (fails true)
	// 15-1252.00: headline 40 → 40, size 3, fails false
	//   task 22881 5 → 8 (fails false)
	// 43-9061.00: headline 60 → 60, size 0, fails false
	//   The Diplomat: "Balanced, as ever." → "Balanced, still."
}

func TestDiff(t *testing.T) {
	base := diffReport("29-2072.00", 83)
	other := diffReport("43-9061.00", 60)
	cases := []struct {
		name        string
		old, new    []jury.Report
		opts        jury.DiffOptions
		wantSummary string
		wantFails   bool
		check       func(t *testing.T, res jury.DiffResult)
	}{
		{
			name: "identical", old: []jury.Report{base, other}, new: []jury.Report{other, base},
			wantSummary: "no changes",
		},
		{
			name: "headline moved beyond tolerance",
			old:  []jury.Report{base, other}, new: []jury.Report{edit(base, func(r *jury.Report) { r.Headline = 71 }), other},
			wantSummary: "1 of 2 occupations changed; largest: 29-2072.00 headline 83 → 71", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				o := res.Occupations[0]
				require.True(t, o.HeadlineFails)
				require.Equal(t, -12, o.HeadlineDelta())
				require.Equal(t, 12, o.Size)
				require.Empty(t, o.Tasks)
			},
		},
		{
			name: "headline moved within tolerance",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { r.Headline = 88 })},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 headline 83 → 88",
		},
		{
			name: "task moved 7 points",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { task(r, "22892").Score = 90 })},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22892 83 → 90", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				tk := res.Occupations[0].Tasks[0]
				require.Equal(t, jury.TaskDiff{ID: "22892", Text: "Review records.", Status: jury.Changed,
					OldScore: 83, NewScore: 90, OldLabel: jury.E2, NewLabel: jury.E2, Size: 7, Fails: true}, tk)
				require.False(t, res.Occupations[0].HeadlineFails)
			},
		},
		{
			name: "a wider tolerance lets the move pass",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { task(r, "22892").Score = 90 })},
			opts:        jury.DiffOptions{Tolerance: 10},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22892 83 → 90",
		},
		{
			name: "no tolerance fails a one-point move",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { task(r, "22881").Score = 6 })},
			opts:        jury.DiffOptions{Tolerance: jury.NoTolerance},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22881 5 → 6", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) { require.Zero(t, res.Tolerance) },
		},
		{
			name: "failing on labels only ignores score moves",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { r.Headline = 50; task(r, "22892").Score = 40 })},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindLabel}},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22892 83 → 40",
			check: func(t *testing.T, res jury.DiffResult) {
				require.Equal(t, []jury.ChangeKind{jury.KindLabel}, res.FailOn)
				require.False(t, res.Occupations[0].HeadlineFails)
			},
		},
		{
			name: "a label change fails on labels even without a move",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { task(r, "22886").Label = jury.E1 })},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindLabel}},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22886 59, E2 → E1", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				require.Equal(t, jury.LabelChangeSize, res.Occupations[0].Size)
			},
		},
		{
			name: "a label change passes when failing on headlines only",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { task(r, "22886").Label = jury.E1 })},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindHeadline}},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22886 59, E2 → E1",
		},
		{
			name: "a reworded quote is listed but passes",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) { r.Jurors[1].Quote = "Brighter days." })},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 1 quote reworded",
			check: func(t *testing.T, res jury.DiffResult) {
				require.Equal(t, []jury.QuoteChange{{Persona: "optimist", Name: "The Optimist",
					TextChange: jury.TextChange{Old: "Bright days ahead.", New: "Brighter days."}}}, res.Occupations[0].Quotes)
			},
		},
		{
			name:        "a changed reaction is listed but passes",
			old:         []jury.Report{edit(base, func(r *jury.Report) { r.Jurors[0].Reaction = jury.AboutRight })},
			new:         []jury.Report{edit(base, func(r *jury.Report) { r.Jurors[0].Reaction = jury.TooLow })},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 1 reaction changed",
			check: func(t *testing.T, res jury.DiffResult) {
				require.False(t, res.Failed())
				require.Equal(t, []jury.ReactionChange{{Persona: "diplomat", Name: "The Diplomat", Old: jury.AboutRight, New: jury.TooLow}},
					res.Occupations[0].Reactions)
			},
		},
		{
			name: "a report of schema version 1 is read: its jurors had no reactions",
			old:  []jury.Report{edit(base, func(r *jury.Report) { r.SchemaVersion = 1 })},
			new: []jury.Report{edit(base, func(r *jury.Report) {
				r.Jurors[0].Reaction, r.Jurors[1].Reaction = jury.AboutRight, jury.TooHigh
				r.Jurors[1].Quote = "Brighter days."
			})},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 1 quote reworded, 2 reactions changed",
			check: func(t *testing.T, res jury.DiffResult) {
				require.False(t, res.Failed())
				require.Equal(t, []jury.ReactionChange{
					{Persona: "diplomat", Name: "The Diplomat", New: jury.AboutRight},
					{Persona: "optimist", Name: "The Optimist", New: jury.TooHigh},
				}, res.Occupations[0].Reactions)
			},
		},
		{
			name: "summary and quotes reworded",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) {
				r.Summary = "The panel hesitates."
				r.Jurors[0].Quote, r.Jurors[1].Quote = "a", "b"
			})},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 summary and 2 quotes reworded",
		},
		{
			name: "a juror turned invalid loses its quote",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) {
				r.Jurors[0].Valid, r.Jurors[0].Quote, r.Jurors[0].Problems = false, "", []string{"quote is empty"}
			})},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 1 quote reworded",
			check: func(t *testing.T, res jury.DiffResult) {
				require.Equal(t, "", res.Occupations[0].Quotes[0].New)
			},
		},
		{
			name: "tasks added and removed",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) {
				r.Tasks[2] = jury.TaskResult{ID: "99999", Text: "New duty.", Score: 50, Label: jury.E2}
			})},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22881 removed (was 5 E0)", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				ts := res.Occupations[0].Tasks
				require.Len(t, ts, 2)
				require.Equal(t, jury.Removed, ts[0].Status)
				require.Equal(t, jury.Added, ts[1].Status)
				require.Equal(t, "task 99999 added (50 E2)", ts[1].String())
				require.Equal(t, jury.PresenceChangeSize, res.Occupations[0].Size)
			},
		},
		{
			name: "tasks added pass when failing on headlines only",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) {
				r.Tasks = append(r.Tasks, jury.TaskResult{ID: "99999", Text: "New duty.", Score: 50, Label: jury.E2})
			})},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindHeadline}},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 99999 added (50 E2)",
		},
		{
			name: "occupations on one side only fail under any kind",
			old:  []jury.Report{base}, new: []jury.Report{other},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindLabel}},
			wantSummary: "2 of 2 occupations changed; largest: 29-2072.00 removed (headline was 83)", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				require.Equal(t, jury.Removed, res.Occupations[0].Status)
				require.Equal(t, jury.Added, res.Occupations[1].Status)
				require.Equal(t, "43-9061.00 added (headline 60)", res.Occupations[1].Largest())
			},
		},
		{
			name: "largest change first, ties by code",
			old:  []jury.Report{base, other, diffReport("11-1011.00", 30), diffReport("13-1011.00", 30)},
			new: []jury.Report{
				edit(base, func(r *jury.Report) { r.Headline = 80 }),
				edit(other, func(r *jury.Report) { task(r, "22886").Score = 79 }),
				edit(diffReport("13-1011.00", 30), func(r *jury.Report) { r.Headline = 33 }),
				edit(diffReport("11-1011.00", 30), func(r *jury.Report) { r.Headline = 27 }),
			},
			wantSummary: "4 of 4 occupations changed; largest: 43-9061.00 task 22886 59 → 79", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				var codes []string
				for _, o := range res.Occupations {
					codes = append(codes, o.Code)
				}
				require.Equal(t, []string{"43-9061.00", "11-1011.00", "13-1011.00", "29-2072.00"}, codes)
				require.Equal(t, 1, res.Failing())
			},
		},
		{
			name: "the summary names the change that fails, not a larger one that passes",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) {
				task(r, "22892").Score = 40      // 43 points, passes when failing on labels only
				task(r, "22886").Label = jury.E1 // 20 points, fails
			})},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindLabel}},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 task 22886 59, E2 → E1", wantFails: true,
		},
		{
			name: "the summary names the occupation that fails, before a larger one that passes",
			old:  []jury.Report{base, other}, new: []jury.Report{
				edit(base, func(r *jury.Report) { task(r, "22892").Score = 40 }),
				edit(other, func(r *jury.Report) { task(r, "22886").Label = jury.E1 }),
			},
			opts:        jury.DiffOptions{FailOn: []jury.ChangeKind{jury.KindLabel}},
			wantSummary: "2 of 2 occupations changed; largest: 43-9061.00 task 22886 59, E2 → E1", wantFails: true,
			check: func(t *testing.T, res jury.DiffResult) {
				require.Equal(t, "29-2072.00", res.Occupations[0].Code, "the list stays largest first")
			},
		},
		{
			name: "a headline move ties with a task move and is named first",
			old:  []jury.Report{base}, new: []jury.Report{edit(base, func(r *jury.Report) {
				r.Headline = 90
				task(r, "22892").Score = 90
			})},
			wantSummary: "1 of 1 occupation changed; largest: 29-2072.00 headline 83 → 90", wantFails: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := jury.Diff(tc.old, tc.new, tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.wantSummary, res.Summary())
			require.Equal(t, tc.wantFails, res.Failed())
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestDiffRejectsReportsItCannotCompare(t *testing.T) {
	base := diffReport("29-2072.00", 83)
	cases := []struct {
		name     string
		old, new []jury.Report
		opts     jury.DiffOptions
		wantErr  string
	}{
		{"schema mismatch", []jury.Report{base}, []jury.Report{edit(base, func(r *jury.Report) { r.SchemaVersion = 4 })}, jury.DiffOptions{},
			"new report 29-2072.00 has schema_version 4, this jury compares 1 to 3"},
		{"no schema version", []jury.Report{edit(base, func(r *jury.Report) { r.SchemaVersion = 0 })}, []jury.Report{base}, jury.DiffOptions{},
			"old report 29-2072.00 has schema_version 0"},
		{"occupation twice", []jury.Report{base, base}, []jury.Report{base}, jury.DiffOptions{},
			"occupation 29-2072.00 appears twice on the old side"},
		{"task twice", []jury.Report{base}, []jury.Report{edit(base, func(r *jury.Report) { r.Tasks[1].ID = "22892" })}, jury.DiffOptions{},
			"new report 29-2072.00 lists task 22892 twice"},
		{"unknown kind", []jury.Report{base}, []jury.Report{base}, jury.DiffOptions{FailOn: []jury.ChangeKind{"quote"}},
			`change kind "quote"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jury.Diff(tc.old, tc.new, tc.opts)
			require.ErrorIs(t, err, jury.ErrInvalid)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestParseChangeKinds(t *testing.T) {
	cases := []struct {
		in      string
		want    []jury.ChangeKind
		wantErr string
	}{
		{"headline,task,label,edit", jury.ChangeKinds, ""},
		{"headline,task,label", []jury.ChangeKind{jury.KindHeadline, jury.KindTask, jury.KindLabel}, ""},
		{" label , headline,label", []jury.ChangeKind{jury.KindLabel, jury.KindHeadline}, ""},
		{"task", []jury.ChangeKind{jury.KindTask}, ""},
		{"", nil, "no change kind"},
		{" , ", nil, "no change kind"},
		{"headline,quote", nil, `change kind "quote": want headline, task, label or edit`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := jury.ParseChangeKinds(tc.in)
			if tc.wantErr != "" {
				require.True(t, errors.Is(err, jury.ErrInvalid))
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNewDiffOptionsReadsTheFlags(t *testing.T) {
	cases := []struct {
		name      string
		tolerance int
		failOn    string
		want      jury.DiffOptions
		wantErr   string
	}{
		{"the defaults", jury.DefaultTolerance, "headline,task,label,edit", jury.DiffOptions{Tolerance: 5, FailOn: jury.ChangeKinds}, ""},
		{"a wider tolerance", 10, "label", jury.DiffOptions{Tolerance: 10, FailOn: []jury.ChangeKind{jury.KindLabel}}, ""},
		{"0 fails any move", 0, "task", jury.DiffOptions{Tolerance: jury.NoTolerance, FailOn: []jury.ChangeKind{jury.KindTask}}, ""},
		{"a negative tolerance", -1, "task", jury.DiffOptions{}, "--tolerance -1: want 0 or more points"},
		{"an unknown kind", 5, "quote", jury.DiffOptions{}, `--fail-on "quote": change kind "quote": want headline, task, label or edit`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jury.NewDiffOptions(tc.tolerance, tc.failOn)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
