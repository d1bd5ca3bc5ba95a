package llm

import (
	"log/slog"
	"regexp"
	"strings"
)

// urlLike matches a URL in running text: a scheme, "://", and everything
// up to a space, a quote or an angle bracket.
var urlLike = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>` + "`" + `]+`)

// secretParam matches the names of query parameters that carry a
// credential: key=, api-key=, access_token=, sig= (Azure SAS), password=…
// Others (api-version=) are kept, since they help read an error.
var secretParam = regexp.MustCompile(`(?i)key|token|secret|sig|pass|pwd|auth|credential|session`)

// RedactURLs replaces the secrets a URL in s can carry with "[redacted]":
// the password of its user info (the whole user info when it has no
// password, as in https://TOKEN@host), and the values of query parameters
// whose names say they hold a credential (?key=…). Redact calls it, so
// every error line and log that passes through Redact is covered.
//
// The regular expression runs only around each "://" of s, on the run of
// characters a URL can hold: a stored answer of 11 KB with one URL in it
// is scanned in microseconds, not by the expression at every offset.
func RedactURLs(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b, or nothing changed before it
	changed := false
	for from := 0; ; {
		i := strings.Index(s[from:], "://")
		if i < 0 {
			break
		}
		i += from
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		end := i + 3
		for end < len(s) && isURLByte(s[end]) {
			end++
		}
		// A URL lies inside [start, end): the scheme cannot hold a byte
		// outside the scheme's class, the rest stops at the first byte
		// the expression stops at. The byte before start is kept so that
		// \b sees what the whole string would show it.
		ctx := max(start-1, 0)
		if red := urlLike.ReplaceAllStringFunc(s[ctx:end], redactURL); red != s[ctx:end] {
			b.WriteString(s[done:ctx])
			b.WriteString(red)
			done, changed = end, true
		}
		from = end
	}
	if !changed {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// isSchemeByte reports whether c can be part of a URL's scheme.
func isSchemeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '.' || c == '-'
}

// isURLByte reports whether urlLike's tail class [^\s"'<>`] holds c
// (\s is RE2's ASCII [\t\n\f\r ]; every byte of a multi-byte
// character is in the class).
func isURLByte(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '"', '\'', '<', '>', '`':
		return false
	}
	return true
}

func redactURL(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		user, _, hasPassword := strings.Cut(authority[:at], ":")
		if hasPassword {
			authority = user + ":[redacted]" + authority[at:]
		} else {
			authority = "[redacted]" + authority[at:]
		}
	}
	path, query, fragment := tail, "", ""
	if i := strings.IndexByte(tail, '#'); i >= 0 {
		path, fragment = tail[:i], tail[i:]
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
		params := strings.Split(query, "&")
		for k, p := range params {
			if name, _, ok := strings.Cut(p, "="); ok && secretParam.MatchString(name) {
				params[k] = name + "=[redacted]"
			}
		}
		path += "?" + strings.Join(params, "&")
	}
	return scheme + "://" + authority + path + fragment
}

// RedactAttr is a slog.HandlerOptions.ReplaceAttr that passes the
// message and every string and error value through Redact.
func RedactAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); Redact(s) != s {
			a.Value = slog.StringValue(Redact(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok && err != nil {
			if s := err.Error(); Redact(s) != s {
				a.Value = slog.StringValue(Redact(s))
			}
		}
	}
	return a
}
