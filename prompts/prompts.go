// Package prompts owns the words jury sends to models: the embedded
// templates, the persona definitions, the JSON schemas of the answers, and
// the hash that versions them all.
//
// A verdict is nine requests in a clean run. Round 1: each juror's ballot
// request is three messages; the first two — the rubric and the
// occupation with its tasks — are byte-identical for every juror of an
// occupation, so providers' prompt caching applies to them, and the
// persona's part comes last. Round 2: each juror's statement request
// starts with the same two messages and the verdict, the same bytes for
// every juror, and ends with the juror's own part — its persona, its
// round-1 ballot answer and its score — so that it answers the verdict
// with its votes in mind while the later jurors find everything before
// that part in the provider's prompt cache. The foreperson's request
// shares the same two-message prefix.
package prompts

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/onet-jury/jury/jury"
)

//go:embed templates/*.tmpl personas.json offline/*.txt
var files embed.FS

// Persona is a juror's character: an ID used in reports and flags, the name
// readers see, the voice its quote is written in, an optional example
// line in that voice, and its stance on scores (round 1) and on the
// verdict (round 2).
type Persona struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Voice   string `json:"voice"`
	Example string `json:"example,omitempty"`
	Stance  string `json:"stance"`
}

// Message is one chat message of a request.
type Message struct {
	Role    string
	Content string
}

// Roles of chat messages.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Schema is the JSON schema an answer must follow, sent as a strict
// Structured Outputs response format.
type Schema struct {
	Name string
	JSON json.RawMessage
	// Budget is the answer budget a request for this schema sends
	// (max_tokens), in tokens: what the longest valid answer takes, with
	// room to spare (see answerBudget). Providers such as OpenAI count it
	// against the tokens-per-minute limit before the answer is written,
	// so a budget far above what answers need slows a batch down.
	Budget int
}

// Set is a versioned set of templates and personas. It is safe for
// concurrent use; build one with Default or New.
type Set struct {
	tmpl     *template.Template
	personas []Persona
	limits   Limits
	hash     string
	// system is the rubric, the first message of every request, and
	// statement the schema of every statement: neither depends on the
	// occupation, so build renders them once.
	system    string
	statement Schema
}

// Limits are the validation limits the prompts quote to the models; they
// are jury's own (DefaultLimits) except in tests that check the hash
// follows them.
type Limits struct {
	E0Max, E1Min, Slack, MaxQuote, MaxReason, ReactionGap int
	MinSentences, MaxSentences                            int
	// MaxSummary is the longest summary, in characters.
	MaxSummary int
}

// DefaultLimits returns jury's validation limits.
func DefaultLimits() Limits {
	return Limits{
		E0Max: jury.E0Max, E1Min: jury.E1Min, Slack: jury.OverallSlack, MaxQuote: jury.MaxQuote,
		MaxReason: jury.MaxReason, ReactionGap: jury.ReactionGap,
		MinSentences: jury.MinSummarySentences, MaxSentences: jury.MaxSummarySentences,
		MaxSummary: jury.MaxSummary,
	}
}

// BuiltinPersonas returns the four built-in personas in panel order.
func BuiltinPersonas() []Persona { return slices.Clone(builtinPersonas()) }

// builtinPersonas parses personas.json once: the offline juror asks for
// them on every request.
var builtinPersonas = sync.OnceValue(func() []Persona {
	data, err := files.ReadFile("personas.json")
	if err != nil {
		panic(err) // embedded at build time
	}
	var ps []Persona
	if err := json.Unmarshal(data, &ps); err != nil {
		panic(fmt.Sprintf("prompts: personas.json: %v", err))
	}
	return ps
})

// Default returns the built-in templates with the built-in personas.
func Default() *Set {
	s, err := New(BuiltinPersonas())
	if err != nil {
		panic(err) // the built-ins are tested
	}
	return s
}

// New builds a Set of the built-in templates with the given personas, which
// must have unique, non-empty IDs and names, a voice and a stance.
func New(personas []Persona) (*Set, error) {
	return build(files, personas, DefaultLimits())
}

