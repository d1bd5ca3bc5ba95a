package config

import (
	"slices"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline"
)

// OfflineReason is the one rule of when the offline juror answers for the
// whole panel: --offline, or every seat on OpenAI and no OPENAI_API_KEY
// (replaying cassettes needs no key). It returns why, or "" when the
// panel's providers answer. run, batch and config all ask it.
func (s *Settings) OfflineReason(spec *PanelSpec, getenv func(string) string, replay bool) string {
	if s.Offline {
		return "--offline"
	}
	allOpenAI := !slices.ContainsFunc(spec.All(), func(seat Seat) bool { return seat.Provider != "openai" })
	if allOpenAI && getenv("OPENAI_API_KEY") == "" && !replay {
		return "no OPENAI_API_KEY"
	}
	return ""
}

// Build returns the panel spec describes, each seat on its provider's
// client wrapped in st — or every seat on the offline juror when
// OfflineReason says so, which it then returns. The panel logs to
// st.Logger and dates its verdicts by st.Now. A provider whose key is
// not set is bad input naming the variable.
func (s *Settings) Build(spec *PanelSpec, getenv func(string) string, st *llm.Stack) (*deliberation.Panel, string, error) {
	p := &deliberation.Panel{Prompts: spec.Prompts, Seed: s.Seed, MaxTokens: s.MaxTokens, Version: pipeline.Version, Logger: st.Logger, Now: st.Now,
		Rule: jury.Rule{Quorum: spec.Quorum, Aggregation: spec.Aggregation}}
	seats := spec.All()
	if why := s.OfflineReason(spec, getenv, st.Replaying()); why != "" {
		off, err := offline.New()
		if err != nil {
			return nil, "", err
		}
		p.Weights = off.Weights()
		model := st.WrapLocal(off, "offline", "")
		for i := range seats {
			seats[i].Provider, seats[i].Model = "offline", llm.OfflineModelName
		}
		p.Seats, p.Foreperson = panelSeats(seats, func(Seat) llm.Model { return model })
		return p, why, nil
	}
	models := map[string]llm.Model{}
	for _, seat := range seats {
		if _, done := models[seat.Provider]; done {
			continue
		}
		m, err := s.providerModel(seat.Provider, getenv, st)
		if err != nil {
			return nil, "", err
		}
		models[seat.Provider] = m
	}
	p.Seats, p.Foreperson = panelSeats(seats, func(seat Seat) llm.Model { return models[seat.Provider] })
	return p, "", nil
}

// panelSeats turns seats, the foreperson's last, into deliberation seats.
func panelSeats(specs []Seat, model func(Seat) llm.Model) ([]deliberation.Seat, deliberation.Seat) {
	var seats []deliberation.Seat
	for _, s := range specs {
		seats = append(seats, deliberation.Seat{Persona: s.Persona, Model: model(s), ModelName: s.Model,
			Provider: s.Provider, Temperature: s.Temperature})
	}
	return seats[:len(seats)-1], seats[len(seats)-1]
}

// providerModel builds one provider's client with the stack around it.
func (s *Settings) providerModel(name string, getenv func(string) string, st *llm.Stack) (llm.Model, error) {
	prov, ok := llm.LookupProvider(name)
	if !ok {
		return nil, jury.Invalidf("provider %q: want %s", name, llm.ProviderChoices())
	}
	key := ""
	if prov.KeyVar != "" {
		key = getenv(prov.KeyVar)
		if key == "" {
			if !st.Replaying() {
				file := "jury.yaml"
				if s.File != nil {
					file = s.File.Path
				}
				return nil, jury.Invalidf("%s is not set: the panel has jurors on %s (export the key, or change their provider in %s)",
					prov.KeyVar, name, file)
			}
			key = "replay-only" // replaying needs no key: no call is made
		}
	}
	if st.BatchDir != "" && name != "openai" {
		return nil, jury.Invalidf("--via batch-api works only for jurors on openai, not %s", name)
	}
	client, err := prov.New(llm.ClientConfig{Key: key, BaseURL: s.BaseURLs[name], OmitSeed: s.omitSeed(name),
		ResponseFormat: s.providers[name].ResponseFormat, Logger: st.Logger})
	if err != nil {
		return nil, jury.Invalidf("provider %s: %v", name, err)
	}
	return st.Wrap(client, name, s.BaseURLs[name], key)
}

// RetryPolicy is the retry policy the settings ask for: --retries (0
// disables retrying) and --timeout per attempt. Put it in the stack.
func (s *Settings) RetryPolicy() llm.RetryPolicy {
	p := llm.RetryPolicy{Retries: s.Retries, Timeout: s.Timeout}
	if s.Retries == 0 {
		p.Retries = llm.NoRetries
	}
	return p
}

// BuildPanel resolves the panel (Panel) and builds it on st (Build); the
// string says why the offline juror answers, "" when it does not.
func (s *Settings) BuildPanel(getenv func(string) string, st *llm.Stack) (*deliberation.Panel, string, error) {
	spec, err := s.Panel()
	if err != nil {
		return nil, "", err
	}
	return s.Build(spec, getenv, st)
}
