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
func RedactURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlLike.ReplaceAllStringFunc(s, redactURL)
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
