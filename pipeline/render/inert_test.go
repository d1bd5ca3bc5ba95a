package render_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html/atom"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

// bidiControls are the characters that can make text read differently
// from what it says.
const bidiControls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

// inertReport carries, in every field a model writes, an event-handler
// img, a javascript: link, a bare URL, a www name, an e-mail address and
// a right-to-left override.
func inertReport() *jury.Report {
	r := sampleReport()
	r.Jurors[0].Quote = `<img src=x onerror=alert(1)>`
	r.Jurors[1].Quote = `[x](javascript:alert(1))`
	r.Jurors[3].Quote = "See https://evil.example/login, www.evil.example or bob@evil.example"
	r.Summary = "Text that reads back\u202etxt.exe\u202c with \u2066isolates\u2069 and \u061cmarks\u200f."
	r.Tasks[0].Rationale = `<img src=x onerror=alert(1)> [x](javascript:alert(1)) <https://evil.example> http://evil.example`
	return r
}

func TestMarkdownPageUntrustedTextIsInert(t *testing.T) {
	b, err := render.MarkdownPage(inertReport())
	require.NoError(t, err)
	page := string(b)

	require.Contains(t, page, `> “\<img src=x onerror=alert(1)\>”`)
	require.Contains(t, page, `> “\[x\](javascript:alert(1))”`)
	require.Contains(t, page, `> “See https\://evil.example/login, www\.evil.example or bob\@evil.example”`)
	require.Contains(t, page, "   \\<img src=x onerror=alert(1)\\> \\[x\\](javascript:alert(1)) \\<https\\://evil.example\\> http\\://evil.example\n")
	require.Contains(t, page, "Text that reads backtxt.exe with isolates and marks.")

	require.NotRegexp(t, `(^|[^\\])<`, page, "no raw HTML")
	require.NotRegexp(t, `(^|[^\\])\]\(`, page, "no inline link")
	// What GitHub-flavoured Markdown turns into links by itself.
	require.NotRegexp(t, `(?i)(https?|ftp):/`, page, "no bare URL")
	require.NotRegexp(t, `(?i)(^|[^\\])\bwww\.`, page, "no www autolink")
	require.NotRegexp(t, `[A-Za-z0-9]@[A-Za-z0-9]`, page, "no e-mail autolink")
	require.False(t, strings.ContainsAny(page, bidiControls), "no bidirectional control")
}

func TestHTMLPageUntrustedTextIsInert(t *testing.T) {
	r := inertReport()
	page, doc := renderHTML(t, r)

	quotes := texts(findAll(doc, tag(atom.Blockquote)))
	require.Equal(t, []string{`<img src=x onerror=alert(1)>`, `[x](javascript:alert(1))`, "See https://evil.example/login, www.evil.example or bob@evil.example"}, quotes[:3], "each quote is text")
	require.Empty(t, findAll(doc, tag(atom.Img)))
	var hrefs []string
	for _, a := range findAll(doc, tag(atom.A)) {
		hrefs = append(hrefs, a.Attr[0].Val)
	}
	require.NotContains(t, strings.Join(hrefs, " "), "javascript:")
	require.NotContains(t, strings.Join(hrefs, " "), "evil")
	require.False(t, strings.ContainsAny(string(page), bidiControls), "no bidirectional control")
	require.Contains(t, textOf(doc), "Text that reads backtxt.exe with isolates and marks.")
}

func TestIndexMarkdownUntrustedFields(t *testing.T) {
	h := 50
	md := string(render.IndexMarkdown([]render.IndexRow{
		{Code: "javascript:alert(1)//", Title: "x", Status: "done", Headline: &h, Band: "<img src=x onerror=alert(1)>"},
		{Code: "29-2072.00", Title: "Medical Records Specialists", Status: "done", Headline: &h, Band: "high"},
		{Code: "<b>x</b>", Title: "y", Status: "[s](http://evil)", Error: "see www.evil.example"},
	}))
	require.Contains(t, md, "| 50\u00a0% | \\<img src=x onerror=alert(1)\\> | x | javascript:alert(1)// |\n", "an invalid code is no link target")
	require.Contains(t, md, "| 50\u00a0% | high | [Medical Records Specialists](29-2072.00/report.md) | 29-2072.00 |\n")
	require.Contains(t, md, "| \\<b\\>x\\</b\\> | y | \\[s\\](http\\://evil) | see www\\.evil.example |\n")
	require.Len(t, regexp.MustCompile(`(^|[^\\])\]\(`).FindAllString(md, -1), 1, "one link: the valid code's report")
}
