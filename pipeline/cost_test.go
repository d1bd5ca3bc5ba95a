package pipeline_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var costDir = flag.String("cost", "", "print the per-verdict token and cost table of the cassettes in `DIR` (e.g. ../fixtures/cassettes)")

// cassetteFile is what the table reads of a cassette.
type cassetteFile struct {
	Call    string `json:"call"`
	Request struct {
		Schema   json.RawMessage `json:"schema"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	} `json:"request"`
	Response struct {
		Content string `json:"content"`
	} `json:"response"`
}

// tokens is the rule of thumb the table uses, as openaitest does: four
// characters a token, and four tokens of overhead a message.
func tokens(chars int) int { return (chars + 3) / 4 }

// TestVerdictCostTable prints, for the cassettes in -cost DIR, what one
// verdict costs: calls, prompt and completion tokens (characters / 4),
// the share of each request's prompt that is a byte-identical prefix of
// another request of the same verdict (with the response schema first,
// and on the messages alone), and the gpt-4o-mini list price. It is a
// measuring tool for the README: without -cost it is skipped.
//
//	go test ./pipeline -run TestVerdictCostTable -cost ../fixtures/cassettes -v
func TestVerdictCostTable(t *testing.T) {
	if *costDir == "" {
		t.Skip("a measuring tool: pass -cost DIR")
	}
	files, err := filepath.Glob(filepath.Join(*costDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	type req struct {
		withSchema, messages string
		prompt, completion   int
	}
	byOcc := map[string][]req{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var c cassetteFile
		require.NoError(t, json.Unmarshal(data, &c))
		code, _, _ := strings.Cut(c.Call, " ")
		var msgs strings.Builder
		prompt := tokens(len(c.Request.Schema))
		for _, m := range c.Request.Messages {
			msgs.WriteString(m.Role + "\x00" + m.Content + "\x00")
			prompt += tokens(len(m.Content)) + 4
		}
		byOcc[code] = append(byOcc[code], req{string(c.Request.Schema) + "\x00" + msgs.String(), msgs.String(), prompt, tokens(len(c.Response.Content))})
	}
	lcp := func(a, b string) int {
		n := 0
		for n < len(a) && n < len(b) && a[n] == b[n] {
			n++
		}
		return n
	}
	share := func(rs []req, text func(req) string) float64 {
		var shared, total int
		for i, r := range rs {
			best := 0
			for j, o := range rs {
				if i != j {
					best = max(best, lcp(text(r), text(o)))
				}
			}
			shared += best
			total += len(text(r))
		}
		return float64(shared) / float64(total)
	}
	var codes []string
	for c := range byOcc {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	fmt.Printf("| occupation | calls | prompt tokens | completion tokens | shared prefix (schema first) | shared prefix (messages) | gpt-4o-mini list price |\n")
	fmt.Printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, c := range codes {
		rs := byOcc[c]
		var p, comp int
		for _, r := range rs {
			p, comp = p+r.prompt, comp+r.completion
		}
		price := (float64(p)*0.15 + float64(comp)*0.60) / 1e6
		fmt.Printf("| %s | %d | %d | %d | %.0f %% | %.0f %% | $%.5f |\n", c, len(rs), p, comp,
			100*share(rs, func(r req) string { return r.withSchema }), 100*share(rs, func(r req) string { return r.messages }), price)
	}
}
