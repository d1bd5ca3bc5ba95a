package jury

import "strings"

// SchemaVersion is the version of report.json's shape; it changes when a
// key is renamed or removed, so that diffs refuse to compare across it.
//
// Version 2 added each juror's round-2 reaction (and statement problems)
// and each vote's reason; version 3 the date of the verdict in provenance
// and the record of a person's edits ("edits"). Diff still reads versions
// 1 and 2: their jurors (in 1) have no reaction, and neither has edits.
const SchemaVersion = 3

// MinSchemaVersion is the oldest report.json shape this jury still reads.
const MinSchemaVersion = 1

// Report is a published verdict: what report.json holds. Its keys and list
// orders are stable so that two runs diff line by line.
type Report struct {
	SchemaVersion int           `json:"schema_version"`
	Occupation    OccupationRef `json:"occupation"`
	Headline      int           `json:"headline"`
	Band          Band          `json:"band"`
	Summary       string        `json:"summary"`
	Jurors        []JurorResult `json:"jurors"`
	Tasks         []TaskResult  `json:"tasks"`
	Provenance    Provenance    `json:"provenance"`
	Usage         Usage         `json:"usage"`
	// UsageByProvider breaks Usage down by provider and model, sorted by
	// both; its entries add up to Usage. Reports written before it existed
	// leave it out.
	UsageByProvider []ProviderUsage `json:"usage_by_provider,omitempty"`
	// Edits records a person's edits applied to the model's verdict (see
	// ApplyEdits): the fields above show the person's values, Edits the
	// model's beside them. Nil when nobody edited the verdict.
	Edits *EditRecord `json:"edits,omitempty"`
}

// OccupationRef names the occupation a report is about.
type OccupationRef struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// JurorResult is one juror's part in a report: its overall score when its
// ballot was valid (and the problems that disqualified it if not), then
// its round-2 reaction to the headline and its quote. A valid juror whose
// statement failed its re-asks has no reaction and no quote, and
// StatementProblems says why; its ballot still counts.
type JurorResult struct {
	Persona           string   `json:"persona"`
	Name              string   `json:"name"`
	Model             string   `json:"model"`
	Score             int      `json:"score"`
	Reaction          Reaction `json:"reaction"`
	Quote             string   `json:"quote"`
	Valid             bool     `json:"valid"`
	Problems          []string `json:"problems"`
	StatementProblems []string `json:"statement_problems,omitempty"`
}

// TaskResult is one line of the task-by-task breakdown.
type TaskResult struct {
	ID        string      `json:"id"`
	Text      string      `json:"text"`
	Type      TaskType    `json:"type"`
	Score     int         `json:"score"`
	Label     Label       `json:"label"`
	Rationale string      `json:"rationale"`
	Votes     []JurorVote `json:"votes"`
	Dissent   bool        `json:"dissent"`
}

// JurorVote is one valid juror's vote on a task, as the report lists it,
// with the juror's round-1 reason (empty in version-1 reports).
type JurorVote struct {
	Persona string `json:"persona"`
	Score   int    `json:"score"`
	Label   Label  `json:"label"`
	Reason  string `json:"reason"`
}

// Provenance records what produced a verdict, so that a changed verdict can
// be traced to a changed model, prompt or setting.
type Provenance struct {
	Models      []string `json:"models"`
	PromptHash  string   `json:"prompt_hash"`
	Temperature float64  `json:"temperature"`
	Seed        int      `json:"seed"`
	Version     string   `json:"version"`
	Aggregation string   `json:"aggregation"`
	Quorum      int      `json:"quorum"`
	InputHash   string   `json:"input_hash"`
	Weights     string   `json:"weights,omitempty"`
	// Seats names each juror's provider and model, the foreperson last.
	Seats []SeatRef `json:"seats"`
	// Date is the day the ballots were cast (YYYY-MM-DD, UTC): that of the
	// latest ballot answer, as recorded with it when it was replayed from a
	// cache or a cassette. Empty in reports before version 3.
	Date string `json:"date,omitempty"`
}

// SeatRef names who sat where: a persona (or "foreperson"), its provider
// and its model.
type SeatRef struct {
	Persona     string  `json:"persona"`
	Provider    string  `json:"provider"`
	Model       string  `json:"model"`
	Temperature float64 `json:"temperature"`
}

// Usage is what a verdict cost: Calls counts every request sent to the
// model endpoint, retries included, so it equals the provider's count;
// Retries the extra attempts among them; Reasks the requests made because
// an answer was invalid; CostUSD the tokens at the models' list prices.
type Usage struct {
	Calls        int `json:"calls"`
	Retries      int `json:"retries"`
	Reasks       int `json:"reasks"`
	PromptTokens int `json:"prompt_tokens"`
	// CachedTokens are the prompt tokens served from the provider's
	// prompt cache.
	CachedTokens     int     `json:"cached_tokens,omitempty"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
}

// ProviderUsage is what the calls to one model of one provider cost in a
// verdict: Provider names the API ("openai", "anthropic", "gemini",
// "ollama", "offline"), Model the model as the panel asked for it.
type ProviderUsage struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Usage
}

// Add returns the sum of two usages.
func (u Usage) Add(o Usage) Usage {
	return Usage{
		Calls:            u.Calls + o.Calls,
		Retries:          u.Retries + o.Retries,
		Reasks:           u.Reasks + o.Reasks,
		PromptTokens:     u.PromptTokens + o.PromptTokens,
		CachedTokens:     u.CachedTokens + o.CachedTokens,
		CompletionTokens: u.CompletionTokens + o.CompletionTokens,
		CostUSD:          u.CostUSD + o.CostUSD,
	}
}

// Band is the headline's reading in words.
type Band string

// The bands of a headline score.
const (
	BandVeryLow  Band = "very low"
	BandLow      Band = "low"
	BandModerate Band = "moderate"
	BandHigh     Band = "high"
	BandVeryHigh Band = "very high"
)

// BandOf returns the band of a 0–100 score: below 20 very low, below 40
// low, below 60 moderate, below 80 high, else very high.
func BandOf(score int) Band {
	switch {
	case score < 20:
		return BandVeryLow
	case score < 40:
		return BandLow
	case score < 60:
		return BandModerate
	case score < 80:
		return BandHigh
	}
	return BandVeryHigh
}

// ApplyNote adds the foreperson's summary and rationales to the report.
func (r *Report) ApplyNote(n Note) {
	r.Summary = n.Summary
	for i := range r.Tasks {
		r.Tasks[i].Rationale = n.Rationales[r.Tasks[i].ID]
	}
}

// NoAnswer begins the one problem of a juror whose every call failed —
// the provider kept refusing or dropping the request — as opposed to a
// juror whose answer was invalid.
const NoAnswer = "no answer: "

// Unanswered reports whether the juror is missing because it never
// answered (see NoAnswer), not because its ballot was invalid.
func (j JurorResult) Unanswered() bool {
	return !j.Valid && len(j.Problems) > 0 && strings.HasPrefix(j.Problems[0], NoAnswer)
}

// Unanswered reports whether the juror never answered (see NoAnswer).
func (j Juror) Unanswered() bool {
	return !j.Valid() && strings.HasPrefix(j.Problems[0], NoAnswer)
}

// Counted returns how many jurors' ballots count in the report.
func (r *Report) Counted() int {
	n := 0
	for _, j := range r.Jurors {
		if j.Valid {
			n++
		}
	}
	return n
}
