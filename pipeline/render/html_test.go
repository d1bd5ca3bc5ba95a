package render_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/render"
)

const (
	goldenReportPath = "../../fixtures/golden/29-2072.00/report.json"
	credit           = "Task statements: O*NET Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license"
	licenseURL       = "https://creativecommons.org/licenses/by/4.0/"
)

// goldenReport is the committed 17-task verdict on 29-2072.00.
func goldenReport(t testing.TB) *jury.Report {
	t.Helper()
	data, err := os.ReadFile(goldenReportPath)
	require.NoError(t, err)
	var r jury.Report
	require.NoError(t, json.Unmarshal(data, &r))
	return &r
}

// renderHTML renders r's report.html and parses it.
func renderHTML(t *testing.T, r *jury.Report) ([]byte, *html.Node) {
	t.Helper()
	b, err := render.HTMLPage(r)
	require.NoError(t, err)
	return b, parseHTML(t, b)
}

func TestHTMLPageStructure(t *testing.T) {
	tests := []struct {
		name   string
		report func(testing.TB) *jury.Report
	}{
		{"hand-built report with an invalid juror and a dissent", func(testing.TB) *jury.Report { return sampleReport() }},
		{"the 17-task golden report", goldenReport},
		{"offline weights", func(testing.TB) *jury.Report {
			r := sampleReport()
			r.Provenance.Weights = "exposure-v1"
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.report(t)
			page, doc := renderHTML(t, r)

			htmlEl := only(t, doc, tag(atom.Html), "<html>")
			require.Equal(t, "en", attr(htmlEl, "lang"))
			require.Contains(t, textOf(only(t, doc, tag(atom.Title), "<title>")), r.Occupation.Title)
			only(t, doc, func(n *html.Node) bool { return n.DataAtom == atom.Meta && attr(n, "name") == "viewport" }, "viewport meta")

			// Headings: the title, then the sections in the reference's order.
			require.Equal(t, []string{r.Occupation.Title}, texts(findAll(doc, tag(atom.H1))))
			jurySection := "The AI Jury"
			if render.Offline(r) {
				jurySection = "The Offline Jury" // the fixtures' golden pages: the offline juror wrote them
			}
			require.Equal(t, []string{"Summary", jurySection, "Task-by-Task Breakdown", "Provenance"}, texts(findAll(doc, tag(atom.H2))))
			require.Contains(t, textOf(doc), r.Occupation.Code)

			// The headline: a gauge with a text alternative, the number and the band.
			gauge := only(t, doc, tagClass(atom.Svg, "gauge"), "gauge")
			require.Equal(t, "img", attr(gauge, "role"))
			require.Equal(t, fmt.Sprintf("Gauge: headline score %d out of 100, band %s", r.Headline, r.Band), attr(gauge, "aria-label"))
			require.Equal(t, fmt.Sprintf("%d%%", r.Headline), textOf(only(t, doc, tagClass(atom.P, "gauge-value"), "headline number")))
			require.Equal(t, "Band: "+string(r.Band), textOf(only(t, doc, tagClass(atom.P, "headline-band"), "band")))
			require.Equal(t, r.Summary, textOf(findAll(only(t, doc, tagClass(atom.Section, "summary"), "summary"), tag(atom.P))[0]))

			// The jury: one card per juror, in the report's order; valid
			// jurors with their score and quote, the others marked not counted.
			cards := findAll(doc, tagClass(atom.Li, "juror"))
			require.Len(t, cards, len(r.Jurors))
			var wantQuotes []string
			for i, j := range r.Jurors {
				card := cards[i]
				require.Equal(t, j.Name, textOf(only(t, card, tag(atom.H3), "juror name")))
				if j.Valid {
					wantQuotes = append(wantQuotes, j.Quote)
					require.False(t, hasClass(card, "not-counted"))
					require.Equal(t, fmt.Sprintf("%d %%", j.Score), textOf(only(t, card, tagClass(atom.Span, "num"), "juror score")))
					require.Equal(t, j.Quote, textOf(only(t, card, tag(atom.Blockquote), "quote")))
					continue
				}
				require.True(t, hasClass(card, "not-counted"))
				require.Empty(t, findAll(card, tag(atom.Blockquote)), "an invalid juror's quote is not shown")
				require.Contains(t, textOf(card), "Not counted")
				require.Equal(t, j.Problems, texts(findAll(card, tag(atom.Li))))
			}
			require.Equal(t, wantQuotes, texts(findAll(doc, tag(atom.Blockquote))))

			// The breakdown: a captioned table, one row per task in the
			// report's order, each headed by its task text.
			table := only(t, doc, tagClass(atom.Table, "tasks"), "task table")
			require.Equal(t, fmt.Sprintf("The %d tasks of %s, most exposed first", len(r.Tasks), r.Occupation.Title), textOf(only(t, table, tag(atom.Caption), "caption")))
			head := only(t, table, tag(atom.Thead), "thead")
			require.Equal(t, []string{"#", "Score", "Label", "Task", "Rationale"}, texts(findAll(head, tag(atom.Th))))
			for _, th := range findAll(head, tag(atom.Th)) {
				require.Equal(t, "col", attr(th, "scope"))
			}
			rows := findAll(only(t, table, tag(atom.Tbody), "tbody"), tag(atom.Tr))
			require.Len(t, rows, len(r.Tasks))
			for i, task := range r.Tasks {
				row := rows[i]
				th := only(t, row, tag(atom.Th), "row header")
				require.Equal(t, "row", attr(th, "scope"))
				require.Equal(t, task.Text, textOf(only(t, th, tagClass(atom.Span, "task-text"), "task text")))
				cells := findAll(row, tag(atom.Td))
				require.Len(t, cells, 4)
				require.Equal(t, fmt.Sprint(i+1), textOf(cells[0]))
				require.Equal(t, fmt.Sprintf("%d %%", task.Score), textOf(cells[1]))
				bar := only(t, cells[1], tagClass(atom.Svg, "bar"), "score bar")
				require.Equal(t, fmt.Sprintf("Score %d out of 100", task.Score), attr(bar, "aria-label"))
				require.Equal(t, fmt.Sprint(task.Score), attr(only(t, bar, svgClass("rect", "bar-fill"), "bar fill"), "width"))
				require.True(t, strings.HasPrefix(textOf(cells[2]), string(task.Label)), textOf(cells[2]))
				require.Equal(t, task.Rationale, textOf(cells[3]))

				// Dissent is said in words, not only by colour.
				require.Equal(t, task.Dissent, hasClass(row, "dissent"))
				if task.Dissent {
					note := only(t, th, tagClass(atom.Span, "dissent-note"), "dissent note")
					require.True(t, strings.HasPrefix(textOf(note), "⚑ Dissent Jurors disagree:"), textOf(note))
					for _, v := range task.Votes {
						require.Contains(t, textOf(note), fmt.Sprint(v.Score))
					}
				} else {
					require.NotContains(t, textOf(row), "Dissent")
				}
			}

			// Every picture has a text alternative; decorative ones are hidden.
			for _, svg := range findAll(doc, tag(atom.Svg)) {
				require.Equal(t, "img", attr(svg, "role"))
				require.NotEmpty(t, attr(svg, "aria-label"))
			}

			// The footer: provenance and the O*NET credit with its licence link.
			footer := only(t, doc, tag(atom.Footer), "footer")
			foot := textOf(footer)
			require.Contains(t, foot, credit)
			prov := map[string]string{}
			dts, dds := findAll(footer, tag(atom.Dt)), findAll(footer, tag(atom.Dd))
			require.Len(t, dds, len(dts))
			for i := range dts {
				prov[textOf(dts[i])] = textOf(dds[i])
			}
			require.Equal(t, strings.Join(r.Provenance.Models, ", "), prov["Models"])
			require.Equal(t, r.Provenance.PromptHash, prov["Prompt hash"])
			require.Equal(t, "jury "+r.Provenance.Version, prov["Version"])
			require.Equal(t, fmt.Sprint(r.Provenance.Seed), prov["Seed"])
			require.Equal(t, fmt.Sprint(r.Provenance.Temperature), prov["Temperature"])
			require.Equal(t, r.Provenance.InputHash, prov["Input hash"])
			require.Equal(t, r.Provenance.Weights, prov["Offline weights"])
			require.Contains(t, prov["Usage"], fmt.Sprintf("%d calls", r.Usage.Calls))
			link := only(t, footer, func(n *html.Node) bool { return n.DataAtom == atom.A && strings.HasPrefix(attr(n, "href"), "http") }, "licence link")
			require.Equal(t, licenseURL, attr(link, "href"))
			require.Equal(t, "CC BY 4.0 license", textOf(link))

			// No script at all, nothing loaded from elsewhere: the only
			// http(s) anywhere in the page is the licence link.
			require.Empty(t, findAll(doc, tag(atom.Script)))
			require.Equal(t, 1, strings.Count(string(page), "http:")+strings.Count(string(page), "https:"), "one absolute URL, the licence's")
			requireSelfContained(t, doc)
			requireCSP(t, doc)
		})
	}
}

