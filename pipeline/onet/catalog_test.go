package onet_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/onet"
)

// The header of the shared onet_tasks.tsv: a leading unnamed index column.
const sharedHeader = "\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\tcoreweight\tequalweight\n"

// The header of O*NET's release 30.x Task Statements.txt: no Title.
const onet30Header = "O*NET-SOC Code\tTask ID\tTask\tTask Type\tIncumbents Responding\tDate\tDomain Source\n"

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// copyFile copies src into dir under its base name and returns the new path.
func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	return writeFile(t, dir, filepath.Base(src), string(data))
}

// taskIDs lists an occupation's task IDs in file order.
func taskIDs(o jury.Occupation) []string {
	ids := make([]string, len(o.Tasks))
	for i, t := range o.Tasks {
		ids[i] = t.ID
	}
	return ids
}

// taskTypes lists an occupation's task types in file order.
func taskTypes(o jury.Occupation) []jury.TaskType {
	types := make([]jury.TaskType, len(o.Tasks))
	for i, t := range o.Tasks {
		types[i] = t.Type
	}
	return types
}

// wantOccupation is what a test expects of one occupation of a catalog.
type wantOccupation struct {
	code  string
	title string
	ids   []string
	types []jury.TaskType
}

func requireCatalog(t *testing.T, c *onet.Catalog, want []wantOccupation) {
	t.Helper()
	codes := make([]string, len(want))
	for i, w := range want {
		codes[i] = w.code
	}
	require.Equal(t, codes, c.Codes(), "occupation codes, sorted")
	require.Equal(t, len(want), c.Len())
	for _, w := range want {
		o, err := c.Occupation(w.code)
		require.NoError(t, err)
		require.Equal(t, w.code, o.Code)
		require.Equal(t, w.title, o.Title, "title of %s", w.code)
		require.Equal(t, w.ids, taskIDs(o), "task IDs of %s, in file order", w.code)
		require.Equal(t, w.types, taskTypes(o), "task types of %s", w.code)
		require.NoError(t, o.Validate(), "an occupation read from a catalog is valid input for a verdict")
	}
}

