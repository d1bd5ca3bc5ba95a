// Package deliberation runs one verdict in two rounds: it asks a panel of
// jurors for their blind ballots, re-asks the ones whose answers are
// invalid and decides the consensus; then each counted juror, shown the
// verdict and its own ballot again, answers the verdict with a reaction
// and the quote readers see; then the foreperson writes the words. It writes nothing:
// the report it returns goes to pipeline/outdir.
package deliberation

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/prompts"
)

// ErrForeperson reports a verdict whose foreperson gave no valid note
// after its re-asks.
var ErrForeperson = errors.New("foreperson gave no valid note")

// ErrSeatLost reports a verdict DeliberateFull would not decide: a juror
// gave no answer at all (its calls kept failing after their retries), so
// the panel is not full. Asking that juror again later may seat it.
var ErrSeatLost = errors.New("a juror gave no answer")

// Seat is one place on the panel: a persona and the model that speaks for
// it.
type Seat struct {
	Persona prompts.Persona
	Model   llm.Model
	// ModelName is the model to ask, as the provider names it.
	ModelName string
	// Provider names the API Model speaks ("openai", "anthropic",
	// "gemini", "ollama", "offline") for the report's usage breakdown;
	// empty means "offline" when ModelName is llm.OfflineModelName and
	// "openai" otherwise.
	Provider string
	// Temperature is the sampling temperature of this seat's requests.
	Temperature float64
}

// provider returns the seat's provider, defaults applied.
func (s Seat) provider() string {
	switch {
	case s.Provider != "":
		return s.Provider
	case s.ModelName == llm.OfflineModelName:
		return "offline"
	}
	return "openai"
}

// Panel holds everything a deliberation needs. Fill its fields once and
// call Deliberate from any number of goroutines.
type Panel struct {
	// Seats are the jurors, in report order.
	Seats []Seat
	// Foreperson writes the summary and rationales; its Persona is unused.
	Foreperson Seat
	Prompts    *prompts.Set
	Rule       jury.Rule
	// Seed is sent with every request so that providers that honour it
	// answer reproducibly.
	Seed int
	// MaxTokens bounds each answer; 0 sends each request's own budget,
	// sized to the longest valid answer (prompts.Schema.Budget).
	MaxTokens int
	// MaxReasks bounds the re-asks of an invalid answer; 0 means 2, and
	// NoReasks disables them.
	MaxReasks int
	// Version is the pipeline version recorded in provenance.
	Version string
	// Weights names the offline model's weights in provenance, if one ran.
	Weights string
	// Prices price each call's tokens into the report's usage; nil means
	// llm.DefaultPrices.
	Prices llm.Prices
	// WarmCache sends, in each round, one juror's request first and the
	// others once it has been answered: requests sent at the same instant
	// never find their shared prefix in the provider's prompt cache, the
	// later ones then do (billed at the cached rate). It costs a round one
	// answer's latency, which a batch hides behind other occupations.
	WarmCache bool
	Logger    *slog.Logger
	// Now dates a verdict whose ballot answers carry no date of their own
	// (no Store saw them); nil means time.Now.
	Now func() time.Time
}

