package render

import (
	"fmt"
	"log/slog"
	"strings"
)

// EscapeBidi writes each bidirectional control character of s (see Plain)
// as visible text, \u202E for U+202E: a log line keeps what was there but
// cannot be made to read backwards.
func EscapeBidi(s string) string {
	if strings.IndexFunc(s, isBidiControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isBidiControl(r) {
			fmt.Fprintf(&b, `\u%04X`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// LogAttr is a slog.HandlerOptions.ReplaceAttr that escapes bidirectional
// controls (EscapeBidi) in the message and in string and error values:
// slog's JSON handler writes them raw, and logs carry model and input text.
func LogAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); strings.IndexFunc(s, isBidiControl) >= 0 {
			a.Value = slog.StringValue(EscapeBidi(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok && err != nil {
			if s := err.Error(); strings.IndexFunc(s, isBidiControl) >= 0 {
				a.Value = slog.StringValue(EscapeBidi(s))
			}
		}
	}
	return a
}
