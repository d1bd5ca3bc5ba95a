package outdir

import (
	"errors"

	"github.com/onet-jury/jury/jury"
)

// FlagError names the flag that gave a folder in the error of LockDir or
// CheckWritable: a folder another run holds, or one that cannot be
// created or written, is bad input the user fixes by naming another
// ("--out: output folder in use: …", jury.ErrInvalid). Any other error,
// and nil, is returned as it is.
func FlagError(flag string, err error) error {
	if errors.Is(err, ErrLocked) || errors.Is(err, ErrNotWritable) {
		return jury.Invalidf("%s: %w", flag, err)
	}
	return err
}
