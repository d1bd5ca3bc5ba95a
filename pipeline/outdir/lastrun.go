package outdir

import (
	"encoding/json"
	"path/filepath"

	"github.com/onet-jury/jury/pipeline/atomicfile"
)

// LastRunFile is the file LastRun.Write writes in a batch directory.
const LastRunFile = "last-run.json"

// LastRun is what one batch invocation spent: DIR/last-run.json. It is
// kept apart from the manifest, which holds only verdicts, so that a
// resumed batch leaves the manifest byte-identical.
type LastRun struct {
	Started      string  `json:"started"`
	Seconds      float64 `json:"seconds"`
	Occupations  int     `json:"occupations"`
	Ran          int     `json:"ran"`
	Done         int     `json:"done"`
	Failed       int     `json:"failed"`
	AlreadyDone  int     `json:"already_done"`
	NotStarted   int     `json:"not_started"`
	Calls        int     `json:"calls"`
	Retries      int     `json:"retries"`
	CacheHits    int     `json:"cache_hits"`
	RateLimited  int     `json:"rate_limited"`
	PromptTokens int     `json:"prompt_tokens"`
	// CachedTokens are the prompt tokens the provider served from its
	// prompt cache (billed at its cached rate).
	CachedTokens     int     `json:"cached_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	// NeedsReview lists the occupations whose edits need a person's
	// review (jury edits DIR says which and why).
	NeedsReview []string `json:"needs_review,omitempty"`
	// AskedAgain counts occupations deliberated again at the end of the
	// run because a juror gave no answer the first time.
	AskedAgain int `json:"asked_again"`
	// ShortPanel lists the verdicts published with fewer jurors than
	// seats; empty when every panel was full.
	ShortPanel []string `json:"short_panel"`
	// RPM and TPM are the limits the run kept (learned from the
	// provider's headers unless set), BoundBy the one that held calls
	// back longest ("requests", "tokens", "server" or "").
	RPM     int    `json:"rpm,omitempty"`
	TPM     int    `json:"tpm,omitempty"`
	BoundBy string `json:"bound_by,omitempty"`
}

// Write writes l as dir/last-run.json, atomically.
func (l LastRun) Write(dir string) error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, LastRunFile), append(data, '\n'), 0o644)
}
