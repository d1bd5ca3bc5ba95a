package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/golden"
	"github.com/onet-jury/jury/pipeline/render"
)

var update = flag.Bool("update", false, "update .golden files")

// requireInOrder checks that page contains each of parts, each after the
// previous one.
func requireInOrder(t *testing.T, page string, parts ...string) {
	t.Helper()
	rest := page
	for i, p := range parts {
		at := strings.Index(rest, p)
		if at < 0 {
			if i > 0 && strings.Contains(page, p) {
				require.Failf(t, "out of order", "%q appears, but not after %q:\n%s", p, parts[i-1], page)
			}
			require.Failf(t, "missing", "%q does not appear:\n%s", p, page)
		}
		rest = rest[at+len(p):]
	}
}

// lines returns the lines of page that match re.
func lines(page string, re *regexp.Regexp) []string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

func TestMarkdownPageSections(t *testing.T) {
	b, err := render.MarkdownPage(sampleReport())
	require.NoError(t, err)
	page := string(b)
	requireInOrder(t, page,
		"# Medical Records Specialists: AI could save 83\u00a0% of task time\n",
		"O*NET-SOC 29-2072.00 · headline **83\u00a0%** (very high) · 3 tasks",
		"## Summary\n",
		"Medical records specialists face high automation risk.",
		"## The AI Jury\n",
		"### The Diplomat — 81\u00a0%\n",
		"> “Nearly every task here is textbook automation fodder.”\n",
		"### The Chaos Agent — 90\u00a0%\n",
		"> “Medical records clerks? 83% is cute denial.”\n",
		"### The Contrarian\n",
		"*Ballot not counted:* tasks missing: 22888; quote is empty\n",
		"### The Optimist — 78\u00a0%\n",
		"> “The job will shift toward exception handling.”\n",
		"## Task-by-Task Breakdown\n",
		"Most exposed first.",
		"1. **95\u00a0%** · E1 · Consult classification manuals",
		"Language models retrieve and synthesize manual content instantly.",
		"2. **88\u00a0%** · E2 · Assign the patient to diagnosis-related groups (DRGs)",
		"Rule-based software maps codes to DRGs.",
		"3. **30\u00a0%** · E0 · Resolve or clarify codes",
		"⚑ *jurors disagree:* The Diplomat 20; The Chaos Agent 70; The Optimist 10",
		"This needs negotiation with physicians.",
		"\n---\n",
		"Models: gpt-4o-mini · prompts sha256:1f2e3d4c · temperature 0.7 · seed 42 · jury v0.3.0",
		"Calls: 6 (retries: 1, re-asks: 1) · tokens: 12345 prompt, 2345 completion · list price $0.0125",
		"O*NET", "U.S. Department of Labor", "CC BY 4.0",
	)
	require.True(t, strings.HasSuffix(page, "\n"), "the page ends with a newline")
	require.NotContains(t, page, "\n\n\n", "no runs of blank lines")

	// Exactly one page title and the three section headings, in order.
	require.Equal(t, []string{
		"# Medical Records Specialists: AI could save 83\u00a0% of task time",
		"## Summary",
		"## The AI Jury",
		"### The Diplomat — 81\u00a0%",
		"### The Chaos Agent — 90\u00a0%",
		"### The Contrarian",
		"### The Optimist — 78\u00a0%",
		"## Task-by-Task Breakdown",
	}, lines(page, regexp.MustCompile(`^#`)))

	// An invalid juror has no score and no quote.
	require.NotContains(t, page, "### The Contrarian —")
	// Only the task in dissent is flagged.
	require.Equal(t, 1, strings.Count(page, "⚑"))
	// No offline weights line when none were used.
	require.NotContains(t, page, "offline weights")
}

