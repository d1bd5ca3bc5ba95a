package prompts

import "github.com/onet-jury/jury/jury"

// Requests are the requests of one verdict on one occupation. What every
// request of the verdict shares — the rubric, the occupation message and
// the ballot schema — is rendered once, when Requests is made, instead of
// once per juror; Statements does the same for the verdict message of
// round 2. Set.Ballot, Set.Statement and Set.Foreperson are these
// requests for one call.
//
// Make one per verdict with Set.Requests and drop it with the verdict: it
// holds that verdict's occupation and nothing else, so memory does not
// grow with a catalog. It is immutable, and so safe for concurrent use by
// the jurors of the verdict. The messages and schemas it returns share
// their strings and the schema's JSON with each other: callers must not
// modify a schema's JSON in place (they own the returned message slices).
type Requests struct {
	set    *Set
	occ    jury.Occupation
	prefix [2]Message
	ballot Schema
}

// Requests renders what every request of a verdict on occ shares, for the
// jurors of the verdict to use. occ must not change while they do.
func (s *Set) Requests(occ jury.Occupation) *Requests {
	return &Requests{set: s, occ: occ, prefix: s.prefix(occ), ballot: ballotSchema(occ, s.limits)}
}

// Ballot returns the messages and schema that ask persona p for its
// ballot: Set.Ballot on the occupation of q.
func (q *Requests) Ballot(p Persona) ([]Message, Schema) {
	return join(q.prefix, q.set.persona(q.occ, p)), q.ballot
}

// Foreperson returns the messages and schema that ask the foreperson for
// the summary and the task rationales of r: Set.Foreperson on the
// occupation of q.
func (q *Requests) Foreperson(r *jury.Report) ([]Message, Schema) {
	return join(q.prefix, q.set.foreperson(r)), noteSchema(q.occ, q.set.limits)
}

// Statements renders the verdict message every juror of r is shown in
// round 2, for Statements.Statement to send each of them. r must not
// change while they do.
func (q *Requests) Statements(r *jury.Report) *Statements {
	return &Statements{q: q, verdict: q.set.verdict(r), headline: r.Headline}
}

// Statements are the round-2 requests of one verdict: the rubric, the
// occupation and the verdict, the same bytes for every juror, rendered
// once. Make one with Requests.Statements; it is immutable and safe for
// concurrent use.
type Statements struct {
	q        *Requests
	verdict  Message
	headline int
}

// Statement returns the messages and schema that ask persona p, whose
// valid round-1 ballot answer is answer and overall score own, to answer
// the verdict: Set.Statement on the occupation and report of st.
func (st *Statements) Statement(p Persona, answer string, own int) ([]Message, Schema) {
	s := st.q.set
	return join(st.q.prefix, st.verdict, s.statementJuror(p, answer, st.headline, own)), s.statement
}
