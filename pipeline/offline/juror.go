package offline

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline/exposure"
	"github.com/onet-jury/jury/prompts"
)

// Juror is a Model that needs no key and no network: it reads jury's
// requests the way a model does and answers them from the embedded
// task-exposure model (pipeline/offline/exposure), with four offline personas:
//
//   - diplomat stays on the panel's centre;
//   - optimist leans up, toward what tools make possible;
//   - contrarian leans against the majority, pulling scores toward the
//     middle from whichever side the model is on;
//   - chaos-agent pushes scores to the extremes.
//
// The centre is shifted so that the four scores' median is the model's
// score (PanelScores): the leans are neutral under the panel's median.
// Any other persona scores as the diplomat but speaks with lines of its
// own. In round 2 a juror reacts to the headline by its own overall score
// (more than a few points above it: too low; below: too high) and its
// quote names only the headline and its own score, and only claims its
// own votes bear out. Answers are deterministic for a request's seed, and
// always pass jury's validation. Safe for concurrent use.
type Juror struct {
	model    *exposure.Model
	words    *prompts.Words
	personas []prompts.Persona // the built-in ones, by which it tells a persona
	seen     memo
	// lines are frameLines' answers by their keys ("\x00"-joined): a
	// handful of key sets serve every task.
	lines sync.Map // keys → *frameGroups
}

// frameGroups are the rationale lines that fit a set of keys, in file
// order, and their frames: those of lines[i] are fs[runs[i]:runs[i+1]].
// Read-only once made.
type frameGroups struct {
	lines, fs, runs []int
}

// memo keeps what the offline juror derives from an occupation — the
// occupation read back from the prompt, the model's prediction and the
// panel's scores for each task, the page's phrases — for the nine
// requests of its verdict, keyed by the occupation's message, until the
// foreperson's answer. It holds at most memoSize occupations (a batch has
// far fewer in flight) and starts afresh when full. Safe for concurrent
// use.
type memo struct {
	mu   sync.Mutex
	occs map[string]*derived
}

const memoSize = 256

// derived is what memo keeps of one occupation; read-only once made.
type derived struct {
	occ   jury.Occupation
	probs []exposure.Probs // by task, in occ.Tasks' order
	// tools and blockers are the lexicon's terms for each task, by ID.
	tools, blockers map[string]prompts.Term
	once            sync.Once
	// phrases are pagePhrases(occ), made on first use.
	phrases map[string]string
	// panels are the panel's scores (PanelScores) of every task, in
	// occ.Tasks' order, by the request's seed; made on first use.
	panelsMu sync.Mutex
	panels   map[string][]panelScores
	// briefings are the round-2 requests' verdicts read back, by their
	// JSON (prompts.BriefingBlock): the four jurors of a verdict are
	// shown the same one.
	briefings sync.Map // JSON block → prompts.Briefing
	// ballots are the ballots this juror answered, by the answer's text,
	// so that a round-2 request need not parse its own ballot back.
	ballots sync.Map // answer → jury.Ballot
}

// briefing is prompts.DecodeBriefing(msgs), each verdict decoded once.
func (d *derived) briefing(msgs []prompts.Message) (prompts.Briefing, string, error) {
	block, ok := prompts.BriefingBlock(msgs)
	if !ok {
		return prompts.DecodeBriefing(msgs) // its error
	}
	if b, ok := d.briefings.Load(block); ok {
		answer, err := prompts.StatementAnswer(msgs)
		return b.(prompts.Briefing), answer, err
	}
	b, answer, err := prompts.DecodeBriefing(msgs)
	if err == nil {
		d.briefings.Store(block, b)
	}
	return b, answer, err
}

// ballot reads a ballot answer back: one this juror wrote as it wrote
// it, any other by parsing it.
func (d *derived) ballot(answer string) (jury.Ballot, error) {
	if b, ok := d.ballots.Load(answer); ok {
		return b.(jury.Ballot), nil
	}
	var b jury.Ballot
	err := json.Unmarshal([]byte(answer), &b)
	return b, err
}

// probsOf is the model's prediction for task t of the occupation, as
// made for the first round; ok is false for a task it does not have.
func (d *derived) probsOf(t jury.Task) (p exposure.Probs, ok bool) {
	if i, ok := d.indexOf(t); ok {
		return d.probs[i], true
	}
	return p, false
}