func TestMarkdownPageTaskOrder(t *testing.T) {
	// The page numbers tasks in the report's order, whatever their IDs.
	r := sampleReport()
	r.Tasks[0], r.Tasks[2] = r.Tasks[2], r.Tasks[0]
	b, err := render.MarkdownPage(r)
	require.NoError(t, err)
	require.Equal(t, []string{
		"1. **30\u00a0%** · E0 · Resolve or clarify codes or diagnoses with conflicting, missing, or unclear information by consulting with doctors. ⚑ *jurors disagree:* The Diplomat 20; The Chaos Agent 70; The Optimist 10  ",
		"2. **88\u00a0%** · E2 · Assign the patient to diagnosis-related groups (DRGs), using appropriate computer software.  ",
		"3. **95\u00a0%** · E1 · Consult classification manuals to locate information about disease processes.  ",
	}, lines(string(b), regexp.MustCompile(`^\d+\. `)))
}

func TestMarkdownPageJurors(t *testing.T) {
	tests := []struct {
		name    string
		juror   jury.JurorResult
		want    []string
		notWant []string
	}{
		{
			name:    "a valid juror shows score and quote",
			juror:   jury.JurorResult{Persona: "optimist", Name: "The Optimist", Score: 78, Quote: "Paperwork goes; people stay.", Valid: true},
			want:    []string{"### The Optimist — 78\u00a0%\n", "> “Paperwork goes; people stay.”\n"},
			notWant: []string{"### The Optimist\n", "Paperwork goes; people stay.”\n\n*Ballot not counted"},
		},
		{
			name:    "an invalid juror shows its problems instead",
			juror:   jury.JurorResult{Persona: "optimist", Name: "The Optimist", Score: 78, Quote: "Never shown.", Valid: false, Problems: []string{"score 140 is above 100", "task 22877: label \"E3\" is not E0, E1 or E2"}},
			want:    []string{"### The Optimist\n", "*Ballot not counted:* score 140 is above 100; task 22877: label \"E3\" is not E0, E1 or E2\n"},
			notWant: []string{"Never shown", "— 78\u00a0%"},
		},
		{
			name:    "an invalid juror's problems are escaped",
			juror:   jury.JurorResult{Persona: "optimist", Name: "The Optimist", Valid: false, Problems: []string{"quote \"<b>hi</b>\" has\nmarkup"}},
			want:    []string{"*Ballot not counted:* quote \"\\<b\\>hi\\</b\\>\" has markup\n"},
			notWant: []string{"<b>"},
		},
		{
			name:  "a juror's name is escaped in its heading",
			juror: jury.JurorResult{Persona: "optimist", Name: "The *Optimist*", Score: 50, Quote: "Fine.", Valid: true},
			want:  []string{"### The \\*Optimist\\* — 50\u00a0%\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			r.Jurors[3] = tt.juror
			b, err := render.MarkdownPage(r)
			require.NoError(t, err)
			page := string(b)
			for _, w := range tt.want {
				require.Contains(t, page, w)
			}
			for _, w := range tt.notWant {
				require.NotContains(t, page, w)
			}
		})
	}
}

func TestMarkdownPageProvenance(t *testing.T) {
	r := sampleReport()
	r.Provenance.Models = []string{"gpt-4o-mini", "gpt-4o"}
	r.Provenance.Weights = "exposure-v1"
	b, err := render.MarkdownPage(r)
	require.NoError(t, err)
	require.Contains(t, string(b), "Models: gpt-4o-mini, gpt-4o · prompts sha256:1f2e3d4c · temperature 0.7 · seed 42 · jury v0.3.0 · offline weights exposure-v1  \n")
}

// An offline verdict answered in this process names no temperature and
// no tokens in its footer, on either page: it had none. One replayed
// through a server, or paid for, keeps them.
func TestOfflineFooterNamesNoTemperatureOrTokens(t *testing.T) {
	offline := func(edit func(r *jury.Report)) *jury.Report {
		r := sampleReport()
		r.Provenance.Models = []string{render.OfflineModel}
		r.Provenance.Weights = "sha256:c7035c29521890cd"
		r.Usage = jury.Usage{Calls: 9}
		if edit != nil {
			edit(r)
		}
		return r
	}
	tests := []struct {
		name   string
		r      *jury.Report
		inProc bool
	}{
		{"offline juror in process", offline(nil), true},
		{"offline juror behind a server", offline(func(r *jury.Report) { r.Provenance.Weights = ""; r.Usage.PromptTokens = 21749 }), false},
		{"a paid model", sampleReport(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := render.MarkdownPage(tt.r)
			require.NoError(t, err)
			html, err := render.HTMLPage(tt.r)
			require.NoError(t, err)
			for _, page := range []string{string(md), string(html)} {
				if tt.inProc {
					require.Contains(t, page, "9 to the offline juror, none to an AI model · no tokens, no cost")
					require.NotContains(t, page, "emperature")
					require.NotContains(t, page, "completion")
				} else {
					require.Contains(t, page, "emperature")
					require.Contains(t, page, "completion")
					require.NotContains(t, page, "to the offline juror")
				}
			}
		})
	}
}

