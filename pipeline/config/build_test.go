package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
)

func TestBuildDatesVerdictsByTheStacksClock(t *testing.T) {
	day := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		env     map[string]string
		wantWhy string
	}{
		{name: "the provider's clients", env: map[string]string{"OPENAI_API_KEY": "sk-test"}},
		{name: "the offline juror", wantWhy: "no OPENAI_API_KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			s.ConfigPath = writeFile(t, "")
			getenv := func(k string) string { return tc.env[k] }
			require.NoError(t, s.Apply(nil, getenv))
			spec, err := s.Panel()
			require.NoError(t, err)
			panel, why, err := s.Build(spec, getenv, &llm.Stack{Now: func() time.Time { return day }})
			require.NoError(t, err)
			require.Equal(t, tc.wantWhy, why)
			require.NotNil(t, panel.Now)
			require.Equal(t, day, panel.Now())
		})
	}
}
