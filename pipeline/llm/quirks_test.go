package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/pipeline/providertest"
	"github.com/onet-jury/jury/prompts"
)

// completion is a chat completion body as OpenAI writes it, with the
// message content given as raw JSON (a string, or a list of parts) and
// the created time as written.
func completion(created, content string) string {
	return `{"id":"chatcmpl-q1","object":"chat.completion","created":` + created + `,"model":"deepseek-chat",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":` + content + `},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":412,"completion_tokens":96,"total_tokens":508}}`
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const (
	contentFilterBody = `{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}}}`
	contextLengthBody = `{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`
	seedForbiddenBody = `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","seed"],"msg":"Extra inputs are not permitted","input":1}]},"type":"invalid_request_message_error","param":null,"code":null}`
)

// TestServerQuirks replays, response for response, what real servers send
// (from public bug reports of LLM pipelines) to the OpenAI client behind
// Retry: a valid answer that is not a bare JSON string, an envelope that
// is not what it seems, waits the server names, errors about one request.
// The client must take the answer the model meant, classify the rest, and
// count every request the server saw.
func TestServerQuirks(t *testing.T) {
	rateLimited := func(h http.Header, msg string) openaitest.Fault {
		return openaitest.Raw(429, h, `{"error":{"message":"`+msg+`","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
	}
	cases := []struct {
		name   string
		faults []openaitest.Fault
		// wantCalls is what the server must have seen and usage must say.
		wantCalls int
		wantKind  llm.Kind // 0: a valid ballot
		wantWait  time.Duration
		contains  string // in the error line
	}{
		{name: "ballot in a Markdown fence", faults: []openaitest.Fault{openaitest.Raw(200, nil,
			completion("1757876416", `"`+"```json\\n"+openaitest.AnswerHere+"\\n```"+`"`))}, wantCalls: 1},
		{name: "ballot after prose, in a fence", faults: []openaitest.Fault{openaitest.Raw(200, nil,
			completion("1757876416", `"Here is my ballot:\n\n`+"```\\n"+openaitest.AnswerHere+"\\n```"+`"`))}, wantCalls: 1},
		{name: "content as a list of parts, thinking first", faults: []openaitest.Fault{openaitest.Raw(200, nil,
			completion("1757876416", `[{"type":"thinking","thinking":"The tasks are clerical."},{"type":"text","text":"`+openaitest.AnswerHere+`"}]`))}, wantCalls: 1},
		{name: "created as a float", faults: []openaitest.Fault{openaitest.Raw(200, nil,
			completion("1757876416.566", `"`+openaitest.AnswerHere+`"`))}, wantCalls: 1},
		{name: "HTTP 200 with an error envelope is a rate limit, retried", faults: []openaitest.Fault{
			openaitest.Raw(200, nil, `{"error":{"message":"Provider returned error","code":429}}`)}, wantCalls: 2},
		{name: "HTTP 200 error envelopes until the retries run out", faults: openaitest.Repeat(
			openaitest.Raw(200, nil, `{"error":{"message":"Provider returned error","code":429}}`), 3),
			wantCalls: 3, wantKind: llm.RateLimited, contains: "Provider returned error"},
		{name: "HTTP 200 without choices or error is retried", faults: []openaitest.Fault{
			openaitest.Raw(200, nil, `{"id":"gen-1","object":"chat.completion","created":1757876416,"model":"x","choices":[]}`)}, wantCalls: 2},
		{name: "429 waits x-ratelimit-reset-requests", faults: []openaitest.Fault{rateLimited(
			header("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "6.5s", "x-ratelimit-remaining-tokens", "1999000", "x-ratelimit-reset-tokens", "20ms"),
			"Rate limit reached for requests")}, wantCalls: 2, wantWait: 6500 * time.Millisecond},
		{name: "429 waits x-ratelimit-reset-tokens", faults: []openaitest.Fault{rateLimited(
			header("x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "1m30s"), "Rate limit reached for tokens")},
			wantCalls: 2, wantWait: 90 * time.Second},
		{name: "429 waits what the message says", faults: []openaitest.Fault{rateLimited(nil,
			"Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 6.5s. Visit https://platform.openai.com/account/rate-limits to learn more.")},
			wantCalls: 2, wantWait: 6500 * time.Millisecond},
		{name: "429 waits what Azure's message says", faults: []openaitest.Fault{rateLimited(nil,
			"Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 20 seconds.")},
			wantCalls: 2, wantWait: 20 * time.Second},
		{name: "429 retry-after 7200 stops at once", faults: []openaitest.Fault{rateLimited(header("retry-after", "7200"), "Rate limit reached")},
			wantCalls: 1, wantKind: llm.LongWait, contains: "2h0m0s"},
		{name: "Azure content_filter rejects this request only", faults: []openaitest.Fault{openaitest.Raw(400, nil, contentFilterBody)},
			wantCalls: 1, wantKind: llm.Rejected, contains: "content_filter"},
		{name: "context_length_exceeded rejects this request only", faults: []openaitest.Fault{openaitest.Raw(400, nil, contextLengthBody)},
			wantCalls: 1, wantKind: llm.Rejected, contains: "maximum context length"},
		{name: "422 keeps the field it forbids", faults: []openaitest.Fault{openaitest.Raw(422, nil, seedForbiddenBody)},
			wantCalls: 1, wantKind: llm.BadRequest, contains: `"loc":["body","seed"],"msg":"Extra inputs are not permitted"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Script(openaitest.Any, tc.faults...)
			clock := &fakeClock{}
			model := llm.Retry(llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}), llm.RetryPolicy{
				Sleep: clock.Sleep, Timeout: 5 * time.Second, Jitter: func() float64 { return 0 }, MaxWait: 2 * time.Minute,
			})
			req := ballotRequest(t)
			resp, err := model.Complete(context.Background(), req)
			require.Equal(t, tc.wantCalls, srv.Count(), "requests the server saw")
			if tc.wantKind == 0 {
				require.NoError(t, err)
				_, problems := jury.ParseBallot(resp.Content, openaitest.SampleOccupation())
				require.Empty(t, problems, "content %q", resp.Content)
				require.Equal(t, tc.wantCalls, resp.Usage.Calls)
			} else {
				require.Error(t, err)
				require.Equal(t, tc.wantKind, llm.KindOf(err), "error: %v", err)
				require.Equal(t, tc.wantCalls, llm.UsageOf(err).Calls)
				require.Contains(t, err.Error(), tc.contains)
				require.NotContains(t, err.Error(), "\n")
				switch tc.wantKind {
				case llm.LongWait:
					require.True(t, llm.Fatal(err), "a wait over the cap stops the run")
				case llm.Rejected:
					require.False(t, llm.Fatal(err), "a rejected request fails its verdict only")
					require.True(t, llm.Final(err), "and is not asked again")
				}
			}
			if tc.wantWait > 0 {
				require.Equal(t, tc.wantWait, clock.total())
			}
		})
	}
}

