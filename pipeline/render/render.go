// Package render turns a jury.Report into the pages people read:
// report.md and report.html (and report.json, their machine-readable
// twin), and a batch's index.md and index.html. Everything a model wrote
// is untrusted and escaped for the format it lands in.
package render

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/onet-jury/jury/jury"
)

//go:embed templates/*.tmpl
var files embed.FS

// PageOptions are what a page shows beside its report.
type PageOptions struct {
	// Index is the address of the batch's index page, linked from the top
	// of the page ("../index.html"); "" links none.
	Index string
}

// editFuncs are the templates' helpers for a person's edits: whether a
// thing shows a person's value, why it needs review, and the headline
// the jurors reacted to (the model's, when a score edit moved it).
var editFuncs = map[string]any{
	"edited":      func(r *jury.Report, kind, target string) bool { return r.Edited(jury.EditKind(kind), target) },
	"review":      func(r *jury.Report, kind, target string) string { return r.NeedsReview(jury.EditKind(kind), target) },
	"reacted":     reactedHeadline,
	"editCount":   editCount,
	"reviewCount": func(r *jury.Report) int { return r.ReviewCount() },
	"scoreReason": scoreReason,
}

// reactedHeadline is the headline the jurors reacted to: the model's,
// when a person's score edit moved it.
func reactedHeadline(r *jury.Report) int {
	if r.Edits != nil {
		return r.Edits.ModelHeadline
	}
	return r.Headline
}

// editCount counts the edits a page shows (orphaned ones are not).
func editCount(r *jury.Report) int {
	n := 0
	if r.Edits != nil {
		for _, a := range r.Edits.Applied {
			if a.State != jury.EditOrphaned {
				n++
			}
		}
	}
	return n
}

// scoreReason is the mark beside a task's score a person edited: the
// jury's score and the person's reason; "" for a score not edited.
func scoreReason(r *jury.Report, id string) string {
	if r.Edits != nil {
		for _, a := range r.Edits.Applied {
			if a.Kind == jury.EditScore && a.Target == id && a.State != jury.EditOrphaned && a.ModelScore != nil {
				return fmt.Sprintf("jury %d %%: %s", *a.ModelScore, a.Reason)
			}
		}
	}
	return ""
}

// JSON renders a report as report.json: indented, keys in struct order,
// HTML characters left as written, ending in a newline.
func JSON(r *jury.Report) ([]byte, error) {
	b := pageBuffers.Get().(*bytes.Buffer)
	defer pageBuffers.Put(b)
	b.Reset()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("render %s report.json: %w", r.Occupation.Code, err)
	}
	return indentCompact(make([]byte, 0, b.Len()*3/2), b.Bytes()), nil
}

