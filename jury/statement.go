package jury

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Reaction is what a juror thinks of the panel's headline once it has
// seen it (round 2).
type Reaction string

// The reactions a juror may give to the verdict.
const (
	TooLow     Reaction = "too_low"
	AboutRight Reaction = "about_right"
	TooHigh    Reaction = "too_high"
)

// Reactions lists the reactions in the order the schema offers them.
var Reactions = []Reaction{TooLow, AboutRight, TooHigh}

// Words reads a reaction for a page: "too low", "about right", "too high".
func (r Reaction) Words() string { return strings.ReplaceAll(string(r), "_", " ") }

// ReactionGap is how far a juror's own overall score may sit from the
// headline before one reaction is ruled out: a juror 10 or more points
// above the headline cannot call it too high, one 10 or more below cannot
// call it too low.
const ReactionGap = 10

// Allows reports whether a juror whose own overall score is own may react
// r to headline.
func (r Reaction) Allows(own, headline int) bool {
	switch r {
	case TooHigh:
		return own-headline < ReactionGap
	case TooLow:
		return headline-own < ReactionGap
	case AboutRight:
		return true
	}
	return false
}

// Statement is one juror's validated round-2 answer: its reaction to the
// verdict and the quote published under its name.
type Statement struct {
	Reaction Reaction `json:"reaction"`
	Quote    string   `json:"quote"`
}

// StatementContext is what a statement is checked against: the headline
// the juror was shown and its own overall score from round 1.
type StatementContext struct {
	Headline int
	Own      int
}

type statementWire struct {
	Reaction *string `json:"reaction"`
	Quote    *string `json:"quote"`
}

// percentRE finds the numbers a text gives as percentages: "83 %",
// "83%", "83 percent", "83 per cent".
var percentRE = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)\s*(?:%|percent\b|per cent\b)`)

// Percentages returns the whole numbers s names as percentages, in order;
// a fraction such as "82.5 %" is returned as -1, which no score equals.
func Percentages(s string) []int {
	var out []int
	for _, m := range percentRE.FindAllStringSubmatch(s, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = -1
		}
		out = append(out, n)
	}
	return out
}

// ParseStatement reads a juror's round-2 answer and lists every problem
// with it, worded for the model: a one-line quote of at most MaxQuote
// characters that names no percentage other than the headline or the
// juror's own score, and a reaction that its own score allows.
func ParseStatement(content string, c StatementContext) (Statement, []string) {
	var w statementWire
	if p := decodeStrict(content, &w); p != "" {
		return Statement{}, []string{p}
	}
	var s Statement
	var problems []string
	if w.Reaction == nil {
		problems = append(problems, "reaction missing")
	} else {
		s.Reaction = Reaction(*w.Reaction)
		switch {
		case !slices.Contains(Reactions, s.Reaction):
			problems = append(problems, fmt.Sprintf("reaction %q is not too_low, about_right or too_high", *w.Reaction))
		case s.Reaction == TooHigh && !s.Reaction.Allows(c.Own, c.Headline):
			problems = append(problems, fmt.Sprintf("reaction too_high contradicts your own score %d, %d points above the headline %d: answer too_low or about_right",
				c.Own, c.Own-c.Headline, c.Headline))
		case s.Reaction == TooLow && !s.Reaction.Allows(c.Own, c.Headline):
			problems = append(problems, fmt.Sprintf("reaction too_low contradicts your own score %d, %d points below the headline %d: answer too_high or about_right",
				c.Own, c.Headline-c.Own, c.Headline))
		}
	}
	if w.Quote == nil {
		problems = append(problems, "quote missing")
	} else {
		s.Quote = strings.TrimSpace(*w.Quote)
		if p := lineProblem("quote", s.Quote); p != "" {
			problems = append(problems, p)
		}
		for _, n := range Percentages(s.Quote) {
			if n != c.Headline && n != c.Own {
				problems = append(problems, fmt.Sprintf("quote names %s, but the only percentages it may name are the headline %d %% and your own score %d %%",
					percentText(n), c.Headline, c.Own))
				break
			}
		}
	}
	return s, problems
}

func percentText(n int) string {
	if n < 0 {
		return "a fractional percentage"
	}
	return fmt.Sprintf("%d %%", n)
}

// ApplyStatements sets each valid juror's reaction and quote from
// statements, keyed by persona; a juror without one is shown without a
// quote, and the problems of its last answer, if any, are kept in
// StatementProblems.
func (r *Report) ApplyStatements(statements map[string]Statement, problems map[string][]string) {
	for i := range r.Jurors {
		j := &r.Jurors[i]
		if !j.Valid {
			continue
		}
		if s, ok := statements[j.Persona]; ok {
			j.Reaction, j.Quote = s.Reaction, s.Quote
			continue
		}
		j.StatementProblems = problems[j.Persona]
	}
}
