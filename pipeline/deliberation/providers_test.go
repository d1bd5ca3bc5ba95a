package deliberation_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/providertest"
	"github.com/onet-jury/jury/prompts"
)

// TestDeliberateAcrossProviders seats one juror on each provider — the
// Diplomat on OpenAI, the Chaos Agent on Anthropic, the Contrarian on
// Gemini, the Optimist on Ollama, the foreperson on OpenAI — each through
// its own wire protocol and Retry, and checks that the verdict is whole
// and that its usage is counted per provider as each provider counted it.
func TestDeliberateAcrossProviders(t *testing.T) {
	occ, err := onet.ReadOccupationFile(filepath.Join("..", "..", "fixtures", "occupations", "29-2072.00.json"))
	require.NoError(t, err)

	oai := openaitest.New(t)
	ant := providertest.NewAnthropic(t)
	gem := providertest.NewGemini(t)
	oll := providertest.NewOllama(t)
	// A rate limit, an overload and an answer cut off at the token limit:
	// each provider's own failure goes through the same retry and re-ask.
	ant.Script(openaitest.Any, providertest.RateLimit(1))
	gem.Script(openaitest.Any, providertest.Overloaded)
	oll.Script(openaitest.Any, providertest.Truncated)

	anthropic, err := llm.NewAnthropic(llm.AnthropicConfig{APIKey: "sk-ant-test", BaseURL: ant.URL()})
	require.NoError(t, err)
	gemini, err := llm.NewGemini(llm.GeminiConfig{APIKey: "AIza-test", BaseURL: gem.URL()})
	require.NoError(t, err)
	ollama, err := llm.NewOllama(llm.OllamaConfig{BaseURL: oll.URL()})
	require.NoError(t, err)
	retry := func(m llm.Model) llm.Model {
		return llm.Retry(m, llm.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }, Timeout: 5 * time.Second})
	}
	openai := retry(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: oai.URL()}))

	seats := []struct {
		provider, model string
		client          llm.Model
	}{
		{"openai", "gpt-4o-mini", openai},
		{"anthropic", "claude-3-5-haiku-latest", retry(anthropic)},
		{"gemini", "gemini-2.0-flash", retry(gemini)},
		{"ollama", "llama3.2", retry(ollama)},
	}
	set := prompts.Default()
	p := &deliberation.Panel{Prompts: set, Seed: 1, Version: "test",
		Foreperson: deliberation.Seat{Model: openai, ModelName: "gpt-4o-mini", Provider: "openai", Temperature: 0.2}}
	for i, persona := range set.Personas() {
		s := seats[i]
		p.Seats = append(p.Seats, deliberation.Seat{Persona: persona, Model: s.client, ModelName: s.model, Provider: s.provider, Temperature: 0.2})
	}
	require.Equal(t, []string{"The Diplomat", "The Chaos Agent", "The Contrarian", "The Optimist"},
		[]string{p.Seats[0].Persona.Name, p.Seats[1].Persona.Name, p.Seats[2].Persona.Name, p.Seats[3].Persona.Name})

	r, usage, err := p.Deliberate(context.Background(), occ)
	require.NoError(t, err)

	// A complete verdict.
	require.Len(t, r.Tasks, 17)
	require.NotEmpty(t, r.Summary)
	for _, task := range r.Tasks {
		require.NotEmpty(t, task.Rationale)
		require.Len(t, task.Votes, 4)
	}
	require.Len(t, r.Jurors, 4)
	for i, j := range r.Jurors {
		require.True(t, j.Valid, "%s: %v", j.Persona, j.Problems)
		require.NotEmpty(t, j.Quote)
		require.Equal(t, seats[i].model, j.Model, "%s speaks through its own model", j.Name)
	}
	require.Equal(t, []string{"claude-3-5-haiku-latest", "gemini-2.0-flash", "gpt-4o-mini", "llama3.2"}, r.Provenance.Models)

	// Usage per provider, as each provider counted it.
	sumTokens := func(reqs []providertest.Request) (int, int) {
		var prompt, completion int
		for _, q := range reqs {
			prompt += q.PromptTokens
			completion += q.CompletionTokens
		}
		return prompt, completion
	}
	byProvider := map[string]jury.ProviderUsage{}
	var names []string
	for _, pu := range r.UsageByProvider {
		byProvider[pu.Provider] = pu
		names = append(names, pu.Provider)
	}
	require.Equal(t, []string{"anthropic", "gemini", "ollama", "openai"}, names, "sorted by provider")
	prices := llm.DefaultPrices()
	for _, s := range []struct {
		name, model            string
		srv                    *providertest.Server
		calls, retries, reasks int
		priced                 bool
	}{
		{"anthropic", "claude-3-5-haiku-latest", ant, 3, 1, 0, true}, // ballot, a retry, statement
		{"gemini", "gemini-2.0-flash", gem, 3, 1, 0, true},
		{"ollama", "llama3.2", oll, 3, 0, 1, false}, // ballot, a re-ask, statement
	} {
		pu := byProvider[s.name]
		prompt, completion := sumTokens(s.srv.Requests())
		want := jury.Usage{Calls: s.calls, Retries: s.retries, Reasks: s.reasks, PromptTokens: prompt, CompletionTokens: completion,
			CostUSD: prices.Cost(s.model, llm.Usage{PromptTokens: prompt, CompletionTokens: completion})}
		require.Equal(t, s.model, pu.Model, s.name)
		require.Equal(t, s.srv.Count(), pu.Calls, "%s: calls are what the provider saw", s.name)
		require.Equal(t, want.Calls, pu.Calls, s.name)
		require.Equal(t, want.Retries, pu.Retries, s.name)
		require.Equal(t, want.Reasks, pu.Reasks, s.name)
		require.Equal(t, want.PromptTokens, pu.PromptTokens, s.name)
		require.Equal(t, want.CompletionTokens, pu.CompletionTokens, s.name)
		require.InDelta(t, want.CostUSD, pu.CostUSD, 1e-12, s.name)
		require.Equal(t, s.priced, pu.CostUSD > 0, "%s: priced at list price if the model has one", s.name)
		require.Positive(t, prompt, s.name)
	}
	require.Equal(t, "gpt-4o-mini", byProvider["openai"].Model)
	require.Equal(t, oai.Count(), byProvider["openai"].Calls, "the Diplomat's two rounds and the foreperson")
	require.Equal(t, 3, byProvider["openai"].Calls)

	// The breakdown adds up to the total.
	var total jury.Usage
	for _, pu := range r.UsageByProvider {
		total = total.Add(pu.Usage)
	}
	require.InDelta(t, usage.CostUSD, total.CostUSD, 1e-12)
	total.CostUSD = usage.CostUSD
	require.Equal(t, usage, total)
	require.Equal(t, usage, r.Usage)
}

// Seats that name no provider count as OpenAI's, or the offline juror's
// by its model name; each model of a provider has its own entry.
func TestUsageByProviderDefaults(t *testing.T) {
	srv := openaitest.New(t)
	p := newPanel(t, srv)
	p.Seats[1].ModelName = "gpt-4o"
	p.Seats[2].ModelName = llm.OfflineModelName
	r, _, err := p.Deliberate(context.Background(), openaitest.SampleOccupation())
	require.NoError(t, err)
	var got [][3]any
	for _, pu := range r.UsageByProvider {
		got = append(got, [3]any{pu.Provider, pu.Model, pu.Calls})
	}
	require.Equal(t, [][3]any{
		{"offline", llm.OfflineModelName, 2}, // a ballot and a statement each
		{"openai", "gpt-4o", 2},
		{"openai", "gpt-4o-mini", 5},
	}, got)
}
