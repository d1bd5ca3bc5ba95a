package deliberation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
	"github.com/onet-jury/jury/prompts"
)

// newPanel returns the built-in panel on srv, with retries that do not
// sleep.
// newPanel is a panel on srv whose attempts time out only after a
// minute: no answer of the in-process server takes that long however
// loaded the machine, so a test's call counts do not depend on timing.
// A test with a Hang fault uses newPanelWithTimeout(hangTimeout).
func newPanel(t *testing.T, srv *openaitest.Server) *deliberation.Panel {
	return newPanelWithTimeout(t, srv, time.Minute)
}

// hangTimeout is the per-attempt timeout of tests whose server hangs on
// purpose: long enough that an answer the server gives is never cut off
// on a loaded machine, short enough for the hang to end the attempt.
const hangTimeout = 3 * time.Second

// newPanelWithTimeout is newPanel with the given per-attempt timeout.
func newPanelWithTimeout(t *testing.T, srv *openaitest.Server, timeout time.Duration) *deliberation.Panel {
	t.Helper()
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL()})
	model := llm.Retry(client, llm.RetryPolicy{
		Sleep:   func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		Timeout: timeout,
	})
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: model, ModelName: "gpt-4o-mini", Temperature: 0.2})
	p.Seed, p.Version = 1, "test"
	p.Now = fixedDay("2025-03-14")
	return p
}

// fixedDay is a clock stopped at noon UTC of day.
func fixedDay(day string) func() time.Time {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t.Add(12 * time.Hour) }
}

// The date of a verdict is the day its ballots were cast: today when the
// model answered, the day recorded with the answers when they were
// replayed, so that a replay a year later writes the same report.
func TestDeliberateDatesTheVerdict(t *testing.T) {
	srv := openaitest.New(t)
	occ := openaitest.SampleOccupation()
	dir := t.TempDir()
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "x", BaseURL: srv.URL()})
	rec := llm.NewStore(client, dir, llm.ReplayOrRecord, "openai")
	rec.Now = fixedDay("2025-03-14")
	p := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: rec, ModelName: "gpt-4o-mini", Temperature: 0.2})
	p.Now = fixedDay("2025-03-15") // answers the store dated win over the panel's clock
	first, _, err := p.Deliberate(context.Background(), occ)
	require.NoError(t, err)
	require.Equal(t, "2025-03-14", first.Provenance.Date)

	replay := llm.NewStore(client, dir, llm.ReplayOnly, "openai")
	replay.Now = fixedDay("2026-01-01")
	p = deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: replay, ModelName: "gpt-4o-mini", Temperature: 0.2})
	p.Now = fixedDay("2026-01-01")
	again, _, err := p.Deliberate(context.Background(), occ)
	require.NoError(t, err)
	require.Equal(t, first, again, "a replay a year later gives the same verdict, date included")
	require.Equal(t, 9, srv.Count(), "the replay called no model")
}

