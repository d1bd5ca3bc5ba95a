package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// IndexRow is one occupation in a batch's index.
type IndexRow struct {
	Code, Title, Status string
	Headline            *int
	Band, Error         string
}

// IndexMarkdown renders index.md: a table of every verdict, highest
// headline first, each linking its report, then the occupations that
// failed or are pending.
// indexBlurb says what an index's headlines are, on index.md and
// index.html alike.
const indexBlurb = "Each verdict’s headline is the share of its tasks’ time AI could save (core tasks count twice), as its jury scored them task by task; each page says who the jurors were: AI models or, offline, a trained classifier with sentence templates."

func IndexMarkdown(rows []IndexRow) []byte {
	var done, other []IndexRow
	for _, r := range rows {
		if r.Status == "done" && r.Headline != nil {
			done = append(done, r)
		} else {
			other = append(other, r)
		}
	}
	slices.SortStableFunc(done, func(a, b IndexRow) int {
		if *a.Headline != *b.Headline {
			return *b.Headline - *a.Headline
		}
		return strings.Compare(a.Code, b.Code)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "# AI jury verdicts\n\n%d occupations: %d done, %d not done. %s\n\n", len(rows), len(done), len(other), indexBlurb)
	if len(done) > 0 {
		b.WriteString("| Headline | Band | Occupation | Code |\n| ---: | --- | --- | --- |\n")
		for _, r := range done {
			title := Markdown(r.Title)
			if jury.ValidCode(r.Code) { // a hand-edited code never becomes a link target
				title = fmt.Sprintf("[%s](%s/report.md)", title, r.Code)
			}
			fmt.Fprintf(&b, "| %d %% | %s | %s | %s |\n", *r.Headline, Markdown(r.Band), title, Markdown(r.Code))
		}
	}
	if len(other) > 0 {
		b.WriteString("\n## Not done\n\n| Code | Occupation | Status | Error |\n| --- | --- | --- | --- |\n")
		for _, r := range other {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", Markdown(r.Code), Markdown(r.Title), Markdown(r.Status), Markdown(r.Error))
		}
	}
	b.WriteString("\nTask statements: O*NET Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license.\n")
	return keepPercent([]byte(b.String()))
}