// build makes a Set from the templates and offline words in fsys (the
// embedded files, or a changed copy in tests) and the given limits.
func build(fsys fs.FS, personas []Persona, limits Limits) (*Set, error) {
	if err := checkPersonas(personas); err != nil {
		return nil, err
	}
	tmpl, err := template.New("").Option("missingkey=error").ParseFS(fsys, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	s := &Set{tmpl: tmpl, personas: slices.Clone(personas), limits: limits}
	s.system, s.statement = s.render("system.tmpl", limits), statementSchema(limits)
	s.hash = s.computeHash(fsys)
	return s, nil
}

// computeHash hashes what reaches a model or a page: every request the
// set renders for a canonical occupation — both rounds for every persona,
// a re-ask and the foreperson's — with its schema, and the offline
// juror's words. A change to a template, a persona, a schema or a limit
// quoted in a prompt changes some rendered request, and so the hash.
func (s *Set) computeHash(fsys fs.FS) string {
	h := sha256.New()
	for _, r := range s.canonicalRequests() {
		fmt.Fprintf(h, "request %s\x00schema %s\x00%s\x00", r.name, r.schema.Name, r.schema.JSON)
		for _, m := range r.msgs {
			fmt.Fprintf(h, "%s\x00%d\x00%s\x00", m.Role, len(m.Content), m.Content)
		}
	}
	// The IDs reach the reports and choose the offline juror's voice.
	pj, _ := json.Marshal(s.personas)
	fmt.Fprintf(h, "personas\x00%d\x00%s", len(pj), pj)
	offline, _ := fs.Glob(fsys, "offline/*.txt")
	slices.Sort(offline)
	for _, n := range offline {
		data, _ := fs.ReadFile(fsys, n)
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(data))
		h.Write(data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}

func checkPersonas(ps []Persona) error {
	if len(ps) == 0 {
		return jury.Invalidf("no personas: a panel needs at least one juror")
	}
	ids := map[string]bool{}
	for i, p := range ps {
		switch {
		case p.ID == "" || strings.ContainsAny(p.ID, " \t\r\n/\\"):
			return jury.Invalidf("persona %d: id %q must be one word such as \"skeptic\"", i+1, p.ID)
		case ids[p.ID]:
			return jury.Invalidf("persona %q defined twice", p.ID)
		case strings.TrimSpace(p.Name) == "":
			return jury.Invalidf("persona %q: name is empty", p.ID)
		case strings.TrimSpace(p.Voice) == "" || strings.TrimSpace(p.Stance) == "":
			return jury.Invalidf("persona %q: voice and stance are both required", p.ID)
		}
		ids[p.ID] = true
	}
	return nil
}

// Personas returns the panel's personas in order.
func (s *Set) Personas() []Persona { return slices.Clone(s.personas) }

// Persona returns the persona with the given ID and whether it is on the panel.
func (s *Set) Persona(id string) (Persona, bool) {
	for _, p := range s.personas {
		if p.ID == id {
			return p, true
		}
	}
	return Persona{}, false
}

// Hash identifies the templates and personas: it changes when any word
// sent to a model changes. It goes into every report's provenance.
func (s *Set) Hash() string { return s.hash }

func (s *Set) render(name string, data any) string {
	var b bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		panic(fmt.Sprintf("prompts: %s: %v", name, err)) // templates and data are ours and tested
	}
	return b.String()
}

// prefix renders the two messages every request about occ starts with:
// the rubric (the same for every occupation, rendered by build) and the
// occupation.
func (s *Set) prefix(occ jury.Occupation) [2]Message {
	return [2]Message{
		{Role: RoleSystem, Content: s.system},
		{Role: RoleUser, Content: s.render("occupation.tmpl", map[string]any{
			"Title": occ.Title, "Code": occ.Code, "Tasks": occ.Tasks, "JSON": compactJSON(promptOccupationOf(occ)),
		})},
	}
}

// join returns a new slice of the prefix and then more.
func join(prefix [2]Message, more ...Message) []Message {
	msgs := make([]Message, 0, len(prefix)+len(more))
	return append(append(msgs, prefix[:]...), more...)
}

// promptOccupation is the occupation as prompts show it: an unrated
// task's type ("n/a", most of some occupations' tasks) is left out.
type promptOccupation struct {
	Code  string       `json:"code"`
	Title string       `json:"title"`
	Tasks []promptTask `json:"tasks"`
}

type promptTask struct {
	ID   string        `json:"id"`
	Text string        `json:"text"`
	Type jury.TaskType `json:"type,omitempty"`
}

func promptOccupationOf(occ jury.Occupation) promptOccupation {
	out := promptOccupation{Code: occ.Code, Title: occ.Title, Tasks: make([]promptTask, len(occ.Tasks))}
	for i, t := range occ.Tasks {
		out.Tasks[i] = promptTask{ID: t.ID, Text: t.Text, Type: t.Type}
		if t.Type == jury.Unrated {
			out.Tasks[i].Type = ""
		}
	}
	return out
}

// Ballot returns the messages and schema that ask persona p for its ballot
// on occ. The jurors of one verdict share all but the last message:
// Requests renders that part once for all of them.
func (s *Set) Ballot(occ jury.Occupation, p Persona) ([]Message, Schema) {
	return s.Requests(occ).Ballot(p)
}

// persona renders the last message of a ballot request: who p is.
func (s *Set) persona(occ jury.Occupation, p Persona) Message {
	return Message{Role: RoleUser, Content: s.render("persona.tmpl", map[string]any{
		"Name": p.Name, "Voice": p.Voice, "Example": p.Example, "Stance": p.Stance, "Occupation": occ.Title,
	})}
}

// Statement returns the messages and schema that ask persona p, in
// round 2, to answer the verdict of r on occ. Everything every juror of
// the verdict is sent comes first and byte-identical — the rubric, the
// occupation, the verdict and what an answer must say — so that the
// later jurors find it in the provider's prompt cache; the juror's own
// part comes last: its persona, its valid round-1 ballot answer (the
// votes and reasons it gave, compacted) and its own score. Statements
// renders the shared part once for all the jurors of a verdict.
func (s *Set) Statement(occ jury.Occupation, p Persona, answer string, r *jury.Report, own int) ([]Message, Schema) {
	return s.Requests(occ).Statements(r).Statement(p, answer, own)
}

// verdict renders the third message of a statement request: the verdict
// of r as every juror is shown it, and what an answer must say.
func (s *Set) verdict(r *jury.Report) Message {
	return Message{Role: RoleUser, Content: s.render("statement.tmpl", map[string]any{
		"JSON": compactJSON(BriefingOf(r)), "Headline": r.Headline,
		"Gap": s.limits.ReactionGap, "MaxQuote": s.limits.MaxQuote,
	})}
}

// statementJuror renders the last message of a statement request: who p
// is, its round-1 answer and its own score.
func (s *Set) statementJuror(p Persona, answer string, headline, own int) Message {
	return Message{Role: RoleUser, Content: s.render("statement-juror.tmpl", map[string]any{
		"Name": p.Name, "Voice": p.Voice, "Example": p.Example, "Stance": p.Stance,
		"Ballot": compactAnswer(answer), "Own": own, "Headline": headline,
	})}
}

// compactAnswer is a JSON answer without the spacing a model may have
// put in it; an answer that is not JSON is kept as it is.
func compactAnswer(answer string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(answer)); err != nil {
		return answer
	}
	return b.String()
}

// Reask returns the user message that sends a juror its answer's problems.
func (s *Set) Reask(problems []string) Message {
	return Message{Role: RoleUser, Content: s.render("reask.tmpl", problems)}
}

// Foreperson returns the messages and schema that ask the foreperson for the
// summary and the task rationales of a decided report.
func (s *Set) Foreperson(occ jury.Occupation, r *jury.Report) ([]Message, Schema) {
	return s.Requests(occ).Foreperson(r)
}

// foreperson renders the last message of the foreperson's request: the
// verdict of r and what the note must say.
func (s *Set) foreperson(r *jury.Report) Message {
	return Message{Role: RoleUser, Content: s.render("foreperson.tmpl", map[string]any{
		"JSON": compactJSON(verdictOf(r)), "Headline": r.Headline,
		"MinSentences": s.limits.MinSentences, "MaxSentences": s.limits.MaxSentences, "MaxQuote": s.limits.MaxQuote,
	})}
}

// compactJSON renders v as compact JSON: indentation would be a sixth of
// every prompt's tokens. Characters that are HTML in JSON's eyes stay as
// they are, so that a task text reads as written.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	data := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if err != nil {
		panic(fmt.Sprintf("prompts: %v", err))
	}
	return string(data)
}