// indexOf is t's place among the occupation's tasks, if it is one of
// them as written.
func (d *derived) indexOf(t jury.Task) (int, bool) {
	for i, u := range d.occ.Tasks {
		if u.ID == t.ID && u.Text == t.Text && u.Type == t.Type {
			return i, true
		}
	}
	return 0, false
}

// panelScores is PanelScores' answer for one task and seed.
type panelScores struct {
	byPersona map[string]int
	other     int
}

// memoKey is the memo's key for a request: its occupation message.
func memoKey(msgs []prompts.Message) string {
	if len(msgs) > 1 {
		return msgs[1].Content
	}
	return ""
}

// forget drops what is kept of the occupation msgs carry.
func (m *memo) forget(msgs []prompts.Message) {
	m.mu.Lock()
	delete(m.occs, memoKey(msgs))
	m.mu.Unlock()
}

// occupation returns what is derived from the occupation msgs carry.
func (o *Juror) occupation(msgs []prompts.Message) (*derived, error) {
	key := memoKey(msgs)
	o.seen.mu.Lock()
	d := o.seen.occs[key]
	o.seen.mu.Unlock()
	if d != nil {
		return d, nil
	}
	occ, err := prompts.DecodeOccupation(msgs)
	if err != nil {
		return nil, err
	}
	d = &derived{occ: occ, probs: make([]exposure.Probs, len(occ.Tasks)),
		tools: make(map[string]prompts.Term, len(occ.Tasks)), blockers: make(map[string]prompts.Term, len(occ.Tasks))}
	for i, t := range occ.Tasks {
		d.probs[i] = o.model.Predict(occ.Code, occ.Title, string(t.Type), t.Text)
		d.tools[t.ID], d.blockers[t.ID] = o.words.Terms(t.Text, occ.Code)
	}
	o.seen.mu.Lock()
	if o.seen.occs == nil || len(o.seen.occs) >= memoSize {
		o.seen.occs = map[string]*derived{}
	}
	o.seen.occs[key] = d
	o.seen.mu.Unlock()
	return d, nil
}

// reason is Words.Reason for the task with this ID.
func (d *derived) reason(id string, exposed bool) string {
	if exposed {
		return d.tools[id].Words
	}
	return d.blockers[id].Words
}

// pagePhrases returns pagePhrases(d.occ), made once.
func (d *derived) pagePhrases() map[string]string {
	d.once.Do(func() { d.phrases = pagePhrases(d.occ) })
	return d.phrases
}

// panelFor returns the panel's scores of every task for a seed, made
// once per seed.
func (d *derived) panelFor(seed string) []panelScores {
	d.panelsMu.Lock()
	defer d.panelsMu.Unlock()
	if ps, ok := d.panels[seed]; ok {
		return ps
	}
	ps := make([]panelScores, len(d.occ.Tasks))
	for i, t := range d.occ.Tasks {
		by, other := PanelScores(d.probs[i].Score(), func(p string) float64 { return stable(seed, p, d.occ.Code, t.ID) })
		ps[i] = panelScores{by, other}
	}
	if d.panels == nil {
		d.panels = map[string][]panelScores{}
	}
	d.panels[seed] = ps
	return ps
}

// score is persona's score in these panel scores of a task.
func (ps panelScores) score(persona string) int {
	if s, ok := ps.byPersona[persona]; ok {
		return s
	}
	return ps.other
}

// New loads the embedded exposure model.
func New() (*Juror, error) {
	m, err := exposure.Default()
	if err != nil {
		return nil, err
	}
	return &Juror{model: m, words: prompts.OfflineWords(), personas: prompts.BuiltinPersonas()}, nil
}

// Weights identifies the exposure model's weights for provenance.
func (o *Juror) Weights() string { return o.model.Hash() }

