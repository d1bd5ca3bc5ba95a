package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
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
// Unknown keys, bad values and keys in the file are one jury.ErrInvalid
// error naming every one of them by file:line, in the file's order, so
// that a bad value does not hide an unknown key below it.
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
	var found problems
	keyLines := map[int]bool{} // lines that hold an API key
	for key, line := range l.lines {
		last := key[strings.LastIndex(key, ".")+1:]
		if last != "max_tokens" && (strings.Contains(strings.ToLower(last), "key") || strings.Contains(strings.ToLower(last), "token")) {
			keyLines[line] = true
			found.add(line, jury.Invalidf("%s:%d: %q: API keys are read only from the environment (%s), never from the file",
				path, line, last, strings.Join(llm.KeyVariables(), ", ")))
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l.file); err != nil {
		// A TypeError lists every unknown key and mistyped value; the
		// rest of the file is decoded.
		var typeErr *yaml.TypeError
		if !errors.As(err, &typeErr) {
			return nil, yamlError(path, err)
		}
		for _, e := range typeErr.Errors {
			line := 0
			fmt.Sscanf(e, "line %d:", &line)
			if !keyLines[line] { // said already: keys come from the environment
				found.add(line, yamlError(path, errors.New(e)))
			}
		}
	}
	l.check(&found)
	if err := found.err(); err != nil {
		return nil, err
	}
	return l, nil
}

// problem is one thing wrong with a file: an error naming its file:line.
type problem struct {
	line int
	err  error
}

// problems are what is wrong with a file.
type problems []problem

func (ps *problems) add(line int, err error) { *ps = append(*ps, problem{line, err}) }

// err is one jury.ErrInvalid error with every problem in line order,
// "; " between them; nil without any.
func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	slices.SortStableFunc(ps, func(a, b problem) int { return a.line - b.line })
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.err.Error()
	}
	return jury.Invalidf("%s", strings.Join(msgs, "; "))
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

// check adds to found the values that YAML types alone do not rule out.
func (l *File) check(found *problems) {
	f := &l.file
	bad := func(key, format string, args ...any) {
		found.add(l.lines[key], jury.Invalidf("%s: %s", l.At(key), fmt.Sprintf(format, args...)))
	}
	checkProvider := func(key, name string) {
		if _, ok := llm.LookupProvider(name); !ok {
			bad(key, "provider %q: want %s", name, llm.ProviderChoices())
		}
	}
	if f.Provider != nil {
		checkProvider("provider", *f.Provider)
	}
	if f.Temperature != nil && (*f.Temperature < 0 || *f.Temperature > 2) {
		bad("temperature", "temperature %v: want 0 to 2", *f.Temperature)
	}
	if f.Retries != nil && *f.Retries < 0 {
		bad("retries", "retries %d: want 0 or more", *f.Retries)
	}
	if f.Timeout != nil {
		if d, err := time.ParseDuration(*f.Timeout); err != nil || d <= 0 {
			bad("timeout", "timeout %q: want a duration such as 90s", *f.Timeout)
		}
	}
	if f.Aggregation != nil {
		if _, err := jury.ParseAggregation(*f.Aggregation); err != nil {
			bad("aggregation", "%v", err)
		}
	}
	if f.Quorum != nil && *f.Quorum < 1 {
		bad("quorum", "quorum %d: want 1 or more", *f.Quorum)
	}
	if f.Limits != nil {
		if (f.Limits.RPM != nil && *f.Limits.RPM < 0) || (f.Limits.TPM != nil && *f.Limits.TPM < 0) {
			bad("limits", "limits cannot be negative")
		}
	}
	if f.MaxTokens != nil && *f.MaxTokens < 0 {
		bad("max_tokens", "max_tokens %d: want 0 (the provider's default) or more", *f.MaxTokens)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Providers)) {
		checkProvider("providers."+name, name)
		if rf := f.Providers[name].ResponseFormat; rf != "" && (name != "openai" || (rf != llm.ResponseJSONSchema && rf != llm.ResponseJSONObject)) {
			bad("providers."+name+".response_format", "response_format %q: only openai takes one, json_schema or json_object", rf)
		}
	}
	seat := func(key string, s seatConfig) {
		if s.Provider != "" {
			checkProvider(key+".provider", s.Provider)
		}
		if s.Temperature != nil && (*s.Temperature < 0 || *s.Temperature > 2) {
			bad(key+".temperature", "temperature %v: want 0 to 2", *s.Temperature)
		}
	}
	if f.Foreperson != nil {
		seat("foreperson", *f.Foreperson)
	}
	builtins := prompts.BuiltinPersonas()
	seen := map[string]bool{}
	for i, p := range f.Personas {
		key := fmt.Sprintf("personas[%d]", i)
		seat(key, seatConfig{Provider: p.Provider, Model: p.Model, Temperature: p.Temperature})
		switch {
		case p.ID == "":
			bad(key, "persona without an id: give it one, such as \"skeptic\"")
		case seen[p.ID]:
			bad(key+".id", "persona %q appears twice", p.ID)
		case !slices.ContainsFunc(builtins, func(b prompts.Persona) bool { return b.ID == p.ID }) &&
			(p.Name == "" || p.Voice == "" || p.Stance == ""):
			bad(key, "new persona %q needs a name, a voice and a stance", p.ID)
		}
		seen[p.ID] = true
	}
}
