package jury

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// plainString takes only what json.Unmarshal decodes to the same string.
func TestPlainStringAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{`"22877"`, `""`, `"a b-c_d.e"`, `"\u0032"`, `"a\"b"`, `"a\\b"`, `"café"`, "\"a\tb\"", `22877`, `"22877`, `22877"`, `null`, `"`, `"<&>"`, "\"\x7f\""} {
		got, ok := plainString([]byte(raw))
		var want string
		err := json.Unmarshal([]byte(raw), &want)
		if ok {
			require.NoError(t, err, raw)
			require.Equal(t, want, got, raw)
		}
	}
	for _, raw := range []string{`"22877"`, `""`, `"a b-c_d.e"`, `"<&>"`} {
		_, ok := plainString([]byte(raw))
		require.True(t, ok, "%s takes the fast path", raw)
	}
	for _, raw := range []string{`"\u0032"`, `"a\"b"`, `"café"`, "\"a\tb\"", `22877`, `"22877`, `null`} {
		_, ok := plainString([]byte(raw))
		require.False(t, ok, "%s goes to encoding/json", raw)
	}
}
