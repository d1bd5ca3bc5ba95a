package openaitest

import (
	"crypto/sha256"
	"strings"
)

// Prompt caching as OpenAI describes it: a prompt's prefix of 1,024
// tokens or more, in steps of 128, is cached once a request that used it
// has been served, and a later request starting with it reports those
// tokens as prompt_tokens_details.cached_tokens. The response schema is
// part of the prefix, ahead of the messages. Tokens are counted as
// characters ÷ 4, as everywhere in this server.
const (
	cacheMinTokens  = 1024
	cacheStepTokens = 128
)

// WithoutPromptCache makes the server cache no prompt: every answer
// reports 0 cached tokens, whatever was served before (for tests that
// compare the usage of two runs against one server).
func WithoutPromptCache() Option { return func(s *Server) { s.cache = nil } }

// promptCache holds the hashes of served prefixes. Guarded by Server.mu.
type promptCache map[[32]byte]bool

// cacheText is what a request's prefix is cut from.
func cacheText(c ChatRequest) string {
	var b strings.Builder
	if c.ResponseFormat != nil && c.ResponseFormat.JSONSchema != nil {
		b.Write(c.ResponseFormat.JSONSchema.Schema)
	}
	for _, m := range c.Messages {
		b.WriteString(m.Role)
		b.WriteByte('\n')
		b.WriteString(m.Content)
		b.WriteByte('\n')
	}
	return b.String()
}

// prefixes returns the cacheable prefix lengths of text, in tokens.
func prefixes(text string) []int {
	var out []int
	for n := cacheMinTokens; n*4 <= len(text); n += cacheStepTokens {
		out = append(out, n)
	}
	return out
}

// cached returns how many leading tokens of c the cache holds.
func (pc promptCache) cached(c ChatRequest) int {
	if pc == nil {
		return 0
	}
	text := cacheText(c)
	ns := prefixes(text)
	for i := len(ns) - 1; i >= 0; i-- {
		if pc[sha256.Sum256([]byte(text[:ns[i]*4]))] {
			return ns[i]
		}
	}
	return 0
}

// store caches every prefix of c, once it has been served.
func (pc promptCache) store(c ChatRequest) {
	if pc == nil {
		return
	}
	text := cacheText(c)
	for _, n := range prefixes(text) {
		pc[sha256.Sum256([]byte(text[:n*4]))] = true
	}
}

// promptTokens counts what a request's prompt holds: its schema and its
// messages.
func promptTokens(c ChatRequest) int {
	n := 0
	if c.ResponseFormat != nil && c.ResponseFormat.JSONSchema != nil {
		n += tokens(string(c.ResponseFormat.JSONSchema.Schema))
	}
	for _, m := range c.Messages {
		n += tokens(m.Content) + 4
	}
	return n
}

// CachedTokens returns the prompt tokens the server has reported cached
// and all prompt tokens it has answered, for tests and benchmarks.
func (s *Server) CachedTokens() (cached, prompt int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cachedTokens, s.promptTokens
}
