package llm

import (
	"log/slog"
	"strings"
)

// Provider is one API jury can call: its name in flags and jury.yaml, the
// environment variable that holds its key, and how to build its client.
// The registry below is the one place that lists them.
type Provider struct {
	// Name is the provider's name in --provider, jury.yaml and reports.
	Name string
	// KeyVar is the environment variable holding the key; "" when the
	// provider needs none (a local Ollama server).
	KeyVar string
	// New returns the provider's client.
	New func(ClientConfig) (Model, error)
}

// ClientConfig is what every provider's constructor is given.
type ClientConfig struct {
	// Key is the API key; BaseURL the server ("" for the provider's
	// default).
	Key, BaseURL string
	// OmitSeed sends no seed, for servers that refuse the field (openai,
	// ollama).
	OmitSeed bool
	// ResponseFormat forces ResponseJSONObject or ResponseJSONSchema
	// (openai); "" lets the client choose and fall back.
	ResponseFormat string
	Logger         *slog.Logger
}

// providers is the registry, in the order messages list them.
var providers = []Provider{
	{Name: "openai", KeyVar: "OPENAI_API_KEY", New: func(c ClientConfig) (Model, error) {
		return NewOpenAI(OpenAIConfig{APIKey: c.Key, BaseURL: c.BaseURL, OmitSeed: c.OmitSeed,
			ResponseFormat: c.ResponseFormat, Logger: c.Logger}), nil
	}},
	{Name: "anthropic", KeyVar: "ANTHROPIC_API_KEY", New: func(c ClientConfig) (Model, error) {
		return NewAnthropic(AnthropicConfig{APIKey: c.Key, BaseURL: c.BaseURL})
	}},
	{Name: "gemini", KeyVar: "GOOGLE_API_KEY", New: func(c ClientConfig) (Model, error) {
		return NewGemini(GeminiConfig{APIKey: c.Key, BaseURL: c.BaseURL})
	}},
	{Name: "ollama", New: func(c ClientConfig) (Model, error) {
		return NewOllama(OllamaConfig{BaseURL: c.BaseURL, OmitSeed: c.OmitSeed})
	}},
}

// LookupProvider returns the provider of that name.
func LookupProvider(name string) (Provider, bool) {
	for _, p := range providers {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// ProviderNames lists the providers' names in registry order.
func ProviderNames() []string {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = p.Name
	}
	return names
}

// ProviderChoices lists the providers for messages: "openai, anthropic,
// gemini or ollama".
func ProviderChoices() string {
	names := ProviderNames()
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// KeyVariables lists the environment variables that hold keys, in
// registry order.
func KeyVariables() []string {
	var vars []string
	for _, p := range providers {
		if p.KeyVar != "" {
			vars = append(vars, p.KeyVar)
		}
	}
	return vars
}
