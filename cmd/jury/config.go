package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/prompts"
)

// defaultConfigFile is read when --config is not given and it exists.
const defaultConfigFile = "jury.yaml"

// Providers jury can call, and the environment variable holding each one's
// key ("" for none needed).
var providerKeys = map[string]string{
	"openai":    "OPENAI_API_KEY",
	"anthropic": "ANTHROPIC_API_KEY",
	"gemini":    "GOOGLE_API_KEY",
	"ollama":    "",
}

// fileConfig is jury.yaml. Pointer fields are nil when the file does not
// set them. API keys are never read from it.
type fileConfig struct {
	Provider    *string                   `yaml:"provider"`
	Model       *string                   `yaml:"model"`
	Temperature *float64                  `yaml:"temperature"`
	Seed        *int                      `yaml:"seed"`
	MaxTokens   *int                      `yaml:"max_tokens"`
	Retries     *int                      `yaml:"retries"`
	Timeout     *string                   `yaml:"timeout"`
	Out         *string                   `yaml:"out"`
	Aggregation *string                   `yaml:"aggregation"`
	Quorum      *int                      `yaml:"quorum"`
	Limits      *limitsConfig             `yaml:"limits"`
	Foreperson  *seatConfig               `yaml:"foreperson"`
	Personas    []personaConfig           `yaml:"personas"`
	Providers   map[string]providerConfig `yaml:"providers"`
}

type limitsConfig struct {
	RPM *int `yaml:"rpm"`
	TPM *int `yaml:"tpm"`
}

type seatConfig struct {
	Provider    string   `yaml:"provider"`
	Model       string   `yaml:"model"`
	Temperature *float64 `yaml:"temperature"`
}

type personaConfig struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Voice       string   `yaml:"voice"`
	Stance      string   `yaml:"stance"`
	Provider    string   `yaml:"provider"`
	Model       string   `yaml:"model"`
	Temperature *float64 `yaml:"temperature"`
}

type providerConfig struct {
	BaseURL string `yaml:"base_url"`
	// Seed false sends no seed to this provider (openai, ollama).
	Seed *bool `yaml:"seed"`
	// ResponseFormat json_object sends the schema in the prompt instead
	// of as strict Structured Outputs (openai).
	ResponseFormat string `yaml:"response_format"`
}

// seatSpec is one juror of the effective panel: who, on which provider
// and model, and where that was decided.
type seatSpec struct {
	persona     prompts.Persona
	provider    string
	model       string
	temperature float64
	source      string
}

// loadedConfig is a parsed jury.yaml with the line of every key.
type loadedConfig struct {
	path  string
	file  fileConfig
	lines map[string]int
}

// at names a key's place in the file for messages: "jury.yaml:12".
func (l *loadedConfig) at(key string) string {
	if l == nil {
		return ""
	}
	if n, ok := l.lines[key]; ok {
		return fmt.Sprintf("%s:%d", l.path, n)
	}
	return l.path
}

// yamlLine and yamlUnknown pick the line and the unknown key out of the
// YAML decoder's messages.
var (
	yamlLine    = regexp.MustCompile(`line (\d+): (.*)`)
	yamlUnknown = regexp.MustCompile(`field (\S+) not found in type`)
)

// loadConfig reads the configuration file: path if given, else jury.yaml
// in the working directory if there is one (nil when there is none).
// Unknown keys, bad values and keys in the file are ErrInvalid errors
// naming file:line.
func loadConfig(path string) (*loadedConfig, error) {
	explicit := path != ""
	if !explicit {
		path = defaultConfigFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, jury.Invalidf("--config %s: no such file", path)
		}
		return nil, jury.Invalidf("--config %s: %v", path, errors.Unwrap(err))
	}
	l := &loadedConfig{path: path, lines: map[string]int{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(path, err)
	}
	if len(root.Content) == 0 {
		return l, nil // an empty file configures nothing
	}
	collectLines(root.Content[0], "", l.lines)
	for key, line := range l.lines {
		last := key[strings.LastIndex(key, ".")+1:]
		if last != "max_tokens" && (strings.Contains(strings.ToLower(last), "key") || strings.Contains(strings.ToLower(last), "token")) {
			return nil, jury.Invalidf("%s:%d: %q: API keys are read only from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY), never from the file", path, line, last)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l.file); err != nil {
		return nil, yamlError(path, err)
	}
	return l, l.check()
}

// yamlError turns a YAML error into one line naming file:line.
func yamlError(path string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		detail := m[2]
		if f := yamlUnknown.FindStringSubmatch(detail); f != nil {
			detail = fmt.Sprintf("unknown key %q (see jury.example.yaml for the keys)", f[1])
		}
		return jury.Invalidf("%s:%s: %s", path, m[1], detail)
	}
	return jury.Invalidf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

// collectLines records the line of every mapping key, by dotted path;
// list items are "personas[0]".
func collectLines(n *yaml.Node, prefix string, lines map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if prefix != "" {
				key = prefix + "." + key
			}
			lines[key] = n.Content[i].Line
			collectLines(n.Content[i+1], key, lines)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			lines[key] = item.Line
			collectLines(item, key, lines)
		}
	}
}