func TestDeliberateCleanRun(t *testing.T) {
	srv := openaitest.New(t)
	occ := openaitest.SampleOccupation()
	r, usage, err := newPanel(t, srv).Deliberate(context.Background(), occ)
	require.NoError(t, err)
	require.Equal(t, 9, srv.Count(), "four ballots, four statements, the foreperson")
	require.Equal(t, jury.Usage{Calls: 9, PromptTokens: usage.PromptTokens, CompletionTokens: usage.CompletionTokens, CostUSD: usage.CostUSD}, usage)
	require.InDelta(t, (float64(usage.PromptTokens)*0.15+float64(usage.CompletionTokens)*0.60)/1e6, usage.CostUSD, 1e-12, "gpt-4o-mini list price")
	require.Equal(t, usage, r.Usage)
	require.Len(t, r.Tasks, 3)
	require.Len(t, r.Jurors, 4)
	for i, j := range r.Jurors {
		require.True(t, j.Valid, j.Persona)
		require.NotEmpty(t, j.Quote)
		require.Contains(t, jury.Reactions, j.Reaction)
		require.Equal(t, openaitest.StatementReaction(j.Score, r.Headline), j.Reaction, "%s: its own reaction, from round 2", j.Persona)
		require.Equal(t, prompts.Default().Personas()[i].ID, j.Persona, "jurors in panel order, whatever finished first")
	}
	require.NotEmpty(t, r.Summary)
	for i, task := range r.Tasks {
		require.NotEmpty(t, task.Rationale)
		require.Len(t, task.Votes, 4)
		for _, v := range task.Votes {
			require.NotEmpty(t, v.Reason, "round-1 reasons reach the report")
		}
		if i > 0 {
			require.GreaterOrEqual(t, r.Tasks[i-1].Score, task.Score, "most automatable first")
		}
	}
	require.Equal(t, jury.Provenance{Models: []string{"gpt-4o-mini"}, PromptHash: prompts.Default().Hash(),
		Temperature: 0.2, Seed: 1, Version: "test", Aggregation: "median", Quorum: 3,
		InputHash: deliberation.InputHash(occ), Seats: []jury.SeatRef{
			{Persona: "diplomat", Provider: "openai", Model: "gpt-4o-mini", Temperature: 0.2},
			{Persona: "chaos-agent", Provider: "openai", Model: "gpt-4o-mini", Temperature: 0.2},
			{Persona: "contrarian", Provider: "openai", Model: "gpt-4o-mini", Temperature: 0.2},
			{Persona: "optimist", Provider: "openai", Model: "gpt-4o-mini", Temperature: 0.2},
			{Persona: "foreperson", Provider: "openai", Model: "gpt-4o-mini", Temperature: 0.2},
		}, Date: "2025-03-14"}, r.Provenance)

	// The phases come in order: round 2 starts only once every ballot is
	// answered (it shows the verdict they make), and the foreperson once
	// every statement is in. Which juror arrives first within a phase is
	// the scheduler's business, not the test's.
	reqs := srv.Requests()
	var phases []string
	for _, req := range reqs {
		phases = append(phases, req.Chat.SchemaName())
	}
	require.Equal(t, []string{"ballot", "ballot", "ballot", "ballot", "statement", "statement", "statement", "statement", "verdict_note"}, phases)

	headline := fmt.Sprintf("%d %%", r.Headline)
	persona := func(c openaitest.ChatRequest) string {
		msgs := make([]prompts.Message, len(c.Messages))
		for i, m := range c.Messages {
			msgs[i] = prompts.Message{Role: m.Role, Content: m.Content}
		}
		name, ok := prompts.DecodePersonaName(msgs)
		require.True(t, ok, "a juror's request names its persona")
		return name
	}
	ballots := map[string]openaitest.ChatRequest{}
	var prefix, verdict string
	for _, req := range reqs {
		c := req.Chat
		require.True(t, c.ResponseFormat.JSONSchema.Strict)
		require.NotNil(t, c.Seed)
		schema := string(c.ResponseFormat.JSONSchema.Schema)
		// The rubric and the occupation open every request, byte for byte.
		p := c.Messages[0].Content + c.Messages[1].Content
		if prefix == "" {
			prefix = p
		}
		require.Equal(t, prefix, p)
		switch c.SchemaName() {
		case "ballot":
			require.Contains(t, schema, `"enum":["101","102","103"]`)
			require.NotContains(t, schema, "quote", "round 1 asks for no quote")
			require.NotContains(t, c.Last(), headline+" ", "round 1 judges alone")
			ballots[persona(c)] = c
		case "statement":
			require.Contains(t, c.Last(), "headline is "+headline, "a statement is shown the headline")
			require.Contains(t, schema, `"enum":["too_low","about_right","too_high"]`)
			// Every juror is shown the same verdict, byte for byte, ahead
			// of its own part, so that the later jurors find it cached.
			require.Len(t, c.Messages, 4)
			if verdict == "" {
				verdict = c.Messages[2].Content
			}
			require.Equal(t, verdict, c.Messages[2].Content)
			// Its own part, last, shows the juror its ballot answer again.
			round1, ok := ballots[persona(c)]
			require.True(t, ok, "a statement follows its juror's ballot")
			answer, err := openaitest.SchemaAnswer(round1)
			require.NoError(t, err)
			require.Contains(t, c.Messages[3].Content, answer)
		case "verdict_note":
			require.Contains(t, schema, `"enum":["101","102","103"]`)
			require.Contains(t, c.Last(), "reasons")
		}
	}
	require.Len(t, ballots, 4)
}