// Complete answers a ballot or foreperson request built by prompts.
func (o *Juror) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	if err := ctx.Err(); err != nil {
		return llm.Response{}, err
	}
	msgs := make([]prompts.Message, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = prompts.Message{Role: m.Role, Content: m.Content}
	}
	d, err := o.occupation(msgs)
	if err != nil {
		return llm.Response{}, o.badRequest(err)
	}
	seed := 0
	if req.Seed != nil {
		seed = *req.Seed
	}
	var content any
	switch name := schemaName(req); name {
	case prompts.BallotSchemaName:
		content = o.ballot(d, o.personaOf(msgs), seed)
	case prompts.StatementSchemaName:
		b, answer, err := d.briefing(msgs)
		if err != nil {
			return llm.Response{}, o.badRequest(err)
		}
		own, err := d.ballot(answer)
		if err != nil {
			return llm.Response{}, o.badRequest(fmt.Errorf("ballot answer in the conversation: %w", err))
		}
		name, _ := prompts.DecodePersonaName(msgs)
		content = o.statement(d, o.personaOf(msgs), name, own, b, seed)
	case prompts.NoteSchemaName:
		v, err := prompts.DecodeVerdict(msgs)
		if err != nil {
			return llm.Response{}, o.badRequest(err)
		}
		content = o.note(d, v, seed)
		// The foreperson speaks last: the verdict needs no more of what
		// the memo keeps (a later request derives it again).
		o.seen.forget(msgs)
	default:
		return llm.Response{}, o.badRequest(fmt.Errorf("no offline answer for schema %q", name))
	}
	data, err := json.Marshal(content)
	if err != nil {
		return llm.Response{}, o.badRequest(err)
	}
	if b, ok := content.(jury.Ballot); ok {
		d.ballots.Store(string(data), b)
	}
	return llm.Response{Content: string(data), FinishReason: llm.FinishStop, Model: llm.OfflineModelName, Usage: llm.Usage{Calls: 1}}, nil
}

// personaOf tells the persona by the words of the request, as a model
// would: a built-in persona by its name, any other as "custom".
func (o *Juror) personaOf(msgs []prompts.Message) string {
	if p, ok := prompts.DecodePersona(msgs, o.personas); ok {
		return p.ID
	}
	return "custom"
}

func (o *Juror) badRequest(err error) error {
	return &llm.Error{Kind: llm.BadRequest, Provider: "offline", Message: err.Error(), Usage: llm.Usage{Calls: 1}, Err: err}
}

func schemaName(req llm.Request) string {
	if req.Schema == nil {
		return ""
	}
	return req.Schema.Name
}