// check validates values that YAML types alone do not.
func (l *loadedConfig) check() error {
	f := &l.file
	bad := func(key, format string, args ...any) error {
		return jury.Invalidf("%s: %s", l.at(key), fmt.Sprintf(format, args...))
	}
	if f.Provider != nil {
		if _, ok := providerKeys[*f.Provider]; !ok {
			return bad("provider", "provider %q: want openai, anthropic, gemini or ollama", *f.Provider)
		}
	}
	if f.Temperature != nil && (*f.Temperature < 0 || *f.Temperature > 2) {
		return bad("temperature", "temperature %v: want 0 to 2", *f.Temperature)
	}
	if f.Retries != nil && *f.Retries < 0 {
		return bad("retries", "retries %d: want 0 or more", *f.Retries)
	}
	if f.Timeout != nil {
		if d, err := time.ParseDuration(*f.Timeout); err != nil || d <= 0 {
			return bad("timeout", "timeout %q: want a duration such as 90s", *f.Timeout)
		}
	}
	if f.Aggregation != nil {
		if _, err := jury.ParseAggregation(*f.Aggregation); err != nil {
			return bad("aggregation", "%v", err)
		}
	}
	if f.Quorum != nil && *f.Quorum < 1 {
		return bad("quorum", "quorum %d: want 1 or more", *f.Quorum)
	}
	if f.Limits != nil {
		if (f.Limits.RPM != nil && *f.Limits.RPM < 0) || (f.Limits.TPM != nil && *f.Limits.TPM < 0) {
			return bad("limits", "limits cannot be negative")
		}
	}
	if f.MaxTokens != nil && *f.MaxTokens < 0 {
		return bad("max_tokens", "max_tokens %d: want 0 (the provider's default) or more", *f.MaxTokens)
	}
	for name, p := range f.Providers {
		if _, ok := providerKeys[name]; !ok {
			return bad("providers."+name, "provider %q: want openai, anthropic, gemini or ollama", name)
		}
		if rf := p.ResponseFormat; rf != "" && (name != "openai" || (rf != llm.ResponseJSONSchema && rf != llm.ResponseJSONObject)) {
			return bad("providers."+name+".response_format", "response_format %q: only openai takes one, json_schema or json_object", rf)
		}
	}
	seat := func(key string, s seatConfig) error {
		if _, ok := providerKeys[s.Provider]; s.Provider != "" && !ok {
			return bad(key+".provider", "provider %q: want openai, anthropic, gemini or ollama", s.Provider)
		}
		if s.Temperature != nil && (*s.Temperature < 0 || *s.Temperature > 2) {
			return bad(key+".temperature", "temperature %v: want 0 to 2", *s.Temperature)
		}
		return nil
	}
	if f.Foreperson != nil {
		if err := seat("foreperson", *f.Foreperson); err != nil {
			return err
		}
	}
	builtins := prompts.BuiltinPersonas()
	seen := map[string]bool{}
	for i, p := range f.Personas {
		key := fmt.Sprintf("personas[%d]", i)
		if err := seat(key, seatConfig{Provider: p.Provider, Model: p.Model, Temperature: p.Temperature}); err != nil {
			return err
		}
		switch {
		case p.ID == "":
			return bad(key, "persona without an id: give it one, such as \"skeptic\"")
		case seen[p.ID]:
			return bad(key+".id", "persona %q appears twice", p.ID)
		case !slices.ContainsFunc(builtins, func(b prompts.Persona) bool { return b.ID == p.ID }) &&
			(p.Name == "" || p.Voice == "" || p.Stance == ""):
			return bad(key, "new persona %q needs a name, a voice and a stance", p.ID)
		}
		seen[p.ID] = true
	}
	return nil
}

