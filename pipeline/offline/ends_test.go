package offline

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
)

// TestEndsNamesACoreTaskAmongTies: the task a page calls "the core of the
// job" or "most exposed" is a core task whenever one is tied for the
// place, and the two ends are two tasks.
func TestEndsNamesACoreTaskAmongTies(t *testing.T) {
	core := func(id string) jury.Task { return jury.Task{ID: id, Type: jury.Core} }
	supp := func(id string) jury.Task { return jury.Task{ID: id, Type: jury.Supplemental} }
	cases := []struct {
		name        string
		tasks       []jury.Task // ranked: score descending
		scores      map[string]int
		top, bottom string
	}{
		{name: "no ties", tasks: []jury.Task{core("1"), core("2"), core("3")}, scores: map[string]int{"1": 70, "2": 40, "3": 0},
			top: "1", bottom: "3"},
		{name: "a supplemental task tied at the bottom gives way to a core one", tasks: []jury.Task{core("1"), supp("2"), core("3"), supp("4")},
			scores: map[string]int{"1": 70, "2": 0, "3": 0, "4": 0}, top: "1", bottom: "3"},
		{name: "the first core task tied at the bottom", tasks: []jury.Task{core("1"), core("2"), core("3")},
			scores: map[string]int{"1": 70, "2": 0, "3": 0}, top: "1", bottom: "2"},
		{name: "a core task tied at the top", tasks: []jury.Task{supp("1"), core("2"), core("3")},
			scores: map[string]int{"1": 75, "2": 75, "3": 10}, top: "2", bottom: "3"},
		{name: "all tied: two core tasks", tasks: []jury.Task{supp("1"), core("2"), core("3")},
			scores: map[string]int{"1": 0, "2": 0, "3": 0}, top: "2", bottom: "3"},
		{name: "only supplemental tasks at the bottom", tasks: []jury.Task{core("1"), supp("2"), supp("3")},
			scores: map[string]int{"1": 50, "2": 5, "3": 5}, top: "1", bottom: "2"},
		{name: "one task", tasks: []jury.Task{core("1")}, scores: map[string]int{"1": 30}, top: "1", bottom: "1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top, bottom := ends(tc.tasks, func(t jury.Task) int { return tc.scores[t.ID] })
			require.Equal(t, tc.top, top.ID)
			require.Equal(t, tc.bottom, bottom.ID)
		})
	}
}
