package render

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// siteCSS is the style sheet of every page, inlined into a <style>
// element so that a page works alone, from file://, with no request.
//
//go:embed templates/site.css
var siteCSS string

// indexJS sorts and filters index.html's table. The page is complete
// without it: rows come sorted by headline.
//
//go:embed templates/index.js
var indexJS string

// The pages' Content-Security-Policy allows only their own inline style
// and script, by hash: text that slipped past escaping could still not
// load or run anything.
var (
	reportCSP = "default-src 'none'; style-src " + cspHash(siteCSS) + "; base-uri 'none'; form-action 'none'"
	indexCSP  = "default-src 'none'; style-src " + cspHash(siteCSS) + "; script-src " + cspHash(indexJS) + "; base-uri 'none'; form-action 'none'"
)

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// htmlFuncs are the templates' helpers. Only our own embedded CSS and
// script are marked safe; every text from a report goes through text
// (Plain) and html/template's escaping.
var htmlFuncs = template.FuncMap{
	"text":      func(v any) string { return Plain(fmt.Sprint(v)) },
	"css":       func() template.CSS { return template.CSS(siteCSS) },
	"js":        func() template.JS { return template.JS(indexJS) },
	"persona":   func(r *jury.Report, id string) string { return Plain(personaName(r, id)) },
	"mixed":     mixedPanel,
	"add":       func(a, b int) int { return a + b },
	"band":      bandClass,
	"label":     labelWords,
	"clamp":     clampScore,
	"join":      func(s []string) string { return Plain(strings.Join(s, ", ")) },
	"counted":   countedJurors,
	"dissents":  dissentCount,
	"linkable":  jury.ValidCode,
	"reportCSP": func() string { return reportCSP },
	"indexCSP":  func() string { return indexCSP },
	"offline":   Offline,
	"inProcess": inProcess,
	"core":      (*jury.Report).CoreWeighted,
	"blurb":     func() string { return indexBlurb },
}

var htmlTemplates = template.Must(template.New("html").Funcs(htmlFuncs).Funcs(editFuncs).
	ParseFS(files, "templates/report.html.tmpl", "templates/index.html.tmpl"))

// HTMLPage renders a report as report.html: one self-contained page with
// the headline as a gauge, the summary, the jurors' cards and the
// task-by-task table, most automatable first, and the provenance and
// O*NET credit in its footer. It loads nothing: no font, script or style
// sheet from elsewhere.
func HTMLPage(r *jury.Report) ([]byte, error) { return HTMLPageWith(r, PageOptions{}) }

// HTMLPageWith is HTMLPage with options. What a person edited is marked
// "edited" (the model's value in the mark's title), and what needs a
// person's review says so.
func HTMLPageWith(r *jury.Report, opts PageOptions) ([]byte, error) {
	page, err := executePage(func(w *bytes.Buffer) error {
		return htmlTemplates.ExecuteTemplate(w, "report.html.tmpl", htmlReport{Report: r, Index: opts.Index, Rows: taskRows(r)})
	})
	if err != nil {
		return nil, fmt.Errorf("render %s report.html: %w", r.Occupation.Code, err)
	}
	return page, nil
}

// htmlReport is what report.html.tmpl is given: the report, the link
// back to the index ("": none) and the task table's rows, written by
// taskRows. The template reads the report's fields through $r: a field
// found through an embedded struct costs reflect a search and an
// allocation at every use.
type htmlReport struct {
	Report *jury.Report
	Index  string
	Rows   template.HTML
}

