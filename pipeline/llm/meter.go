package llm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Price is what a model costs, in US dollars per million tokens.
type Price struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
	// Cached is the price of prompt tokens served from the provider's
	// prompt cache; 0 means Input (no discount known).
	Cached float64 `json:"cached,omitempty"`
}

// Prices maps model names to prices. A model matches its own name or the
// longest name it starts with, so dated snapshots find their family.
type Prices map[string]Price

// DefaultPrices are list prices of common models (standard tier, USD per
// million tokens, as published by the providers in 2026); override them
// with a prices file.
func DefaultPrices() Prices {
	return Prices{
		"gpt-4o-mini":      {Input: 0.15, Output: 0.60, Cached: 0.075},
		"gpt-4o":           {Input: 2.50, Output: 10.00, Cached: 1.25},
		"gpt-4.1-nano":     {Input: 0.10, Output: 0.40, Cached: 0.025},
		"gpt-4.1-mini":     {Input: 0.40, Output: 1.60, Cached: 0.10},
		"gpt-4.1":          {Input: 2.00, Output: 8.00, Cached: 0.50},
		"gpt-5-mini":       {Input: 0.25, Output: 2.00, Cached: 0.025},
		"claude-3-5-haiku": {Input: 0.80, Output: 4.00, Cached: 0.08},
		"gemini-2.0-flash": {Input: 0.10, Output: 0.40, Cached: 0.025},
		OfflineModelName:   {},
	}
}

// Scaled returns the prices times f, for discounts such as the Batch
// API's half price.
func (p Prices) Scaled(f float64) Prices {
	out := make(Prices, len(p))
	for k, v := range p {
		out[k] = Price{Input: v.Input * f, Output: v.Output * f, Cached: v.Cached * f}
	}
	return out
}

// Lookup returns the price of model and whether it is known.
func (p Prices) Lookup(model string) (Price, bool) {
	if pr, ok := p[model]; ok {
		return pr, true
	}
	names := make([]string, 0, len(p))
	for n := range p {
		if strings.HasPrefix(model, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return Price{}, false
	}
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	return p[names[0]], true
}

// Cost returns what usage of model costs in US dollars; unknown models
// cost 0.
func (p Prices) Cost(model string, u Usage) float64 {
	pr, _ := p.Lookup(model)
	cached := min(u.CachedTokens, u.PromptTokens)
	rate := pr.Cached
	if rate == 0 {
		rate = pr.Input
	}
	return (float64(u.PromptTokens-cached)*pr.Input + float64(cached)*rate + float64(u.CompletionTokens)*pr.Output) / 1e6
}

// ErrBudget reports a call that would take the run's spending past its
// budget (--max-cost).
var ErrBudget = errors.New("budget reached")

// Meter counts what a run really spends — calls sent, tokens, dollars —
// below any cache, and enforces a budget. Safe for concurrent use.
type Meter struct {
	prices Prices
	budget float64

	mu    sync.Mutex
	spent Usage
	cost  float64
}

// NewMeter returns a meter pricing calls with prices; a budget above zero
// stops calls that would cross it.
func NewMeter(prices Prices, budget float64) *Meter {
	return &Meter{prices: prices, budget: budget}
}

// Spent returns the usage and dollars counted so far.
func (m *Meter) Spent() (Usage, float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.spent, m.cost
}

// metered is the Model Metered returns.
type metered struct {
	next  Model
	meter *Meter
}

// Metered wraps next so that meter counts every call it makes and refuses
// a call whose estimated cost would take spending past the budget. Put it
// under the cache, so that only calls that leave are counted.
func Metered(next Model, meter *Meter) Model { return &metered{next: next, meter: meter} }

func (m *metered) Complete(ctx context.Context, req Request) (Response, error) {
	mt := m.meter
	if mt.budget > 0 {
		est := mt.prices.Cost(req.Model, Usage{PromptTokens: EstimateTokens(req) - max(req.MaxTokens, 0), CompletionTokens: max(req.MaxTokens, DefaultCompletionTokens/2)})
		mt.mu.Lock()
		over := mt.cost+est > mt.budget
		cost := mt.cost
		mt.mu.Unlock()
		if over {
			return Response{}, &Error{Kind: Budget, Provider: "budget",
				Message: fmt.Sprintf("%v: $%.4f spent, the next call (about $%.4f) would pass --max-cost $%.2f", ErrBudget, cost, est, mt.budget),
				Err:     ErrBudget}
		}
	}
	resp, err := m.next.Complete(ctx, req)
	u := resp.Usage
	if err != nil {
		u = UsageOf(err)
	}
	mt.mu.Lock()
	mt.spent = mt.spent.Add(u)
	mt.cost += mt.prices.Cost(req.Model, u)
	mt.mu.Unlock()
	return resp, err
}