// TestOpenAIFallsBackToJSONObject: a server that offers json_object only
// refuses the strict schema once; the client sends json_object with the
// schema in the prompt from then on, and counts the refused request.
func TestOpenAIFallsBackToJSONObject(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithoutJSONSchema())
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	for i, wantCalls := range []int{2, 1} {
		resp, err := client.Complete(context.Background(), ballotRequest(t))
		require.NoError(t, err)
		require.Equal(t, wantCalls, resp.Usage.Calls, "call %d", i+1)
		_, problems := jury.ParseBallot(resp.Content, openaitest.SampleOccupation())
		require.Empty(t, problems)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	require.Contains(t, string(reqs[0].Body), `"type":"json_schema"`)
	for _, r := range reqs[1:] {
		require.Contains(t, string(r.Body), `"type":"json_object"`)
		require.Contains(t, string(r.Body), llm.SchemaPrompt)
	}

	// Configured from the start, it never sends json_schema.
	srv2 := openaitest.New(t, openaitest.WithoutJSONSchema())
	resp, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv2.URL(), ResponseFormat: llm.ResponseJSONObject}).
		Complete(context.Background(), ballotRequest(t))
	require.NoError(t, err)
	require.Equal(t, 1, resp.Usage.Calls)
	require.Equal(t, 1, srv2.Count())
}

func TestOpenAIOmitSeed(t *testing.T) {
	for _, omit := range []bool{false, true} {
		srv := openaitest.New(t)
		req := ballotRequest(t)
		seed := 0
		req.Seed = &seed
		_, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL(), OmitSeed: omit}).Complete(context.Background(), req)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.Unmarshal(srv.Requests()[0].Body, &body))
		_, sent := body["seed"]
		require.Equal(t, !omit, sent, "omit seed %v", omit)
	}
}

// TestOpenAIRefusesTooManyEnumValuesBeforeAnyCall: the enum limit counts
// every enum value of the schema — 998 task IDs and 3 labels are 1,001 —
// and a request over it is rejected before it is sent.
func TestOpenAIRefusesTooManyEnumValuesBeforeAnyCall(t *testing.T) {
	for _, tc := range []struct {
		tasks     int
		wantCalls int
	}{{997, 1}, {998, 0}} {
		occ := jury.Occupation{Code: "11-1011.00", Title: "Chief Executives"}
		for i := range tc.tasks {
			occ.Tasks = append(occ.Tasks, jury.Task{ID: fmt.Sprint(10000 + i), Text: fmt.Sprintf("Direct operation %d.", i), Type: jury.Core})
		}
		require.NoError(t, occ.Validate(), "jury's own task limit lets it through")
		srv := openaitest.New(t)
		req := openaitest.BallotRequest(t)
		schema := ballotSchema(occ)
		req.Schema = &schema
		require.Equal(t, tc.tasks+3, llm.EnumValues(schema.JSON))
		_, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}).Complete(context.Background(), req)
		require.Equal(t, tc.wantCalls, srv.Count())
		if tc.wantCalls == 0 {
			require.Equal(t, llm.Rejected, llm.KindOf(err), "error: %v", err)
			require.Contains(t, err.Error(), "1001 enum values")
			require.Zero(t, llm.UsageOf(err).Calls)
		}
	}
}

