package llm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRedactScansOnlyWhereASecretCouldBe checks that Redact, which runs
// its expressions only around "://" and the literals a key starts with,
// redacts exactly what the expressions run over the whole text redact.
func TestRedactScansOnlyWhereASecretCouldBe(t *testing.T) {
	long := strings.Repeat(`{"task": "Review risk-based tasks, 91 % of the time", "url": "https://example.org/a"}`+"\n", 100)
	tests := []struct{ name, in string }{
		{"nothing", "plain text with no secret"},
		{"a stored answer", long},
		{"key after a word is kept", "task-sk-abcdefghijkl and risk-managed"},
		{"key at the start", "sk-abcdefghijkl is the key"},
		{"key after punctuation", `"key":"sk-proj-abcdefgh1234"`},
		{"masked key", "Incorrect API key provided: sk-abc*********************wxyz."},
		{"bearer", "Authorization: Bearer abcdefgh.ijk=="},
		{"bearer inside a word is kept", "xBearer abcdefghijk"},
		{"google key", "key AIzaSyA0123456789abcdefghijk in a line"},
		{"url with a key", long + `Post "https://u:pw@host/v1/chat?key=abc": EOF` + long},
		{"url after an underscore", "x_https://u:pw@host/v1?key=abc"},
		{"url after a digit", "1https://u:pw@host/v1?key=abc"},
		{"scheme with dots", "see svn+ssh.x://tok@host/p?token=1, then https://host/?sig=2"},
		{"url in a url", "http://a/?next=https://b:pw@c/?key=1 done"},
		{"vertical tab", "https://host/?a=1\vkey=2 https://h2?pass=3"},
		{"non-ASCII around", "é://x?key=1 ühttps://u@h?token=2 «https://h?auth=3»"},
		{"a bare separator", ":// and ://x@y?key=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := keyLike.ReplaceAllString(urlLike.ReplaceAllStringFunc(tt.in, redactURL), "[redacted]")
			require.Equal(t, want, Redact(tt.in))
		})
	}
}
