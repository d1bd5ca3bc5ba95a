package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/openaitest"
)

// TestRunServerQuirkSettings: the settings for servers that refuse what
// jury sends — no seed, an answer budget, JSON mode instead of strict
// Structured Outputs — by flag and by jury.yaml.
func TestRunServerQuirkSettings(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "jury.yaml")
	require.NoError(t, os.WriteFile(conf, []byte("max_tokens: 900\nproviders:\n  openai:\n    seed: false\n    response_format: json_object\n"), 0o644))
	cases := []struct {
		name       string
		opts       []openaitest.Option
		args       []string
		wantTokens int
	}{
		{name: "flags", args: []string{"--no-seed", "--max-tokens", "700"}, wantTokens: 700},
		{name: "jury.yaml, on a server without json_schema", opts: []openaitest.Option{openaitest.WithoutJSONSchema()},
			args: []string{"--config", conf}, wantTokens: 900},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t, tc.opts...)
			env := map[string]string{"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": srv.URL()}
			code, _, stderr := cli(t, env, append([]string{"run", fixture, "--out", t.TempDir()}, tc.args...)...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, 9, srv.Count())
			for _, r := range srv.Requests() {
				var body map[string]any
				require.NoError(t, json.Unmarshal(r.Body, &body))
				require.NotContains(t, body, "seed")
				require.Equal(t, tc.wantTokens, r.Chat.MaxTokens)
			}
		})
	}
}

func TestConfigRejectsBadQuirkSettings(t *testing.T) {
	for _, yaml := range []string{
		"max_tokens: -1\n",
		"providers:\n  anthropic:\n    response_format: json_object\n",
		"providers:\n  openai:\n    response_format: xml\n",
	} {
		conf := filepath.Join(t.TempDir(), "jury.yaml")
		require.NoError(t, os.WriteFile(conf, []byte(yaml), 0o644))
		code, _, stderr := cli(t, map[string]string{}, "config", "--config", conf)
		require.Equal(t, 2, code, "%s: %s", yaml, stderr)
		require.Contains(t, stderr, "jury.yaml:")
	}
}
