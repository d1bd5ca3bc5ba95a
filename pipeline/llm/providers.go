package llm

import (
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
	// New returns the provider's client for a key and a base URL ("" for
	// the provider's default).
	New func(key, baseURL string) (Model, error)
}

// providers is the registry, in the order messages list them.
var providers = []Provider{
	{Name: "openai", KeyVar: "OPENAI_API_KEY", New: func(key, baseURL string) (Model, error) {
		return NewOpenAI(OpenAIConfig{APIKey: key, BaseURL: baseURL}), nil
	}},
	{Name: "anthropic", KeyVar: "ANTHROPIC_API_KEY", New: func(key, baseURL string) (Model, error) {
		return NewAnthropic(AnthropicConfig{APIKey: key, BaseURL: baseURL})
	}},
	{Name: "gemini", KeyVar: "GOOGLE_API_KEY", New: func(key, baseURL string) (Model, error) {
		return NewGemini(GeminiConfig{APIKey: key, BaseURL: baseURL})
	}},
	{Name: "ollama", New: func(key, baseURL string) (Model, error) {
		return NewOllama(OllamaConfig{BaseURL: baseURL})
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
