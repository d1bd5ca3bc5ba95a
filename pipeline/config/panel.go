package config

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/prompts"
)

// Seat is one juror of the effective panel: who, on which provider and
// model, and where that was decided (for `jury config` and `jury
// personas`).
type Seat struct {
	Persona     prompts.Persona
	Provider    string
	Model       string
	Temperature float64
	Source      string
}

// PanelSpec is the effective panel: personas with their seats, the
// foreperson's seat, the rule of consensus and the prompts they make.
type PanelSpec struct {
	Seats       []Seat
	Foreperson  Seat
	Aggregation jury.Aggregation
	Quorum      int
	Prompts     *prompts.Set
}

// All returns the jurors' seats and the foreperson's, last.
func (p *PanelSpec) All() []Seat { return append(slices.Clone(p.Seats), p.Foreperson) }

// Panel resolves the personas and seats: the built-ins in order, changed
// by jury.yaml, then the personas it adds. A seat's provider and model
// come from --provider/--model if typed, else its persona's entry, else
// the file's defaults, else openai and gpt-4o-mini.
func (s *Settings) Panel() (*PanelSpec, error) {
	var f fileConfig
	if s.File != nil {
		f = s.File.file
	}
	spec := &PanelSpec{Aggregation: jury.Median, Quorum: jury.DefaultQuorum}
	if f.Aggregation != nil {
		spec.Aggregation = jury.Aggregation(*f.Aggregation)
	}
	if f.Quorum != nil {
		spec.Quorum = *f.Quorum
	}
	seatFor := func(p prompts.Persona, provider, model string, temp *float64, source string) Seat {
		seat := Seat{Persona: p, Provider: s.Provider, Model: s.Model, Temperature: s.Temperature, Source: source}
		if !s.Typed("provider") && provider != "" {
			seat.Provider = provider
		}
		if !s.Typed("model") && model != "" {
			seat.Model = model
		}
		if !s.Typed("temperature") && temp != nil {
			seat.Temperature = *temp
		}
		return seat
	}
	entries := map[string]int{}
	for i, p := range f.Personas {
		entries[p.ID] = i
	}
	builtin := func(id string) bool {
		return slices.ContainsFunc(prompts.BuiltinPersonas(), func(b prompts.Persona) bool { return b.ID == id })
	}
	var personas []prompts.Persona
	for _, b := range prompts.BuiltinPersonas() {
		i, ok := entries[b.ID]
		if !ok {
			spec.Seats = append(spec.Seats, seatFor(b, "", "", nil, "built-in"))
			personas = append(personas, b)
			continue
		}
		e := f.Personas[i]
		p := b
		p.Name, p.Voice, p.Stance = cmp.Or(e.Name, p.Name), cmp.Or(e.Voice, p.Voice), cmp.Or(e.Stance, p.Stance)
		spec.Seats = append(spec.Seats, seatFor(p, e.Provider, e.Model, e.Temperature, "built-in, set by "+s.File.At(fmt.Sprintf("personas[%d]", i))))
		personas = append(personas, p)
	}
	for i, e := range f.Personas {
		if builtin(e.ID) {
			continue
		}
		p := prompts.Persona{ID: e.ID, Name: e.Name, Voice: e.Voice, Stance: e.Stance}
		spec.Seats = append(spec.Seats, seatFor(p, e.Provider, e.Model, e.Temperature, s.File.At(fmt.Sprintf("personas[%d]", i))))
		personas = append(personas, p)
	}
	fore, source := seatConfig{}, "default"
	if f.Foreperson != nil {
		fore, source = *f.Foreperson, s.File.At("foreperson")
	}
	spec.Foreperson = seatFor(prompts.Persona{ID: "foreperson", Name: "Foreperson"}, fore.Provider, fore.Model, fore.Temperature, source)
	if spec.Quorum > len(spec.Seats) {
		return nil, jury.Invalidf("%s: quorum %d is more than the %d jurors of the panel", s.File.At("quorum"), spec.Quorum, len(spec.Seats))
	}
	set, err := prompts.New(personas)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File.At("personas"), err)
	}
	spec.Prompts = set
	return spec, nil
}