// stable returns a number in [0, 1) fixed by its parts.
func stable(parts ...string) float64 {
	var buf [128]byte
	b := buf[:0]
	for _, p := range parts {
		b = append(append(b, p...), 0)
	}
	sum := sha256.Sum256(b)
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

func stableN(parts ...string) uint64 { return uint64(stable(parts...) * (1 << 32)) }

// lean moves the model's score s as persona leans; u in [0, 1) varies
// the strength by task and seed. Any other persona stays on s.
func lean(persona string, s int, u float64) float64 {
	x := float64(s)
	k := 0.5 + 0.5*u
	switch persona {
	case "optimist":
		x += 0.35 * k * (100 - x)
	case "contrarian":
		x += 0.45 * k * (50 - x)
	case "chaos-agent":
		x += 0.9 * k * (x - 50)
	}
	return x
}

// panelPersonas are the built-in personas whose leans the offline juror
// balances: a default panel.
var panelPersonas = [4]string{"diplomat", "chaos-agent", "contrarian", "optimist"}

// PanelScores returns the four built-in personas' scores for a task the
// model scores s, keyed by persona, and the score any other persona
// gives; u gives each persona's strength in [0, 1).
//
// Each persona leans from a common centre: the Optimist up, the
// Contrarian toward the middle, the Chaos Agent to the extremes, the
// Diplomat not at all. Leans alone are not neutral under the panel's
// median: the Optimist and, above 50, the Chaos Agent both sit above the
// model, so the median of four (the mean of the middle two) would run
// above it (5.6 points on the labelled occupations' headlines). So the
// centre is shifted, the same for every persona, until the median of the
// four scores, clamped to 0–100, is s: the panel's consensus on each
// task is the model's calibrated score, and its headline is as unbiased
// against the human labels as the model's own. The Diplomat, on the
// centre, sits a few points from s; a persona not built in takes the
// Diplomat's score.
func PanelScores(s int, u func(persona string) float64) (map[string]int, int) {
	var raw [len(panelPersonas)]float64
	for i, p := range panelPersonas {
		raw[i] = lean(p, s, u(p))
	}
	clamped := func(x float64) float64 { return math.Max(0, math.Min(100, x)) }
	median := func(shift float64) float64 {
		var v [len(raw)]float64
		for i, x := range raw {
			v[i] = clamped(x + shift)
		}
		sort4(&v)
		return (v[1] + v[2]) / 2
	}
	// median is non-decreasing in shift, and equal to s on an interval
	// [a, b]: bisect for both ends and take the shift nearest zero, so
	// that clamping at 0 or 100 does not move the others further.
	bisect := func(below func(float64) bool) float64 {
		lo, hi := -100.0, 100.0
		for range 50 {
			mid := (lo + hi) / 2
			if below(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2
	}
	a := bisect(func(x float64) bool { return median(x) < float64(s) })
	b := bisect(func(x float64) bool { return median(x) <= float64(s) })
	shift := math.Max(a, math.Min(b, 0))
	out := make(map[string]int, len(raw))
	for i, p := range panelPersonas {
		out[p] = int(math.Round(clamped(raw[i] + shift)))
	}
	return out, out["diplomat"]
}

// sort4 sorts four numbers (none NaN) by a sorting network: PanelScores
// sorts them a hundred times a task.
func sort4(v *[4]float64) {
	for _, p := range [5][2]int{{0, 1}, {2, 3}, {0, 2}, {1, 3}, {1, 2}} {
		if v[p[0]] > v[p[1]] {
			v[p[0]], v[p[1]] = v[p[1]], v[p[0]]
		}
	}
}

// PanelMedian is the consensus a default offline panel (the four
// built-in personas, median) reaches on task taskID of occupation code
// when the model scores it s and the request's seed is seed: the number
// the page publishes for the task. It lets the evaluation measure the
// panel's headline without deliberating.
func PanelMedian(s, seed int, code, taskID string) int {
	sd := strconv.Itoa(seed)
	scores, _ := PanelScores(s, func(p string) float64 { return stable(sd, p, code, taskID) })
	return medianOf(scores)
}

// medianOf is the median of the four built-in personas' scores (what
// PanelScores returns: exactly those four), as jury's median of four.
func medianOf(scores map[string]int) int {
	var v [4]float64
	i := 0
	for _, x := range scores {
		if i < len(v) {
			v[i] = float64(x)
		}
		i++
	}
	slices.Sort(v[:])
	return int(math.Round((v[1] + v[2]) / 2))
}

// labelFor picks the most probable label that score allows.
func labelFor(p exposure.Probs, score int) jury.Label {
	order := [3]int{0, 1, 2}
	slices.SortStableFunc(order[:], func(a, b int) int { return cmp.Compare(p[b], p[a]) })
	for _, c := range order {
		if l := jury.Labels[c]; l.Allows(score) {
			return l
		}
	}
	return jury.E2 // E2 allows every score
}

// ranked returns the tasks ordered by score, highest first, ties by ID.
func ranked(occ jury.Occupation, score func(jury.Task) int) []jury.Task {
	ts := slices.Clone(occ.Tasks)
	slices.SortStableFunc(ts, func(a, b jury.Task) int {
		if c := cmp.Compare(score(b), score(a)); c != 0 {
			return c
		}
		return jury.CompareTaskIDs(a.ID, b.ID)
	})
	return ts
}

// ends returns the task a page names as the most exposed and the one it
// names as the least, of tasks ranked by score: among the tasks tied at
// the top or at the bottom, the first core task (a reader takes the
// task named for "the core of the job" to be one), else the first; two
// tasks, when there are two.
func ends(ts []jury.Task, score func(jury.Task) int) (top, bottom jury.Task) {
	pick := func(want int, not string) jury.Task {
		first := -1
		for i, t := range ts {
			if score(t) != want || t.ID == not {
				continue
			}
			if t.Type != jury.Supplemental {
				return t
			}
			if first < 0 {
				first = i
			}
		}
		if first < 0 {
			return ts[len(ts)-1]
		}
		return ts[first]
	}
	top = pick(score(ts[0]), "")
	return top, pick(score(ts[len(ts)-1]), top.ID)
}

func (o *Juror) ballot(d *derived, persona string, seed int) jury.Ballot {
	occ := d.occ
	panel := d.panelFor(strconv.Itoa(seed))
	b := jury.Ballot{}
	if len(occ.Tasks) > 0 { // none: no tasks, as before (null, not [])
		b.Tasks = make([]jury.Vote, 0, len(occ.Tasks))
	}
	for i, t := range occ.Tasks {
		s := panel[i].score(persona)
		b.Tasks = append(b.Tasks, jury.Vote{ID: t.ID, Score: s, Label: labelFor(d.probs[i], s), Reason: d.reason(t.ID, s >= 50)})
	}
	b.Score = int(math.Round(jury.WeightedMean(occ, b.Tasks)))
	return b
}

// statementAnswer is the offline juror's round-2 answer.
type statementAnswer struct {
	Reaction jury.Reaction `json:"reaction"`
	Quote    string        `json:"quote"`
}

// reactionMargin is how far a juror's own overall score sits from the
// headline before it calls the headline too low or too high. It is the
// same for every persona, so that two jurors with one score never react
// differently on a page; a persona's temper shows in its words.
const reactionMargin = 3

// reactionTo is a juror's reaction to headline given its own score: too
// low when its score is above the headline by reactionMargin or more,
// too high when below it, about right in between.
func reactionTo(own, headline int) jury.Reaction {
	switch {
	case own-headline >= reactionMargin:
		return jury.TooLow
	case headline-own >= reactionMargin:
		return jury.TooHigh
	}
	return jury.AboutRight
}

func (o *Juror) statement(d *derived, persona, name string, own jury.Ballot, b prompts.Briefing, seed int) statementAnswer {
	occ := d.occ
	scores := map[string]int{}
	for _, v := range own.Tasks {
		scores[v.ID] = v.Score
	}
	score := func(t jury.Task) int { return scores[t.ID] }
	ts := ranked(occ, score)
	topTask, bottomTask := ends(ts, score)
	phrase := d.pagePhrases()
	top, bottom := phrase[topTask.ID], phrase[bottomTask.ID]
	lowest, highest := true, true
	for _, j := range b.Jurors {
		if j.Name == name {
			continue
		}
		lowest = lowest && own.Score < j.Score
		highest = highest && own.Score > j.Score
	}
	r := reactionTo(own.Score, b.Headline)
	// A line may call the top task exposed, or the bottom one held by a
	// person, only if both the juror's vote and the panel's score (when
	// the briefing names it) say so.
	panel := map[string]int{}
	for _, list := range [][]prompts.BriefedTask{b.MostExposed, b.LeastExposed, b.Dissent} {
		for _, bt := range list {
			panel[bt.ID] = bt.Score
		}
	}
	// A task the briefing does not name is scored as the default panel
	// of offline jurors scored it in round 1 (cached for the seed).
	panels := d.panelFor(strconv.Itoa(seed))
	panelScore := func(t jury.Task) int {
		if s, ok := panel[t.ID]; ok {
			return s
		}
		if i, ok := d.indexOf(t); ok {
			return medianOf(panels[i].byPersona)
		}
		p := o.model.Predict(occ.Code, occ.Title, string(t.Type), t.Text)
		return PanelMedian(p.Score(), seed, occ.Code, t.ID)
	}
	topScore, bottomScore := scores[topTask.ID], scores[bottomTask.ID]
	topFloor := min(topScore, panelScore(topTask))
	bottomCeiling := max(bottomScore, panelScore(bottomTask))
	held := 0 // tasks the panel scores under 50
	for _, ps := range panels {
		if medianOf(ps.byPersona) < 50 {
			held++
		}
	}
	shape := []string{summaryKey(b.Headline)}
	for cond, holds := range map[string]bool{
		"exposed": topFloor >= 50, "held": bottomCeiling < 50, "dissent": len(b.Dissent) > 0,
		"many": len(occ.Tasks) >= 20, "mostheld": 2*held > len(occ.Tasks), "lowest": lowest && len(b.Jurors) > 1,
		"apart": own.Score != b.Headline,
	} {
		if holds {
			shape = append(shape, cond)
		}
	}
	data := map[string]any{
		"Title": occ.Title, "Name": name, "Headline": b.Headline, "Score": own.Score,
		"Top": top, "TopScore": topScore, "Bottom": bottom, "BottomScore": bottomScore,
		"Lowest": lowest, "Highest": highest, "Tasks": len(occ.Tasks),
	}
	n := stableN(strconv.Itoa(seed), persona, occ.Code, "quote")
	tries := uint64(o.words.Quotes(persona, string(r), shape))
	quote := firstFitting(jury.MaxQuote, tries, func(i uint64) string { return o.words.Quote(persona, string(r), shape, n+i, data) })
	return statementAnswer{Reaction: r, Quote: quote}
}

type noteAnswer struct {
	Summary string          `json:"summary"`
	Tasks   []noteRationale `json:"tasks"`
}

type noteRationale struct {
	ID        string `json:"id"`
	Rationale string `json:"rationale"`
}

func (o *Juror) note(terms *derived, v prompts.Verdict, seed int) noteAnswer {
	occ := terms.occ
	sd := strconv.Itoa(seed)
	consensus := map[string]prompts.VerdictTask{}
	exposed := 0
	for _, t := range v.Tasks {
		consensus[t.ID] = t
		if t.Score >= 50 {
			exposed++
		}
	}
	phrase := terms.pagePhrases()
	score := func(t jury.Task) int { return consensus[t.ID].Score }
	ts := ranked(occ, score)
	top, bottom := ends(ts, score)
	second := top
	for _, t := range ts {
		if t.ID != top.ID {
			second = t
			break
		}
	}
	their := "its"
	if prompts.IsPlural(occ.Title) {
		their = "their"
	}
	data := map[string]any{
		"Title": occ.Title, "Headline": v.Headline, "Band": v.Band, "Top": phrase[top.ID], "Second": phrase[second.ID],
		"Bottom": phrase[bottom.ID], "TopScore": consensus[top.ID].Score, "BottomScore": consensus[bottom.ID].Score,
		"SecondScore": consensus[second.ID].Score, "TopTool": terms.tools[top.ID].Words, "BottomBlocker": terms.blockers[bottom.ID].Words,
		"Exposed": exposed, "Tasks": len(occ.Tasks), "Their": their, "Plural": their == "their",
	}
	out := noteAnswer{Summary: o.words.Summary(summaryKey(v.Headline), stableN(sd, occ.Code, "summary"), data)}
	used := map[int]int{}
	written := map[string]bool{}
	base := stableN(sd, occ.Code, "rationale")
	for rank, t := range v.Tasks {
		task, _ := occ.Task(t.ID)
		d := map[string]any{"Phrase": phrase[t.ID], "Tool": terms.tools[t.ID].Words}
		blocker := terms.blockers[t.ID]
		d["Blocker"] = blocker.Words
		// The page's least used frame that fits the task, so that no frame
		// is read more than twice while a fitting one is unused; ties go
		// round the frames from a number fixed by the seed and the page.
		// Frames are chosen by line (variants of one line count as one),
		// then a variant of the line by the same number.
		frames, variants := o.frameLines(frameKeys(t.Label, t.Score, terms.tools[t.ID], blocker))
		slices.SortStableFunc(frames, func(a, b int) int { return cmp.Compare(used[a], used[b]) })
		least := 0
		for least < len(frames) && used[frames[least]] == used[frames[0]] {
			least++
		}
		start := int((base + uint64(rank)*7) % uint64(least))
		slices.Sort(frames[:least])
		frames = append(frames[start:least:least], append(slices.Clone(frames[:start]), frames[least:]...)...)
		r, pickLine := "", frames[0]
		pick := variants(pickLine)[0]
	lines:
		for _, l := range frames {
			vs := variants(l)
			for i := range vs {
				f := vs[(int(base>>8)+rank+i)%len(vs)]
				if s := o.words.Rationale(f, d); !written[s] && utf8.RuneCountInString(s) <= jury.MaxQuote && !jury.RestatesTask(s, task.Text) {
					r, pick, pickLine = s, f, l
					break lines
				}
			}
		}
		if r == "" {
			// Every frame is too long for this task's phrase: the
			// shortest phrase the statement has, in the first frame.
			d["Phrase"] = prompts.Phrase(task.Text)
			r = firstFitting(jury.MaxQuote, 1, func(uint64) string { return o.words.Rationale(pick, d) })
		}
		used[pickLine]++
		written[r] = true
		out.Tasks = append(out.Tasks, noteRationale{ID: t.ID, Rationale: r})
	}
	return out
}

// frameLines returns the lines of the rationale frames that fit keys,
// in file order (a new slice, the caller's), and the frames (variants)
// each line writes.
func (o *Juror) frameLines(keys []string) (lines []int, variants func(line int) []int) {
	key := strings.Join(keys, "\x00")
	v, ok := o.lines.Load(key)
	if !ok {
		fs := o.words.Frames(keys...)
		g := &frameGroups{fs: fs}
		// The variants of a line are next to each other among the frames.
		for i, f := range fs {
			if l := o.words.FrameLine(f); len(g.lines) == 0 || g.lines[len(g.lines)-1] != l {
				if slices.Contains(g.lines, l) {
					return frameLinesApart(o.words, fs)
				}
				g.lines, g.runs = append(g.lines, l), append(g.runs, i)
			}
		}
		g.runs = append(g.runs, len(fs))
		v, _ = o.lines.LoadOrStore(key, g)
	}
	g := v.(*frameGroups)
	return slices.Clone(g.lines), func(line int) []int {
		i := slices.Index(g.lines, line)
		return g.fs[g.runs[i]:g.runs[i+1]]
	}
}

// frameLinesApart is frameLines for frames whose variants are not all
// next to each other.
func frameLinesApart(words *prompts.Words, fs []int) (lines []int, variants func(line int) []int) {
	byLine := map[int][]int{}
	for _, f := range fs {
		l := words.FrameLine(f)
		if len(byLine[l]) == 0 {
			lines = append(lines, l)
		}
		byLine[l] = append(byLine[l], f)
	}
	return lines, func(line int) []int { return byLine[line] }
}

// summaryKey is the summary set for a headline: high from 60 (the page's
// bands high and very high), mid from 40 (moderate), else low.
func summaryKey(headline int) string {
	switch {
	case headline >= 60:
		return "high"
	case headline >= 40:
		return "mid"
	}
	return "low"
}

// frameKeys are the rationale frame keys that fit a task of the given
// consensus label and score whose tool and blocker are tool and blocker
// (see prompts/offline/rationales.txt): a frame's claim follows the
// number beside it, "most of" from 70, "part of" from 40, "some" from 30,
// and "little" or "none" only under 30; a label's own frames (which speak
// of a language model) only for a tool built on one; a blocker's own
// frames only for a blocker the lexicon named from the task's words.
func frameKeys(label jury.Label, score int, tool, blocker prompts.Term) []string {
	switch {
	case label != jury.E0 && score >= 70 && tool.LanguageModel:
		return []string{"high", "high " + string(label)}
	case label != jury.E0 && score >= 70:
		return []string{"high"}
	case score >= 40:
		return []string{"mid"}
	case score >= 30:
		return []string{"low"}
	case label != jury.E0:
		return []string{"little"}
	case blocker.Default:
		return []string{"none", "little"}
	}
	return []string{"none", "none " + blocker.Kind, "little"}
}

// pagePhrases names every task of occ by a phrase of its own, distinct
// on the page.
func pagePhrases(occ jury.Occupation) map[string]string {
	texts := make([]string, len(occ.Tasks))
	for i, t := range occ.Tasks {
		texts[i] = t.Text
	}
	out := map[string]string{}
	for i, p := range prompts.Phrases(texts) {
		out[occ.Tasks[i].ID] = p
	}
	return out
}

// firstFitting returns the first of variants tries that is at most max
// characters, else the shortest cut to max.
func firstFitting(limit int, tries uint64, variant func(uint64) string) string {
	shortest := ""
	for i := range max(tries, 1) {
		s := variant(i)
		if utf8.RuneCountInString(s) <= limit {
			return s
		}
		if shortest == "" || len(s) < len(shortest) {
			shortest = s
		}
	}
	r := []rune(shortest)
	return string(r[:limit-1]) + "…"
}
