package render_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/render"
)

func TestEscapeBidi(t *testing.T) {
	require.Equal(t, `invoice\u202Egpj.exe\u202C`, render.EscapeBidi("invoice\u202egpj.exe\u202c"))
	require.Equal(t, `a\u061Cb\u200Ec\u200Fd\u2066e\u2069`, render.EscapeBidi("a\u061cb\u200ec\u200fd\u2066e\u2069"))
	require.Equal(t, "plain — café", render.EscapeBidi("plain — café"))
}

func TestLogAttrKeepsBidiControlsOutOfJSONLogs(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: render.LogAttr}))
	log.Warn("quote \u202eevil\u202c", "occupation", "29-2072.00", "quote", "reads\u202ebackwards",
		"err", errors.New("juror \u2067x\u2069 failed"), slog.Group("juror", "name", "The\u200f Optimist"), "calls", 3)
	line := b.String()
	require.False(t, strings.ContainsAny(line, bidiControls), "no raw bidirectional control: %q", line)

	var got map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &got), "still one JSON object")
	require.Equal(t, `quote \u202Eevil\u202C`, got["msg"])
	require.Equal(t, `reads\u202Ebackwards`, got["quote"])
	require.Equal(t, `juror \u2067x\u2069 failed`, got["err"])
	require.Equal(t, map[string]any{"name": `The\u200F Optimist`}, got["juror"])
	require.Equal(t, "29-2072.00", got["occupation"])
	require.EqualValues(t, 3, got["calls"])
}