func TestHTMLPageHostileText(t *testing.T) {
	const (
		quote    = `<script>alert(1)</script><img src=x onerror=alert(2)>`
		taskText = `Close the cell </td> with *bold* text and a [link](http://x) & more`
	)
	tests := []struct {
		name string
		edit func(r *jury.Report)
		// check looks at the page beyond what every case checks.
		check func(t *testing.T, r *jury.Report, page []byte, doc *html.Node)
	}{
		{
			name: "script and img in a quote, </td> in a task",
			check: func(t *testing.T, r *jury.Report, page []byte, doc *html.Node) {
				q := only(t, findAll(doc, tagClass(atom.Li, "juror"))[0], tag(atom.Blockquote), "quote")
				p := only(t, q, tag(atom.P), "quote paragraph")
				require.Equal(t, html.TextNode, p.FirstChild.Type)
				require.Nil(t, p.FirstChild.NextSibling, "the quote is one text node")
				require.Equal(t, quote, p.FirstChild.Data)

				rows := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr && n.Parent.DataAtom == atom.Tbody })
				require.Len(t, rows, 3, "</td> does not end the row")
				text := only(t, rows[0], tagClass(atom.Span, "task-text"), "task text")
				require.Equal(t, html.TextNode, text.FirstChild.Type)
				require.Equal(t, taskText, text.FirstChild.Data)
				require.Len(t, findAll(rows[0], tag(atom.Td)), 4)
				var hrefs []string
				for _, a := range findAll(doc, tag(atom.A)) {
					hrefs = append(hrefs, attr(a, "href"))
				}
				require.Equal(t, []string{"report.json", "report.md", licenseURL}, hrefs, "no link but ours")
			},
		},
		{
			name: "terminal escapes and line breaks",
			check: func(t *testing.T, r *jury.Report, page []byte, doc *html.Node) {
				require.NotContains(t, string(page), "\x1b")
				require.NotContains(t, string(page), "\r")
				q := findAll(doc, tag(atom.Blockquote))[1]
				require.Equal(t, "Look: red and a second line and a third", textOf(q))
			},
		},
		{
			name: "markup in a juror's name lands in text and attributes as text",
			check: func(t *testing.T, r *jury.Report, page []byte, doc *html.Node) {
				card := findAll(doc, tagClass(atom.Li, "juror"))[3]
				require.Equal(t, "The *Optimist* [x](http://evil)", textOf(only(t, card, tag(atom.H3), "name")))
				require.Equal(t, "The *Optimist* [x](http://evil): 78 out of 100", attr(only(t, card, tag(atom.Svg), "bar"), "aria-label"))
			},
		},
		{
			name: "title, code, band, label and provenance try to break out",
			edit: func(r *jury.Report) {
				r.Occupation.Title = `</title><script>alert(3)</script><h1>Fake</h1>`
				r.Occupation.Code = `"><img src=x onerror=alert(4)>`
				r.Band = `very high" onmouseover="alert(5)`
				r.Tasks[1].Label = `E1"><script>alert(6)</script>`
				r.Tasks[2].Votes[0].Persona = "unknown <b>persona</b>"
				r.Provenance.Models = []string{"<style>body{display:none}</style>"}
				r.Provenance.PromptHash = `<link rel=stylesheet href=https://evil.example/x.css>`
				r.Headline = 140
			},
			check: func(t *testing.T, r *jury.Report, page []byte, doc *html.Node) {
				require.Equal(t, []string{r.Occupation.Title}, texts(findAll(doc, tag(atom.H1))))
				require.Contains(t, textOf(only(t, doc, tag(atom.Title), "title")), "</title><script>alert(3)</script>")
				require.Contains(t, textOf(doc), r.Occupation.Code)
				require.Contains(t, textOf(doc), string(r.Band))
				gauge := only(t, doc, tagClass(atom.Svg, "gauge"), "gauge")
				require.False(t, hasAttr(gauge, "onmouseover"))
				require.Equal(t, "100 100", attr(only(t, gauge, svgClass("path", "gauge-fill"), "fill"), "stroke-dasharray"), "a gauge never draws beyond 100")
				require.Contains(t, textOf(doc), `E1"><script>alert(6)</script>`)
				require.Contains(t, textOf(doc), "unknown <b>persona</b> 20")
				require.Len(t, findAll(doc, tag(atom.Style)), 1)
				require.Contains(t, textOf(doc), "<style>body{display:none}</style>")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hostileReport()
			if tt.edit != nil {
				tt.edit(r)
			}
			page, doc := renderHTML(t, r)
			for _, a := range []atom.Atom{atom.Script, atom.Img, atom.B, atom.Link} {
				require.Empty(t, findAll(doc, tag(a)), "no <%s> from report text", a)
			}
			require.Len(t, findAll(doc, tag(atom.H1)), 1)
			require.Len(t, findAll(doc, tag(atom.Blockquote)), 3)
			for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					require.False(t, strings.HasPrefix(a.Key, "on"), "<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
			requireSelfContained(t, doc)
			requireCSP(t, doc)
			if tt.check != nil {
				tt.check(t, r, page, doc)
			}
		})
	}
}

