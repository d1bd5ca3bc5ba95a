package onet

import (
	"os"
	"strings"

	"github.com/onet-jury/jury/jury"
)

// Load reads what a command line names as its occupation: arg is an
// occupation file (.json), or an O*NET-SOC code to look up in f (then
// f.Path must be set). A wrong combination is a jury.ErrInvalid error
// saying what to type.
func (f TaskFile) Load(arg string) (jury.Occupation, error) {
	if jury.ValidCode(arg) {
		if f.Path == "" {
			if _, err := os.Stat(arg); err != nil {
				return jury.Occupation{}, jury.Invalidf("%s is a code: name the O*NET task file to find it in with --tasks FILE", arg)
			}
		} else {
			return f.Occupation(arg)
		}
	}
	if f.Path != "" {
		return jury.Occupation{}, jury.Invalidf("%q is not an O*NET-SOC code: with --tasks, name the occupation by its code, such as 29-2072.00", arg)
	}
	if !strings.HasSuffix(arg, ".json") {
		if _, err := os.Stat(arg); err != nil {
			return jury.Occupation{}, jury.Invalidf("%q is neither an occupation file (.json) nor an O*NET-SOC code like 29-2072.00", arg)
		}
	}
	return ReadOccupationFileAs(arg, f.Encoding)
}