// warmup returns, for a round whose first sender is first, a function
// each juror calls before sending: it waits until the first juror's call
// is answered (done, which the first juror calls) when WarmCache is set.
func (p *Panel) warmup(first int) (wait func(ctx context.Context, i int) error, done func(i int)) {
	served := make(chan struct{})
	var once sync.Once
	wait = func(ctx context.Context, i int) error {
		if !p.WarmCache || i == first {
			return nil
		}
		select {
		case <-served:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	done = func(i int) {
		if i == first {
			once.Do(func() { close(served) })
		}
	}
	return wait, done
}

// NewPanel seats every persona of set, and the foreperson, on one model:
// each seat is seat with its persona filled in. The other fields keep
// their zero values (default rule and re-asks, seed 0) for the caller to
// set.
func NewPanel(set *prompts.Set, seat Seat) *Panel {
	p := &Panel{Prompts: set, Foreperson: seat}
	for _, persona := range set.Personas() {
		s := seat
		s.Persona = persona
		p.Seats = append(p.Seats, s)
	}
	return p
}

// NoReasks is the MaxReasks value that disables re-asking.
const NoReasks = -1

// DefaultMaxReasks is how often an invalid answer is re-asked by default.
const DefaultMaxReasks = 2

// Reasks returns how often an invalid answer is re-asked: MaxReasks with
// its default applied.
func (p *Panel) Reasks() int { return p.maxReasks() }

func (p *Panel) maxReasks() int {
	switch {
	case p.MaxReasks < 0:
		return 0
	case p.MaxReasks == 0:
		return DefaultMaxReasks
	}
	return p.MaxReasks
}

func (p *Panel) prices() llm.Prices {
	if p.Prices == nil {
		return llm.DefaultPrices()
	}
	return p.Prices
}

// Log returns the panel's logger, or one that discards when Logger is nil.
func (p *Panel) Log() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// Deliberate runs one verdict on occ. Round 1: every seat is asked
// concurrently for its ballot, invalid answers are re-asked, and the
// consensus is decided. Round 2: every counted seat is asked concurrently,
// shown the verdict and its own ballot answer, for its reaction and quote; a seat whose
// statement stays invalid keeps its ballot and is shown without a quote.
// Then the foreperson writes the words. A fatal model error (quota, auth,
// a bad request) cancels the other seats and is returned. A request
// rejected for its content or size (llm.Rejected) fails the verdict too,
// but without cancelling the other seats: they send the same occupation
// and meet the same answer, and a call cut off in flight could not be
// counted for sure. So does a call deferred to a later batch
// (llm.Deferred, under an llm.Deferral): the verdict ends with that error
// once every seat's call of the round is queued, and is deliberated again
// when the batch is in. Fewer valid ballots than the quorum returns an error
// wrapping jury.ErrNoQuorum. The returned usage counts every call made,
// also on failure.
func (p *Panel) Deliberate(ctx context.Context, occ jury.Occupation) (*jury.Report, jury.Usage, error) {
	return p.deliberate(ctx, occ, false)
}

// DeliberateFull is Deliberate that does not fall back to the quorum when
// a juror was lost to the provider's failures (not to an invalid answer):
// it stops after round 1 with an error wrapping ErrSeatLost, before
// round 2 pays for a verdict short of a juror. A batch asks again later;
// --require-full-panel makes it a failure.
func (p *Panel) DeliberateFull(ctx context.Context, occ jury.Occupation) (*jury.Report, jury.Usage, error) {
	return p.deliberate(ctx, occ, true)
}

func (p *Panel) deliberate(ctx context.Context, occ jury.Occupation, full bool) (*jury.Report, jury.Usage, error) {
	kept := &keptUsage{}
	r, u, err := p.rounds(context.WithValue(ctx, keptKey{}, kept), occ, full)
	if err != nil {
		return nil, u, &FailedAttempt{Err: err, Kept: kept.get()}
	}
	return r, u, nil
}

// FailedAttempt is the error of a deliberation that did not reach a
// verdict. Kept is the part of its usage spent on valid answers, which a
// cache keeps and a later attempt replays (and counts again in its own
// usage); the rest — failed calls, invalid answers — was paid and lost.
type FailedAttempt struct {
	Err  error
	Kept jury.Usage
}

// Error returns the underlying error's message.
func (f *FailedAttempt) Error() string { return f.Err.Error() }

// Unwrap returns the underlying error.
func (f *FailedAttempt) Unwrap() error { return f.Err }

// Lost returns what a failed deliberation paid that no later attempt
// replays: its usage less the valid answers it kept. It is 0 for a nil
// error or one that is not a FailedAttempt.
func Lost(usage jury.Usage, err error) jury.Usage {
	var f *FailedAttempt
	if !errors.As(err, &f) {
		return jury.Usage{}
	}
	k := f.Kept
	return jury.Usage{Calls: usage.Calls - k.Calls, Retries: usage.Retries - k.Retries, Reasks: usage.Reasks - k.Reasks,
		PromptTokens: usage.PromptTokens - k.PromptTokens, CompletionTokens: usage.CompletionTokens - k.CompletionTokens,
		CostUSD: roundCost(usage.CostUSD - k.CostUSD)}
}

// keptUsage sums the usage of a deliberation's valid answers; keptKey
// carries it in the context to converse.
type keptUsage struct {
	mu sync.Mutex
	u  jury.Usage
}

type keptKey struct{}

func (k *keptUsage) add(u jury.Usage) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.u = k.u.Add(u)
}

func (k *keptUsage) get() jury.Usage {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.u
}

func (p *Panel) rounds(ctx context.Context, occ jury.Occupation, full bool) (*jury.Report, jury.Usage, error) {
	if err := occ.Validate(); err != nil {
		return nil, jury.Usage{}, err
	}
	jurors := make([]jury.Juror, len(p.Seats))
	dates := make([]string, len(p.Seats))
	answers := make([]string, len(p.Seats))
	usages := make([]jury.Usage, len(p.Seats))
	rejected := make([]error, len(p.Seats))
	// What every request of the verdict shares is rendered once for all.
	requests := p.Prompts.Requests(occ)
	pl := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	wait, served := p.warmup(0)
	for i, seat := range p.Seats {
		pl.Go(func(ctx context.Context) error {
			if err := wait(ctx, i); err != nil {
				return err
			}
			j, answer, u, date, err := p.ballot(ctx, requests, occ, seat)
			served(i)
			jurors[i], answers[i], usages[i], dates[i] = j, answer, u, date
			if spares(err) {
				rejected[i], err = err, nil
			}
			return err
		})
	}
	err := cmp.Or(append([]error{pl.Wait()}, rejected...)...)
	usage := func() jury.Usage {
		var sum jury.Usage
		for _, u := range usages {
			sum = sum.Add(u)
		}
		return sum
	}
	if err != nil {
		return nil, usage(), fmt.Errorf("%s: %w", occ.Code, err)
	}
	if full {
		var lost []string
		for _, j := range jurors {
			if j.Unanswered() {
				lost = append(lost, j.Name+" ("+j.Problems[0]+")")
			}
		}
		if len(lost) > 0 {
			return nil, usage(), fmt.Errorf("%s: %w: %s", occ.Code, ErrSeatLost, strings.Join(lost, "; "))
		}
	}
	report, err := jury.Decide(occ, jurors, p.Rule)
	if err != nil {
		return nil, usage(), err
	}

	// Round 2 starts only once every ballot is in: the verdict it shows
	// needs them all.
	statements := make([]*jury.Statement, len(p.Seats))
	failed := make([][]string, len(p.Seats))
	pl = pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	first := slices.IndexFunc(jurors, func(j jury.Juror) bool { return j.Valid() })
	wait, served = p.warmup(first)
	briefed := requests.Statements(report)
	for i, seat := range p.Seats {
		if !jurors[i].Valid() {
			continue
		}
		pl.Go(func(ctx context.Context) error {
			if err := wait(ctx, i); err != nil {
				return err
			}
			st, problems, u, err := p.statement(ctx, briefed, occ, seat, answers[i], report.Headline, jurors[i].Ballot.Score)
			served(i)
			statements[i], failed[i] = st, problems
			usages[i] = usages[i].Add(u)
			if spares(err) {
				rejected[i], err = err, nil
			}
			return err
		})
	}
	if err := cmp.Or(append([]error{pl.Wait()}, rejected...)...); err != nil {
		return nil, usage(), fmt.Errorf("%s: %w", occ.Code, err)
	}
	byPersona, problems := map[string]jury.Statement{}, map[string][]string{}
	for i, seat := range p.Seats {
		switch {
		case statements[i] != nil:
			byPersona[seat.Persona.ID] = *statements[i]
		case len(failed[i]) > 0:
			problems[seat.Persona.ID] = failed[i]
			p.Log().Warn("juror shown without a quote", "code", occ.Code, "juror", seat.Persona.ID, "problems", strings.Join(failed[i], "; "))
		}
	}
	report.ApplyStatements(byPersona, problems)

	note, u, err := p.note(ctx, requests, occ, report)
	total := usage().Add(u)
	if err != nil {
		return nil, total, fmt.Errorf("%s: %w", occ.Code, err)
	}
	report.ApplyNote(note)
	report.Provenance = p.provenance(occ)
	report.Provenance.Date = slices.Max(dates)
	total.CostUSD = roundCost(total.CostUSD)
	report.Usage = total
	report.UsageByProvider = usageByProvider(append(slices.Clone(p.Seats), p.Foreperson), append(usages, u))
	return report, total, nil
}

// spares reports whether err ends the verdict without cancelling its
// other seats: a request rejected for its content or size (they meet the
// same answer, and a call cut off in flight could not be counted for
// sure), or a call deferred to a later batch (llm.Deferral: the others
// must be queued in the same batch).
func spares(err error) bool {
	k := llm.KindOf(err)
	return k == llm.Rejected || k == llm.Deferred
}

// roundCost rounds dollars to a millionth of a cent, so that sums of
// floating-point prices print the same way on every run.
func roundCost(usd float64) float64 { return math.Round(usd*1e8) / 1e8 }

// usageByProvider sums each seat's usage by provider and model, sorted by
// both.
func usageByProvider(seats []Seat, usages []jury.Usage) []jury.ProviderUsage {
	var out []jury.ProviderUsage
	for i, s := range seats {
		j := slices.IndexFunc(out, func(pu jury.ProviderUsage) bool {
			return pu.Provider == s.provider() && pu.Model == s.ModelName
		})
		if j < 0 {
			out = append(out, jury.ProviderUsage{Provider: s.provider(), Model: s.ModelName})
			j = len(out) - 1
		}
		out[j].Usage = out[j].Usage.Add(usages[i])
	}
	for i := range out {
		out[i].Usage.CostUSD = roundCost(out[i].Usage.CostUSD)
	}
	slices.SortFunc(out, func(a, b jury.ProviderUsage) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Model, b.Model))
	})
	return out
}

