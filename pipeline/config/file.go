package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/outdir"
	"github.com/onet-jury/jury/prompts"
)

// DefaultFile is read when no configuration file is named and it exists
// in the working directory.
const DefaultFile = "jury.yaml"

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

// File is a parsed jury.yaml with the line of every key, so that every
// message about it can name file:line. A nil *File is a missing file: its
// methods answer as for an empty one.
type File struct {
	// Path is the file as named on the command line or DefaultFile.
	Path  string
	file  fileConfig
	lines map[string]int
}

// At names a key's place in the file for messages: "jury.yaml:12"; the
// file's path when the key is not in it.
func (l *File) At(key string) string {
	if l == nil {
		return ""
	}
	if n, ok := l.lines[key]; ok {
		return fmt.Sprintf("%s:%d", l.Path, n)
	}
	return l.Path
}

// Source says where a key of the file came from: its file:line, or
// "default" when the file does not set it.
func (l *File) Source(key string) string {
	if l == nil {
		return "default"
	}
	if _, ok := l.lines[key]; ok {
		return l.At(key)
	}
	return "default"
}

// Load reads the configuration file: path if given, else DefaultFile in
// the working directory if there is one (nil, nil when there is none).
// Unknown keys, bad values and keys in the file are jury.ErrInvalid
// errors naming file:line.
func Load(path string) (*File, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultFile
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
	l := &File{Path: path, lines: map[string]int{}}
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
			return nil, jury.Invalidf("%s:%d: %q: API keys are read only from the environment (%s), never from the file",
				path, line, last, strings.Join(llm.KeyVariables(), ", "))
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l.file); err != nil {
		return nil, yamlError(path, err)
	}
	return l, l.check()
}

// yamlError is outdir.YAMLError for jury.yaml.
func yamlError(path string, err error) error {
	return outdir.YAMLError(path, err, "see jury.example.yaml for the keys")
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
func (l *File) check() error {
	f := &l.file
	bad := func(key, format string, args ...any) error {
		return jury.Invalidf("%s: %s", l.At(key), fmt.Sprintf(format, args...))
	}
	badProvider := func(key, name string) error {
		if _, ok := llm.LookupProvider(name); ok {
			return nil
		}
		return bad(key, "provider %q: want %s", name, llm.ProviderChoices())
	}
	if f.Provider != nil {
		if err := badProvider("provider", *f.Provider); err != nil {
			return err
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
		if err := badProvider("providers."+name, name); err != nil {
			return err
		}
		if rf := p.ResponseFormat; rf != "" && (name != "openai" || (rf != llm.ResponseJSONSchema && rf != llm.ResponseJSONObject)) {
			return bad("providers."+name+".response_format", "response_format %q: only openai takes one, json_schema or json_object", rf)
		}
	}
	seat := func(key string, s seatConfig) error {
		if s.Provider != "" {
			if err := badProvider(key+".provider", s.Provider); err != nil {
				return err
			}
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