// panelSpec is the effective panel: personas with their seats, the
// foreperson's seat and the rule of consensus.
type panelSpec struct {
	seats       []seatSpec
	foreperson  seatSpec
	aggregation jury.Aggregation
	quorum      int
	set         *prompts.Set
}

// panel resolves the personas and seats: the built-ins in order, changed
// by jury.yaml, then the personas it adds. A seat's provider and model
// come from --provider/--model if given, else its persona's entry, else
// the file's defaults, else openai and gpt-4o-mini.
func (c *runConfig) panel() (*panelSpec, error) {
	var f fileConfig
	if c.conf != nil {
		f = c.conf.file
	}
	spec := &panelSpec{aggregation: jury.Median, quorum: jury.DefaultQuorum}
	if f.Aggregation != nil {
		spec.aggregation = jury.Aggregation(*f.Aggregation)
	}
	if f.Quorum != nil {
		spec.quorum = *f.Quorum
	}
	seatFor := func(p prompts.Persona, provider, model string, temp *float64, source string) seatSpec {
		s := seatSpec{persona: p, provider: c.provider, model: c.model, temperature: c.temperature, source: source}
		if !c.flagSet["provider"] && provider != "" {
			s.provider = provider
		}
		if !c.flagSet["model"] && model != "" {
			s.model = model
		}
		if !c.flagSet["temperature"] && temp != nil {
			s.temperature = *temp
		}
		return s
	}
	entries := map[string]int{}
	for i, p := range f.Personas {
		entries[p.ID] = i
	}
	var personas []prompts.Persona
	for _, b := range prompts.BuiltinPersonas() {
		i, ok := entries[b.ID]
		if !ok {
			spec.seats = append(spec.seats, seatFor(b, "", "", nil, "built-in"))
			personas = append(personas, b)
			continue
		}
		e := f.Personas[i]
		p := b
		p.Name, p.Voice, p.Stance = cmp.Or(e.Name, p.Name), cmp.Or(e.Voice, p.Voice), cmp.Or(e.Stance, p.Stance)
		spec.seats = append(spec.seats, seatFor(p, e.Provider, e.Model, e.Temperature, "built-in, set by "+c.conf.at(fmt.Sprintf("personas[%d]", i))))
		personas = append(personas, p)
	}
	for i, e := range f.Personas {
		if slices.ContainsFunc(prompts.BuiltinPersonas(), func(b prompts.Persona) bool { return b.ID == e.ID }) {
			continue
		}
		p := prompts.Persona{ID: e.ID, Name: e.Name, Voice: e.Voice, Stance: e.Stance}
		spec.seats = append(spec.seats, seatFor(p, e.Provider, e.Model, e.Temperature, c.conf.at(fmt.Sprintf("personas[%d]", i))))
		personas = append(personas, p)
	}
	fore, source := seatConfig{}, "default"
	if f.Foreperson != nil {
		fore, source = *f.Foreperson, c.conf.at("foreperson")
	}
	spec.foreperson = seatFor(prompts.Persona{ID: "foreperson", Name: "Foreperson"}, fore.Provider, fore.Model, fore.Temperature, source)
	if spec.quorum > len(spec.seats) {
		return nil, jury.Invalidf("%s: quorum %d is more than the %d jurors of the panel", c.conf.at("quorum"), spec.quorum, len(spec.seats))
	}
	set, err := prompts.New(personas)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.conf.at("personas"), err)
	}
	spec.set = set
	return spec, nil
}

