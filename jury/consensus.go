package jury

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Aggregation says how a task's consensus score is drawn from the jurors'.
type Aggregation string

// The aggregations a panel may use.
const (
	Median      Aggregation = "median"
	Mean        Aggregation = "mean"
	TrimmedMean Aggregation = "trimmed-mean"
)

// ParseAggregation checks an aggregation name from a flag or config file.
func ParseAggregation(s string) (Aggregation, error) {
	switch a := Aggregation(s); a {
	case Median, Mean, TrimmedMean:
		return a, nil
	}
	return "", Invalidf("aggregation %q: want median, mean or trimmed-mean", s)
}

// Rule holds the panel's rules of consensus. The zero value means the
// defaults: quorum 3, dissent above a 40-point spread, median.
type Rule struct {
	Quorum      int
	Dissent     int
	Aggregation Aggregation
}

// Defaults of a Rule's zero fields.
const (
	DefaultQuorum  = 3
	DefaultDissent = 40
)

func (r Rule) withDefaults() Rule {
	if r.Quorum <= 0 {
		r.Quorum = DefaultQuorum
	}
	if r.Dissent <= 0 {
		r.Dissent = DefaultDissent
	}
	if r.Aggregation == "" {
		r.Aggregation = Median
	}
	return r
}

// Juror is one seat of the panel with the outcome of its deliberation: a
// ballot when Problems is empty, else the problems that disqualified it.
type Juror struct {
	Persona  string
	Name     string
	Model    string
	Ballot   Ballot
	Problems []string
}

// Valid reports whether the juror's ballot counts.
func (j Juror) Valid() bool { return len(j.Problems) == 0 }

// Decide combines the jurors' ballots into a report for occ: per task the
// aggregated score, the majority label (a tie goes to the label of the vote
// nearest the consensus score) and dissent when scores spread more than
// rule.Dissent points; the headline is the core-weighted mean of the task
// scores, rounded. Tasks are sorted by score, highest first, ties by ID.
// Fewer valid ballots than the quorum is an error wrapping ErrNoQuorum that
// names each juror's problems. Summary, rationales, provenance and usage
// are left for the caller.
func Decide(occ Occupation, jurors []Juror, rule Rule) (*Report, error) {
	rule = rule.withDefaults()
	jurors = slices.Clone(jurors)
	var valid []Juror
	for i, j := range jurors {
		if j.Valid() && !coversInOrder(j.Ballot, occ) {
			// ParseBallot never returns such a ballot; a caller that built
			// one by hand gets a disqualified juror, not a panic.
			jurors[i].Problems = []string{"ballot does not vote on every task of the occupation in order"}
		}
		if jurors[i].Valid() {
			valid = append(valid, jurors[i])
		}
	}
	if len(valid) < rule.Quorum {
		var why []string
		for _, j := range jurors {
			if !j.Valid() {
				why = append(why, fmt.Sprintf("%s: %s", j.Name, strings.Join(j.Problems, "; ")))
			}
		}
		return nil, fmt.Errorf("%s: %w: %d of %d ballots valid, %d needed (%s)",
			occ.Code, ErrNoQuorum, len(valid), len(jurors), rule.Quorum, strings.Join(why, " | "))
	}
	r := &Report{
		SchemaVersion: SchemaVersion,
		Occupation:    OccupationRef{Code: occ.Code, Title: occ.Title},
	}
	for _, j := range jurors {
		jr := JurorResult{Persona: j.Persona, Name: j.Name, Model: j.Model, Valid: j.Valid(), Problems: j.Problems}
		if jr.Problems == nil {
			jr.Problems = []string{}
		}
		if j.Valid() {
			jr.Score = j.Ballot.Score
		}
		r.Jurors = append(r.Jurors, jr)
	}
	for i, t := range occ.Tasks {
		votes := make([]JurorVote, 0, len(valid))
		for _, j := range valid {
			v := j.Ballot.Tasks[i]
			votes = append(votes, JurorVote{Persona: j.Persona, Score: v.Score, Label: v.Label, Reason: v.Reason})
		}
		score := aggregate(rule.Aggregation, votes)
		lo, hi := spread(votes)
		r.Tasks = append(r.Tasks, TaskResult{
			ID: t.ID, Text: t.Text, Type: t.Type,
			Score: score, Label: majority(votes, score),
			Votes: votes, Dissent: hi-lo > rule.Dissent,
		})
	}
	r.Headline = TasksHeadline(r.Tasks)
	r.Band = BandOf(r.Headline)
	SortTasks(r.Tasks)
	return r, nil
}

// TasksHeadline is the headline of a breakdown: the core-weighted mean
// (core 2, other tasks 1) of its task scores, rounded. Decide computes the
// headline with it, and so does a score edit.
func TasksHeadline(tasks []TaskResult) int {
	var sum, weight float64
	for _, t := range tasks {
		w := float64(t.Type.Weight())
		sum += w * float64(t.Score)
		weight += w
	}
	if weight == 0 {
		return 0
	}
	return int(math.Round(sum / weight))
}

func coversInOrder(b Ballot, occ Occupation) bool {
	if len(b.Tasks) != len(occ.Tasks) {
		return false
	}
	for i, t := range occ.Tasks {
		if b.Tasks[i].ID != t.ID {
			return false
		}
	}
	return true
}

// SortTasks orders a breakdown most automatable first: score descending,
// ties by task ID ascending.
func SortTasks(tasks []TaskResult) {
	slices.SortStableFunc(tasks, func(a, b TaskResult) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return CompareTaskIDs(a.ID, b.ID)
	})
}

func aggregate(a Aggregation, votes []JurorVote) int {
	scores := make([]float64, len(votes))
	for i, v := range votes {
		scores[i] = float64(v.Score)
	}
	slices.Sort(scores)
	n := len(scores)
	switch a {
	case Mean:
		return int(math.Round(mean(scores)))
	case TrimmedMean:
		if n >= 3 {
			scores = scores[1 : n-1]
		}
		return int(math.Round(mean(scores)))
	}
	if n%2 == 1 {
		return int(scores[n/2])
	}
	return int(math.Round((scores[n/2-1] + scores[n/2]) / 2))
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func spread(votes []JurorVote) (lo, hi int) {
	lo, hi = 100, 0
	for _, v := range votes {
		lo, hi = min(lo, v.Score), max(hi, v.Score)
	}
	return lo, hi
}

// majority returns the most frequent label among the votes whose label
// fits the consensus score (LabelFits: the page never shows a label its
// own score contradicts); among tied labels, that of the vote nearest
// the consensus score, then the lower score, then panel order. When no
// vote's label fits — every juror said E2 of a task whose consensus is
// under E1Min — the label is E0.
func majority(votes []JurorVote, score int) Label {
	count := map[Label]int{}
	top := 0
	for _, v := range votes {
		if !LabelFits(v.Label, score) {
			continue
		}
		count[v.Label]++
		top = max(top, count[v.Label])
	}
	if top == 0 {
		if score > E0Max { // no valid ballot gets here: E0 votes are at most E0Max
			return E2
		}
		return E0
	}
	var best *JurorVote
	for i := range votes {
		v := &votes[i]
		if !LabelFits(v.Label, score) || count[v.Label] != top {
			continue
		}
		if best == nil {
			best = v
			continue
		}
		d, bd := abs(v.Score-score), abs(best.Score-score)
		if d < bd || (d == bd && v.Score < best.Score) {
			best = v
		}
	}
	return best.Label
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
