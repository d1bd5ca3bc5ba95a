package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/config"
)

// defaults are the flags' defaults, as the command line binds them.
func defaults() config.Settings {
	return config.Settings{Provider: config.DefaultProvider, Model: config.DefaultModel, Temperature: config.DefaultTemperature,
		Seed: config.DefaultSeed, Timeout: time.Minute, Out: config.DefaultOut, RPM: config.DefaultRPM, TPM: config.DefaultTPM}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jury.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

func TestApplyPrecedence(t *testing.T) {
	file := writeFile(t, "model: from-file\nseed: 7\nmax_tokens: 900\nlimits: {rpm: 60}\nproviders:\n  openai: {base_url: http://file.example/v1}\n")
	tests := []struct {
		name     string
		typed    map[string]string // flag name → value the user typed
		env      map[string]string
		check    func(t *testing.T, s *config.Settings)
		wantFrom map[string]string
	}{
		{
			name: "the file over the defaults",
			check: func(t *testing.T, s *config.Settings) {
				require.Equal(t, "from-file", s.Model)
				require.Equal(t, 7, s.Seed)
				require.Equal(t, 900, s.MaxTokens)
				require.Equal(t, 60, s.RPM)
				require.Equal(t, config.DefaultTPM, s.TPM)
				require.Equal(t, "http://file.example/v1", s.BaseURL)
			},
			wantFrom: map[string]string{"model": file + ":1", "seed": file + ":2", "max_tokens": file + ":3", "rpm": file + ":4",
				"tpm": "default", "provider": "default", "base_url": file + ":6"},
		},
		{
			name: "the environment over the file",
			env:  map[string]string{"OPENAI_BASE_URL": "http://env.example/v1"},
			check: func(t *testing.T, s *config.Settings) {
				require.Equal(t, "http://env.example/v1", s.BaseURL)
				require.Equal(t, "http://env.example/v1", s.BaseURLs["openai"])
			},
			wantFrom: map[string]string{"base_url": "env OPENAI_BASE_URL"},
		},
		{
			name:  "a typed flag over everything",
			typed: map[string]string{"model": "typed", "base-url": "http://flag.example/v1", "seed": "3"},
			env:   map[string]string{"OPENAI_BASE_URL": "http://env.example/v1"},
			check: func(t *testing.T, s *config.Settings) {
				require.Equal(t, "typed", s.Model)
				require.Equal(t, 3, s.Seed)
				require.Equal(t, "http://flag.example/v1", s.BaseURL)
			},
			wantFrom: map[string]string{"model": "flag --model", "seed": "flag --seed", "base_url": "flag --base-url"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := defaults()
			s.ConfigPath = file
			typed := map[string]bool{}
			for name, v := range tt.typed {
				typed[name] = true
				switch name { // what the flag package would have stored
				case "model":
					s.Model = v
				case "base-url":
					s.BaseURL = v
				case "seed":
					s.Seed = 3
				}
			}
			require.NoError(t, s.Apply(typed, func(k string) string { return tt.env[k] }))
			tt.check(t, &s)
			for key, want := range tt.wantFrom {
				require.Equal(t, want, s.Sources[key], key)
			}
		})
	}
}

func TestApplyRefusesAnUnknownProvider(t *testing.T) {
	s := defaults()
	s.ConfigPath = writeFile(t, "")
	s.Provider = "skynet"
	err := s.Apply(map[string]bool{"provider": true}, func(string) string { return "" })
	require.ErrorIs(t, err, jury.ErrInvalid)
	require.Contains(t, err.Error(), "openai, anthropic, gemini or ollama")
}

func TestDescribeNeverShowsASecret(t *testing.T) {
	s := defaults()
	s.ConfigPath = writeFile(t, "providers:\n  ollama: {base_url: \"http://user:hunter2pass@ollama.internal:11434\", seed: false}\n")
	env := map[string]string{"OPENAI_API_KEY": "sk-canary-0123456789abcdef", "OPENAI_BASE_URL": "https://proxy.example/v1?api_key=sk-canary-0123456789abcdef"}
	require.NoError(t, s.Apply(nil, func(k string) string { return env[k] }))
	spec, err := s.Panel()
	require.NoError(t, err)
	rows := s.Describe(spec, func(k string) string { return env[k] })
	seen := map[string]config.Row{}
	for _, r := range rows {
		require.NotContains(t, r.Value, "canary", r.Key)
		require.NotContains(t, r.Value, "hunter2pass", r.Key)
		seen[r.Key] = r
	}
	require.Equal(t, "set (26 characters, not shown)", seen["OPENAI_API_KEY"].Value)
	require.Equal(t, "not sent", seen["ollama seed"].Value, "a provider's seed: false is shown")
	require.Contains(t, seen["ollama seed"].Source, "jury.yaml:2")
}