func TestReadCatalog(t *testing.T) {
	onet30 := filepath.Join("testdata", "onet30")
	release30 := []wantOccupation{
		{"11-1011.00", "Chief Executives", []string{"8823", "8831"}, []jury.TaskType{jury.Core, jury.Supplemental}},
		{"15-1252.00", "Software Developers", []string{"16363"}, []jury.TaskType{jury.Core}},
		{"29-2072.00", "Medical Records Specialists", []string{"22877", "22878"}, []jury.TaskType{jury.Unrated, jury.Unrated}},
	}
	tests := []struct {
		name string
		// setup returns the task file and the occupations file to read.
		setup func(t *testing.T) (tasks, occupations string)
		want  []wantOccupation
	}{
		{
			name: "shared onet_tasks.tsv shape",
			setup: func(t *testing.T) (string, string) {
				return filepath.Join("testdata", "onet_tasks.tsv"), ""
			},
			want: []wantOccupation{
				{"11-1011.00", "Chief Executives", []string{"8823", "8831"}, []jury.TaskType{jury.Core, jury.Supplemental}},
				{"15-1252.00", "Software Developers", []string{"16363"}, []jury.TaskType{jury.Core}},
				{"29-2072.00", "Medical Records Specialists", []string{"22877", "22878", "22879"}, []jury.TaskType{jury.Unrated, jury.Unrated, jury.Unrated}},
			},
		},
		{
			name: "O*NET 30 Task Statements.txt with Occupation Data.txt beside it",
			setup: func(t *testing.T) (string, string) {
				return filepath.Join(onet30, "Task Statements.txt"), ""
			},
			want: release30,
		},
		{
			name: "O*NET 30 Task Statements.txt with the occupations file named explicitly",
			setup: func(t *testing.T) (string, string) {
				tasks := copyFile(t, filepath.Join(onet30, "Task Statements.txt"), t.TempDir())
				return tasks, filepath.Join(onet30, "Occupation Data.txt")
			},
			want: release30,
		},
		{
			name: "an occupations file named explicitly wins over the one beside",
			setup: func(t *testing.T) (string, string) {
				return filepath.Join(onet30, "Task Statements.txt"), filepath.Join("testdata", "renamed-titles.txt")
			},
			want: []wantOccupation{
				{"11-1011.00", "CEOs", []string{"8823", "8831"}, []jury.TaskType{jury.Core, jury.Supplemental}},
				{"15-1252.00", "Programmers", []string{"16363"}, []jury.TaskType{jury.Core}},
				{"29-2072.00", "Health Information Technicians", []string{"22877", "22878"}, []jury.TaskType{jury.Unrated, jury.Unrated}},
			},
		},
		{
			name: "a Title column makes an occupations file unnecessary",
			setup: func(t *testing.T) (string, string) {
				return filepath.Join("testdata", "onet_tasks.tsv"), filepath.Join(t.TempDir(), "absent.txt")
			},
			want: []wantOccupation{
				{"11-1011.00", "Chief Executives", []string{"8823", "8831"}, []jury.TaskType{jury.Core, jury.Supplemental}},
				{"15-1252.00", "Software Developers", []string{"16363"}, []jury.TaskType{jury.Core}},
				{"29-2072.00", "Medical Records Specialists", []string{"22877", "22878", "22879"}, []jury.TaskType{jury.Unrated, jury.Unrated, jury.Unrated}},
			},
		},
		{
			name: "CRLF line endings, a UTF-8 BOM and blank lines",
			setup: func(t *testing.T) (string, string) {
				content := "\ufeff" + strings.ReplaceAll(sharedHeader+
					"0\t29-2072.00\t22877.0\tAssign the patient to diagnosis-related groups.\t\tMedical Records Specialists\t1\t1\n"+
					"\n"+
					"1\t29-2072.00\t22878.0\tCompile and maintain patients' medical records.\tCore\tMedical Records Specialists\t2\t1\n"+
					"2\t11-1011.00\t8823.0\tDirect or coordinate budget activities.\tsupplemental\tChief Executives\t1\t1\n"+
					"\n", "\n", "\r\n")
				return writeFile(t, t.TempDir(), "tasks.tsv", content), ""
			},
			want: []wantOccupation{
				{"11-1011.00", "Chief Executives", []string{"8823"}, []jury.TaskType{jury.Supplemental}},
				{"29-2072.00", "Medical Records Specialists", []string{"22877", "22878"}, []jury.TaskType{jury.Unrated, jury.Core}},
			},
		},
		{
			name: "columns in another order, extra spaces around values",
			setup: func(t *testing.T) (string, string) {
				content := "Title\tTask Type\tTask\tTask ID\tO*NET-SOC Code\n" +
					" Chief Executives \t Core \t Direct or coordinate budget activities. \t 8823 \t 11-1011.00 \n"
				return writeFile(t, t.TempDir(), "tasks.tsv", content), ""
			},
			want: []wantOccupation{
				{"11-1011.00", "Chief Executives", []string{"8823"}, []jury.TaskType{jury.Core}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks, occupations := tt.setup(t)
			c, err := onet.ReadCatalog(tasks, occupations)
			require.NoError(t, err)
			require.Equal(t, tasks, c.Source)
			requireCatalog(t, c, tt.want)
		})
	}
}

func TestReadCatalogTaskText(t *testing.T) {
	c, err := onet.ReadCatalog(filepath.Join("testdata", "onet30", "Task Statements.txt"), "")
	require.NoError(t, err)
	o, err := c.Occupation("29-2072.00")
	require.NoError(t, err)
	require.Equal(t, []jury.Task{
		{ID: "22877", Text: "Assign the patient to diagnosis-related groups (DRGs), using computer software.", Type: jury.Unrated},
		{ID: "22878", Text: "Compile and maintain patients' medical records.", Type: jury.Unrated},
	}, o.Tasks)

	// Codes returns a copy: a caller cannot reorder the catalog.
	codes := c.Codes()
	codes[0] = "99-9999.00"
	require.Equal(t, "11-1011.00", c.Codes()[0])
}

func TestReadCatalogErrors(t *testing.T) {
	row := func(code, id, text, typ, title string) string {
		return "0\t" + code + "\t" + id + "\t" + text + "\t" + typ + "\t" + title + "\t1\t1\n"
	}
	good := row("29-2072.00", "22877.0", "Assign DRGs.", "", "Medical Records Specialists")
	tests := []struct {
		name string
		// setup returns the task file and the occupations file to read.
		setup func(t *testing.T, dir string) (tasks, occupations string)
		// want are the substrings the message must contain; {tasks} and
		// {occupations} stand for the paths.
		want []string
		// missingColumn says the error wraps onet.ErrMissingColumn.
		missingColumn bool
	}{
		{
			name: "missing task file",
			setup: func(t *testing.T, dir string) (string, string) {
				return filepath.Join(dir, "no-such-tasks.tsv"), ""
			},
			want: []string{"{tasks}: no such file"},
		},
		{
			name: "missing Task Type column",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", "O*NET-SOC Code\tTask ID\tTask\tTitle\n29-2072.00\t22877\tAssign DRGs.\tMedical Records Specialists\n"), ""
			},
			want:          []string{"{tasks}:1:", `"Task Type"`},
			missingColumn: true,
		},
		{
			name: "missing code and task ID columns are both named",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", "Code\tID\tTask\tTask Type\tTitle\n29-2072.00\t22877\tAssign DRGs.\tCore\tMedical Records Specialists\n"), ""
			},
			want:          []string{"{tasks}:1:", `"O*NET-SOC Code", "Task ID"`},
			missingColumn: true,
		},
		{
			name: "a comma-separated file",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.csv", "O*NET-SOC Code,Task ID,Task,Task Type,Title\n29-2072.00,22877,Assign DRGs.,Core,Medical Records Specialists\n"), ""
			},
			want:          []string{"{tasks}:1:", `"O*NET-SOC Code"`},
			missingColumn: true,
		},
		{
			name: "a row with a missing field",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+"1\t29-2072.00\t22878.0\tCompile records.\tMedical Records Specialists\t1\t1\n"), ""
			},
			want: []string{"{tasks}:3:", "7 fields, header has 8"},
		},
		{
			name: "a row with an extra tab",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+"\n"+good+"1\t29-2072.00\t22878.0\tCompile\trecords.\t\tMedical Records Specialists\t1\t1\n"), ""
			},
			want: []string{"{tasks}:4:", "9 fields, header has 8"},
		},
		{
			name: "a task ID that is not a number",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+row("29-2072.00", "T-22878", "Compile records.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:3:", `"T-22878"`},
		},
		{
			name: "a task ID of zero",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+row("29-2072.00", "0.0", "Compile records.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:2:", "task ID", "positive integer"},
		},
		{
			name: "an empty task ID",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+row("29-2072.00", "", "Compile records.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:2:", `task ID ""`},
		},
		{
			name: "a task type that is not core, supplemental or n/a",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+row("29-2072.00", "22878.0", "Compile records.", "Primary", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:3:", `"Primary"`, "core, supplemental or n/a"},
		},
		{
			name: "a code that is not an O*NET-SOC code",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+row("29-2072", "22877.0", "Assign DRGs.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:2:", `"29-2072"`},
		},
		{
			name: "a task without text",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+row("29-2072.00", "22878.0", "  ", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:3:", "task 22878 has no text"},
		},
		{
			name: "the same task twice in an occupation",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+row("29-2072.00", "22878.0", "Compile records.", "", "Medical Records Specialists")+row("29-2072.00", "22877", "Assign DRGs again.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:4:", "task 22877 of 29-2072.00 appears twice (first on line 2)"},
		},
		{
			name: "Latin-1 task text",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+row("29-2072.00", "22878.0", "Code caf\xe9 menus.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:3: byte 0xE9 at column", "is not UTF-8", "--input-encoding latin1"},
		},
		{
			name: "a terminal escape in a title",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+row("43-9021.00", "11402.0", "Enter data.", "", "Data \x1b[31mEntry Keyers")), ""
			},
			want: []string{"{tasks}:2:", "the title of 43-9021.00 holds a control character (U+001B): remove it from the file"},
		},
		{
			name: "a control character in task text",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+good+row("29-2072.00", "22878.0", "Ring the bell\a.", "", "Medical Records Specialists")), ""
			},
			want: []string{"{tasks}:3:", "task 22878 text holds a control character (U+0007)"},
		},
		{
			name: "an empty title",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader+row("29-2072.00", "22877.0", "Assign DRGs.", "", " ")), ""
			},
			want: []string{"{tasks}:2:", "29-2072.00 has an empty title"},
		},
		{
			name: "an empty file",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", ""), ""
			},
			want: []string{"{tasks}: empty file"},
		},
		{
			name: "a file of blank lines",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", "\r\n\n  \n"), ""
			},
			want: []string{"{tasks}: empty file"},
		},
		{
			name: "a header and no tasks",
			setup: func(t *testing.T, dir string) (string, string) {
				return writeFile(t, dir, "tasks.tsv", sharedHeader), ""
			},
			want: []string{"{tasks}: no tasks"},
		},
		{
			name: "no Title column and no Occupation Data.txt beside",
			setup: func(t *testing.T, dir string) (string, string) {
				return copyFile(t, filepath.Join("testdata", "onet30", "Task Statements.txt"), dir), ""
			},
			want: []string{"{tasks}:1:", `no "Title" column`, "Occupation Data.txt", "--occupations"},
		},
		{
			name: "the occupations file named explicitly is missing",
			setup: func(t *testing.T, dir string) (string, string) {
				return filepath.Join("testdata", "onet30", "Task Statements.txt"), filepath.Join(dir, "Occupation Data.txt")
			},
			want: []string{"{occupations}: no such file"},
		},
		{
			name: "the occupations file lacks a Title column",
			setup: func(t *testing.T, dir string) (string, string) {
				tasks := copyFile(t, filepath.Join("testdata", "onet30", "Task Statements.txt"), dir)
				writeFile(t, dir, "Occupation Data.txt", "O*NET-SOC Code\tName\n29-2072.00\tMedical Records Specialists\n")
				return tasks, ""
			},
			want:          []string{"Occupation Data.txt:1:", `"Title"`},
			missingColumn: true,
		},
		{
			name: "the occupations file lacks a task's occupation",
			setup: func(t *testing.T, dir string) (string, string) {
				tasks := writeFile(t, dir, "Task Statements.txt", onet30Header+"29-2072.00\t22877\tAssign DRGs.\tn/a\tn/a\t08/2024\tAnalyst\n")
				return tasks, writeFile(t, dir, "titles.txt", "O*NET-SOC Code\tTitle\tDescription\n11-1011.00\tChief Executives\tLead.\n")
			},
			want: []string{"{tasks}:2:", "29-2072.00 has no title in {occupations}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks, occupations := tt.setup(t, t.TempDir())
			c, err := onet.ReadCatalog(tasks, occupations)
			require.Error(t, err)
			require.Nil(t, c)
			require.ErrorIs(t, err, jury.ErrInvalid, "bad input maps to exit code 2")
			require.Equal(t, tt.missingColumn, errors.Is(err, onet.ErrMissingColumn), "errors.Is(err, ErrMissingColumn) for %v", err)
			msg := err.Error()
			require.NotContains(t, msg, "\n", "errors are one line")
			require.NotContains(t, msg, "invalid input", "the ErrInvalid mark adds nothing to the message")
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "{tasks}", tasks)
				w = strings.ReplaceAll(w, "{occupations}", occupations)
				require.Contains(t, msg, w)
			}
		})
	}
}

