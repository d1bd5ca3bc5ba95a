package config

import "github.com/onet-jury/jury/jury"

// Check reports the first setting whose value no command can run with,
// as bad input naming its flag (jury.ErrInvalid). Call it after Apply.
func (s *Settings) Check() error {
	switch {
	case s.Temperature < 0 || s.Temperature > 2:
		return jury.Invalidf("--temperature %v: want 0 to 2", s.Temperature)
	case s.Timeout <= 0:
		return jury.Invalidf("--timeout %v: want a positive duration such as 90s", s.Timeout)
	case s.Retries < 0:
		return jury.Invalidf("--retries %d: want 0 or more", s.Retries)
	case s.Out == "":
		return jury.Invalidf("--out is empty: name an output directory")
	}
	return nil
}
