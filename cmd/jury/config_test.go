package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/providertest"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jury.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

func TestConfigFifthPersonaTakesPart(t *testing.T) {
	srv := openaitest.New(t)
	conf := writeConfig(t, `
model: gpt-test
personas:
  - id: economist
    name: The Economist
    voice: Dry and numerate.
    stance: Cheaper than the worker's time, or not at all.
quorum: 4
`)
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": srv.URL()}
	code, _, stderr := cli(t, env, "run", fixture, "--config", conf, "--out", out)
	require.Equal(t, 0, code, stderr)
	r := readReport(t, filepath.Join(out, "29-2072.00", "report.json"))
	require.Len(t, r.Jurors, 5)
	require.Equal(t, "economist", r.Jurors[4].Persona)
	require.Equal(t, "The Economist", r.Jurors[4].Name)
	require.NotEmpty(t, r.Jurors[4].Quote)
	require.Equal(t, 4, r.Provenance.Quorum)
	require.Len(t, r.Tasks[0].Votes, 5)
	require.Equal(t, 11, srv.Count(), "five ballots, five statements and the foreperson")
	require.Equal(t, []string{"gpt-test"}, r.Provenance.Models)

	code, stdout, _ := cli(t, nil, "personas", "--config", conf)
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "The Economist (economist; "+conf+":4)", "the line of its entry")
	require.Contains(t, stdout, "The Diplomat (diplomat; built-in)")
}

func TestConfigBadInputNamesFileAndLine(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"typo in a key", "model: gpt-4o-mini\ntemprature: 0.3\n", `:2: unknown key "temprature"`},
		{"typo in a persona key", "personas:\n  - id: diplomat\n    modle: x\n", `:3: unknown key "modle"`},
		{"bad value type", "seed: lots\n", ":1: "},
		{"bad aggregation", "aggregation: average\n", `:1: aggregation "average"`},
		{"unknown provider", "provider: skynet\n", `:1: provider "skynet"`},
		{"key in the file", "providers:\n  openai:\n    api_key: sk-abc\n", `:3: "api_key": API keys are read only from the environment`},
		{"new persona without words", "personas:\n  - id: skeptic\n", `:2: new persona "skeptic" needs a name, a voice and a stance`},
		{"quorum above the panel", "quorum: 9\n", ":1: quorum 9 is more than the 4 jurors"},
		{"bad timeout", "timeout: soon\n", `:1: timeout "soon"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conf := writeConfig(t, tc.body)
			out := t.TempDir()
			code, _, stderr := cli(t, nil, "run", fixture, "--config", conf, "--out", out)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, conf+tc.want)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "%q", stderr)
			requireEmptyDir(t, out)
		})
	}
	code, _, stderr := cli(t, nil, "config", "--config", "testdata/none.yaml")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--config testdata/none.yaml: no such file")

	// A bad value does not hide an unknown key below it: one line names
	// every problem, in the file's order.
	conf := writeConfig(t, "temperature: 5\npersonas:\n  - id: diplomat\n    modle: x\nprovider: skynet\n")
	code, _, stderr = cli(t, nil, "config", "--config", conf)
	require.Equal(t, 2, code, stderr)
	require.Equal(t, 1, strings.Count(stderr, "\n"), "%q", stderr)
	at := func(s string) int {
		i := strings.Index(stderr, conf+s)
		require.GreaterOrEqual(t, i, 0, "%s in %s", s, stderr)
		return i
	}
	first, second, third := at(":1: temperature 5: want 0 to 2"), at(`:4: unknown key "modle"`), at(`:5: provider "skynet"`)
	require.Less(t, first, second)
	require.Less(t, second, third)
}

func TestConfigPrecedenceAndSources(t *testing.T) {
	conf := writeConfig(t, "model: from-file\ntemperature: 0.5\nseed: 3\nproviders:\n  openai:\n    base_url: http://file.example/v1\n")
	env := map[string]string{"OPENAI_BASE_URL": "http://env.example/v1", "OPENAI_API_KEY": canaryKey, "ANTHROPIC_API_KEY": "sk-ant-" + canaryKey}
	code, stdout, stderr := cli(t, env, "config", "--config", conf, "--temperature", "0.9")
	require.Equal(t, 0, code, stderr)
	lines := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = l
		}
	}
	require.Regexp(t, `model\s+from-file\s+`+regexpQuote(conf)+`:1`, lines["model"], "file over default")
	require.Regexp(t, `temperature\s+0.9\s+flag --temperature`, lines["temperature"], "flag over file")
	require.Regexp(t, `base_url\s+http://env.example/v1\s+env OPENAI_BASE_URL`, lines["base_url"], "environment over file")
	require.Regexp(t, `retries\s+2\s+default`, lines["retries"])
	require.Regexp(t, `OPENAI_API_KEY\s+set`, lines["OPENAI_API_KEY"])
	require.False(t, strings.Contains(stdout+stderr, canaryKey[3:]), "jury config never prints a key")
	require.False(t, strings.Contains(stdout+stderr, canaryKey[len(canaryKey)-4:]), "not even its end")
}

func TestConfigIsReadFromTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "jury.yaml"), []byte("seed: 42\n"), 0o644))
	t.Chdir(dir)
	code, stdout, stderr := cli(t, nil, "config")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `seed\s+42\s+jury.yaml:1`, stdout)
}

func TestExampleConfigIsValid(t *testing.T) {
	code, stdout, stderr := cli(t, nil, "personas", "--config", "../../jury.example.yaml")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"The Economist", "anthropic claude-3-5-haiku-latest", "gemini gemini-2.0-flash", "ollama llama3.1"} {
		require.Contains(t, stdout, want)
	}
}

func regexpQuote(s string) string {
	return strings.NewReplacer(".", `\.`, "(", `\(`, ")", `\)`, "+", `\+`).Replace(s)
}

// TestConfigMixedPanelAcrossProviders runs 29-2072.00 with one persona per
// provider, each provider's endpoint a test server speaking its protocol,
// as jury.yaml describes the panel.
func TestConfigMixedPanelAcrossProviders(t *testing.T) {
	oai := openaitest.New(t)
	ant := providertest.NewAnthropic(t)
	gem := providertest.NewGemini(t)
	oll := providertest.NewOllama(t)
	conf := writeConfig(t, fmt.Sprintf(`
personas:
  - id: chaos-agent
    provider: anthropic
    model: claude-3-5-haiku-latest
  - id: contrarian
    provider: gemini
    model: gemini-2.0-flash
  - id: optimist
    provider: ollama
    model: llama3.1
providers:
  anthropic: {base_url: %q}
  gemini: {base_url: %q}
  ollama: {base_url: %q}
`, ant.URL(), gem.URL(), oll.URL()))
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": oai.URL(),
		"ANTHROPIC_API_KEY": "sk-ant-test", "GOOGLE_API_KEY": "AIza-test"}
	code, _, stderr := cli(t, env, "run", fixture, "--config", conf, "--out", out)
	require.Equal(t, 0, code, stderr)

	r := readReport(t, filepath.Join(out, "29-2072.00", "report.json"))
	models := map[string]string{}
	for _, j := range r.Jurors {
		require.True(t, j.Valid, "%s: %v", j.Persona, j.Problems)
		models[j.Persona] = j.Model
	}
	require.Equal(t, map[string]string{"diplomat": "gpt-4o-mini", "chaos-agent": "claude-3-5-haiku-latest",
		"contrarian": "gemini-2.0-flash", "optimist": "llama3.1"}, models)
	require.ElementsMatch(t, []string{"gpt-4o-mini", "claude-3-5-haiku-latest", "gemini-2.0-flash", "llama3.1"}, r.Provenance.Models)
	seats := map[string]string{}
	for _, s := range r.Provenance.Seats {
		seats[s.Persona] = s.Provider + " " + s.Model
	}
	require.Equal(t, map[string]string{"diplomat": "openai gpt-4o-mini", "chaos-agent": "anthropic claude-3-5-haiku-latest",
		"contrarian": "gemini gemini-2.0-flash", "optimist": "ollama llama3.1", "foreperson": "openai gpt-4o-mini"}, seats,
		"provenance names each juror's provider and model")

	var providers []string
	total := 0
	for _, u := range r.UsageByProvider {
		providers = append(providers, u.Provider)
		total += u.Usage.Calls
	}
	require.ElementsMatch(t, []string{"openai", "anthropic", "gemini", "ollama"}, providers)
	require.Equal(t, r.Usage.Calls, total, "per-provider usage adds up to the total")
	require.Equal(t, 3, oai.Count(), "the Diplomat's two rounds and the foreperson on OpenAI")

	// A seat's provider without its key: exit 2 naming the variable.
	delete(env, "ANTHROPIC_API_KEY")
	code, _, stderr = cli(t, env, "run", fixture, "--config", conf, "--out", t.TempDir())
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "ANTHROPIC_API_KEY is not set")
}

// An all-Ollama panel needs no OpenAI key, yet it is not the offline
// juror: its answers are paid for (in time) and cached, so a resume of a
// re-run occupation makes no new call.
func TestBatchOnOllamaWithoutOpenAIKeyResumesFromTheCache(t *testing.T) {
	oll := providertest.NewOllama(t)
	conf := writeConfig(t, fmt.Sprintf("provider: ollama\nmodel: llama3.1\nproviders:\n  ollama: {base_url: %q}\n", oll.URL()))
	tasks := writeTaskFile(t, openaitest.Occupations(2))
	out := t.TempDir()
	env := map[string]string{} // no OPENAI_API_KEY
	code, _, stderr := cli(t, env, "batch", "--tasks", tasks, "--out", out, "--config", conf)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stderr, "offline juror")
	first := oll.Count()
	require.Equal(t, 2*9, first, "two occupations, nine calls each")

	// Lose one finished verdict: the resume deliberates it again, from the
	// cache.
	code2 := openaitest.Occupations(2)[0].Code
	require.NoError(t, os.RemoveAll(filepath.Join(out, code2)))
	code, _, stderr = cli(t, env, "batch", "--tasks", tasks, "--out", out, "--config", conf)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, first, oll.Count(), "a resume on Ollama pays no call again")
	require.FileExists(t, filepath.Join(out, code2, "report.json"))
}