func TestDeliberateReasksAStatementNamingThePercentage(t *testing.T) {
	tests := []struct {
		name   string
		faults []openaitest.Fault
		reasks int
		quoted bool
	}{
		{"fixed on the re-ask", []openaitest.Fault{openaitest.ForeignPercentage}, 1, true},
		{"still wrong after two re-asks", []openaitest.Fault{openaitest.ForeignPercentage, openaitest.ForeignPercentage, openaitest.ForeignPercentage}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Script(openaitest.Statement("The Contrarian"), tt.faults...)
			r, usage, err := newPanel(t, srv).Deliberate(context.Background(), openaitest.SampleOccupation())
			require.NoError(t, err, "a statement never fails the verdict")
			require.Equal(t, 9+tt.reasks, srv.Count())
			require.Equal(t, srv.Count(), usage.Calls)
			require.Equal(t, tt.reasks, usage.Reasks)

			var contrarian jury.JurorResult
			for _, j := range r.Jurors {
				require.True(t, j.Valid, "%s keeps its ballot", j.Persona)
				if j.Persona == "contrarian" {
					contrarian = j
				} else {
					require.NotEmpty(t, j.Quote)
				}
			}
			// The re-ask names the problem.
			var reasks int
			for _, req := range srv.Requests() {
				if openaitest.Statement("The Contrarian")(req.Chat) && len(req.Chat.Messages) > 5 {
					reasks++
					require.Contains(t, req.Chat.Last(), "quote names 101 %, but the only percentages it may name are the headline")
				}
			}
			require.Equal(t, tt.reasks, reasks)
			if tt.quoted {
				require.NotEmpty(t, contrarian.Quote)
				require.NotContains(t, contrarian.Quote, "101")
				require.Empty(t, contrarian.StatementProblems)
				return
			}
			require.Empty(t, contrarian.Quote, "shown without a quote")
			require.Empty(t, contrarian.Reaction)
			require.Equal(t, []string{fmt.Sprintf("quote names 101 %%, but the only percentages it may name are the headline %d %% and your own score %d %%",
				r.Headline, contrarian.Score)}, contrarian.StatementProblems)
			require.Len(t, r.Tasks[0].Votes, 4, "its ballot still counts")
		})
	}
}

func TestDeliberateCountsRetriesAndReasksExactly(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Juror("The Diplomat"), openaitest.Reset, openaitest.NotJSON)
	srv.Script(openaitest.Juror("The Chaos Agent"), openaitest.ServerError, openaitest.Unavailable)
	srv.Script(openaitest.Juror("The Contrarian"), openaitest.MissingTask, openaitest.Refusal)
	srv.Script(openaitest.Juror("The Optimist"), openaitest.Hang, openaitest.UnknownTask)
	srv.Script(openaitest.Foreperson, openaitest.Truncated, openaitest.RateLimit("1"))
	p := newPanelWithTimeout(t, srv, hangTimeout)
	r, usage, err := p.Deliberate(context.Background(), openaitest.SampleOccupation())
	require.NoError(t, err)
	// Diplomat 3 (1 retry, 1 re-ask), Chaos 3 (2 retries), Contrarian 3
	// (2 re-asks), Optimist 3 (1 retry, 1 re-ask), four statements,
	// foreperson 3 (1 re-ask, 1 retry).
	require.Equal(t, 19, srv.Count())
	require.Equal(t, 19, usage.Calls)
	require.Equal(t, 5, usage.Retries)
	require.Equal(t, 5, usage.Reasks)
	require.Equal(t, usage, r.Usage)
	for _, j := range r.Jurors {
		require.True(t, j.Valid, "%s: %v", j.Persona, j.Problems)
	}

	// A re-ask sends the problems as a new user message; a refusal is not
	// echoed back as an empty assistant message.
	var sawRefusalReask, sawNotJSONReask bool
	for _, req := range srv.Requests() {
		msgs := req.Chat.Messages
		first := 3 // a ballot or the foreperson's request; a statement continues a ballot's
		if req.Chat.SchemaName() == "statement" {
			first = 5
		}
		if len(msgs) <= first {
			continue
		}
		last := msgs[len(msgs)-1]
		require.Equal(t, "user", last.Role)
		require.Contains(t, last.Content, "Its problems:")
		for _, m := range msgs {
			require.NotEmpty(t, m.Content, "no empty message is sent")
		}
		if strings.Contains(last.Content, "refused") {
			sawRefusalReask = true
			require.Equal(t, "user", msgs[len(msgs)-2].Role, "the refusal is not echoed back")
		}
		if strings.Contains(last.Content, "not valid JSON") {
			sawNotJSONReask = true
			require.Equal(t, "assistant", msgs[len(msgs)-2].Role, "a bad answer is shown back to the model")
		}
	}
	require.True(t, sawRefusalReask)
	require.True(t, sawNotJSONReask)
}

