package render

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// htmlPage writes report.html in Go rather than through html/template,
// which spent most of a batch's rendering time dispatching its actions
// (17 µs a task row). It writes the page the template wrote, byte for
// byte, and escapes as it did: every text from a report goes through
// text (Plain, then html/template's own escaping of text and quoted
// attribute values), the link to the index through url; only our own
// markup, style sheet and numbers are written as they are.
type htmlPage struct {
	b *bytes.Buffer
	r *jury.Report
}

// s writes our own markup as it is.
func (p htmlPage) s(s string) { p.b.WriteString(s) }

// n writes a number.
func (p htmlPage) n(n int) { p.b.WriteString(strconv.Itoa(n)) }

// text writes untrusted text, Plain and escaped, in element content or
// a quoted attribute value.
func (p htmlPage) text(s string) { escapeHTML(p.b, Plain(s)) }

// url writes the value of an href attribute as html/template does: a
// scheme other than http, https or mailto is refused ("#ZgotmplZ"), the
// rest normalised and escaped.
func (p htmlPage) url(s string) {
	if !isSafeURL(s) {
		s = "#ZgotmplZ"
	}
	escapeHTML(p.b, normalizeURL(s))
}

// marks writes the "edited" and "needs review" marks of a thing; a
// report without edits has none.
func (p htmlPage) marks(kind jury.EditKind, target string, edited bool) {
	if p.r.Edits == nil {
		return
	}
	if edited && p.r.Edited(kind, target) {
		p.s(` <span class="edited">edited</span>`)
	}
	if why := p.r.NeedsReview(kind, target); why != "" {
		p.s(` <span class="review" title="`)
		p.text(why)
		p.s(`">needs review</span>`)
	}
}

