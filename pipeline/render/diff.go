package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/onet-jury/jury/jury"
)

// The diff renderers below show what `jury diff` found: DiffText for a
// terminal, DiffMarkdown for a pull-request comment, DiffJSON for tools.
// Every text a report holds — titles and task texts too, since a report
// file can be edited by hand — is escaped for its format.

// ANSI styles of DiffText in colour.
const (
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiReset  = "\x1b[0m"
)

// textWidth is how many characters of a task's text DiffText shows.
const textWidth = 70

// DiffText renders a diff for a terminal: the one-line summary, then each
// changed occupation, largest change first, its failing lines marked ✗.
// colour adds ANSI colours; the caller decides, by whether its output is a
// terminal. Text from the reports is stripped of control characters, so no
// report can send its own escape sequences.
func DiffText(res jury.DiffResult, colour bool) []byte {
	style := func(code, s string) string {
		if !colour || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	mark := func(fails bool) string {
		if fails {
			return style(ansiRed+ansiBold, "✗") + " "
		}
		return "  "
	}
	var b bytes.Buffer
	b.WriteString(style(ansiBold, Plain(res.Summary())) + "\n")
	b.WriteString(judgedBy(res) + "\n")
	for _, o := range res.Occupations {
		fmt.Fprintf(&b, "\n%s%s %s", mark(o.Fails), style(ansiBold, Plain(o.Code)), Plain(o.Title))
		switch o.Status {
		case jury.Added:
			fmt.Fprintf(&b, ": %s, headline %d\n", style(ansiGreen, "added"), o.NewHeadline)
			continue
		case jury.Removed:
			fmt.Fprintf(&b, ": %s, headline was %d\n", style(ansiRed, "removed"), o.OldHeadline)
			continue
		}
		b.WriteString("\n")
		colourOf := ""
		if o.HeadlineDelta() != 0 || o.PublishedDelta() != 0 {
			colourOf = changeColour(o.HeadlineFails)
		}
		fmt.Fprintf(&b, "    %s%s\n", mark(o.HeadlineFails), style(colourOf, Plain(o.HeadlineString())))
		for _, t := range o.Tasks {
			line := Plain(t.String())
			colourOf := changeColour(t.Fails)
			switch {
			case t.Status == jury.Added:
				colourOf = ansiGreen
			case t.Status == jury.Removed:
				colourOf = ansiRed
			case t.Delta() != 0:
				// As t.String(), with the move's sign and size.
				line = fmt.Sprintf("task %s %d → %d (%+d)", Plain(t.ID), t.OldScore, t.NewScore, t.Delta())
				if t.LabelChanged() {
					line += fmt.Sprintf(", %s → %s", Plain(string(t.OldLabel)), Plain(string(t.NewLabel)))
				}
			}
			fmt.Fprintf(&b, "    %s%s  %s\n", mark(t.Fails), style(colourOf, line), truncate(Plain(t.Text), textWidth))
		}
		if o.Summary.Changed() {
			b.WriteString("      summary reworded\n")
			textChange(&b, o.Summary, style)
		}
		for _, q := range o.Quotes {
			fmt.Fprintf(&b, "      quote of %s reworded\n", Plain(q.Name))
			textChange(&b, q.TextChange, style)
		}
		for _, r := range o.Reactions {
			fmt.Fprintf(&b, "      %s thinks the headline %s → %s\n", Plain(r.Name), reactionWords(r.Old), reactionWords(r.New))
		}
		for _, e := range o.Edits {
			fmt.Fprintf(&b, "    %s%s\n", mark(e.Fails), Plain(e.String()))
		}
	}
	return b.Bytes()
}

// reactionWords reads a reaction in a diff: "too low", or "(none)" for a
// juror without one (no statement, or a version-1 report).
func reactionWords(r jury.Reaction) string {
	if r == "" {
		return "(none)"
	}
	return Plain(r.Words())
}

// changeColour is the colour of a score change: red when it fails, yellow
// when it is within tolerance.
func changeColour(fails bool) string {
	if fails {
		return ansiRed
	}
	return ansiYellow
}

func textChange(b *bytes.Buffer, c jury.TextChange, style func(code, s string) string) {
	fmt.Fprintf(b, "        %s\n", style(ansiRed, "- "+orNone(Plain(c.Old))))
	fmt.Fprintf(b, "        %s\n", style(ansiGreen, "+ "+orNone(Plain(c.New))))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// truncate shortens s to at most n characters, ending in … when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// judgedBy is the line under a diff's summary: how many occupations fail,
// and by which rules.
func judgedBy(res jury.DiffResult) string {
	kinds := make([]string, len(res.FailOn))
	for i, k := range res.FailOn {
		kinds[i] = string(k)
	}
	rules := fmt.Sprintf("tolerance %d points; failing on %s", res.Tolerance, strings.Join(kinds, ", "))
	noun := "occupations"
	if res.Total == 1 {
		noun = "occupation"
	}
	if len(res.Occupations) == 0 {
		return fmt.Sprintf("%d %s compared (%s)", res.Total, noun, rules)
	}
	return fmt.Sprintf("failing: %d of %d %s (%s)", res.Failing(), res.Total, noun, rules)
}

// DiffMarkdown renders a diff for a pull-request comment: the summary,
// then per changed occupation its headline, a table of its changed tasks
// and its reworded summary and quotes. Text from the reports is escaped,
// so that no report can add markup, links or HTML to the comment.
func DiffMarkdown(res jury.DiffResult) []byte {
	var b bytes.Buffer
	b.WriteString("## jury diff\n\n")
	fmt.Fprintf(&b, "**%s**\n\n%s.\n", Markdown(res.Summary()), Markdown(judgedBy(res)))
	mark := func(fails bool) string {
		if fails {
			return "✗ "
		}
		return ""
	}
	for _, o := range res.Occupations {
		fmt.Fprintf(&b, "\n### %s%s %s\n\n", mark(o.Fails), Markdown(o.Code), Markdown(o.Title))
		switch o.Status {
		case jury.Added:
			fmt.Fprintf(&b, "Added: headline %d.\n", o.NewHeadline)
			continue
		case jury.Removed:
			fmt.Fprintf(&b, "Removed: headline was %d.\n", o.OldHeadline)
			continue
		}
		switch d := o.HeadlineDelta(); {
		case o.HeadlineEdited():
			// The headline the pages publish, why it moved, then the
			// model's.
			fmt.Fprintf(&b, "%s%s.\n", mark(o.HeadlineFails), Markdown(upperFirst(o.HeadlineString())))
		case d != 0:
			fmt.Fprintf(&b, "%sHeadline **%d → %d** (%+d).\n", mark(o.HeadlineFails), o.OldHeadline, o.NewHeadline, d)
		default:
			fmt.Fprintf(&b, "Headline %d, unchanged.\n", o.NewHeadline)
		}
		if len(o.Tasks) > 0 {
			b.WriteString("\n| | Task | Score | Label | Text |\n| --- | --- | ---: | --- | --- |\n")
			for _, t := range o.Tasks {
				score, label := mdTaskCells(t)
				fmt.Fprintf(&b, "| %s| %s | %s | %s | %s |\n",
					mark(t.Fails), Markdown(t.ID), score, label, Markdown(t.Text))
			}
		}
		if o.Summary.Changed() {
			b.WriteString("\nSummary reworded:\n")
			mdTextChange(&b, "", o.Summary)
		}
		if len(o.Quotes) > 0 {
			b.WriteString("\nQuotes reworded:\n")
			for _, q := range o.Quotes {
				fmt.Fprintf(&b, "- **%s**\n", Markdown(q.Name))
				mdTextChange(&b, "  ", q.TextChange)
			}
		}
		if len(o.Reactions) > 0 {
			b.WriteString("\nReactions to the headline changed:\n")
			for _, r := range o.Reactions {
				fmt.Fprintf(&b, "- **%s**: %s → %s\n", Markdown(r.Name), Markdown(reactionWords(r.Old)), Markdown(reactionWords(r.New)))
			}
		}
		if len(o.Edits) > 0 {
			b.WriteString("\nA person's edits (not model drift):\n")
			for _, e := range o.Edits {
				fmt.Fprintf(&b, "- %s%s\n", mark(e.Fails), Markdown(e.String()))
			}
		}
	}
	return b.Bytes()
}

// upperFirst capitalises the first letter of s, an ASCII one.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// mdTaskCells returns a changed task's score and label cells.
func mdTaskCells(t jury.TaskDiff) (score, label string) {
	switch t.Status {
	case jury.Added:
		return fmt.Sprintf("added: %d", t.NewScore), Markdown(string(t.NewLabel))
	case jury.Removed:
		return fmt.Sprintf("removed: was %d", t.OldScore), Markdown(string(t.OldLabel))
	}
	score = fmt.Sprintf("%d", t.NewScore)
	if d := t.Delta(); d != 0 {
		score = fmt.Sprintf("%d → %d (%+d)", t.OldScore, t.NewScore, d)
	}
	label = Markdown(string(t.NewLabel))
	if t.LabelChanged() {
		label = fmt.Sprintf("**%s → %s**", Markdown(string(t.OldLabel)), label)
	}
	return score, label
}

func mdTextChange(b *bytes.Buffer, indent string, c jury.TextChange) {
	for _, side := range []struct{ name, text string }{{"before", c.Old}, {"after", c.New}} {
		text := Markdown(side.text)
		if text == "" {
			text = "_(none)_"
		}
		fmt.Fprintf(b, "%s- %s: %s\n", indent, side.name, text)
	}
}

// DiffVersion is the version of DiffJSON's shape. It changes when a key
// changes meaning or goes; a key added (each occupation's "published"
// headline) keeps it.
const DiffVersion = 1

// diffWire is DiffJSON's shape. Keys are fixed and always present; a
// value a side lacks (the old headline of an added occupation) is null.
type diffWire struct {
	SchemaVersion int               `json:"schema_version"`
	Summary       string            `json:"summary"`
	Failed        bool              `json:"failed"`
	Changed       int               `json:"changed"`
	Failing       int               `json:"failing"`
	Total         int               `json:"total"`
	Tolerance     int               `json:"tolerance"`
	FailOn        []jury.ChangeKind `json:"fail_on"`
	Occupations   []occupationWire  `json:"occupations"`
}

type occupationWire struct {
	Code   string          `json:"code"`
	Title  string          `json:"title"`
	Status jury.DiffStatus `json:"status"`
	Size   int             `json:"size"`
	Fails  bool            `json:"fails"`
	// Headline is the model's (the jury's own); Published the headline
	// the pages publish, which a person's score edits may move.
	Headline  scoreWire     `json:"headline"`
	Published publishedWire `json:"published"`
	Summary   *textWire     `json:"summary"`
	Quotes    []quoteWire   `json:"quotes"`
	// Reactions are the jurors whose reaction to the headline changed;
	// "" is a juror without one.
	Reactions []reactionWire `json:"reactions"`
	Tasks     []taskWire     `json:"tasks"`
	// Edits are a person's edits added, changed or removed; the keys
	// above are the model's verdict.
	Edits []editWire `json:"edits"`
}

type editWire struct {
	Kind   jury.EditKind   `json:"kind"`
	Target string          `json:"target"`
	Name   string          `json:"name"`
	Status jury.DiffStatus `json:"status"`
	Old    string          `json:"old"`
	New    string          `json:"new"`
	Size   int             `json:"size"`
	Fails  bool            `json:"fails"`
}

type reactionWire struct {
	Persona string        `json:"persona"`
	Name    string        `json:"name"`
	Old     jury.Reaction `json:"old"`
	New     jury.Reaction `json:"new"`
}

type scoreWire struct {
	Old   *int `json:"old"`
	New   *int `json:"new"`
	Delta int  `json:"delta"`
	Fails bool `json:"fails"`
}

// publishedWire is the headline the pages publish on each side, and the
// score edits that move it otherwise than the model's ("edited: score of
// task 22878"); empty when none does.
type publishedWire struct {
	Old   *int     `json:"old"`
	New   *int     `json:"new"`
	Delta int      `json:"delta"`
	Edits []string `json:"edits"`
}

type textWire struct {
	Old string `json:"old"`
	New string `json:"new"`
}

type quoteWire struct {
	Persona string `json:"persona"`
	Name    string `json:"name"`
	Old     string `json:"old"`
	New     string `json:"new"`
}

type taskWire struct {
	ID       string          `json:"id"`
	Text     string          `json:"text"`
	Status   jury.DiffStatus `json:"status"`
	OldScore *int            `json:"old_score"`
	NewScore *int            `json:"new_score"`
	Delta    int             `json:"delta"`
	OldLabel *jury.Label     `json:"old_label"`
	NewLabel *jury.Label     `json:"new_label"`
	Size     int             `json:"size"`
	Fails    bool            `json:"fails"`
}

// DiffJSON renders a diff for tools: an indented object with fixed keys —
// schema_version, summary, failed, changed, failing, total, tolerance,
// fail_on, occupations — in which every list is present, empty or not,
// and a value missing on one side is null. Text is as the reports hold it,
// JSON-escaped.
func DiffJSON(res jury.DiffResult) ([]byte, error) {
	w := diffWire{
		SchemaVersion: DiffVersion, Summary: res.Summary(), Failed: res.Failed(),
		Changed: len(res.Occupations), Failing: res.Failing(), Total: res.Total,
		Tolerance: res.Tolerance, FailOn: res.FailOn,
		Occupations: make([]occupationWire, 0, len(res.Occupations)),
	}
	if w.FailOn == nil {
		w.FailOn = []jury.ChangeKind{}
	}
	for _, o := range res.Occupations {
		ow := occupationWire{
			Code: o.Code, Title: o.Title, Status: o.Status, Size: o.Size, Fails: o.Fails,
			Headline:  scoreWire{Delta: o.HeadlineDelta(), Fails: o.HeadlineFails},
			Quotes:    make([]quoteWire, 0, len(o.Quotes)),
			Reactions: make([]reactionWire, 0, len(o.Reactions)),
			Tasks:     make([]taskWire, 0, len(o.Tasks)),
			Edits:     make([]editWire, 0, len(o.Edits)),
		}
		for _, e := range o.Edits {
			ow.Edits = append(ow.Edits, editWire{Kind: e.Kind, Target: e.Target, Name: e.Name, Status: e.Status, Old: e.Old, New: e.New, Size: e.Size, Fails: e.Fails})
		}
		for _, r := range o.Reactions {
			ow.Reactions = append(ow.Reactions, reactionWire{Persona: r.Persona, Name: r.Name, Old: r.Old, New: r.New})
		}
		if o.Status != jury.Added {
			ow.Headline.Old = &o.OldHeadline
		}
		if o.Status != jury.Removed {
			ow.Headline.New = &o.NewHeadline
		}
		// An added or removed occupation's headline is the one published.
		ow.Published = publishedWire{Old: ow.Headline.Old, New: ow.Headline.New, Edits: append([]string{}, o.HeadlineEdits...)}
		if o.Status == jury.Changed {
			ow.Published.Old, ow.Published.New, ow.Published.Delta = &o.OldPublished, &o.NewPublished, o.PublishedDelta()
		} else {
			ow.Headline.Delta = 0
		}
		if o.Summary.Changed() {
			ow.Summary = &textWire{Old: o.Summary.Old, New: o.Summary.New}
		}
		for _, q := range o.Quotes {
			ow.Quotes = append(ow.Quotes, quoteWire{Persona: q.Persona, Name: q.Name, Old: q.Old, New: q.New})
		}
		for _, t := range o.Tasks {
			tw := taskWire{ID: t.ID, Text: t.Text, Status: t.Status, Size: t.Size, Fails: t.Fails}
			if t.Status != jury.Added {
				tw.OldScore, tw.OldLabel = &t.OldScore, &t.OldLabel
			}
			if t.Status != jury.Removed {
				tw.NewScore, tw.NewLabel = &t.NewScore, &t.NewLabel
			}
			if t.Status == jury.Changed {
				tw.Delta = t.Delta()
			}
			ow.Tasks = append(ow.Tasks, tw)
		}
		w.Occupations = append(w.Occupations, ow)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(w); err != nil {
		return nil, fmt.Errorf("render diff JSON: %w", err)
	}
	return b.Bytes(), nil
}
