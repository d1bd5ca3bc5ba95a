package render

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// mdPage writes report.md, as IndexMarkdown writes index.md: in Go, not
// through a template, since a batch writes one a verdict and a template
// spent most of that time dispatching its actions. Every text a model or
// a person wrote goes through Markdown.
type mdPage struct {
	b *bytes.Buffer
	r *jury.Report
}

func (p mdPage) s(s string)  { p.b.WriteString(s) }
func (p mdPage) md(s string) { p.b.WriteString(Markdown(s)) }
func (p mdPage) n(n int)     { p.b.WriteString(strconv.Itoa(n)) }

// marks writes what a page says beside a thing a person edited or that
// needs review: " *(edited)*" and " *(needs review: why)*". A report
// without edits has none.
func (p mdPage) marks(kind jury.EditKind, target string, edited bool) {
	if p.r.Edits == nil {
		return
	}
	if edited && p.r.Edited(kind, target) {
		p.s(" *(edited)*")
	}
	if why := p.r.NeedsReview(kind, target); why != "" {
		p.s(" *(needs review: ")
		p.md(why)
		p.s(")*")
	}
}

func (p mdPage) write(opts PageOptions) {
	r := p.r
	offline := Offline(r)
	p.s("# ")
	p.md(r.Occupation.Title)
	p.s(": AI could save ")
	p.n(r.Headline)
	p.s(" % of task time\n")
	if opts.Index != "" {
		p.s("\n[← All verdicts](")
		p.s(opts.Index)
		p.s(")\n")
	}
	p.s("\nO*NET-SOC ")
	p.md(r.Occupation.Code)
	p.s(" · headline **")
	p.n(r.Headline)
	p.s(" %** (")
	p.md(string(r.Band))
	p.s(") · ")
	p.n(len(r.Tasks))
	if r.CoreWeighted() {
		p.s(" tasks · core tasks count twice")
	} else {
		p.s(" tasks · every task counts the same")
	}
	if r.Provenance.Date != "" {
		p.s(" · verdict of ")
		p.md(r.Provenance.Date)
	}
	p.s("\n")
	if offline {
		p.s("\n*Written offline: no AI model was asked. A trained classifier scored each task, the four jurors are fixed leans around its score, and sentence templates wrote the summary, the quotes and the rationales.*\n")
	}
	if n := editCount(r); n != 0 {
		p.s("\n*Edited by a person (")
		p.n(n)
		p.s(Plural(n, " edit", " edits"))
		p.s("); report.json keeps the jury's own values beside them.")
		if m := r.ReviewCount(); m != 0 {
			p.s(" ")
			p.n(m)
			p.s(Plural(m, " item needs", " items need"))
			p.s(" review.")
		}
		p.s("*\n")
	}
	p.s("\n## Summary\n\n")
	p.md(r.Summary)
	p.marks(jury.EditSummary, "", true)
	p.s("\n\n## ")
	p.s(either(offline, "The Offline Jury", "The AI Jury"))
	p.s("\n")
	if r.Counted() < len(r.Jurors) {
		p.s("\n*")
		p.n(r.Counted())
		p.s(" of ")
		p.n(len(r.Jurors))
		p.s(" jurors counted: this verdict rests on a short panel.*\n")
	}
	mixed := mixedPanel(r)
	for _, j := range r.Jurors {
		p.s("\n### ")
		p.md(j.Name)
		if j.Valid {
			p.s(" — ")
			p.n(j.Score)
			p.s(" %")
		}
		if mixed && j.Model != "" {
			p.s(" · *")
			p.md(j.Model)
			p.s("*")
		}
		p.s("\n")
		if !j.Valid {
			p.s("\n*")
			p.s(either(j.Unanswered(), "Not counted: gave no answer.", "Ballot not counted:"))
			p.s("* ")
			for i, problem := range j.Problems {
				if i > 0 {
					p.s("; ")
				}
				p.md(problem)
			}
			p.s("\n")
			continue
		}
		if j.Reaction != "" {
			p.s("\n*Thinks ")
			p.n(reactedHeadline(r))
			p.s(" % is ")
			p.s(j.Reaction.Words())
			p.s(".*")
			p.marks(jury.EditReaction, j.Persona, false)
			p.s("\n")
		}
		if j.Quote != "" {
			p.s("\n> “")
			p.md(j.Quote)
			p.s("”")
			p.marks(jury.EditQuote, j.Persona, true)
			p.s("\n")
		} else {
			p.s("\n*No quote: its answer to the verdict did not pass validation.*\n")
		}
	}
	p.s("\n## Task-by-Task Breakdown\n\nMost exposed first. Score: the share of the task's time AI could save at equal quality")
	if offline {
		p.s(` (offline: 75 %, the middle of "half or more", times the classifier's probability that AI halves the task's time, so never above 75 %)`)
	}
	p.s("; the headline is their mean")
	if r.CoreWeighted() {
		p.s(", core tasks counting twice")
	}
	p.s(". Label: E0 not exposed, E1 exposed to a language model alone, E2 exposed through software built on one.\n")
	for i, t := range r.Tasks {
		p.s("\n")
		p.n(i + 1)
		p.s(". **")
		p.n(t.Score)
		p.s(" %**")
		if why := scoreReason(r, t.ID); why != "" {
			p.s(" *(edited; ")
			p.md(why)
			p.s(")*")
		}
		p.s(" · ")
		p.md(string(t.Label))
		p.marks(jury.EditLabel, t.ID, true)
		p.s(" · ")
		p.md(t.Text)
		if t.Dissent {
			p.s(" ⚑ *jurors disagree:*")
			p.s(dissentVotes(r, t, Markdown))
		}
		p.s("  \n   ")
		p.md(t.Rationale)
		p.marks(jury.EditRationale, t.ID, true)
		p.s("\n")
	}
	pv, u := r.Provenance, r.Usage
	p.s("\n---\n\nModels: ")
	p.md(strings.Join(pv.Models, ", "))
	p.s(" · prompts ")
	p.md(pv.PromptHash)
	if !inProcess(r) {
		p.s(" · temperature ")
		p.s(fmt.Sprint(pv.Temperature))
	}
	p.s(" · seed ")
	p.n(pv.Seed)
	p.s(" · jury ")
	p.md(pv.Version)
	if pv.Weights != "" {
		p.s(" · offline weights ")
		p.md(pv.Weights)
	}
	p.s("  \nCalls: ")
	p.n(u.Calls)
	if inProcess(r) {
		p.s(" to the offline juror, none to an AI model · no tokens, no cost")
	} else {
		p.s(" (retries: ")
		p.n(u.Retries)
		p.s(", re-asks: ")
		p.n(u.Reasks)
		p.s(") · tokens: ")
		p.n(u.PromptTokens)
		p.s(" prompt, ")
		p.n(u.CompletionTokens)
		p.s(" completion · list price $")
		p.s(fmt.Sprintf("%.4f", u.CostUSD))
	}
	p.s("\n\nTask statements: O*NET Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license.\n")
}

// Plural is one for n == 1, else many: the one rule of number for what
// jury prints and writes.
func Plural(n int, one, many string) string { return either(n == 1, one, many) }

// either is yes when cond holds, else no.
func either(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