// applyConfig settles every setting by precedence — flags the user typed,
// then the environment, then jury.yaml, then the defaults — and records
// where each value came from for `jury config`.
func (c *runConfig) applyConfig(fs *flagSet, getenv func(string) string) error {
	c.flagSet = map[string]bool{}
	fs.Visit(func(f *flagValue) { c.flagSet[f.Name] = true })
	conf, err := loadConfig(c.configPath)
	if err != nil {
		return err
	}
	c.conf = conf
	var f fileConfig
	if conf != nil {
		f = conf.file
	}
	c.sources = map[string]string{}
	from := func(key, flag string, inFile bool, env string) string {
		switch {
		case flag != "" && c.flagSet[flag]:
			return "flag --" + flag
		case env != "" && getenv(env) != "":
			return "env " + env
		case inFile:
			return conf.at(key)
		}
		return "default"
	}
	c.sources["provider"] = from("provider", "provider", f.Provider != nil, "")
	if !c.flagSet["provider"] && f.Provider != nil {
		c.provider = *f.Provider
	}
	c.sources["model"] = from("model", "model", f.Model != nil, "")
	if !c.flagSet["model"] && f.Model != nil {
		c.model = *f.Model
	}
	c.sources["temperature"] = from("temperature", "temperature", f.Temperature != nil, "")
	if !c.flagSet["temperature"] && f.Temperature != nil {
		c.temperature = *f.Temperature
	}
	c.sources["seed"] = from("seed", "seed", f.Seed != nil, "")
	if !c.flagSet["seed"] && f.Seed != nil {
		c.seed = *f.Seed
	}
	c.sources["max_tokens"] = from("max_tokens", "max-tokens", f.MaxTokens != nil, "")
	if !c.flagSet["max-tokens"] && f.MaxTokens != nil {
		c.maxTokens = *f.MaxTokens
	}
	c.providers = f.Providers
	c.sources["retries"] = from("retries", "retries", f.Retries != nil, "")
	if !c.flagSet["retries"] && f.Retries != nil {
		c.retries = *f.Retries
	}
	c.sources["timeout"] = from("timeout", "timeout", f.Timeout != nil, "")
	if !c.flagSet["timeout"] && f.Timeout != nil {
		c.timeout, _ = time.ParseDuration(*f.Timeout)
	}
	c.sources["out"] = from("out", "out", f.Out != nil, "")
	if !c.flagSet["out"] && f.Out != nil {
		c.out = *f.Out
	}
	if f.Limits != nil {
		c.sources["rpm"] = from("limits.rpm", "rpm", f.Limits.RPM != nil, "")
		if !c.flagSet["rpm"] && f.Limits.RPM != nil {
			c.rpm = *f.Limits.RPM
		}
		c.sources["tpm"] = from("limits.tpm", "tpm", f.Limits.TPM != nil, "")
		if !c.flagSet["tpm"] && f.Limits.TPM != nil {
			c.tpm = *f.Limits.TPM
		}
	} else {
		c.sources["rpm"], c.sources["tpm"] = from("", "rpm", false, ""), from("", "tpm", false, "")
	}
	// Base URLs: --base-url and OPENAI_BASE_URL are OpenAI's; the file
	// may set any provider's.
	c.baseURLs = map[string]string{}
	for name, p := range f.Providers {
		if p.BaseURL != "" {
			c.baseURLs[name] = p.BaseURL
		}
	}
	_, inFile := f.Providers["openai"]
	c.sources["base_url"] = from("providers.openai.base_url", "base-url", inFile && f.Providers["openai"].BaseURL != "", "OPENAI_BASE_URL")
	switch {
	case c.flagSet["base-url"]:
		c.baseURLs["openai"] = c.baseURL
	case getenv("OPENAI_BASE_URL") != "":
		c.baseURLs["openai"] = getenv("OPENAI_BASE_URL")
	}
	c.baseURL = c.baseURLs["openai"]
	if _, ok := providerKeys[c.provider]; !ok {
		return usagef("--provider %q: want openai, anthropic, gemini or ollama", c.provider)
	}
	return nil
}

// omitSeed reports whether no seed goes to provider: --no-seed, or
// providers.NAME.seed: false.
func (c *runConfig) omitSeed(provider string) bool {
	p := c.providers[provider]
	return c.noSeed || (p.Seed != nil && !*p.Seed)
}

// maskKey says whether a key is set without showing any of it.
func maskKey(v string) string {
	if v == "" {
		return "not set"
	}
	return "set (" + strconv.Itoa(len(v)) + " characters, not shown)"
}
