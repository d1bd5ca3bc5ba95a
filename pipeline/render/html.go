package render

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"slices"
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
		return htmlTemplates.ExecuteTemplate(w, "report.html.tmpl", htmlReport{pageData: pageData{Report: r, Index: opts.Index}, Rows: htmlRows(r)})
	})
	if err != nil {
		return nil, fmt.Errorf("render %s report.html: %w", r.Occupation.Code, err)
	}
	return page, nil
}

// htmlReport is what report.html.tmpl is given: the report and its task
// rows with their words and numbers worked out in Go, so that the
// template spends its time escaping (html/template still escapes every
// one of them by context), not calling helpers.
type htmlReport struct {
	pageData
	Rows []htmlRow
}

// htmlRow is one row of the task table. Its texts are Plain; the
// template escapes them.
type htmlRow struct {
	ID, Text, Rationale, Label, LabelWords string
	Rank, Score, Width                     int
	Dissent                                bool
	// Votes are the jurors' votes on a task in dissent: "The Diplomat
	// 21; The Optimist 46".
	Votes string
}

func htmlRows(r *jury.Report) []htmlRow {
	rows := make([]htmlRow, len(r.Tasks))
	for i, t := range r.Tasks {
		rows[i] = htmlRow{ID: t.ID, Text: Plain(t.Text), Rationale: Plain(t.Rationale), Label: Plain(string(t.Label)),
			LabelWords: labelWords(t.Label), Rank: i + 1, Score: t.Score, Width: clampScore(t.Score), Dissent: t.Dissent}
		if t.Dissent {
			rows[i].Votes = dissentVotes(r, t, Plain)
		}
	}
	return rows
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