// ballot asks one seat for its ballot, re-asking while it is invalid. It
// returns the valid answer, which round 2 shows the juror again (the
// invalid answers and re-asks are left out), or "" when the ballot stayed
// invalid.
//
// It also returns the date the ballot was cast: that recorded with the
// last answer (a replayed one keeps its own), else today by p.Now.
func (p *Panel) ballot(ctx context.Context, requests *prompts.Requests, occ jury.Occupation, seat Seat) (jury.Juror, string, jury.Usage, string, error) {
	msgs, schema := requests.Ballot(seat.Persona)
	j := jury.Juror{Persona: seat.Persona.ID, Name: seat.Persona.Name, Model: seat.ModelName}
	var ballot jury.Ballot
	var answer string
	dm := &datedModel{next: seat.Model}
	dated := seat
	dated.Model = dm
	problems, usage, err := p.converse(ctx, dated, occ.Code, seat.Persona.ID, "ballot", msgs, schema, func(content string) []string {
		var problems []string
		ballot, problems = jury.ParseBallot(content, occ)
		answer = content
		return problems
	})
	date := dm.date
	if date == "" {
		now := time.Now
		if p.Now != nil {
			now = p.Now
		}
		date = now().UTC().Format(time.DateOnly)
	}
	j.Ballot, j.Problems = ballot, problems
	if err != nil || len(problems) > 0 {
		return j, "", usage, date, err
	}
	return j, answer, usage, date, nil
}

