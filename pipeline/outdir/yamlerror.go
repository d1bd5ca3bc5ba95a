package outdir

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// yamlLine and yamlUnknown pick the line and the unknown key out of the
// YAML decoder's messages.
var (
	yamlLine    = regexp.MustCompile(`line (\d+): (.*)`)
	yamlUnknown = regexp.MustCompile(`field (\S+) not found in type`)
)

// YAMLError turns a YAML decoder's error about the file at path into a
// jury.ErrInvalid error of one line naming path:line, as every other
// input error does; an unknown key is named as such, followed by
// unknownHint (where to find the keys the file may hold).
func YAMLError(path string, err error, unknownHint string) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		detail := m[2]
		if f := yamlUnknown.FindStringSubmatch(detail); f != nil {
			detail = fmt.Sprintf("unknown key %q (%s)", f[1], unknownHint)
		}
		return jury.Invalidf("%s:%s: %s", path, m[1], detail)
	}
	return jury.Invalidf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}