func TestDeliberateSurvivesAFifthTransportFaultsAndAFifthBadAnswers(t *testing.T) {
	srv := openaitest.New(t)
	transport := []openaitest.Fault{openaitest.Reset, openaitest.ServerError, openaitest.Unavailable, openaitest.MalformedBody}
	bad := []openaitest.Fault{openaitest.MissingTask, openaitest.NotJSON, openaitest.Refusal, openaitest.Truncated}
	// Faults follow from each request, not from the order in which the
	// four jurors' calls arrive: a first ask fails in transport, its retry
	// answers badly, and the re-ask that follows is answered.
	srv.ByRequest(func(c openaitest.ChatRequest, attempt int) openaitest.Fault {
		pick := int(openaitest.Uniform(c.Key()) * 4)
		switch {
		case c.IsReask():
			return openaitest.OK
		case attempt == 0:
			return transport[pick]
		case attempt == 1:
			return bad[pick]
		}
		return openaitest.OK
	})
	p := newPanel(t, srv)
	p.MaxReasks = 4 // with faults this dense, a juror can draw three bad answers in a row
	r, usage, err := p.Deliberate(context.Background(), openaitest.SampleOccupation())
	require.NoError(t, err)

	var faults, badAnswers int
	for _, req := range srv.Requests() {
		switch req.Fault {
		case openaitest.Reset, openaitest.ServerError, openaitest.Unavailable, openaitest.MalformedBody:
			faults++
		case openaitest.MissingTask, openaitest.NotJSON, openaitest.Refusal, openaitest.Truncated:
			badAnswers++
		}
	}
	require.Positive(t, faults)
	require.Positive(t, badAnswers)
	require.Equal(t, srv.Count(), usage.Calls, "calls equal what the provider counted")
	require.Equal(t, faults, usage.Retries)
	require.Equal(t, badAnswers, usage.Reasks)
	require.Equal(t, usage.Calls, 9+usage.Retries+usage.Reasks)
	require.Equal(t, usage, r.Usage)
}

func TestDeliberateWithoutQuorumNamesEachJurorsProblems(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Juror("The Diplomat"), openaitest.MissingTask, openaitest.MissingTask, openaitest.MissingTask)
	srv.Script(openaitest.Juror("The Optimist"), openaitest.Refusal, openaitest.Refusal, openaitest.Refusal)
	_, usage, err := newPanel(t, srv).Deliberate(context.Background(), openaitest.SampleOccupation())
	require.ErrorIs(t, err, jury.ErrNoQuorum)
	require.Contains(t, err.Error(), "The Diplomat: tasks missing")
	require.Contains(t, err.Error(), "The Optimist: the model refused")
	require.Contains(t, err.Error(), "2 of 4 ballots valid")
	require.Equal(t, 3+3+1+1, srv.Count(), "re-asked twice each, then no foreperson")
	require.Equal(t, 8, usage.Calls)
	require.Equal(t, 4, usage.Reasks)
}

func TestDeliberateStopsOnQuota(t *testing.T) {
	srv := openaitest.New(t)
	srv.Every(func(int) openaitest.Fault { return openaitest.Quota })
	_, usage, err := newPanel(t, srv).Deliberate(context.Background(), openaitest.SampleOccupation())
	require.Error(t, err)
	require.Equal(t, llm.Quota, llm.KindOf(err))
	require.True(t, llm.Fatal(err))
	require.Contains(t, err.Error(), "insufficient_quota")
	require.LessOrEqual(t, srv.Count(), 4, "no retry, no re-ask, no foreperson")
	// Calls cancelled by the first quota error may or may not have left.
	require.LessOrEqual(t, usage.Calls, 4)
	require.Zero(t, usage.Retries)
	require.Zero(t, usage.Reasks)
}

func TestDeliberateForepersonFailureFailsTheVerdict(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Foreperson, openaitest.NotJSON, openaitest.NotJSON, openaitest.NotJSON)
	_, _, err := newPanel(t, srv).Deliberate(context.Background(), openaitest.SampleOccupation())
	require.ErrorIs(t, err, deliberation.ErrForeperson)
	require.False(t, errors.Is(err, jury.ErrInvalid), "a failed verdict is not bad input")
	require.Equal(t, 4+4+3, srv.Count())
}

func TestDeliberateCancelledContextStopsEveryJuror(t *testing.T) {
	srv := openaitest.New(t)
	srv.Every(func(int) openaitest.Fault { return openaitest.Hang })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once every juror's request hangs at the server, however
		// long the machine took to send them.
		<-srv.Arrived(4)
		cancel()
	}()
	// With an hour per attempt, only the cancelled context can end this.
	_, usage, err := newPanelWithTimeout(t, srv, time.Hour).Deliberate(ctx, openaitest.SampleOccupation())
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 4, srv.Count(), "every juror asked once, none retried")
	require.Equal(t, 4, usage.Calls)
}

func TestDeliberateRejectsInvalidOccupation(t *testing.T) {
	srv := openaitest.New(t)
	occ := openaitest.SampleOccupation()
	occ.Tasks[1].ID = occ.Tasks[0].ID
	_, _, err := newPanel(t, srv).Deliberate(context.Background(), occ)
	require.ErrorIs(t, err, jury.ErrInvalid)
	require.Zero(t, srv.Count())
}