// indentCompact appends to dst the compact JSON src (as json.Marshal
// writes it: no space outside strings) indented by two spaces, byte for
// byte as json.Indent(dst, src, "", "  ") would, without its scanner:
// a page's report.json is indented in a fifth of the time.
func indentCompact(dst, src []byte) []byte {
	depth, needIndent, inString := 0, false, false
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, "  "...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			dst = append(dst, c)
			switch c {
			case '\\':
				i++
				dst = append(dst, src[i])
			case '"':
				inString = false
			}
			continue
		}
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			newline()
		}
		switch c {
		case '"':
			inString = true
			dst = append(dst, c)
		case '{', '[':
			// Delay the indent, so that an empty object or array stays {} or [].
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false
			} else {
				depth--
				newline()
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// MarkdownPage renders a report as report.md: title, headline, summary,
// the jurors' quotes and the task-by-task breakdown, most automatable first.
func MarkdownPage(r *jury.Report) ([]byte, error) { return MarkdownPageWith(r, PageOptions{}) }

// MarkdownPageWith is MarkdownPage with options. What a person edited is
// marked "edited", and what needs a person's review says so.
func MarkdownPageWith(r *jury.Report, opts PageOptions) ([]byte, error) {
	page, err := executePage(func(b *bytes.Buffer) error {
		mdPage{b: b, r: r}.write(opts)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("render %s report.md: %w", r.Occupation.Code, err)
	}
	return page, nil
}

// OfflineModel is the model name the offline juror answers as
// (llm.OfflineModelName, which render does not import).
const OfflineModel = "jury-offline"

// Offline reports whether the offline juror wrote the whole report: every
// model of its provenance is OfflineModel. Its pages say so in plain
// words: a trained classifier and sentence templates, not AI jurors.
func Offline(r *jury.Report) bool {
	for _, m := range r.Provenance.Models {
		if m != OfflineModel {
			return false
		}
	}
	return len(r.Provenance.Models) > 0
}

// inProcess reports whether the offline juror answered the report in
// this process (its weights are named) and nothing was paid: the footer
// then names no temperature and no tokens, which such a run does not
// have.
func inProcess(r *jury.Report) bool {
	u := r.Usage
	return Offline(r) && r.Provenance.Weights != "" && u.PromptTokens == 0 && u.CompletionTokens == 0 && u.CostUSD == 0
}

// pageSpare is the room keepPercent leaves after a page.
const pageSpare = 256

// pageBuffers hold pages while their templates run: a page is copied
// out of its buffer once (keepPercent), and the buffer serves the next.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// executePage runs a page's template into a pooled buffer and returns
// the page, its percentages kept with their numbers (keepPercent).
func executePage(execute func(b *bytes.Buffer) error) ([]byte, error) {
	b := pageBuffers.Get().(*bytes.Buffer)
	defer pageBuffers.Put(b)
	b.Reset()
	if err := execute(b); err != nil {
		return nil, err
	}
	return keepPercent(b.Bytes()), nil
}

// keepPercent joins every "91 %" of a page with a non-breaking space, so
// that a line never breaks between a number and its percent sign. (A
// regular expression did this at a tenth of a page's render time.)
//
// The page is copied into a slice of its exact size with room for
// pageSpare more bytes, so that a writer's last line (outdir's marker)
// is appended without another copy.
func keepPercent(page []byte) []byte {
	out := make([]byte, 0, len(page)+bytes.Count(page, []byte(" %"))+pageSpare)
	rest := page
	for {
		i := bytes.Index(rest, []byte(" %"))
		if i < 0 {
			return append(out, rest...)
		}
		if i > 0 && '0' <= rest[i-1] && rest[i-1] <= '9' {
			out = append(append(out, rest[:i]...), "\u00a0%"...)
		} else {
			out = append(out, rest[:i+2]...)
		}
		rest = rest[i+2:]
	}
}

// Markdown escapes untrusted text for inline Markdown: control characters
// are dropped, newlines become spaces, and characters that would start
// markup or raw HTML are backslash-escaped — and so is a leading block
// marker (#, -, +, =, or the . or ) of "1. "), since the template puts
// some text at the start of a line, where it would make a heading, a list
// or a rule. Bare URLs, www. names and e-mail addresses are broken up the
// same way (http\://, www\., \@), so that GitHub-flavoured Markdown does
// not make them live links.
func Markdown(s string) string {
	p := Plain(s)
	if markdownAlready(p) {
		return p
	}
	return markdownEscape(p)
}

// markdownEscape is Markdown's escaping of a Plain text, rune by rune.
func markdownEscape(p string) string {
	digits := len(p) - len(strings.TrimLeft(p, "0123456789"))
	var b strings.Builder
	for i, r := range p {
		escape := strings.ContainsRune("\\`*_[]<>|~&@", r) ||
			i == 0 && strings.ContainsRune("#+-=", r) ||
			i == digits && digits > 0 && (r == '.' || r == ')') && (i+1 == len(p) || p[i+1] == ' ') ||
			r == ':' && strings.HasPrefix(p[i+1:], "//") ||
			r == '.' && i >= 3 && strings.EqualFold(p[i-3:i], "www")
		if escape {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownAlready reports whether Markdown escapes nothing in p, a
// Plain text: no character that starts markup, no leading block marker
// or digit, no "://" and no "www.". Most text on a page is.
func markdownAlready(p string) bool {
	if p == "" {
		return true
	}
	if strings.ContainsRune("#+-=0123456789", rune(p[0])) {
		return false
	}
	return !strings.ContainsAny(p, "\\`*_[]<>|~&@") && !strings.Contains(p, "://") && !containsFold(p, "www.")
}

// containsFold reports whether s contains sub (whose first byte is an
// ASCII letter), letters of either case: at each place s has that
// letter, in either case.
func containsFold(s, sub string) bool {
	lower, upper := sub[0]|0x20, sub[0]&^0x20
	for i := 0; i+len(sub) <= len(s); i++ {
		if c := s[i]; (c == lower || c == upper) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Plain strips what a terminal or a page would interpret: ANSI escape
// sequences and other control characters; line breaks become spaces.
func Plain(s string) string {
	if plainAlready(s) {
		return s
	}
	return plainCopy(s)
}

// plainCopy is Plain's copy of s, rune by rune.
func plainCopy(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC: skip a CSI or OSC sequence
			i = skipEscape(rs, i)
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' ||
			r == '\u0085' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case unicode.IsControl(r), isBidiControl(r):
			// C0 and C1 controls, and the bidirectional overrides that
			// can make text read differently from what it says.
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// plainAlready reports whether Plain would return s as it is: valid
// UTF-8 without control characters, bidirectional controls or any space
// but single ASCII spaces between words (none at the ends). Most text on
// a page is, and needs no rune-by-rune copy.
func plainAlready(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c > '~' || c == ' ' && s[i+1] == ' ' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || isBidiControl(r) {
			return false
		}
		i += n
	}
	return true
}

// isBidiControl reports whether r changes the direction text is shown in
// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
func isBidiControl(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// skipEscape returns the index of the last rune of the escape sequence
// starting at rs[i].
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[': // CSI: parameters, then a final byte in @–~
		for j := i + 2; j < len(rs); j++ {
			if rs[j] >= '@' && rs[j] <= '~' {
				return j
			}
		}
		return len(rs) - 1
	case ']': // OSC: until BEL or ESC \
		for j := i + 2; j < len(rs); j++ {
			if rs[j] == 0x07 {
				return j
			}
			if rs[j] == 0x1b && j+1 < len(rs) && rs[j+1] == '\\' {
				return j + 1
			}
		}
		return len(rs) - 1
	}
	// Other escapes: intermediate bytes (space to /), then one final
	// byte, as in ESC ( B.
	j := i + 1
	for j+1 < len(rs) && rs[j] >= 0x20 && rs[j] <= 0x2f {
		j++
	}
	return j
}

// mixedPanel reports whether the jurors sat on more than one model, when
// the pages name each juror's model.
func mixedPanel(r *jury.Report) bool {
	first := ""
	for _, j := range r.Jurors {
		switch {
		case j.Model == "":
		case first == "":
			first = j.Model
		case j.Model != first:
			return true
		}
	}
	return false
}

// dissentVotes is the jurors' votes on a task in dissent as a page lists
// them after "jurors disagree:": " The Diplomat 21; The Optimist 46",
// each name passed through text (Plain or Markdown).
func dissentVotes(r *jury.Report, t jury.TaskResult, text func(string) string) string {
	var b strings.Builder
	for j, v := range t.Votes {
		if j > 0 {
			b.WriteByte(';')
		}
		b.WriteString(" " + text(personaName(r, v.Persona)) + " " + strconv.Itoa(v.Score))
	}
	return b.String()
}

func personaName(r *jury.Report, id string) string {
	for _, j := range r.Jurors {
		if j.Persona == id {
			return j.Name
		}
	}
	return id
}
