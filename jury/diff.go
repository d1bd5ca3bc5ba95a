package jury

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ChangeKind names a kind of change that can fail a diff.
type ChangeKind string

// The kinds of change a diff can fail on.
const (
	// KindHeadline is an occupation's headline moving more than the
	// tolerance, or an occupation found on one side only.
	KindHeadline ChangeKind = "headline"
	// KindTask is a task's score moving more than the tolerance, or a
	// task found on one side only.
	KindTask ChangeKind = "task"
	// KindLabel is a task's exposure label changing.
	KindLabel ChangeKind = "label"
	// KindEdit is a person's score edit, added, changed or removed,
	// moving a task or the headline shown more than the tolerance. The
	// other kinds judge the model's verdict alone (see Report.ModelView).
	KindEdit ChangeKind = "edit"
)

// ChangeKinds lists every kind of change, in the order diffs report them.
var ChangeKinds = []ChangeKind{KindHeadline, KindTask, KindLabel, KindEdit}

// ParseChangeKinds reads a comma-separated list of change kinds, as the
// --fail-on flag takes it ("headline,label"). Blanks around names are
// ignored; an empty list or an unknown name is an ErrInvalid error.
func ParseChangeKinds(s string) ([]ChangeKind, error) {
	var kinds []ChangeKind
	for _, f := range strings.Split(s, ",") {
		k := ChangeKind(strings.TrimSpace(f))
		if k == "" {
			continue
		}
		if !slices.Contains(ChangeKinds, k) {
			return nil, Invalidf("change kind %q: want headline, task, label or edit", k)
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return nil, Invalidf("no change kind in %q: want a comma-separated list of headline, task, label and edit", s)
	}
	return kinds, nil
}

// DefaultTolerance is how many points a score may move before the move
// fails a diff, when DiffOptions leaves Tolerance zero.
const DefaultTolerance = 5

// NoTolerance is the DiffOptions.Tolerance that fails any move at all.
const NoTolerance = -1

// Sizes of the changes that are not score moves, in score points; a diff
// lists the largest change first.
const (
	// LabelChangeSize is what a task's label change weighs: a 20-point
	// move, the width of a headline band, so that it ranks above any move
	// a usual tolerance lets pass.
	LabelChangeSize = 20
	// PresenceChangeSize is what a task or occupation found on one side
	// only weighs: the whole scale, since it usually means the inputs
	// differ and every other number of the occupation is suspect.
	PresenceChangeSize = 100
)

// DiffOptions says which changes fail a diff. The zero value means the
// defaults: a tolerance of DefaultTolerance points, failing on every kind.
type DiffOptions struct {
	// Tolerance is how many points a headline or task score may move
	// without failing: a move fails when it is larger. Zero means
	// DefaultTolerance; a negative value (NoTolerance) fails any move.
	Tolerance int
	// FailOn chooses the kinds of change that fail; empty means all of
	// ChangeKinds. An occupation found on one side only fails under any
	// kind, and a task found on one side only under KindTask or KindLabel.
	FailOn []ChangeKind
}

// NewDiffOptions returns the options the --tolerance and --fail-on flags
// ask for: a tolerance in points, where 0 fails any move (not the
// default, as DiffOptions' zero is), and a comma-separated list of the
// kinds that fail (see ParseChangeKinds). A negative tolerance or a bad
// list is an ErrInvalid error naming its flag.
func NewDiffOptions(tolerance int, failOn string) (DiffOptions, error) {
	if tolerance < 0 {
		return DiffOptions{}, Invalidf("--tolerance %d: want 0 or more points", tolerance)
	}
	kinds, err := ParseChangeKinds(failOn)
	if err != nil {
		return DiffOptions{}, Invalidf("--fail-on %q: %w", failOn, err)
	}
	opts := DiffOptions{Tolerance: tolerance, FailOn: kinds}
	if tolerance == 0 {
		opts.Tolerance = NoTolerance
	}
	return opts, nil
}

func (o DiffOptions) withDefaults() (DiffOptions, error) {
	switch {
	case o.Tolerance == 0:
		o.Tolerance = DefaultTolerance
	case o.Tolerance < 0:
		o.Tolerance = 0
	}
	if len(o.FailOn) == 0 {
		o.FailOn = slices.Clone(ChangeKinds)
	}
	for _, k := range o.FailOn {
		if !slices.Contains(ChangeKinds, k) {
			return o, Invalidf("change kind %q: want headline, task, label or edit", k)
		}
	}
	// Report the kinds in a fixed order, whatever order they came in.
	var kinds []ChangeKind
	for _, k := range ChangeKinds {
		if slices.Contains(o.FailOn, k) {
			kinds = append(kinds, k)
		}
	}
	o.FailOn = kinds
	return o, nil
}

func (o DiffOptions) failsOn(k ChangeKind) bool { return slices.Contains(o.FailOn, k) }

// DiffStatus says whether a thing compared is on both sides of a diff or
// on one only.
type DiffStatus string

// The statuses of an occupation or task in a diff.
const (
	// Changed is on both sides, with a difference.
	Changed DiffStatus = "changed"
	// Added is only on the new side.
	Added DiffStatus = "added"
	// Removed is only on the old side.
	Removed DiffStatus = "removed"
)

// DiffResult is what changed between two sets of reports. Build it with
// Diff; its zero value is the diff of two empty sets: no changes.
type DiffResult struct {
	// Occupations holds the occupations that changed, largest change
	// first, ties by code. Unchanged occupations are left out.
	Occupations []OccupationDiff
	// Total counts the distinct occupations on either side.
	Total int
	// Tolerance and FailOn are the options the diff was judged by, with
	// defaults filled in: Tolerance 0 means no move is tolerated.
	Tolerance int
	FailOn    []ChangeKind
}

// Failed reports whether any change fails the diff.
func (r DiffResult) Failed() bool { return r.Failing() > 0 }

// Failing counts the occupations with a change that fails the diff.
func (r DiffResult) Failing() int {
	n := 0
	for _, o := range r.Occupations {
		if o.Fails {
			n++
		}
	}
	return n
}

// Summary is the diff in one line: "3 of 5 occupations changed; largest:
// 29-2072.00 headline 83 → 71", or "no changes". The change it names is
// the largest that fails the diff, when one does (see
// OccupationDiff.Largest), else the largest. The text comes from the
// reports as written: escape it for where it is shown.
func (r DiffResult) Summary() string {
	if len(r.Occupations) == 0 {
		return "no changes"
	}
	noun := "occupations"
	if r.Total == 1 {
		noun = "occupation"
	}
	// Name what fails the diff, if anything does, before what is larger.
	first := r.Occupations[0]
	if i := slices.IndexFunc(r.Occupations, func(o OccupationDiff) bool { return o.Fails }); i >= 0 {
		first = r.Occupations[i]
	}
	return fmt.Sprintf("%d of %d %s changed; largest: %s", len(r.Occupations), r.Total, noun, first.Largest())
}

// OccupationDiff is what changed in one occupation's report.
type OccupationDiff struct {
	Code string
	// Title is the new report's title, or the old one's if the occupation
	// was removed.
	Title  string
	Status DiffStatus
	// OldHeadline and NewHeadline are the headline on each side: the
	// model's (the jury's own) for an occupation on both sides, the one
	// published for an added or removed occupation; that of the side it is
	// missing from is zero.
	OldHeadline, NewHeadline int
	// OldPublished and NewPublished are the headline each side's pages
	// publish: the model's, or the one a person's score edits moved it to.
	// They equal OldHeadline and NewHeadline when no score edit moves it.
	OldPublished, NewPublished int
	// HeadlineEdits say which of Edits make the published headline move
	// otherwise than the model's, "edited: score of task 22878", when a
	// score edit moves it on either side.
	HeadlineEdits []string
	// HeadlineFails is set when the headline moved beyond tolerance and
	// the diff fails on headlines.
	HeadlineFails bool
	// Summary is the foreperson's summary on each side; see Changed.
	Summary TextChange
	// Quotes holds the jurors whose quote changed, in the old report's
	// juror order, then jurors only the new report has.
	Quotes []QuoteChange
	// Reactions holds the jurors whose reaction to the headline changed,
	// in the same order; a version-1 report's jurors have none.
	Reactions []ReactionChange
	// Tasks holds the tasks whose score or label changed or that are on
	// one side only, largest change first, ties by task ID.
	Tasks []TaskDiff
	// Edits holds a person's edits added, changed or removed, in the new
	// report's order of edits, then those only the old one has. Headline,
	// tasks, summary, quotes and reactions above are the model's.
	Edits []EditChange
	// Size is the largest change of the occupation in score points: the
	// headline's move or the largest task change, or PresenceChangeSize
	// for an occupation on one side only. Reworded text weighs nothing.
	Size int
	// Fails is set when any change of the occupation fails the diff.
	Fails bool
}

// HeadlineDelta is how far the headline moved, new minus old.
func (o OccupationDiff) HeadlineDelta() int { return o.NewHeadline - o.OldHeadline }

// PublishedDelta is how far the published headline moved, new minus old.
func (o OccupationDiff) PublishedDelta() int { return o.NewPublished - o.OldPublished }

// HeadlineEdited reports whether a person's score edits make a side's
// pages publish another headline than the model's.
func (o OccupationDiff) HeadlineEdited() bool {
	return o.Status == Changed && (o.OldPublished != o.OldHeadline || o.NewPublished != o.NewHeadline)
}

// HeadlineString describes the headline in a few words: "headline 83 →
// 71 (-12)", "headline 54, unchanged", and when score edits move the
// headline published, that one first, why, then the model's: "headline
// 65 → 62 (edited: score of task 22878); the jury's own 65, unchanged".
func (o OccupationDiff) HeadlineString() string {
	if !o.HeadlineEdited() {
		return "headline " + moveString(o.OldHeadline, o.NewHeadline, true)
	}
	why := "score edits unchanged"
	if len(o.HeadlineEdits) > 0 {
		why = strings.Join(o.HeadlineEdits, ", ")
	}
	return fmt.Sprintf("headline %s (%s); the jury's own %s",
		moveString(o.OldPublished, o.NewPublished, false), why, moveString(o.OldHeadline, o.NewHeadline, true))
}

// moveString is "65 → 62", with " (-3)" when delta, or "62, unchanged".
func moveString(old, new int, delta bool) string {
	switch {
	case old == new:
		return fmt.Sprintf("%d, unchanged", new)
	case delta:
		return fmt.Sprintf("%d → %d (%+d)", old, new, new-old)
	}
	return fmt.Sprintf("%d → %d", old, new)
}

// Largest describes the occupation's largest change in a few words, after
// its code: "29-2072.00 headline 83 → 71", "29-2072.00 task 22892 83 → 90",
// "29-2072.00 edited: score of task 22878 75 → 20", "29-2072.00 added".
// A change that fails the diff comes before any that does not, however
// small; among those, the largest (the headline first on a tie, then
// tasks, then edits). Without a score change, it names reworded text.
func (o OccupationDiff) Largest() string {
	switch o.Status {
	case Added:
		return fmt.Sprintf("%s added (headline %d)", o.Code, o.NewHeadline)
	case Removed:
		return fmt.Sprintf("%s removed (headline was %d)", o.Code, o.OldHeadline)
	}
	type change struct {
		size  int
		fails bool
		text  string
	}
	var changes []change
	if d := abs(o.HeadlineDelta()); d > 0 {
		changes = append(changes, change{d, o.HeadlineFails, fmt.Sprintf("headline %d → %d", o.OldHeadline, o.NewHeadline)})
	}
	for _, t := range o.Tasks {
		changes = append(changes, change{t.Size, t.Fails, t.String()})
	}
	for _, e := range o.Edits {
		if e.Size > 0 || e.Fails {
			changes = append(changes, change{e.Size, e.Fails, e.String()})
		}
	}
	best := -1
	for i, c := range changes {
		if best < 0 || c.fails && !changes[best].fails || c.fails == changes[best].fails && c.size > changes[best].size {
			best = i
		}
	}
	if best >= 0 {
		return o.Code + " " + changes[best].text
	}
	if len(o.Edits) > 0 && !o.Summary.Changed() && len(o.Quotes) == 0 && len(o.Reactions) == 0 {
		return o.Code + " " + o.Edits[0].String()
	}
	var words []string
	if o.Summary.Changed() {
		words = append(words, "summary")
	}
	if n := len(o.Quotes); n > 0 {
		words = append(words, counted(n, "quote", "quotes"))
	}
	var parts []string
	if len(words) > 0 {
		parts = append(parts, strings.Join(words, " and ")+" reworded")
	}
	if n := len(o.Reactions); n > 0 {
		parts = append(parts, counted(n, "reaction", "reactions")+" changed")
	}
	if len(parts) == 0 {
		return o.Code + " unchanged"
	}
	return o.Code + " " + strings.Join(parts, ", ")
}

// TaskDiff is one task's change.
type TaskDiff struct {
	ID string
	// Text is the task's text in the new report, or the old one's if the
	// task was removed.
	Text   string
	Status DiffStatus
	// OldScore, OldLabel, NewScore and NewLabel are the task's verdict on
	// each side; those of the side an added or removed task is missing
	// from are zero.
	OldScore, NewScore int
	OldLabel, NewLabel Label
	// Size is the change in score points: the score's move, at least
	// LabelChangeSize if the label changed, PresenceChangeSize for a task
	// on one side only.
	Size int
	// Fails is set when the change fails the diff.
	Fails bool
}

// Delta is how far the task's score moved, new minus old.
func (t TaskDiff) Delta() int { return t.NewScore - t.OldScore }

// LabelChanged reports whether a task on both sides changed its label.
func (t TaskDiff) LabelChanged() bool { return t.Status == Changed && t.OldLabel != t.NewLabel }

// String describes the change in a few words: "task 22892 83 → 90",
// "task 22892 83 → 85, E2 → E1", "task 22886 59, E2 → E1", "task 22892
// added (90 E1)".
func (t TaskDiff) String() string {
	switch t.Status {
	case Added:
		return fmt.Sprintf("task %s added (%d %s)", t.ID, t.NewScore, t.NewLabel)
	case Removed:
		return fmt.Sprintf("task %s removed (was %d %s)", t.ID, t.OldScore, t.OldLabel)
	}
	s := fmt.Sprintf("task %s %d", t.ID, t.NewScore)
	if t.Delta() != 0 {
		s = fmt.Sprintf("task %s %d → %d", t.ID, t.OldScore, t.NewScore)
	}
	if t.LabelChanged() {
		s += fmt.Sprintf(", %s → %s", t.OldLabel, t.NewLabel)
	}
	return s
}

// TextChange is a text on each side of a diff.
type TextChange struct {
	Old, New string
}

// Changed reports whether the text differs.
func (c TextChange) Changed() bool { return c.Old != c.New }

// QuoteChange is a juror's quote on each side; a juror missing from a side
// (or whose ballot was not valid there) has an empty quote on it.
type QuoteChange struct {
	Persona string
	// Name is the juror's name in the new report, or the old one's if the
	// juror is missing from the new report.
	Name string
	TextChange
}

// ReactionChange is a juror's reaction to the headline on each side; a
// juror missing from a side, without a statement there, or from a
// version-1 report has the empty reaction on it.
type ReactionChange struct {
	Persona string
	// Name is as in QuoteChange.
	Name     string
	Old, New Reaction
}

// Diff compares two sets of reports occupation by occupation, matched by
// code: the headline, each task's score and label, tasks and occupations
// found on one side only, the summary and each juror's quote and
// reaction — all as the model gave them (Report.ModelView) — and, apart,
// a person's edits. A change fails when opts say so; see DiffOptions.
// Reworded text, changed reactions and text edits never fail.
//
// It returns an ErrInvalid error when the reports cannot be compared:
// a schema_version outside MinSchemaVersion–SchemaVersion, an occupation
// twice on one side, or a task twice in one report.
func Diff(old, new []Report, opts DiffOptions) (DiffResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return DiffResult{}, err
	}
	olds, err := indexReports(old, "old")
	if err != nil {
		return DiffResult{}, err
	}
	news, err := indexReports(new, "new")
	if err != nil {
		return DiffResult{}, err
	}
	res := DiffResult{Tolerance: opts.Tolerance, FailOn: opts.FailOn}
	total := len(news)
	for i := range old {
		o := &old[i]
		code := o.Occupation.Code
		n, ok := news[code]
		if !ok {
			res.Occupations = append(res.Occupations, OccupationDiff{
				Code: code, Title: o.Occupation.Title, Status: Removed, OldHeadline: o.Headline,
				Size: PresenceChangeSize, Fails: true,
			})
			total++
			continue
		}
		d, err := diffOccupation(o, n, opts)
		if err != nil {
			return DiffResult{}, err
		}
		if d.changed() {
			res.Occupations = append(res.Occupations, d)
		}
	}
	for i := range new {
		n := &new[i]
		code := n.Occupation.Code
		if _, ok := olds[code]; !ok {
			res.Occupations = append(res.Occupations, OccupationDiff{
				Code: code, Title: n.Occupation.Title, Status: Added, NewHeadline: n.Headline,
				Size: PresenceChangeSize, Fails: true,
			})
		}
	}
	res.Total = total
	slices.SortFunc(res.Occupations, func(a, b OccupationDiff) int {
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return res, nil
}

// indexReports maps reports by code, checking that they can be compared.
func indexReports(reports []Report, side string) (map[string]*Report, error) {
	m := make(map[string]*Report, len(reports))
	for i := range reports {
		r := &reports[i]
		code := r.Occupation.Code
		if r.SchemaVersion < MinSchemaVersion || r.SchemaVersion > SchemaVersion {
			return nil, Invalidf("%s report %s has schema_version %d, this jury compares %d to %d: regenerate it with this jury",
				side, code, r.SchemaVersion, MinSchemaVersion, SchemaVersion)
		}
		if _, dup := m[code]; dup {
			return nil, Invalidf("occupation %s appears twice on the %s side: keep one report of it", code, side)
		}
		m[code] = r
	}
	return m, nil
}

func diffOccupation(shownOld, shownNew *Report, opts DiffOptions) (OccupationDiff, error) {
	o, n := shownOld.ModelView(), shownNew.ModelView()
	code := n.Occupation.Code
	d := OccupationDiff{
		Code: code, Title: n.Occupation.Title, Status: Changed,
		OldHeadline: o.Headline, NewHeadline: n.Headline,
		Summary:   TextChange{Old: o.Summary, New: n.Summary},
		Quotes:    diffQuotes(o.Jurors, n.Jurors),
		Reactions: diffReactions(o.Jurors, n.Jurors),
	}
	d.Size = abs(d.HeadlineDelta())
	d.HeadlineFails = opts.failsOn(KindHeadline) && d.Size > opts.Tolerance
	d.Fails = d.HeadlineFails

	oldTasks, err := indexTasks(o, "old")
	if err != nil {
		return d, err
	}
	newTasks, err := indexTasks(n, "new")
	if err != nil {
		return d, err
	}
	presenceFails := opts.failsOn(KindTask) || opts.failsOn(KindLabel)
	for _, ot := range o.Tasks {
		nt, ok := newTasks[ot.ID]
		if !ok {
			d.Tasks = append(d.Tasks, TaskDiff{ID: ot.ID, Text: ot.Text, Status: Removed,
				OldScore: ot.Score, OldLabel: ot.Label, Size: PresenceChangeSize, Fails: presenceFails})
			continue
		}
		t := TaskDiff{ID: ot.ID, Text: nt.Text, Status: Changed,
			OldScore: ot.Score, NewScore: nt.Score, OldLabel: ot.Label, NewLabel: nt.Label}
		t.Size = abs(t.Delta())
		t.Fails = opts.failsOn(KindTask) && t.Size > opts.Tolerance
		if t.LabelChanged() {
			t.Size = max(t.Size, LabelChangeSize)
			t.Fails = t.Fails || opts.failsOn(KindLabel)
		}
		if t.Delta() != 0 || t.LabelChanged() {
			d.Tasks = append(d.Tasks, t)
		}
	}
	for _, nt := range n.Tasks {
		if _, ok := oldTasks[nt.ID]; !ok {
			d.Tasks = append(d.Tasks, TaskDiff{ID: nt.ID, Text: nt.Text, Status: Added,
				NewScore: nt.Score, NewLabel: nt.Label, Size: PresenceChangeSize, Fails: presenceFails})
		}
	}
	slices.SortFunc(d.Tasks, func(a, b TaskDiff) int {
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return CompareTaskIDs(a.ID, b.ID)
	})
	for _, t := range d.Tasks {
		d.Size = max(d.Size, t.Size)
		d.Fails = d.Fails || t.Fails
	}
	d.Edits = diffEdits(shownOld, shownNew, opts)
	for _, e := range d.Edits {
		d.Size = max(d.Size, e.Size)
		d.Fails = d.Fails || e.Fails
	}
	d.OldPublished, d.NewPublished = shownOld.Headline, shownNew.Headline
	if d.HeadlineEdited() {
		d.HeadlineEdits = headlineEdits(d.Edits, shownNew)
	}
	return d, nil
}

// headlineEdits names the score edits that make a published headline
// move otherwise than the model's: those added, changed or removed, or
// when none is, those the new report keeps from the old one.
func headlineEdits(changes []EditChange, n *Report) []string {
	var out []string
	for _, e := range changes {
		if e.Kind == EditScore {
			out = append(out, e.status()+e.Name)
		}
	}
	if len(out) > 0 || n.Edits == nil {
		return out
	}
	for _, a := range n.Edits.Applied {
		if a.Kind == EditScore && a.State != EditOrphaned {
			out = append(out, "edited on both sides: "+a.Name())
		}
	}
	return out
}

// EditChange is a person's edit that differs between two reports: added
// (only the new report has it), removed, or changed (another text or
// score).
type EditChange struct {
	Kind   EditKind
	Target string
	// Name names the edited thing for a reader: "quote of The Contrarian",
	// "score of task 22892", "summary".
	Name   string
	Status DiffStatus
	// Old and New are the person's text on each side ("" on the side
	// without the edit); for a score edit, the task's score shown, with
	// its label when an edit on either side sets one ("40 E0").
	Old, New string
	// Size is, for a score edit, how much further the edits move the task's
	// score (or the headline, whichever is more) on one side than on the
	// other, in points; 0 for text.
	Size  int
	Fails bool
}

// String describes the edit in a few words: "edited: quote of The
// Contrarian", "edited: score of task 22892 83 → 40" (with labels when
// the edit sets one: "83 E2 → 40 E0"), "edit changed:
// rationale of task 22892", "edit removed: summary".
func (e EditChange) String() string {
	what := e.Name
	if e.Kind == EditScore {
		what += fmt.Sprintf(" %s → %s", e.Old, e.New)
	}
	return e.status() + what
}

// status is what became of the edit, as String starts: "edited: ",
// "edit removed: " or "edit changed: ".
func (e EditChange) status() string {
	switch e.Status {
	case Added:
		return "edited: "
	case Removed:
		return "edit removed: "
	}
	return "edit changed: "
}

// diffEdits lists the edits that differ between the reports as shown.
func diffEdits(o, n *Report, opts DiffOptions) []EditChange {
	type side struct {
		a     AppliedEdit
		shown string
	}
	edits := func(r *Report) (map[string]side, []string) {
		m := map[string]side{}
		var order []string
		if r.Edits == nil {
			return m, nil
		}
		for _, a := range r.Edits.Applied {
			if a.State == EditOrphaned {
				continue
			}
			s := side{a: a, shown: a.Text}
			if a.Kind == EditScore && a.Score != nil {
				s.shown = strings.TrimSpace(strconv.Itoa(*a.Score) + " " + string(a.Label))
			}
			m[a.Name()] = s
			order = append(order, a.Name())
		}
		return m, order
	}
	olds, oldOrder := edits(o)
	news, newOrder := edits(n)
	name := func(a AppliedEdit, r *Report) string {
		if a.Kind == EditQuote {
			if j := r.juror(a.Target); j != nil {
				return "quote of " + j.Name
			}
		}
		return a.Name()
	}
	// shift is how far a report's edits move a task's score, or its
	// headline, from the model's.
	shift := func(r *Report, id string) (task, headline int) {
		if r.Edits == nil {
			return 0, 0
		}
		if a := r.applied(EditScore, id); a != nil && a.Score != nil && a.ModelScore != nil {
			task = *a.Score - *a.ModelScore
		}
		return task, r.Headline - r.Edits.ModelHeadline
	}
	// shownScore is a task's score as a page shows it, with its label
	// when an edit on either side sets one: "20 E0".
	shownScore := func(r *Report, id string, label bool) string {
		if t := r.task(id); t != nil {
			if label {
				return fmt.Sprintf("%d %s", t.Score, t.Label)
			}
			return strconv.Itoa(t.Score)
		}
		return "–"
	}
	var out []EditChange
	add := func(key string, r *Report, a AppliedEdit) {
		ns, inNew := news[key]
		os, inOld := olds[key]
		c := EditChange{Kind: a.Kind, Target: a.Target, Name: name(a, r), Old: os.shown, New: ns.shown}
		switch {
		case inNew && !inOld:
			c.Status = Added
		case inOld && !inNew:
			c.Status = Removed
		case os.shown == ns.shown:
			return
		default:
			c.Status = Changed
		}
		if a.Kind == EditScore {
			label := os.a.Label != "" || ns.a.Label != ""
			c.Old, c.New = shownScore(o, a.Target, label), shownScore(n, a.Target, label)
			ot, oh := shift(o, a.Target)
			nt, nh := shift(n, a.Target)
			c.Size = max(abs(nt-ot), abs(nh-oh))
			c.Fails = opts.failsOn(KindEdit) && c.Size > opts.Tolerance
		}
		out = append(out, c)
	}
	for _, k := range newOrder {
		add(k, n, news[k].a)
	}
	for _, k := range oldOrder {
		if _, ok := news[k]; !ok {
			add(k, o, olds[k].a)
		}
	}
	return out
}

func (d OccupationDiff) changed() bool {
	return d.Status != Changed || d.HeadlineDelta() != 0 || len(d.Tasks) > 0 ||
		len(d.Quotes) > 0 || len(d.Reactions) > 0 || d.Summary.Changed() || len(d.Edits) > 0
}

func indexTasks(r *Report, side string) (map[string]*TaskResult, error) {
	m := make(map[string]*TaskResult, len(r.Tasks))
	for i := range r.Tasks {
		t := &r.Tasks[i]
		if _, dup := m[t.ID]; dup {
			return nil, Invalidf("%s report %s lists task %s twice: regenerate it", side, r.Occupation.Code, t.ID)
		}
		m[t.ID] = t
	}
	return m, nil
}

// diffQuotes matches jurors by persona. A juror whose ballot was not valid
// has no quote, so a juror turning invalid shows as a quote removed.
func diffQuotes(old, new []JurorResult) []QuoteChange {
	var out []QuoteChange
	seen := make(map[string]bool, len(old))
	for _, o := range old {
		seen[o.Persona] = true
		c := QuoteChange{Persona: o.Persona, Name: o.Name, TextChange: TextChange{Old: o.Quote}}
		if i := slices.IndexFunc(new, func(j JurorResult) bool { return j.Persona == o.Persona }); i >= 0 {
			c.Name, c.New = new[i].Name, new[i].Quote
		}
		if c.Changed() {
			out = append(out, c)
		}
	}
	for _, n := range new {
		if !seen[n.Persona] && n.Quote != "" {
			out = append(out, QuoteChange{Persona: n.Persona, Name: n.Name, TextChange: TextChange{New: n.Quote}})
		}
	}
	return out
}

// diffReactions matches jurors by persona, as diffQuotes does.
func diffReactions(old, new []JurorResult) []ReactionChange {
	var out []ReactionChange
	seen := make(map[string]bool, len(old))
	for _, o := range old {
		seen[o.Persona] = true
		c := ReactionChange{Persona: o.Persona, Name: o.Name, Old: o.Reaction}
		if i := slices.IndexFunc(new, func(j JurorResult) bool { return j.Persona == o.Persona }); i >= 0 {
			c.Name, c.New = new[i].Name, new[i].Reaction
		}
		if c.Old != c.New {
			out = append(out, c)
		}
	}
	for _, n := range new {
		if !seen[n.Persona] && n.Reaction != "" {
			out = append(out, ReactionChange{Persona: n.Persona, Name: n.Name, New: n.Reaction})
		}
	}
	return out
}

// counted is n and its noun in the number n takes: "1 quote", "2 quotes".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
