package prompts

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// copyFS returns the embedded files as a map that a test may change.
func copyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(files, path)
		m[path] = &fstest.MapFile{Data: data}
		return err
	}))
	return m
}

func rendered(s *Set) string {
	var b strings.Builder
	for _, r := range s.canonicalRequests() {
		b.WriteString(r.name + "\x00" + string(r.schema.JSON) + "\x00")
		for _, m := range r.msgs {
			b.WriteString(m.Role + "\x00" + m.Content + "\x00")
		}
	}
	return b.String()
}

// TestHashFollowsEveryRenderedRequest changes one thing at a time that
// shapes a request — a template, a limit quoted in a prompt, a schema's
// description — and requires that a rendered request changed and that
// the hash changed with it: the hash cannot miss a change a model sees.
func TestHashFollowsEveryRenderedRequest(t *testing.T) {
	base, err := build(files, BuiltinPersonas(), DefaultLimits())
	require.NoError(t, err)
	baseRendered := rendered(base)
	tests := []struct {
		name  string
		build func(t *testing.T) *Set
	}{
		{"E0Max quoted in the system prompt", func(t *testing.T) *Set {
			l := DefaultLimits()
			l.E0Max = 55
			s, err := build(files, BuiltinPersonas(), l)
			require.NoError(t, err)
			return s
		}},
		{"MaxReason quoted in the ballot schema", func(t *testing.T) *Set {
			l := DefaultLimits()
			l.MaxReason = 100
			s, err := build(files, BuiltinPersonas(), l)
			require.NoError(t, err)
			return s
		}},
		{"ReactionGap quoted in the statement request", func(t *testing.T) *Set {
			l := DefaultLimits()
			l.ReactionGap = 15
			s, err := build(files, BuiltinPersonas(), l)
			require.NoError(t, err)
			return s
		}},
		{"a schema description", func(t *testing.T) *Set {
			old := schemaWords["task score"]
			schemaWords["task score"] = "share of the task AI can do, 0-100"
			t.Cleanup(func() { schemaWords["task score"] = old })
			s, err := build(files, BuiltinPersonas(), DefaultLimits())
			require.NoError(t, err)
			return s
		}},
		{"the statement template", func(t *testing.T) *Set {
			m := copyFS(t)
			m["templates/statement.tmpl"].Data = append(m["templates/statement.tmpl"].Data, " Be brief."...)
			s, err := build(m, BuiltinPersonas(), DefaultLimits())
			require.NoError(t, err)
			return s
		}},
		{"the juror's part of the statement request", func(t *testing.T) *Set {
			m := copyFS(t)
			m["templates/statement-juror.tmpl"].Data = append(m["templates/statement-juror.tmpl"].Data, " Be brief."...)
			s, err := build(m, BuiltinPersonas(), DefaultLimits())
			require.NoError(t, err)
			return s
		}},
		{"the re-ask template", func(t *testing.T) *Set {
			m := copyFS(t)
			m["templates/reask.tmpl"].Data = append([]byte("Again. "), m["templates/reask.tmpl"].Data...)
			s, err := build(m, BuiltinPersonas(), DefaultLimits())
			require.NoError(t, err)
			return s
		}},
		{"a persona's example line", func(t *testing.T) *Set {
			ps := BuiltinPersonas()
			ps[1].Example = "Another jab."
			s, err := build(files, ps, DefaultLimits())
			require.NoError(t, err)
			return s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := tt.build(t)
			require.True(t, baseRendered != rendered(changed), "the change must reach a rendered request")
			require.NotEqual(t, base.Hash(), changed.Hash(), "a rendered request changed but the hash did not")
		})
	}
}

// TestHashCoversOfflineWords: the offline juror's words reach the pages.
func TestHashCoversOfflineWords(t *testing.T) {
	base, err := build(files, BuiltinPersonas(), DefaultLimits())
	require.NoError(t, err)
	m := copyFS(t)
	m["offline/quotes.txt"].Data = append(m["offline/quotes.txt"].Data, "\n# a comment\n"...)
	other, err := build(m, BuiltinPersonas(), DefaultLimits())
	require.NoError(t, err)
	require.NotEqual(t, base.Hash(), other.Hash())
}