// hostileReport is sampleReport with model-written text that tries to
// inject HTML, Markdown structure and terminal escapes.
func hostileReport() *jury.Report {
	r := sampleReport()
	r.Summary = "# Pwned\n- a list item\n\n====="
	r.Jurors[0].Quote = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	r.Jurors[1].Quote = "Look: \x1b[31mred\x1b[0m\nand a second line\r\nand a third"
	r.Jurors[3].Name = "The *Optimist* [x](http://evil)"
	r.Tasks[0].Text = `Close the cell </td> with *bold* text and a [link](http://x) & more`
	r.Tasks[0].Rationale = "---"
	r.Tasks[1].Rationale = "1. Not a list item."
	r.Tasks[2].Rationale = "> not a quote\n=== not a heading"
	return r
}

func TestMarkdownPageHostileText(t *testing.T) {
	b, err := render.MarkdownPage(hostileReport())
	require.NoError(t, err)
	page := string(b)

	// No raw HTML: every < is escaped.
	require.NotRegexp(t, `(^|[^\\])<`, page, "an unescaped < opens raw HTML")
	require.Contains(t, page, `> “\<script\>alert(1)\</script\>\<img src=x onerror=alert(2)\>”`+"\n")
	// No link, no emphasis from task text.
	require.NotRegexp(t, `(^|[^\\])\[link(\\)?\]\(`, page)
	require.Contains(t, page, `Close the cell \</td\> with \*bold\* text and a \[link\](http\://x) \& more`)
	// No terminal escapes, and the multi-line quote stays on its line.
	require.NotContains(t, page, "\x1b")
	require.NotContains(t, page, "\r")
	require.Contains(t, page, "\n> “Look: red and a second line and a third”\n")
	// The names of the jurors in the dissent line are escaped as well.
	require.Contains(t, page, "### The \\*Optimist\\* \\[x\\](http\\://evil) — 78\u00a0%\n")
	require.Contains(t, page, "The \\*Optimist\\* \\[x\\](http\\://evil) 10  ")
	require.NotRegexp(t, `(^|[^\\])\[x\]`, page)

	// Model text cannot add headings, lists, quotes or rules.
	require.Equal(t, []string{
		"# Medical Records Specialists: AI could save 83\u00a0% of task time",
		"## Summary",
		"## The AI Jury",
		"### The Diplomat — 81\u00a0%",
		"### The Chaos Agent — 90\u00a0%",
		"### The Contrarian",
		"### The \\*Optimist\\* \\[x\\](http\\://evil) — 78\u00a0%",
		"## Task-by-Task Breakdown",
	}, lines(page, regexp.MustCompile(`^ {0,3}#`)), "headings")
	require.Equal(t, []string{"---"}, lines(page, regexp.MustCompile(`^ {0,3}(-+|=+|\*+|_+)\s*$`)), "one rule, before the footer; no setext underline")
	require.Len(t, lines(page, regexp.MustCompile(`^ {0,3}>`)), 3, "only the three valid jurors' quotes are block quotes")
	require.Len(t, lines(page, regexp.MustCompile(`^ {0,3}([-+*]|\d+[.)])(\s|$)`)), 3, "only the three tasks are list items")
	requireInOrder(t, page,
		"## Summary\n\n\\# Pwned - a list item =====\n",
		"   \\---\n",
		"   1\\. Not a list item.\n",
		"   \\> not a quote === not a heading\n",
	)
}