// statement asks a counted seat, in round 2, to answer the verdict
// briefed shows it (whose headline is headline), re-asking while its
// statement is invalid. answer is its valid round-1 ballot answer; own
// its overall score. A statement still invalid after
// the re-asks is returned as nil with its problems: the verdict stands
// without that juror's quote.
func (p *Panel) statement(ctx context.Context, briefed *prompts.Statements, occ jury.Occupation, seat Seat, answer string, headline, own int) (*jury.Statement, []string, jury.Usage, error) {
	msgs, schema := briefed.Statement(seat.Persona, answer, own)
	var st jury.Statement
	problems, usage, err := p.converse(ctx, seat, occ.Code, seat.Persona.ID, "statement", msgs, schema, func(content string) []string {
		var problems []string
		st, problems = jury.ParseStatement(content, jury.StatementContext{Headline: headline, Own: own})
		return problems
	})
	if err != nil || len(problems) > 0 {
		return nil, problems, usage, err
	}
	return &st, nil, usage, nil
}

// note asks the foreperson for the summary and rationales.
func (p *Panel) note(ctx context.Context, requests *prompts.Requests, occ jury.Occupation, r *jury.Report) (jury.Note, jury.Usage, error) {
	msgs, schema := requests.Foreperson(r)
	var note jury.Note
	problems, usage, err := p.converse(ctx, p.Foreperson, occ.Code, "foreperson", "note", msgs, schema, func(content string) []string {
		var problems []string
		note, problems = jury.ParseNote(content, occ)
		return problems
	})
	if err == nil && len(problems) > 0 {
		err = fmt.Errorf("%w: %s", ErrForeperson, strings.Join(problems, "; "))
	}
	return note, usage, err
}