func TestHTMLPageGolden(t *testing.T) {
	b, err := render.HTMLPage(sampleReport())
	require.NoError(t, err)
	requireGolden(t, "report.html.golden", b)
}

func TestHTMLPageIsDeterministic(t *testing.T) {
	a, err := render.HTMLPage(goldenReport(t))
	require.NoError(t, err)
	for range 5 {
		b, err := render.HTMLPage(goldenReport(t))
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
	}
}

func intp(n int) *int { return &n }

// sampleIndex is a batch of six occupations: four done, in no order, one
// failed and one pending.
func sampleIndex() []render.IndexRow {
	return []render.IndexRow{
		{Code: "11-1011.00", Title: "Chief Executives", Status: "done", Headline: intp(41), Band: "moderate"},
		{Code: "15-2051.00", Title: "Data Scientists", Status: "done", Headline: intp(72), Band: "high"},
		{Code: "29-2072.00", Title: "Medical Records Specialists", Status: "done", Headline: intp(83), Band: "very high"},
		{Code: "47-2181.00", Title: "Roofers", Status: "done", Headline: intp(8), Band: "very low"},
		{Code: "23-2093.00", Title: "Title Examiners, Abstractors, and Searchers", Status: "done", Headline: intp(72), Band: "high"},
		{Code: "27-3091.00", Title: "Interpreters and Translators", Status: "failed", Error: "model error: 429 insufficient_quota: check your plan"},
		{Code: "35-9021.00", Title: "Dishwashers", Status: "pending"},
	}
}