// taskRows writes the rows of report.html's task table, the one part of
// the page not written by the template. A page has a row per task, and
// the template's reflection and escaping of some ten values a row made
// rendering a verdict's three pages 40 % slower (BenchmarkReportPages:
// 435 µs against 310 µs for 17 tasks). Every text here is Plain
// and then template.HTMLEscapeString's, correct in the only two contexts
// a row has: element text and double-quoted attribute values (no URL,
// script or style). The goldens and TestHostileTextIsInert hold the rows
// to the template's markup and escaping.
func taskRows(r *jury.Report) template.HTML {
	edits := r.Edits != nil
	var b strings.Builder
	b.Grow(len(r.Tasks) * 900)
	text := func(s string) { b.WriteString(template.HTMLEscapeString(Plain(s))) }
	num := func(n int) { b.WriteString(strconv.Itoa(n)) }
	marks := func(kind jury.EditKind, id string) {
		if !edits {
			return
		}
		if r.Edited(kind, id) {
			b.WriteString(` <span class="edited">edited</span>`)
		}
		if why := r.NeedsReview(kind, id); why != "" {
			b.WriteString(` <span class="review" title="`)
			text(why)
			b.WriteString(`">needs review</span>`)
		}
	}
	for i, t := range r.Tasks {
		b.WriteString("\n<tr")
		if t.Dissent {
			b.WriteString(` class="dissent"`)
		}
		b.WriteString(">\n<td class=\"c-rank\">")
		num(i + 1)
		b.WriteString(`</td>` + "\n" + `<td class="c-score"><svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="Score `)
		num(t.Score)
		b.WriteString(` out of 100"><rect class="bar-track" width="100" height="8"/><rect class="bar-fill" width="`)
		num(clampScore(t.Score))
		b.WriteString(`" height="8"/></svg><span class="num">`)
		num(t.Score)
		b.WriteString(` %</span>`)
		if why := scoreReason(r, t.ID); edits && why != "" {
			b.WriteString(` <span class="edited" title="`)
			text(why)
			b.WriteString(`">edited</span>`)
		}
		b.WriteString(`</td>` + "\n" + `<td class="c-label"><span class="label-code">`)
		text(string(t.Label))
		b.WriteString(`</span>`)
		if w := labelWords(t.Label); w != "" {
			b.WriteString(` <span class="label-words">`)
			text(w)
			b.WriteString(`</span>`)
		}
		marks(jury.EditLabel, t.ID)
		b.WriteString(`</td>` + "\n" + `<th scope="row" class="c-task"><span class="task-text">`)
		text(t.Text)
		b.WriteString(`</span>`)
		if t.Dissent {
			b.WriteString("\n" + `<span class="dissent-note"><span class="dissent-tag">⚑ Dissent</span> <span class="votes">Jurors disagree:`)
			b.WriteString(template.HTMLEscapeString(dissentVotes(r, t, Plain)))
			b.WriteString(`</span></span>`)
		}
		b.WriteString("\n" + `</th>` + "\n" + `<td class="c-why">`)
		text(t.Rationale)
		marks(jury.EditRationale, t.ID)
		b.WriteString("</td>\n</tr>")
	}
	return template.HTML(b.String())
}

// indexPage is what index.html.tmpl is given.
type indexPage struct {
	Total int
	Done  []IndexRow
	Other []IndexRow
}

// IndexHTML renders index.html for a batch: every verdict with its
// headline, band and a link to its report.html, highest headline first,
// then the occupations that failed or are pending. A few lines of inline
// script sort the table by headline or title and filter it by text; the
// page is complete without them.
func IndexHTML(rows []IndexRow) []byte {
	p := indexPage{Total: len(rows)}
	for _, r := range rows {
		if r.Status == "done" && r.Headline != nil {
			p.Done = append(p.Done, r)
		} else {
			p.Other = append(p.Other, r)
		}
	}
	slices.SortStableFunc(p.Done, func(a, b IndexRow) int {
		if *a.Headline != *b.Headline {
			return *b.Headline - *a.Headline
		}
		return strings.Compare(a.Code, b.Code)
	})
	var b bytes.Buffer
	if err := htmlTemplates.ExecuteTemplate(&b, "index.html.tmpl", p); err != nil {
		// The page's data are strings and numbers: a failure here is a
		// broken template, which the tests catch.
		panic(fmt.Sprintf("render index.html: %v", err))
	}
	return keepPercent(b.Bytes())
}

// bandClass names the CSS class of a band; a band this version does not
// know gets a neutral one.
func bandClass(b any) string {
	switch jury.Band(fmt.Sprint(b)) {
	case jury.BandVeryLow:
		return "band-very-low"
	case jury.BandLow:
		return "band-low"
	case jury.BandModerate:
		return "band-moderate"
	case jury.BandHigh:
		return "band-high"
	case jury.BandVeryHigh:
		return "band-very-high"
	}
	return "band-unknown"
}

// labelWords says what an exposure label means, in a few words.
func labelWords(l jury.Label) string {
	switch l {
	case jury.E0:
		return "not exposed"
	case jury.E1:
		return "LLM alone"
	case jury.E2:
		return "LLM + software"
	}
	return ""
}

// clampScore keeps a score drawn as a bar within 0–100, whatever a
// hand-edited report.json says.
func clampScore(n int) int { return min(max(n, 0), 100) }

func countedJurors(js []jury.JurorResult) int {
	n := 0
	for _, j := range js {
		if j.Valid {
			n++
		}
	}
	return n
}

func dissentCount(ts []jury.TaskResult) int {
	n := 0
	for _, t := range ts {
		if t.Dissent {
			n++
		}
	}
	return n
}
