package llm_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
)

func TestRedactURLs(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"key in the query", "https://generativelanguage.googleapis.com/v1beta?key=AIzaNotReal123", "https://generativelanguage.googleapis.com/v1beta?key=[redacted]"},
		{"password in the user info", "https://user:s3cret@proxy.example/v1", "https://user:[redacted]@proxy.example/v1"},
		{"a token as the user", "https://ghp_token123@proxy.example", "https://[redacted]@proxy.example"},
		{"credentials among other parameters", "http://127.0.0.1:8080/v1/chat?api-version=2024-02-01&api-key=abc&access_token=t0k&sig=x%2By#frag",
			"http://127.0.0.1:8080/v1/chat?api-version=2024-02-01&api-key=[redacted]&access_token=[redacted]&sig=[redacted]#frag"},
		{"inside an error line", `openai: Post "https://u:pw@host/v1/chat/completions?key=abc": dial tcp: connection refused`,
			`openai: Post "https://u:[redacted]@host/v1/chat/completions?key=[redacted]": dial tcp: connection refused`},
		{"two URLs", "from http://a?token=1 to http://b?password=2", "from http://a?token=[redacted] to http://b?password=[redacted]"},
		{"a URL with nothing secret is kept", "https://api.openai.com/v1?api-version=1&model=gpt-4o#x", "https://api.openai.com/v1?api-version=1&model=gpt-4o#x"},
		{"an @ in the path is not user info", "https://host/users/@me?x=1", "https://host/users/@me?x=1"},
		{"no URL", "key=abc and user:pass@host", "key=abc and user:pass@host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, llm.RedactURLs(tt.in))
			require.Equal(t, tt.want, llm.Redact(tt.in), "Redact redacts URLs")
		})
	}
}

func TestRedactAttrKeepsURLSecretsOutOfLogs(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: llm.RedactAttr}))
	log.Warn("retrying https://host/v1?key=abc", "base_url", "https://user:pw@host/v1",
		"err", errors.New(`Post "https://host/v1?api_key=xyz": EOF`), "calls", 2)
	line := b.String()
	for _, secret := range []string{"abc", ":pw@", "xyz"} {
		require.NotContains(t, line, secret)
	}
	require.Equal(t, 3, strings.Count(line, "[redacted]"), line)
	require.Contains(t, line, `"calls":2`)
}