func TestIndexHTML(t *testing.T) {
	tests := []struct {
		name      string
		rows      []render.IndexRow
		wantCodes []string // the verdicts, in the page's order
		wantOther []string // the occupations not done
	}{
		{
			name:      "sorted by headline, ties by code, then the ones not done",
			rows:      sampleIndex(),
			wantCodes: []string{"29-2072.00", "15-2051.00", "23-2093.00", "11-1011.00", "47-2181.00"},
			wantOther: []string{"27-3091.00", "35-9021.00"},
		},
		{
			name:      "nothing done yet",
			rows:      []render.IndexRow{{Code: "35-9021.00", Title: "Dishwashers", Status: "pending"}},
			wantOther: []string{"35-9021.00"},
		},
		{
			name:      "everything done",
			rows:      sampleIndex()[:5],
			wantCodes: []string{"29-2072.00", "15-2051.00", "23-2093.00", "11-1011.00", "47-2181.00"},
		},
		{
			name: "hostile titles, codes and errors stay text",
			rows: []render.IndexRow{
				{Code: "javascript:alert(1)", Title: `<script>alert(2)</script>`, Status: "done", Headline: intp(50), Band: `"><img src=x onerror=alert(3)>`},
				{Code: "29-2072.00", Title: "Medical \x1b[31mRecords\x1b[0m </td> Specialists", Status: "done", Headline: intp(83), Band: "very high"},
				{Code: "<b>x</b>", Title: "<img src=x>", Status: "failed", Error: "</td></tr></table><script>alert(4)</script>"},
			},
			wantCodes: []string{"29-2072.00", "javascript:alert(1)"},
			wantOther: []string{"<b>x</b>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := render.IndexHTML(tt.rows)
			doc := parseHTML(t, page)
			require.Equal(t, []string{"AI jury verdicts"}, texts(findAll(doc, tag(atom.H1))))
			require.Contains(t, textOf(doc), fmt.Sprintf("%d occupations: %d done, %d not done.", len(tt.rows), len(tt.wantCodes), len(tt.wantOther)))
			var h2 []string
			if tt.wantCodes != nil {
				h2 = append(h2, "Verdicts")
			}
			if tt.wantOther != nil {
				h2 = append(h2, "Not done")
			}
			require.Equal(t, h2, texts(findAll(doc, tag(atom.H2))))

			byCode := map[string]render.IndexRow{}
			for _, r := range tt.rows {
				byCode[r.Code] = r
			}
			verdicts := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Table && attr(n, "id") == "index" })
			if tt.wantCodes == nil {
				require.Empty(t, verdicts)
			} else {
				require.Len(t, verdicts, 1)
				table := verdicts[0]
				require.Equal(t, fmt.Sprintf("%d verdicts, highest headline first", len(tt.wantCodes)), textOf(only(t, table, tag(atom.Caption), "caption")))
				head := findAll(only(t, table, tag(atom.Thead), "thead"), tag(atom.Th))
				require.Equal(t, []string{"Headline", "Band", "Occupation", "Code"}, texts(head))
				require.Equal(t, "descending", attr(head[0], "aria-sort"), "the table comes sorted by headline")
				rows := findAll(only(t, table, tag(atom.Tbody), "tbody"), tag(atom.Tr))
				var codes []string
				for _, row := range rows {
					code := attr(row, "data-code")
					codes = append(codes, code)
					want := byCode[code]
					title := render.Plain(want.Title)
					th := only(t, row, tag(atom.Th), "row header")
					require.Equal(t, "row", attr(th, "scope"))
					require.Equal(t, title, textOf(th))
					require.Equal(t, title, attr(row, "data-title"))
					require.Equal(t, fmt.Sprint(*want.Headline), attr(row, "data-headline"))
					cells := findAll(row, tag(atom.Td))
					require.Equal(t, []string{fmt.Sprintf("%d %%", *want.Headline), want.Band, code}, texts(cells))
					require.Equal(t, fmt.Sprintf("Headline %d out of 100", *want.Headline), attr(only(t, cells[0], tag(atom.Svg), "bar"), "aria-label"))
					links := findAll(th, tag(atom.A))
					if jury.ValidCode(code) {
						require.Len(t, links, 1)
						require.Equal(t, code+"/report.html", attr(links[0], "href"))
					} else {
						require.Empty(t, links, "a code that is not one gets no link")
					}
				}
				require.Equal(t, tt.wantCodes, codes)
			}

			others := findAll(doc, tagClass(atom.Table, "other"))
			if tt.wantOther == nil {
				require.Empty(t, others)
			} else {
				require.Len(t, others, 1)
				rows := findAll(only(t, others[0], tag(atom.Tbody), "tbody"), tag(atom.Tr))
				var codes []string
				for _, row := range rows {
					cells := findAll(row, tag(atom.Td))
					require.Len(t, cells, 3)
					code := textOf(cells[0])
					codes = append(codes, code)
					want := byCode[code]
					require.Equal(t, []string{want.Status, want.Error}, texts(cells[1:]))
					require.Equal(t, want.Title, textOf(only(t, row, tag(atom.Th), "row header")))
				}
				require.Equal(t, tt.wantOther, codes)
			}

			// One inline script, allowed by hash; no element from report text.
			scripts := findAll(doc, tag(atom.Script))
			require.Len(t, scripts, 1)
			for _, a := range []atom.Atom{atom.Img, atom.B, atom.Link} {
				require.Empty(t, findAll(doc, tag(a)))
			}
			require.NotContains(t, string(page), "\x1b")
			require.Contains(t, textOf(only(t, doc, tag(atom.Footer), "footer")), credit)
			requireSelfContained(t, doc)
			requireCSP(t, doc)

			// Without script the filter is hidden: the page is complete as is.
			if tt.wantCodes != nil {
				require.True(t, hasAttr(only(t, doc, func(n *html.Node) bool { return attr(n, "id") == "controls" }, "controls"), "hidden"))
			}
		})
	}
}
