package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestURLSecretsAreNeverPrinted(t *testing.T) {
	const secret = "Sup3rSecretValue"
	conf := writeConfig(t, "providers:\n  gemini:\n    base_url: https://gemini.example/v1beta?key="+secret+"\n  ollama:\n    base_url: http://ollama:"+secret+"@127.0.0.1:9\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		// want are substrings of stdout+stderr.
		want []string
	}{
		{
			name: "config: a key in the query string and a password in the user info",
			args: []string{"config", "--config", conf, "--base-url", "https://user:" + secret + "@proxy.example/v1?api-version=1&key=" + secret},
			want: []string{"https://user:[redacted]@proxy.example/v1?api-version=1&key=[redacted]", "https://gemini.example/v1beta?key=[redacted]", "http://ollama:[redacted]@127.0.0.1:9"},
		},
		{
			name: "config: the URL from the environment",
			env:  map[string]string{"OPENAI_BASE_URL": "https://" + secret + "@proxy.example/v1"},
			args: []string{"config"},
			want: []string{"https://[redacted]@proxy.example/v1"},
		},
		{
			name: "an error line naming the URL",
			env:  map[string]string{"OPENAI_API_KEY": "x"},
			args: []string{"run", fixture, "--retries", "0", "--log-format", "json", "--out", t.TempDir(), "--base-url", "http://u:" + secret + "@127.0.0.1:9/v1?key=" + secret},
			want: []string{"u:[redacted]@127.0.0.1:9", "key=[redacted]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stdout, stderr := cli(t, tt.env, tt.args...)
			out := stdout + stderr
			require.NotContains(t, out, secret)
			for _, w := range tt.want {
				require.Contains(t, out, w)
			}
			require.False(t, strings.Contains(out, "Sup3r"), "not even part of it")
		})
	}
}
