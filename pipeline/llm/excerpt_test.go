package llm_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
)

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"short text stays", "I can't help.", 20, "I can't help."},
		{"lines and runs of spaces become one space", "one\n\ntwo  \tthree", 20, "one two three"},
		{"cut after max runes", "ééééé", 3, "ééé…"},
		{"invalid UTF-8 dropped", "ok\xff\xfe fine", 20, "ok fine"},
		{"a huge body is cut before it is read whole", strings.Repeat("x ", 1<<20), 5, "x x x…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, llm.Excerpt(tc.in, tc.max))
		})
	}
}