// requireGolden compares got with testdata/name, or writes it there when
// the test runs with -update.
func requireGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Assert(t, filepath.Join("testdata", name), got, *update,
		fmt.Sprintf("go test ./pipeline/render -run '^%s$' -update", t.Name()))
}

func TestMarkdownPageGolden(t *testing.T) {
	b, err := render.MarkdownPage(sampleReport())
	require.NoError(t, err)
	requireGolden(t, "report.md.golden", b)
}

func TestMarkdownPageIsDeterministic(t *testing.T) {
	a, err := render.MarkdownPage(sampleReport())
	require.NoError(t, err)
	for range 5 {
		b, err := render.MarkdownPage(sampleReport())
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
	}
}

// objectKeys returns the keys of the JSON object in data, in file order.
func objectKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

func TestJSONKeyOrder(t *testing.T) {
	r := sampleReport()
	r.Provenance.Weights = "exposure-v1"
	b, err := render.JSON(r)
	require.NoError(t, err)

	require.Equal(t, []string{"schema_version", "occupation", "headline", "band", "summary", "jurors", "tasks", "provenance", "usage"}, objectKeys(t, b))
	require.True(t, bytes.HasPrefix(b, []byte("{\n  \"schema_version\": 3,\n")), "schema_version comes first:\n%s", b)

	var parts struct {
		Occupation json.RawMessage   `json:"occupation"`
		Jurors     []json.RawMessage `json:"jurors"`
		Tasks      []json.RawMessage `json:"tasks"`
		Provenance json.RawMessage   `json:"provenance"`
		Usage      json.RawMessage   `json:"usage"`
	}
	require.NoError(t, json.Unmarshal(b, &parts))
	require.Equal(t, []string{"code", "title"}, objectKeys(t, parts.Occupation))
	require.Equal(t, []string{"persona", "name", "model", "score", "reaction", "quote", "valid", "problems"}, objectKeys(t, parts.Jurors[0]))
	require.Equal(t, []string{"id", "text", "type", "score", "label", "rationale", "votes", "dissent"}, objectKeys(t, parts.Tasks[0]))
	require.Equal(t, []string{"models", "prompt_hash", "temperature", "seed", "version", "aggregation", "quorum", "input_hash", "weights", "seats"}, objectKeys(t, parts.Provenance))
	require.Equal(t, []string{"calls", "retries", "reasks", "prompt_tokens", "completion_tokens", "cost_usd"}, objectKeys(t, parts.Usage))

	// Lists keep the report's order.
	var got jury.Report
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, []string{"22879", "22877", "22888"}, []string{got.Tasks[0].ID, got.Tasks[1].ID, got.Tasks[2].ID})
	require.Equal(t, "diplomat", got.Jurors[0].Persona)
	require.Equal(t, "optimist", got.Jurors[3].Persona)
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name   string
		report func() *jury.Report
		want   []string
		// notWant are strings the file must not contain.
		notWant []string
	}{
		{
			name:    "sample report",
			report:  sampleReport,
			want:    []string{`"title": "Medical Records Specialists"`, `"band": "very high"`, `"type": "n/a"`, `"problems": [`},
			notWant: []string{`"weights"`},
		},
		{
			name:    "hostile text is kept as written, not HTML-escaped",
			report:  hostileReport,
			want:    []string{`"quote": "<script>alert(1)</script><img src=x onerror=alert(2)>"`, `</td> with *bold* text and a [link](http://x) & more`, `"quote": "Look: \u001b[31mred\u001b[0m\nand a second line\r\nand a third"`},
			notWant: []string{`\u003c`, `\u003e`, `\u0026`, "\x1b"},
		},
		{
			name: "offline weights are recorded",
			report: func() *jury.Report {
				r := sampleReport()
				r.Provenance.Weights = "exposure-v1"
				return r
			},
			want: []string{`"weights": "exposure-v1"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.report()
			b, err := render.JSON(r)
			require.NoError(t, err)
			require.True(t, json.Valid(b))
			require.True(t, bytes.HasSuffix(b, []byte("}\n")), "report.json ends with a newline")
			require.False(t, bytes.HasSuffix(b, []byte("\n\n")), "and only one")
			require.True(t, bytes.HasPrefix(b, []byte("{\n  \"")), "indented by two spaces")
			for _, w := range tt.want {
				require.Contains(t, string(b), w)
			}
			for _, w := range tt.notWant {
				require.NotContains(t, string(b), w)
			}

			// Round trip: reading report.json back gives the same report,
			// and writing it again gives the same bytes.
			var back jury.Report
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, *r, back)
			again, err := render.JSON(&back)
			require.NoError(t, err)
			require.Equal(t, string(b), string(again))
		})
	}
}

func TestPlain(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is kept", "Consult manuals — café, 83 % ⚑", "Consult manuals — café, 83 % ⚑"},
		{"empty", "", ""},
		{"ANSI colour", "\x1b[31mred\x1b[0m text", "red text"},
		{"ANSI colour with parameters", "\x1b[1;38;5;196mbold\x1b[m", "bold"},
		{"ANSI private mode and cursor moves", "\x1b[?25l\x1b[2J\x1b[Hcleared", "cleared"},
		{"CSI cut off at the end", "text\x1b[31", "text"},
		{"ESC at the end", "text\x1b", "text"},
		{"OSC window title ended by BEL", "\x1b]0;pwned\x07title", "title"},
		{"OSC 8 hyperlink ended by ESC \\", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\ here", "click here"},
		{"OSC cut off at the end", "text\x1b]0;never ended", "text"},
		{"two-byte escape", "\x1bcreset", "reset"},
		{"character set designation", "\x1b(Bnormal\x1b[m", "normal"},
		{"BEL", "ding\x07dong", "dingdong"},
		{"backspace and NUL", "ab\bc\x00d", "abcd"},
		{"DEL and C1 controls", "a\x7fb\u0080c\u009fd", "abcd"},
		{"tabs", "a\tb\t\tc", "a b c"},
		{"bidirectional overrides", "invoice\u202egpj.exe\u202c \u2066x\u2069\u200f", "invoicegpj.exe x"},
		{"every bidirectional control", "a\u061cb\u200ec\u200fd\u202ae\u202bf\u202cg\u202dh\u202ei\u2066j\u2067k\u2068l\u2069m", "abcdefghijklm"},
		{"newlines", "line one\nline two\r\nline three\rline four", "line one line two line three line four"},
		{"runs of spaces and edges", "  a   b \n ", "a b"},
		{"vertical tab and form feed", "a\vb\fc", "a b c"},
		{"next line U+0085", "a\u0085b", "a b"},
		{"line separator U+2028", "first line\u2028second line", "first line second line"},
		{"paragraph separator U+2029", "first paragraph\u2029second", "first paragraph second"},
		{"markup is not Plain's business", "<b>*x*</b> [a](b)", "<b>*x*</b> [a](b)"},
		{"plain ASCII is kept", "Review records, 91 % of 3 tasks.", "Review records, 91 % of 3 tasks."},
		{"ASCII with two spaces", "a  b", "a b"},
		{"ASCII with a space first", " a", "a"},
		{"ASCII with a space last", "a ", "a"},
		{"a single space", " ", ""},
		{"ASCII then DEL", "ab\x7f", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render.Plain(tt.in)
			require.Equal(t, tt.want, got)
			require.Equal(t, got, render.Plain(got), "Plain is idempotent")
		})
	}
}

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is kept", "Assign DRGs, using software (ICD-10).", "Assign DRGs, using software (ICD-10)."},
		{"HTML", `<script>alert(1)</script>`, `\<script\>alert(1)\</script\>`},
		{"entity", "&lt; & &amp;", `\&lt; \& \&amp;`},
		{"emphasis and code", "*a* _b_ `c` ~~d~~", "\\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~"},
		{"link and image", "[a](http://x) ![i](http://y)", `\[a\](http\://x) !\[i\](http\://y)`},
		{"javascript link", "[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"img with an event handler", "<img src=x onerror=alert(1)>", `\<img src=x onerror=alert(1)\>`},
		{"bare URLs are no autolinks", "see https://evil.example/x and HTTP://y or ftp://z", `see https\://evil.example/x and HTTP\://y or ftp\://z`},
		{"www names are no autolinks", "visit www.evil.example or WWW.x.y", `visit www\.evil.example or WWW\.x.y`},
		{"e-mail addresses are no autolinks", "mail bob@evil.example", `mail bob\@evil.example`},
		{"a colon in text is kept", "Note: 10:30, sha256:1f2e", "Note: 10:30, sha256:1f2e"},
		{"bidi controls are dropped", "abc\u202edcb\u061c\u2066x\u2069", "abcdcbx"},
		{"table cell", "a | b", `a \| b`},
		{"backslash", `C:\path`, `C:\\path`},
		{"heading at the start", "# Title", `\# Title`},
		{"hash inside is kept", "C# and F#", "C# and F#"},
		{"bullet at the start", "- item", `\- item`},
		{"plus at the start", "+ item", `\+ item`},
		{"ordered item at the start", "1. item", `1\. item`},
		{"ordered item with paren", "12) item", `12\) item`},
		{"number inside is kept", "Cut 50. Then 2) more", "Cut 50. Then 2) more"},
		{"decimal at the start is kept", "2.5 hours", "2.5 hours"},
		{"number alone", "42.", `42\.`},
		{"setext underline", "===", `\===`},
		{"rule", "---", `\---`},
		{"quote at the start", "> quoted", `\> quoted`},
		{"newlines join lines, so markers inside are kept", "a\n# b\x1b[31m\n- c", "a # b - c"},
		{"leading space before a marker", "  - item", `\- item`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, render.Markdown(tt.in))
		})
	}
}

func TestPagesNameEachJurorsModelOnlyForAMixedPanel(t *testing.T) {
	single := sampleReport()
	mixed := sampleReport()
	models := []string{"gpt-4o-mini", "claude-3-5-haiku-latest", "gemini-2.0-flash", "llama3.1"}
	for i := range mixed.Jurors {
		mixed.Jurors[i].Model = models[i%len(models)]
	}
	for _, tc := range []struct {
		name  string
		r     *jury.Report
		named bool
	}{{"one model", single, false}, {"four models", mixed, true}} {
		t.Run(tc.name, func(t *testing.T) {
			md, err := render.MarkdownPage(tc.r)
			require.NoError(t, err)
			page, err := render.HTMLPage(tc.r)
			require.NoError(t, err)
			for _, j := range tc.r.Jurors {
				if j.Model == "" {
					continue
				}
				if tc.named {
					require.Contains(t, string(md), "· *"+render.Markdown(j.Model)+"*")
					require.Contains(t, string(page), `<p class="juror-model">`+j.Model+`</p>`)
				} else {
					require.NotContains(t, string(page), `class="juror-model"`)
					require.NotContains(t, string(md), "· *"+j.Model+"*")
				}
			}
		})
	}
}

// The legend and headline say what the number is — the share of the
// task's time AI could save — and only an offline report says a
// classifier and sentence templates wrote it.
func TestLegendWording(t *testing.T) {
	for _, tc := range []struct {
		name    string
		models  []string
		offline bool
	}{
		{"a model panel", []string{"gpt-4o-mini"}, false},
		{"a mixed panel with an offline seat", []string{"gpt-4o-mini", "jury-offline"}, false},
		{"the offline juror", []string{"jury-offline"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleReport()
			r.Provenance.Models = tc.models
			require.Equal(t, tc.offline, render.Offline(r))
			md, err := render.MarkdownPage(r)
			require.NoError(t, err)
			html, err := render.HTMLPage(r)
			require.NoError(t, err)
			for name, page := range map[string]string{"md": string(md), "html": strings.ReplaceAll(string(html), "’", "'")} {
				require.Contains(t, page, "AI could save 83\u00a0% of task time", name)
				require.Contains(t, page, "the share of the task's time AI could save at equal quality", name)
				require.NotContains(t, page, "automatable", name)
				require.NotContains(t, page, "can take over", name)
				require.Equal(t, tc.offline, strings.Contains(page, "Written offline: no AI model was asked. A trained classifier scored each task"), name)
				require.Equal(t, !tc.offline, strings.Contains(page, "The AI Jury"), name)
			}
		})
	}
}
