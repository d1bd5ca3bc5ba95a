package llm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
)

func TestPricesLookup(t *testing.T) {
	p := llm.Prices{"gpt-4o": {Input: 2.5, Output: 10}, "gpt-4o-mini": {Input: 0.15, Output: 0.6}}
	cases := map[string]float64{
		"gpt-4o-mini":            0.15,
		"gpt-4o-mini-2024-07-18": 0.15, // the longest name it starts with
		"gpt-4o-2024-08-06":      2.5,
	}
	for model, want := range cases {
		got, ok := p.Lookup(model)
		require.True(t, ok, model)
		require.Equal(t, want, got.Input, model)
	}
	_, ok := p.Lookup("llama3.1")
	require.False(t, ok)
	require.Zero(t, p.Cost("llama3.1", llm.Usage{PromptTokens: 1e6}), "unknown models cost nothing")
	require.InDelta(t, 0.15+0.6, p.Cost("gpt-4o-mini", llm.Usage{PromptTokens: 1e6, CompletionTokens: 1e6}), 1e-12)
	require.InDelta(t, (0.15+0.6)/2, p.Scaled(0.5).Cost("gpt-4o-mini", llm.Usage{PromptTokens: 1e6, CompletionTokens: 1e6}), 1e-12)
}

func TestMeterStopsBeforeTheBudgetIsCrossed(t *testing.T) {
	calls := 0
	next := llm.ModelFunc(func(context.Context, llm.Request) (llm.Response, error) {
		calls++
		return llm.Response{Usage: llm.Usage{Calls: 1, PromptTokens: 100_000, CompletionTokens: 10_000}}, nil
	})
	// Each call costs $0.021 at gpt-4o-mini prices; the estimate of the
	// next one is about the same. A budget of $0.05 allows two.
	meter := llm.NewMeter(llm.DefaultPrices(), 0.05)
	m := llm.Metered(next, meter)
	req := llm.Request{Model: "gpt-4o-mini", MaxTokens: 10_000, Messages: []llm.Message{{Role: "user", Content: string(make([]byte, 400_000))}}}
	for range 2 {
		_, err := m.Complete(context.Background(), req)
		require.NoError(t, err)
	}
	_, err := m.Complete(context.Background(), req)
	require.ErrorIs(t, err, llm.ErrBudget)
	require.Equal(t, llm.Budget, llm.KindOf(err), "a budget stop is its own kind, not a bad request")
	require.True(t, llm.Fatal(err), "the budget stops the run")
	require.Contains(t, err.Error(), "--max-cost $0.05")
	require.Equal(t, 2, calls, "the call that would cross the budget is not made")
	spent, cost := meter.Spent()
	require.Equal(t, 2, spent.Calls)
	require.InDelta(t, 0.042, cost, 1e-9)
}