func TestCatalogOccupationErrors(t *testing.T) {
	path := filepath.Join("testdata", "onet_tasks.tsv")
	c, err := onet.ReadCatalog(path, "")
	require.NoError(t, err)
	tests := []struct {
		code string
		want []string
	}{
		{"29-1141.00", []string{"29-1141.00", path, "3 occupations"}},
		{"29-2072", []string{`"29-2072"`, "29-2072.00"}},
		{"", []string{`""`}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			o, err := c.Occupation(tt.code)
			require.ErrorIs(t, err, jury.ErrInvalid)
			require.Zero(t, o)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

// moduleRoot returns the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test directory")
		dir = parent
	}
}

// sharedData returns ../shared/data/gpts-are-gpts beside the module root,
// or skips the test when it is absent, so that a fresh clone passes.
func sharedData(t *testing.T) string {
	t.Helper()
	data := filepath.Join(moduleRoot(t), "..", "shared", "data", "gpts-are-gpts")
	if _, err := os.Stat(filepath.Join(data, "onet_tasks.tsv")); err != nil {
		t.Skip("../shared/data/gpts-are-gpts absent: " + err.Error())
	}
	return data
}

func TestReadCatalogSharedData(t *testing.T) {
	path := filepath.Join(sharedData(t), "onet_tasks.tsv")
	c, err := onet.ReadCatalog(path, "")
	require.NoError(t, err)
	require.Equal(t, 923, c.Len(), "occupations")
	total := 0
	for _, code := range c.Codes() {
		o, err := c.Occupation(code)
		require.NoError(t, err)
		require.NoError(t, o.Validate())
		total += len(o.Tasks)
	}
	require.Equal(t, 19265, total, "tasks")

	o, err := c.Occupation("29-2072.00")
	require.NoError(t, err)
	require.Equal(t, "Medical Records Specialists", o.Title)
	require.Len(t, o.Tasks, 17)
	for _, task := range o.Tasks {
		require.Equal(t, jury.Unrated, task.Type, "task %s", task.ID)
	}
	require.Equal(t, "22877", o.Tasks[0].ID)

	// The shipped fixture is this occupation as the catalog reads it.
	fixture, err := onet.ReadOccupationFile(filepath.Join(moduleRoot(t), "fixtures", "occupations", "29-2072.00.json"))
	require.NoError(t, err)
	require.Equal(t, o, fixture)
}

func TestTaskFileOccupation(t *testing.T) {
	path := filepath.Join("testdata", "onet_tasks.tsv")
	whole, err := onet.ReadCatalog(path, "")
	require.NoError(t, err)
	for _, code := range whole.Codes() {
		o, err := onet.TaskFile{Path: path}.Occupation(code)
		require.NoError(t, err)
		want, err := whole.Occupation(code)
		require.NoError(t, err)
		require.Equal(t, want, o, "one occupation read alone is the catalog's")
	}

	tests := []struct {
		code string
		want []string
	}{
		{"29-1141.00", []string{"occupation 29-1141.00 is not in " + path + " (3 occupations): check the code"}},
		{"29-2072", []string{`"29-2072" is not an O*NET-SOC code like 29-2072.00`}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			_, err := onet.TaskFile{Path: path}.Occupation(tt.code)
			require.ErrorIs(t, err, jury.ErrInvalid)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestTaskFileCodesAndSelect(t *testing.T) {
	tf := onet.TaskFile{Path: filepath.Join("testdata", "onet_tasks.tsv")}
	whole, err := tf.Catalog()
	require.NoError(t, err)
	codes, err := tf.Codes()
	require.NoError(t, err)
	require.Equal(t, whole.Codes(), codes)

	c, err := tf.Select([]string{"29-2072.00", "11-1011.00"})
	require.NoError(t, err)
	require.Equal(t, []string{"11-1011.00", "29-2072.00"}, c.Codes(), "only the selected occupations are held")
	for _, code := range c.Codes() {
		o, err := c.Occupation(code)
		require.NoError(t, err)
		want, err := whole.Occupation(code)
		require.NoError(t, err)
		require.Equal(t, want, o)
	}
	_, err = c.Occupation("15-1252.00")
	require.ErrorContains(t, err, "occupation 15-1252.00 is not in testdata/onet_tasks.tsv (3 occupations)")
}

func TestTaskFileLatin1(t *testing.T) {
	dir := t.TempDir()
	tasks := writeFile(t, dir, "tasks.tsv", "\ufeff"+sharedHeader+"0\t29-2072.00\t1\tCode caf\xe9 menus.\t\tM\xe9decins\t1\t1\n")
	_, err := onet.TaskFile{Path: tasks}.Occupation("29-2072.00")
	require.ErrorContains(t, err, tasks+":2: byte 0xE9 at column 24 is not UTF-8")

	o, err := onet.TaskFile{Path: tasks, Encoding: onet.Latin1}.Occupation("29-2072.00")
	require.NoError(t, err)
	require.Equal(t, "Médecins", o.Title)
	require.Equal(t, "Code café menus.", o.Tasks[0].Text)
}

func TestReadCatalogSharedDataQuotedText(t *testing.T) {
	path := filepath.Join(sharedData(t), "onet_tasks.tsv")
	c, err := onet.ReadCatalog(path, "")
	require.NoError(t, err)
	for _, code := range c.Codes() {
		o, err := c.Occupation(code)
		require.NoError(t, err)
		for _, task := range o.Tasks {
			require.NotContains(t, task.Text, `""`, "task %s of %s", task.ID, code)
			require.False(t, strings.HasPrefix(task.Text, `"`) && strings.HasSuffix(task.Text, `"`), "task %s of %s keeps its CSV quotes: %s", task.ID, code, task.Text)
		}
	}
	o, err := onet.TaskFile{Path: path}.Occupation("11-1031.00")
	require.NoError(t, err)
	task, ok := o.Task("15287")
	require.True(t, ok)
	require.Equal(t, `Conduct "head counts" to help predict the outcome of upcoming votes.`, task.Text)
}

// writeTasks writes a task file of one occupation with n tasks, the last
// one repeating the first when dup is set.
func writeTasks(tb testing.TB, dir string, n int, dup bool) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(sharedHeader)
	for i := 1; i <= n; i++ {
		id := i
		if dup && i == n {
			id = 1
		}
		fmt.Fprintf(&b, "%d\t29-2072.00\t%d\tTask number %d of a long list.\tCore\tMedical Records Specialists\t2\t1\n", i, id, i)
	}
	path := filepath.Join(dir, "tasks.tsv")
	require.NoError(tb, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestReadCatalogManyTasks(t *testing.T) {
	// Far more tasks than a verdict takes are read, and the duplicate
	// found, in linear time (BenchmarkReadCatalog100kTasks times 100,000).
	dir := t.TempDir()
	c, err := onet.ReadCatalog(writeTasks(t, dir, 20_000, false), "")
	require.NoError(t, err)
	o, err := c.Occupation("29-2072.00")
	require.NoError(t, err)
	require.Len(t, o.Tasks, 20_000)
	require.ErrorContains(t, o.Validate(), "20000 tasks, at most 1000")

	_, err = onet.ReadCatalog(writeTasks(t, dir, 20_000, true), "")
	require.ErrorContains(t, err, ":20001: task 1 of 29-2072.00 appears twice (first on line 2)")
}

// BenchmarkReadCatalog100kTasks reads one occupation of 100,000 tasks and
// checks it for duplicates.
func BenchmarkReadCatalog100kTasks(b *testing.B) {
	path := writeTasks(b, b.TempDir(), 100_000, false)
	for b.Loop() {
		if _, err := onet.ReadCatalog(path, ""); err != nil {
			b.Fatal(err)
		}
	}
}
