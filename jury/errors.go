package jury

import (
	"errors"
	"fmt"
)

// ErrInvalid marks bad input — a file, a flag, an occupation — that the user
// must fix; the command line maps it to exit code 2.
var ErrInvalid = errors.New("invalid input")

// ErrNoQuorum reports a verdict that fewer valid ballots than the quorum
// support; the command line maps it to exit code 1.
var ErrNoQuorum = errors.New("no quorum")

// invalidError carries a message and marks its chain as ErrInvalid without
// adding "invalid input" to the text the user reads.
type invalidError struct{ err error }

func (e *invalidError) Error() string        { return e.err.Error() }
func (e *invalidError) Unwrap() error        { return e.err }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// Invalid marks err as bad input (errors.Is(err, ErrInvalid) holds) and keeps
// its message; a nil err stays nil.
func Invalid(err error) error {
	if err == nil || errors.Is(err, ErrInvalid) {
		return err
	}
	return &invalidError{err: err}
}

// Invalidf formats a bad-input error; %w verbs wrap as in fmt.Errorf.
func Invalidf(format string, args ...any) error {
	return Invalid(fmt.Errorf(format, args...))
}
