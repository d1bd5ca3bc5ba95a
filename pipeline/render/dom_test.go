package render_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseHTML parses a page as a browser would.
func parseHTML(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	require.NoError(t, err)
	return doc
}

// findAll returns the elements under n, in document order, for which
// match holds.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// tag matches elements by name.
func tag(a atom.Atom) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.DataAtom == a }
}

// tagClass matches elements by name and one of their classes.
func tagClass(a atom.Atom, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.DataAtom == a && hasClass(n, class) }
}

// svgClass matches SVG elements, which have no atom, by name and class.
func svgClass(name, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Namespace == "svg" && n.Data == name && hasClass(n, class) }
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// attr returns an attribute's value, or "" when it is absent.
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// textOf returns the text under n, as a reader sees it: text nodes joined,
// runs of white space made one space.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// texts returns textOf each node.
func texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = textOf(n)
	}
	return out
}

// only returns the one element under n that match picks.
func only(t *testing.T, n *html.Node, match func(*html.Node) bool, what string) *html.Node {
	t.Helper()
	ns := findAll(n, match)
	require.Len(t, ns, 1, "want exactly one %s", what)
	return ns[0]
}

// urlAttrs are the attributes that make a browser load or go somewhere.
var urlAttrs = map[string]bool{"href": true, "src": true, "srcset": true, "action": true, "formaction": true, "data": true, "poster": true, "xlink:href": true, "background": true, "ping": true}

// requireSelfContained checks that a page loads nothing from elsewhere:
// no external script, style sheet, font, frame or image, and no http(s)
// URL but the CC BY 4.0 licence link.
func requireSelfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	const license = "https://creativecommons.org/licenses/by/4.0/"
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		switch n.DataAtom {
		case atom.Script:
			require.False(t, hasAttr(n, "src"), "a <script src> loads code")
		case atom.Link:
			require.Failf(t, "a <link> element", "rel=%q href=%q: pages link no style sheet, font or icon", attr(n, "rel"), attr(n, "href"))
		case atom.Iframe, atom.Object, atom.Embed, atom.Img, atom.Base, atom.Form:
			require.Failf(t, "an element that loads or sends", "<%s>", n.Data)
		}
		for _, a := range n.Attr {
			require.False(t, strings.HasPrefix(a.Key, "on"), "event handler attribute %s", a.Key)
			if !urlAttrs[a.Key] {
				continue
			}
			v := strings.ToLower(strings.TrimSpace(a.Val))
			require.False(t, strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:"), "%s=%q", a.Key, a.Val)
			if strings.Contains(v, ":") || strings.HasPrefix(v, "//") {
				require.Equal(t, atom.A, n.DataAtom, "%s=%q on <%s>", a.Key, a.Val, n.Data)
				require.Equal(t, license, a.Val, "the only absolute URL is the licence")
			}
		}
	}
	for _, s := range findAll(doc, tag(atom.Style)) {
		css := strings.ToLower(textOf(s))
		for _, bad := range []string{"url(", "@import", "@font-face", "http", "//fonts", "cdn"} {
			require.NotContains(t, css, bad, "the style sheet loads nothing")
		}
	}
	for _, s := range findAll(doc, tag(atom.Script)) {
		js := strings.ToLower(textOf(s))
		for _, bad := range []string{"http", "fetch(", "xmlhttprequest", "import(", "eval(", "innerhtml"} {
			require.NotContains(t, js, bad, "the script loads and injects nothing")
		}
	}
}

// requireCSP checks the page's Content-Security-Policy: nothing loads by
// default, and the inline style (and script, if any) are allowed by hash.
func requireCSP(t *testing.T, doc *html.Node) {
	t.Helper()
	meta := only(t, doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Meta && strings.EqualFold(attr(n, "http-equiv"), "Content-Security-Policy")
	}, "CSP meta")
	csp := attr(meta, "content")
	require.Contains(t, csp, "default-src 'none'")
	hash := func(n *html.Node) string {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(c.Data)
		}
		sum := sha256.Sum256([]byte(b.String()))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	style := only(t, doc, tag(atom.Style), "<style>")
	require.Contains(t, csp, "style-src "+hash(style))
	scripts := findAll(doc, tag(atom.Script))
	if len(scripts) == 0 {
		require.NotContains(t, csp, "script-src", "a page without script allows none")
		return
	}
	require.Len(t, scripts, 1)
	require.Contains(t, csp, "script-src "+hash(scripts[0]))
	require.NotContains(t, csp, "unsafe-inline")
}
