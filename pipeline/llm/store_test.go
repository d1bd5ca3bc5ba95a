package llm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
)

const canary = "sk-canary-0123456789abcdefghijKLMNOP"

func TestStoreRecordsThenReplaysWithoutCalls(t *testing.T) {
	srv := openaitest.New(t)
	dir := t.TempDir()
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: canary, BaseURL: srv.URL()})
	req := ballotRequest(t)

	rec := llm.NewStore(client, dir, llm.ReplayOrRecord, "openai", canary)
	first, err := rec.Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count())
	again, err := rec.Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count(), "the second call is answered from disk")
	require.Equal(t, first.Content, again.Content)
	require.Equal(t, first.Usage, again.Usage, "a stored answer still says what it cost")

	srv.Close()
	replay := llm.NewStore(client, dir, llm.ReplayOnly, "openai")
	got, err := replay.Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, first.Content, got.Content)

	data, err := os.ReadFile(rec.Path(req))
	require.NoError(t, err)
	require.Contains(t, string(data), `"call": "43-9021.00 diplomat ballot"`)
	require.Contains(t, string(data), `"finish_reason": "stop"`)
}

// TestStoreAsksAgainForAnEmptyFile: answers are stored without an fsync
// each, so a power loss can leave an empty file; the store asks the
// model again instead of failing on it.
func TestStoreAsksAgainForAnEmptyFile(t *testing.T) {
	srv := openaitest.New(t)
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: canary, BaseURL: srv.URL()})
	s := llm.NewStore(client, t.TempDir(), llm.ReplayOrRecord, "openai")
	req := ballotRequest(t)
	require.NoError(t, os.MkdirAll(filepath.Dir(s.Path(req)), 0o755))
	require.NoError(t, os.WriteFile(s.Path(req), nil, 0o644))

	resp, err := s.Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count(), "the empty file is not an answer")
	again, err := s.Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count(), "the new answer is stored over it")
	require.Equal(t, resp.Content, again.Content)
}

func TestStoreReplayOnlyNamesTheMissingExchange(t *testing.T) {
	dir := t.TempDir()
	called := false
	next := llm.ModelFunc(func(context.Context, llm.Request) (llm.Response, error) {
		called = true
		return llm.Response{}, nil
	})
	s := llm.NewStore(next, dir, llm.ReplayOnly, "openai")
	s.RecordHint = "make golden"
	req := ballotRequest(t)
	_, err := s.Complete(context.Background(), req)
	require.ErrorIs(t, err, llm.ErrNotRecorded)
	require.Equal(t, llm.NotRecorded, llm.KindOf(err), "a replay miss is its own kind, not a bad request")
	require.True(t, llm.Fatal(err), "a missing recording stops the run")
	require.False(t, called)
	msg := err.Error()
	require.Contains(t, msg, "43-9021.00 diplomat ballot")
	require.Contains(t, msg, llm.Key("openai", req)[:16])
	require.Contains(t, msg, "make golden")
	require.NotContains(t, msg, "\n")
}

func TestStoreNeverWritesSecrets(t *testing.T) {
	// A hostile answer echoes the key and a bearer token; neither is saved.
	srv := openaitest.New(t, openaitest.WithAnswerer(func(c openaitest.ChatRequest) (string, error) {
		return "my key is " + canary + " and Bearer " + canary, nil
	}))
	dir := t.TempDir()
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: canary, BaseURL: srv.URL()})
	req := ballotRequest(t)
	req.Messages[len(req.Messages)-1].Content += " (key " + canary + ")"
	_, err := llm.NewStore(client, dir, llm.RecordAlways, "openai", canary).Complete(context.Background(), req)
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	data, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	require.NoError(t, err)
	require.NotContains(t, string(data), canary[3:])
	require.Contains(t, string(data), "[redacted]")
}

func TestKeyCoversWhatShapesTheAnswer(t *testing.T) {
	base := ballotRequest(t)
	seed := 9
	changes := map[string]func(*llm.Request){
		"model":       func(r *llm.Request) { r.Model = "other" },
		"temperature": func(r *llm.Request) { r.Temperature = 0.9 },
		"seed":        func(r *llm.Request) { r.Seed = &seed },
		"max tokens":  func(r *llm.Request) { r.MaxTokens = 99 },
		"message":     func(r *llm.Request) { r.Messages[2].Content += "!" },
		"schema":      func(r *llm.Request) { r.Schema = &llm.Schema{Name: "x", JSON: []byte(`{}`)} },
	}
	k := llm.Key("openai", base)
	require.NotEqual(t, k, llm.Key("anthropic", base), "provider")
	for name, change := range changes {
		req := ballotRequest(t)
		change(&req)
		require.NotEqual(t, k, llm.Key("openai", req), name)
	}
	req := ballotRequest(t)
	req.Meta.Juror = "someone else"
	require.Equal(t, k, llm.Key("openai", req), "meta names a call but does not shape it")
	require.Len(t, k, 32)
	require.False(t, strings.ContainsAny(k, "/\\."))
}