// converse sends a request and re-asks with the answer's problems until
// parse finds none or the re-asks run out. It returns the last problems.
// An error is returned only when the run must stop (a fatal model error or
// a cancelled context); a call that fails after its retries becomes a
// problem of this seat.
func (p *Panel) converse(ctx context.Context, seat Seat, code, juror, purpose string, pm []prompts.Message, schema prompts.Schema, parse func(string) []string) ([]string, jury.Usage, error) {
	req := llm.Request{
		Model:       seat.ModelName,
		Schema:      &llm.Schema{Name: schema.Name, JSON: schema.JSON},
		Temperature: seat.Temperature,
		Seed:        &p.Seed,
		MaxTokens:   cmp.Or(p.MaxTokens, schema.Budget),
		Meta:        llm.Meta{Occupation: code, Juror: juror, Purpose: purpose},
	}
	for _, m := range pm {
		req.Messages = append(req.Messages, llm.Message{Role: m.Role, Content: m.Content})
	}
	var usage jury.Usage
	var problems []string
	for round := 0; round <= p.maxReasks(); round++ {
		if round > 0 {
			usage.Reasks++
			p.Log().Info("re-asking", "call", req.Meta.String(), "round", round, "problems", len(problems))
		}
		resp, err := seat.Model.Complete(ctx, req)
		u := resp.Usage
		if err != nil {
			u = llm.UsageOf(err)
		}
		this := jury.Usage{Calls: u.Calls, Retries: u.Retries, PromptTokens: u.PromptTokens,
			CachedTokens: u.CachedTokens, CompletionTokens: u.CompletionTokens, CostUSD: p.prices().Cost(seat.ModelName, u)}
		usage = usage.Add(this)
		if err != nil {
			if llm.Final(err) || llm.KindOf(err) == llm.Deferred || ctx.Err() != nil {
				return nil, usage, err
			}
			return []string{jury.NoAnswer + err.Error()}, usage, nil
		}
		problems = answerProblems(resp, parse)
		if len(problems) == 0 {
			if k, ok := ctx.Value(keptKey{}).(*keptUsage); ok {
				k.add(this)
			}
			return nil, usage, nil
		}
		if f, ok := seat.Model.(forgetter); ok {
			if err := f.Forget(req); err != nil {
				return nil, usage, err
			}
		}
		if resp.Content != "" && resp.Refusal == "" {
			req.Messages = append(req.Messages, llm.Message{Role: prompts.RoleAssistant, Content: resp.Content})
		}
		if resp.FinishReason == llm.FinishLength {
			// The same budget would cut the answer off again.
			budget := 2 * max(req.MaxTokens, resp.Usage.CompletionTokens, 512)
			p.Log().Warn("answer cut off: its token budget ran out; re-asking with a larger one", "call", req.Meta.String(),
				"budget", req.MaxTokens, "used", resp.Usage.CompletionTokens, "new_budget", budget)
			req.MaxTokens = budget
		}
		rm := p.Prompts.Reask(problems)
		req.Messages = append(req.Messages, llm.Message{Role: rm.Role, Content: rm.Content})
	}
	return problems, usage, nil
}

