package render

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fast paths of Plain and Markdown (text that needs no change) give
// what the rune-by-rune copies give, on text that is plain already and on
// text that only looks it.
func TestPlainAndMarkdownFastPaths(t *testing.T) {
	for _, s := range []string{
		"", "a", "Plain words, one space apart.", "Curly “quotes” and ‘single’ ones’ — and a dash…",
		"Thinks 83 % is about right.", " leading", "trailing ", "two  spaces", "tab\there", "line\nbreak",
		"no\u00a0break", "thin\u2009space", "line\u2028separator", "next\u0085line", "ideographic\u3000space",
		"bidi \u202eoverride", "mark \u200e here", "esc \x1b[31mred", "del \x7f", "c1 \u0090 control",
		"invalid \xff byte", "replacement \ufffd char", "zero\x00width", "é accent", "日本語",
		"# heading", "- item", "+ item", "= rule", "1. list", "12) list", "2024 was a year", "3 tasks",
		"a_b", "a*b", "[link]", "<b>", "a|b", "~x", "&amp;", "me@example.com", "http://example.com", "see WWW.example",
		"wwW.x", "a.www", "ww.w", "50 %", "under 30 % of",
	} {
		want := plainCopy(s)
		if plainAlready(s) {
			require.Equal(t, want, s, "%q is not plain already", s)
		}
		p := Plain(s)
		require.Equal(t, want, p, "Plain(%q)", s)
		wantMD := markdownEscape(p)
		if markdownAlready(p) {
			require.Equal(t, wantMD, p, "%q needs escaping for Markdown", p)
		}
		require.Equal(t, wantMD, Markdown(s), "Markdown(%q)", s)
	}
}

// indentCompact indents what json.Marshal writes byte for byte as
// json.Indent does: empty objects and arrays, strings holding brackets,
// commas, colons, quotes and backslashes, and whole reports.
func TestIndentCompactIsJSONIndent(t *testing.T) {
	docs := []any{
		map[string]any{}, []any{}, "", 0, nil, true,
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "x", nil, []any{[]any{}}}},
		[]any{`{"not": [an, object]}`, `back\slash "quoted" \"`, "tab\tline\nend", "“curly” ‘quotes’ é 日本", "<b>&amp;</b>"},
		map[string]any{"nested": map[string]any{"deeper": map[string]any{"deepest": []any{map[string]any{"k": "v"}}}}},
	}
	for _, name := range []string{"../../fixtures/golden/29-2072.00/report.json", "../../fixtures/golden/25-2057.00/report.json"} {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(data, &doc))
		docs = append(docs, doc)
	}
	for _, doc := range docs {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(doc))
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, b.Bytes(), "", "  "))
		require.Equal(t, want.String(), string(indentCompact(nil, b.Bytes())))
	}
}
