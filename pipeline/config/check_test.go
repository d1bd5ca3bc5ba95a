package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/config"
)

func TestCheckNamesTheFlagOfAValueNoCommandRunsWith(t *testing.T) {
	cases := []struct {
		name    string
		change  func(s *config.Settings)
		wantErr string
	}{
		{name: "the defaults run", change: func(*config.Settings) {}},
		{name: "a temperature above 2", change: func(s *config.Settings) { s.Temperature = 2.5 }, wantErr: "--temperature 2.5: want 0 to 2"},
		{name: "a negative temperature", change: func(s *config.Settings) { s.Temperature = -1 }, wantErr: "--temperature -1: want 0 to 2"},
		{name: "no timeout", change: func(s *config.Settings) { s.Timeout = 0 }, wantErr: "--timeout 0s: want a positive duration such as 90s"},
		{name: "negative retries", change: func(s *config.Settings) { s.Retries = -1 }, wantErr: "--retries -1: want 0 or more"},
		{name: "no output folder", change: func(s *config.Settings) { s.Out = "" }, wantErr: "--out is empty: name an output directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			tc.change(&s)
			err := s.Check()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
			require.EqualError(t, err, tc.wantErr)
		})
	}
}