func (p htmlPage) write(opts PageOptions) {
	r := p.r
	offline := Offline(r)
	p.s(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="`)
	escapeHTML(p.b, reportCSP)
	p.s(`">
<meta name="referrer" content="no-referrer">
<title>`)
	p.text(r.Occupation.Title)
	p.s(`: AI could save `)
	p.n(r.Headline)
	p.s(` % of task time · `)
	p.s(either(offline, "offline verdict", "AI Jury verdict"))
	p.s("</title>\n<style>")
	p.s(siteCSS)
	p.s(`</style>
</head>
<body>
<div class="page">
<header class="masthead">`)
	if opts.Index != "" {
		p.s(`
<p class="back"><a href="`)
		p.url(opts.Index)
		p.s(`">← All verdicts</a></p>`)
	}
	p.s("\n<p class=\"eyebrow\">")
	p.s(either(offline, "Offline verdict: classifier and templates", "AI Jury verdict"))
	p.s(` · O*NET-SOC <span class="code">`)
	p.text(r.Occupation.Code)
	p.s(`</span>`)
	if d := r.Provenance.Date; d != "" {
		p.s(` · <time datetime="`)
		p.text(d)
		p.s(`">`)
		p.text(d)
		p.s(`</time>`)
	}
	p.s("</p>\n<h1>")
	p.text(r.Occupation.Title)
	p.s(`</h1>`)
	if n := editCount(r); n != 0 {
		p.s("\n<p class=\"edit-note\">Edited by a person (")
		p.n(n)
		p.s(plural(n, " edit", " edits"))
		p.s(`); report.json keeps the jury’s own values beside them.`)
		if m := r.ReviewCount(); m != 0 {
			p.s(` <span class="review">`)
			p.n(m)
			p.s(plural(m, " item needs", " items need"))
			p.s(` review</span>`)
		}
		p.s(`</p>`)
	}
	band := bandClass(r.Band)
	p.s(`
</header>
<main>
<div class="hero">
<div class="headline `)
	escapeHTML(p.b, band)
	p.s(`">
<div class="gauge-wrap">
<svg class="gauge" viewBox="0 0 120 66" role="img" aria-label="Gauge: headline score `)
	p.n(r.Headline)
	p.s(` out of 100, band `)
	p.text(string(r.Band))
	p.s(`">
<path class="gauge-track" d="M 10 60 A 50 50 0 0 1 110 60" pathLength="100"/>
<path class="gauge-fill" d="M 10 60 A 50 50 0 0 1 110 60" pathLength="100" stroke-dasharray="`)
	p.n(clampScore(r.Headline))
	p.s(` 100"/>
</svg>
<p class="gauge-value"><span class="num">`)
	p.n(r.Headline)
	p.s(`</span><span class="unit">%</span></p>
</div>
<p class="gauge-scale" aria-hidden="true"><span>0</span><span>100</span></p>
<p class="headline-caption">of task time AI could save</p>
<p class="headline-band">Band: <span class="band `)
	escapeHTML(p.b, band)
	p.s(`">`)
	p.text(string(r.Band))
	p.s(`</span></p>
</div>
<section class="summary" aria-labelledby="summary">
<h2 id="summary">Summary</h2>
<p>`)
	p.text(r.Summary)
	p.marks(jury.EditSummary, "", true)
	p.s(`</p>`)
	if offline {
		p.s("\n<p class=\"offline-note\">Written offline: no AI model was asked. A trained classifier scored each task, the four jurors are fixed leans around its score, and sentence templates wrote the summary, the quotes and the rationales.</p>")
	}
	dissents := dissentCount(r.Tasks)
	p.s("\n<ul class=\"facts\" role=\"list\">\n<li><strong>")
	p.n(len(r.Tasks))
	p.s("</strong> tasks</li>\n<li><strong>")
	p.n(countedJurors(r.Jurors))
	p.s(" of ")
	p.n(len(r.Jurors))
	p.s("</strong> jurors counted</li>\n<li><strong>")
	p.n(dissents)
	p.s("</strong> ")
	p.s(plural(dissents, "task", "tasks"))
	p.s(` in dissent</li>
</ul>
</section>
</div>

<section aria-labelledby="jury">
<h2 id="jury">`)
	p.s(either(offline, "The Offline Jury", "The AI Jury"))
	p.s("</h2>\n<ul class=\"jurors\" role=\"list\">")
	mixed := mixedPanel(r)
	for _, j := range r.Jurors {
		p.s("\n<li class=\"juror")
		if !j.Valid {
			p.s(" not-counted")
		}
		p.s("\">\n<h3>")
		p.text(j.Name)
		p.s("</h3>")
		if mixed && j.Model != "" {
			p.s("\n<p class=\"juror-model\">")
			p.text(j.Model)
			p.s("</p>")
		}
		if j.Valid {
			p.juror(j)
		} else {
			p.s("\n<p class=\"juror-status\"><strong>Not counted:</strong> ")
			p.s(either(j.Unanswered(), "this juror gave no answer (the provider kept failing).", "this juror’s ballot was invalid."))
			p.s("</p>")
			if len(j.Problems) > 0 {
				p.s("\n<ul class=\"problems\">")
				for _, problem := range j.Problems {
					p.s("\n<li>")
					p.text(problem)
					p.s("</li>")
				}
				p.s("\n</ul>")
			}
		}
		p.s("\n</li>")
	}
	p.s(`
</ul>
</section>

<section aria-labelledby="tasks">
<h2 id="tasks">Task-by-Task Breakdown</h2>
<p class="lede">Score: the share of the task’s time AI could save at equal quality`)
	if offline {
		p.s(" (offline: 75 %, the middle of “half or more”, times the classifier’s probability that AI halves the task’s time, at most 95 %)")
	}
	p.s(`; the headline is their mean, core tasks counting twice. Label: <strong>E0</strong> not exposed, <strong>E1</strong> exposed to a language model alone, <strong>E2</strong> exposed through software built on one. <span class="dissent-tag">⚑ Dissent</span> marks a task the jurors disagree on.</p>
<div class="table-wrap">
<table class="tasks">
<caption>The `)
	p.n(len(r.Tasks))
	p.s(" tasks of ")
	p.text(r.Occupation.Title)
	p.s(`, most exposed first</caption>
<thead>
<tr><th scope="col" class="c-rank">#</th><th scope="col" class="c-score">Score</th><th scope="col" class="c-label">Label</th><th scope="col" class="c-task">Task</th><th scope="col" class="c-why">Rationale</th></tr>
</thead>
<tbody>`)
	for i, t := range r.Tasks {
		p.task(i, t)
	}
	pv, u := r.Provenance, r.Usage
	p.s(`
</tbody>
</table>
</div>
</section>
</main>

<footer class="colophon">
<h2>Provenance</h2>
<dl class="prov">
<div><dt>Models</dt><dd>`)
	p.text(strings.Join(pv.Models, ", "))
	p.s("</dd></div>\n<div><dt>Prompt hash</dt><dd class=\"mono\">")
	p.text(pv.PromptHash)
	p.s("</dd></div>\n<div><dt>Version</dt><dd>jury ")
	p.text(pv.Version)
	p.s("</dd></div>\n<div><dt>Seed</dt><dd>")
	p.n(pv.Seed)
	p.s("</dd></div>\n<div><dt>Temperature</dt><dd>")
	escapeHTML(p.b, fmt.Sprint(pv.Temperature))
	p.s("</dd></div>\n<div><dt>Aggregation</dt><dd>")
	p.text(pv.Aggregation)
	p.s(", quorum ")
	p.n(pv.Quorum)
	p.s("</dd></div>\n<div><dt>Input hash</dt><dd class=\"mono\">")
	p.text(pv.InputHash)
	p.s("</dd></div>")
	if pv.Weights != "" {
		p.s("\n<div><dt>Offline weights</dt><dd>")
		p.text(pv.Weights)
		p.s("</dd></div>")
	}
	p.s("\n<div><dt>Usage</dt><dd>")
	p.n(u.Calls)
	p.s(" calls (")
	p.n(u.Retries)
	p.s(" retries, ")
	p.n(u.Reasks)
	p.s(" re-asks) · ")
	p.n(u.PromptTokens)
	p.s(" prompt + ")
	p.n(u.CompletionTokens)
	p.s(" completion tokens · list price $")
	escapeHTML(p.b, fmt.Sprintf("%.4f", u.CostUSD))
	p.s(`</dd></div>
</dl>
<p class="files">This verdict as data: <a href="report.json">report.json</a> · <a href="report.md">report.md</a></p>
<p class="credit">Task statements: O*NET Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), used under the <a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0 license</a>.</p>
</footer>
</div>
</body>
</html>
`)
}

// juror writes a counted juror's card below its name: score, reaction
// and quote.
func (p htmlPage) juror(j jury.JurorResult) {
	p.s("\n<p class=\"juror-score\"><span class=\"num\">")
	p.n(j.Score)
	p.s(" %</span>\n<svg class=\"bar\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"")
	p.text(j.Name)
	p.s(": ")
	p.n(j.Score)
	p.s(` out of 100"><rect class="bar-track" width="100" height="8"/><rect class="bar-fill" width="`)
	p.n(clampScore(j.Score))
	p.s(`" height="8"/></svg></p>`)
	if j.Reaction != "" {
		p.s("\n<p class=\"juror-reaction\">thinks ")
		p.n(reactedHeadline(p.r))
		p.s(" % is ")
		escapeHTML(p.b, j.Reaction.Words())
		p.marks(jury.EditReaction, j.Persona, false)
		p.s("</p>")
	}
	if j.Quote != "" {
		p.s("\n<blockquote class=\"quote\"><p>")
		p.text(j.Quote)
		p.marks(jury.EditQuote, j.Persona, true)
		p.s("</p></blockquote>")
	} else {
		p.s("\n<p class=\"juror-status\">No quote: its answer to the verdict did not pass validation.</p>")
	}
}

// task writes the table row of task i.
func (p htmlPage) task(i int, t jury.TaskResult) {
	p.s("\n<tr")
	if t.Dissent {
		p.s(` class="dissent"`)
	}
	p.s(">\n<td class=\"c-rank\">")
	p.n(i + 1)
	p.s(`</td>
<td class="c-score"><svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="Score `)
	p.n(t.Score)
	p.s(` out of 100"><rect class="bar-track" width="100" height="8"/><rect class="bar-fill" width="`)
	p.n(clampScore(t.Score))
	p.s(`" height="8"/></svg><span class="num">`)
	p.n(t.Score)
	p.s(` %</span>`)
	if why := scoreReason(p.r, t.ID); why != "" {
		p.s(` <span class="edited" title="`)
		p.text(why)
		p.s(`">edited</span>`)
	}
	p.s("</td>\n<td class=\"c-label\"><span class=\"label-code\">")
	p.text(string(t.Label))
	p.s(`</span>`)
	if words := labelWords(t.Label); words != "" {
		p.s(` <span class="label-words">`)
		escapeHTML(p.b, words)
		p.s(`</span>`)
	}
	p.marks(jury.EditLabel, t.ID, true)
	p.s("</td>\n<th scope=\"row\" class=\"c-task\"><span class=\"task-text\">")
	p.text(t.Text)
	p.s(`</span>`)
	if t.Dissent {
		p.s("\n<span class=\"dissent-note\"><span class=\"dissent-tag\">⚑ Dissent</span> <span class=\"votes\">Jurors disagree:")
		for j, v := range t.Votes {
			if j > 0 {
				p.s(";")
			}
			p.s(" ")
			p.text(personaName(p.r, v.Persona))
			p.s(" ")
			p.n(v.Score)
		}
		p.s(`</span></span>`)
	}
	p.s("\n</th>\n<td class=\"c-why\">")
	p.text(t.Rationale)
	p.marks(jury.EditRationale, t.ID, true)
	p.s("</td>\n</tr>")
}

// htmlEscapes are html/template's replacements in text and quoted
// attribute values (its htmlReplacementTable), by byte: every byte it
// replaces is ASCII, so a byte scan finds what its rune scan finds.
var htmlEscapes = [256]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

// escapeHTML writes s escaped as html/template escapes a string in text
// or a quoted attribute value.
func escapeHTML(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if repl := htmlEscapes[s[i]]; repl != "" {
			b.WriteString(s[last:i])
			b.WriteString(repl)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
}

// isSafeURL reports whether html/template lets s be a link: no scheme,
// or http, https or mailto.
func isSafeURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
	}
	return true
}

// normalizeURL percent-encodes what html/template's URL normaliser
// does: every byte but letters, digits, "-._~", the reserved characters
// and a % that starts a valid escape.
func normalizeURL(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		b.WriteString(s[written:i])
		fmt.Fprintf(&b, "%%%02x", c)
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