func TestOpenAICountsReasoningTokens(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Any, openaitest.Raw(200, nil, `{"id":"chatcmpl-r","object":"chat.completion","created":1757876416,"model":"o4-mini",`+
		`"choices":[{"index":0,"message":{"role":"assistant","content":"`+openaitest.AnswerHere+`"},"finish_reason":"stop"}],`+
		`"usage":{"prompt_tokens":400,"completion_tokens":1600,"total_tokens":2000,"completion_tokens_details":{"reasoning_tokens":1536}}}`))
	resp, err := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()}).Complete(context.Background(), ballotRequest(t))
	require.NoError(t, err)
	require.Equal(t, llm.Usage{Calls: 1, PromptTokens: 400, CompletionTokens: 1600, ReasoningTokens: 1536}, resp.Usage)
}

// TestProviderQuirks replays what the langchaingo providers' servers
// send: a fenced answer (models without a JSON mode). (Gemini speaks the
// OpenAI protocol: its thinking tokens are completion_tokens_details, as
// in TestOpenAICountsReasoningTokens.)
func TestProviderQuirks(t *testing.T) {
	cases := []struct {
		name      string
		proto     providertest.Protocol
		raw       providertest.Fault
		wantValid bool
		want      llm.Response // FinishReason and Usage checked
	}{
		{name: "anthropic fenced ballot", proto: providertest.Anthropic, raw: providertest.Raw(200, nil,
			`{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"`+"```json\\n"+openaitest.AnswerHere+"\\n```"+`"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":500,"output_tokens":120}}`),
			wantValid: true, want: llm.Response{FinishReason: llm.FinishStop, Usage: llm.Usage{Calls: 1, PromptTokens: 500, CompletionTokens: 120}}},
		{name: "ollama fenced ballot", proto: providertest.Ollama, raw: providertest.Raw(200, nil,
			`{"model":"llama3.2","created_at":"2025-09-14T18:00:16Z","message":{"role":"assistant","content":"`+"```json\\n"+openaitest.AnswerHere+"\\n```"+`"},"done_reason":"stop","done":true,"prompt_eval_count":500,"eval_count":120}`),
			wantValid: true, want: llm.Response{FinishReason: llm.FinishStop, Usage: llm.Usage{Calls: 1, PromptTokens: 500, CompletionTokens: 120}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := providertest.New(t, tc.proto)
			srv.Every(func(int) providertest.Fault { return tc.raw })
			c := newClient(t, srv)
			resp, err := c.Complete(context.Background(), ballotRequest(t))
			require.NoError(t, err)
			require.Equal(t, srv.Count(), resp.Usage.Calls)
			require.Equal(t, tc.want.FinishReason, resp.FinishReason)
			require.Equal(t, tc.want.Usage, resp.Usage)
			if tc.wantValid {
				_, problems := jury.ParseBallot(resp.Content, openaitest.SampleOccupation())
				require.Empty(t, problems, "content %q", resp.Content)
			}
		})
	}
}

func TestAnswerText(t *testing.T) {
	obj := `{"score": 50}`
	for in, want := range map[string]string{
		obj:                                      obj,
		"```json\n" + obj + "\n```":              obj,
		"```JSON\n" + obj + "```":                obj,
		"  ```\n" + obj + "\n```\n":              obj,
		"Sure:\n```json\n" + obj + "\n```\nBye.": obj,
		"```json\n{\"score\": \n```":             "```json\n{\"score\": \n```", // not JSON inside: left for validation
		"no fence at all":                        "no fence at all",
		"```json\n" + obj:                        obj,                      // the fence never closed, the object did
		"```json\n{\"score\": 5":                 "```json\n{\"score\": 5", // cut off: left for validation
		// A reasoning model served without a reasoning parser.
		"<think>\nThe task is clerical, so E1.\n</think>\n\n" + obj:          obj,
		"<think>Scores {like this} vary.</think>\n```json\n" + obj + "\n```": obj,
		// Prose around a bare object.
		"Here is my ballot: " + obj + " Hope this helps.": obj,
		// An answer encoded twice: a JSON string holding the object.
		`"{\"score\": 50}"`: obj,
		// A JSON string or number is not an answer: left for validation.
		`"just words"`: `"just words"`,
		"42":           "42",
		// Two objects in the prose: not one answer, left for validation.
		`{"a": 1} and {"b": 2}`: `{"a": 1} and {"b": 2}`,
		// A second fence with the JSON after a first one without.
		"```text\nnotes\n```\n```json\n" + obj + "\n```": obj,
	} {
		require.Equal(t, want, llm.AnswerText(in), "%q", in)
	}
}

// ballotSchema is the ballot schema of occ as the pipeline sends it.
func ballotSchema(occ jury.Occupation) llm.Schema {
	s := prompts.BallotSchema(occ)
	return llm.Schema{Name: s.Name, JSON: s.JSON}
}
