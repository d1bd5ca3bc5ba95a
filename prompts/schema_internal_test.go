package prompts

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// marshalByReflection is how object was written before appendJSON: every
// key and value through json.Marshal. The schemas sent to models (and so
// the prompt hash) must not change by a byte.
func marshalByReflection(t *testing.T, o object) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		require.NoError(t, err)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.value)
		require.NoError(t, err)
		b.Write(v)
	}
	b.WriteByte('}')
	// json.Marshal re-compacts (and HTML-escapes) a Marshaler's output.
	var out bytes.Buffer
	require.NoError(t, json.Compact(&out, b.Bytes()))
	return out.Bytes()
}

func TestSchemaJSONIsWhatJSONMarshalWrites(t *testing.T) {
	strs := []string{"", "plain words 0-100", `a "quoted" \ word`, "<b> & </b>", "tab\there\nnewline\x01",
		"naïve — ✓", "line\u2028sep\u2029", "bad \xff utf-8", "\x7f del"}
	tests := []struct {
		name string
		o    object
	}{
		{"nested kinds", object{{"o", object{{"n", 42}, {"neg", -7}, {"t", true}, {"f", false}}},
			{"nil list", []string(nil)}, {"empty list", []string{}}, {"list", strs}, {"float", 2.5}, {"nil", nil}}},
	}
	for _, s := range strs {
		tests = append(tests, struct {
			name string
			o    object
		}{"string " + s, object{{s, s}}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.o.MarshalJSON()
			require.NoError(t, err)
			require.Equal(t, string(marshalByReflection(t, tt.o)), string(got))
			via, err := json.Marshal(tt.o)
			require.NoError(t, err)
			require.Equal(t, string(got), string(via))
		})
	}
}
