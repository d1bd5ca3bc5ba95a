package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/llm"
)

func TestProgressBarOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	st := &llm.Stack{Limiter: llm.NewLimiter(llm.Limits{}), Meter: llm.NewMeter(llm.DefaultPrices(), 0)}
	bar := &progressBar{w: &buf, tty: true, st: st, started: time.Now().Add(-10 * time.Second)}
	bar.update(batch.Progress{Total: 40, Done: 10, Failed: 1, Skipped: 5})
	bar.finish()
	line := buf.String()
	require.True(t, strings.HasPrefix(line, "\r["), "redrawn in place: %q", line)
	require.Contains(t, line, "11/40")
	require.Contains(t, line, "1 failed")
	require.Contains(t, line, "0.6/s", "6 occupations run in 10 s, the 5 kept not counted")
	require.Contains(t, line, "ETA 48s")
	require.Contains(t, line, "429s 0")
	require.Contains(t, line, "$0.00")
	require.True(t, strings.HasSuffix(line, "\n"), "the last draw ends its line")
	require.Equal(t, strings.Repeat("#", 8), line[2:10], "11 of 40 of a 30-wide bar")
}

func TestProgressBarStaysQuietOffATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := newProgressBar(&buf, &llm.Stack{})
	require.False(t, bar.tty)
	bar.update(batch.Progress{Total: 2, Done: 1})
	bar.finish()
	require.Empty(t, buf.String(), "log lines tell the story instead")
}
