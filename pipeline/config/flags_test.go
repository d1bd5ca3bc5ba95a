package config_test

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/config"
	"github.com/onet-jury/jury/pipeline/onet"
)

// TestCommandSettlesTheFlagsTyped drives Command as a front end does:
// register on a flag set, parse a command line, settle.
func TestCommandSettlesTheFlagsTyped(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		check    func(t *testing.T, c *config.Command, tf onet.TaskFile)
		wantErr  string
		wantLine string // in what the logger writes
	}{
		{name: "no flags: the defaults", args: nil, check: func(t *testing.T, c *config.Command, tf onet.TaskFile) {
			require.Equal(t, config.DefaultModel, c.Model)
			require.Equal(t, config.DefaultSeed, c.Seed)
			require.Equal(t, config.DefaultOut, c.Out)
			require.Equal(t, "default", c.Sources["seed"])
			require.Equal(t, onet.UTF8, tf.Encoding)
		}, wantLine: "level=INFO msg=hello"},
		{name: "typed flags win and say so", args: []string{"--seed", "7", "--tasks", "t.tsv", "--input-encoding", "latin1", "--log-format", "json"},
			check: func(t *testing.T, c *config.Command, tf onet.TaskFile) {
				require.Equal(t, 7, c.Seed)
				require.Equal(t, "flag --seed", c.Sources["seed"])
				require.Equal(t, onet.TaskFile{Path: "t.tsv", Encoding: onet.Latin1}, tf)
			}, wantLine: `"msg":"hello"`},
		{name: "the environment's base URL", env: map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
			check: func(t *testing.T, c *config.Command, _ onet.TaskFile) {
				require.Equal(t, "http://127.0.0.1:9/v1", c.BaseURL)
				require.Equal(t, "env OPENAI_BASE_URL", c.Sources["base_url"])
			}},
		{name: "a secret in a log line is redacted", args: nil, wantLine: "key=[redacted]"},
		{name: "an unknown log format", args: []string{"--log-format", "xml"}, wantErr: `--log-format "xml": want text or json`},
		{name: "an unknown input encoding", args: []string{"--input-encoding", "cp1252"}, wantErr: `--input-encoding "cp1252": want utf-8 or latin1`},
		{name: "a temperature out of range", args: []string{"--temperature", "3"}, wantErr: "--temperature 3: want 0 to 2"},
		{name: "an unknown provider", args: []string{"--provider", "carrier-pigeon"}, wantErr: `--provider "carrier-pigeon"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // no ./jury.yaml
			var c config.Command
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.Register(fs)
			require.NoError(t, fs.Parse(tc.args))
			var logs bytes.Buffer
			tf, logger, err := c.Settle(fs, func(k string) string { return tc.env[k] }, &logs)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid, "bad input exits 2")
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			if tc.check != nil {
				tc.check(t, &c, tf)
			}
			logger.Info("hello", "url", "http://127.0.0.1:9/v1?key=sk-secret")
			logger.Debug("not shown")
			require.NotContains(t, logs.String(), "sk-secret")
			require.NotContains(t, logs.String(), "not shown", "info and above")
			require.Contains(t, logs.String(), tc.wantLine)
		})
	}
}

// TestRegisteredDefaultsAreTheSettingsDefaults keeps the flags' defaults
// and the constants `jury config` reports as defaults one and the same.
func TestRegisteredDefaultsAreTheSettingsDefaults(t *testing.T) {
	var s config.Settings
	var o config.BatchOptions
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	s.Register(fs)
	s.RegisterLimits(fs)
	o.Register(fs)
	require.Equal(t, config.DefaultProvider, s.Provider)
	require.Equal(t, config.DefaultTemperature, s.Temperature)
	require.Equal(t, config.DefaultRPM, s.RPM)
	require.Equal(t, config.DefaultTPM, s.TPM)
	require.Equal(t, config.ViaSync, o.Via)
	require.True(t, o.WarmCache, "the prompt cache is warmed unless turned off")
	require.NoError(t, s.Check(), "the defaults run")
	_, err := (&config.Logging{Format: "text"}).Logger(io.Discard, slog.LevelInfo)
	require.NoError(t, err)
}