// datedModel keeps the date of its model's last answer, and forgets an
// answer as its model does.
type datedModel struct {
	next llm.Model
	date string
}

func (d *datedModel) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	resp, err := d.next.Complete(ctx, req)
	d.date = resp.Date
	return resp, err
}

func (d *datedModel) Forget(req llm.Request) error {
	if f, ok := d.next.(forgetter); ok {
		return f.Forget(req)
	}
	return nil
}

// forgetter is a model that keeps answers (llm.Store) and can drop one
// found invalid, so that a later run asks again instead of replaying it.
type forgetter interface {
	Forget(req llm.Request) error
}

// answerProblems lists what is wrong with a response: a refusal, a cut-off
// answer, or what parse finds in its content.
func answerProblems(resp llm.Response, parse func(string) []string) []string {
	switch {
	case resp.Refusal != "":
		return []string{"the model refused: " + llm.Excerpt(resp.Refusal, maxRefusal)}
	case resp.FinishReason == llm.FinishLength:
		return []string{"the answer was cut off at the token limit (finish_reason length): answer more briefly, with the complete JSON object"}
	}
	return parse(resp.Content)
}

// maxRefusal bounds the part of a refusal kept as a problem: a page, a
// re-ask and an error line need its first words, not megabytes.
const maxRefusal = 300

func (p *Panel) provenance(occ jury.Occupation) jury.Provenance {
	var models []string
	for _, s := range append(slices.Clone(p.Seats), p.Foreperson) {
		if !slices.Contains(models, s.ModelName) {
			models = append(models, s.ModelName)
		}
	}
	slices.Sort(models)
	var seats []jury.SeatRef
	for _, s := range p.Seats {
		seats = append(seats, jury.SeatRef{Persona: s.Persona.ID, Provider: s.provider(), Model: s.ModelName, Temperature: s.Temperature})
	}
	f := p.Foreperson
	seats = append(seats, jury.SeatRef{Persona: "foreperson", Provider: f.provider(), Model: f.ModelName, Temperature: f.Temperature})
	rule := p.Rule
	return jury.Provenance{
		Seats:       seats,
		Models:      models,
		PromptHash:  p.Prompts.Hash(),
		Temperature: p.Foreperson.Temperature,
		Seed:        p.Seed,
		Version:     p.Version,
		Aggregation: string(cmp.Or(rule.Aggregation, jury.Median)),
		Quorum:      cmp.Or(rule.Quorum, jury.DefaultQuorum),
		InputHash:   InputHash(occ),
		Weights:     p.Weights,
	}
}

// InputHash identifies an occupation's input: code, title and tasks. A
// batch compares it to decide whether a finished verdict is still current.
func InputHash(occ jury.Occupation) string {
	data, _ := json.Marshal(occ)
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}

// Current reports whether r is still the verdict this panel gives on occ:
// a report of this schema version whose input, prompts and panel all
// match — each seat's persona, provider, model and temperature, the
// seed, the offline weights, the aggregation and the quorum. A batch keeps
// a finished verdict on resume only when it is current, so that a run
// with another model, seed or temperature (or with a key, after one that
// fell back to the offline juror) deliberates again.
func (p *Panel) Current(occ jury.Occupation, r *jury.Report) bool {
	want, got := p.provenance(occ), r.Provenance
	return r.SchemaVersion == jury.SchemaVersion &&
		got.InputHash == want.InputHash &&
		got.PromptHash == want.PromptHash &&
		slices.Equal(got.Seats, want.Seats) &&
		got.Seed == want.Seed &&
		got.Weights == want.Weights &&
		got.Aggregation == want.Aggregation &&
		got.Quorum == want.Quorum
}
