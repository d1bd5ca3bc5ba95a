package llm_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/onet-jury/jury/pipeline/llm"
)

// A model that fails once with a 503 and then answers: Retry sends the
// same request again after a backoff, and the answer's usage counts both
// calls.
func ExampleRetry() {
	calls := 0
	flaky := llm.ModelFunc(func(ctx context.Context, req llm.Request) (llm.Response, error) {
		calls++
		if calls == 1 {
			return llm.Response{}, &llm.Error{Kind: llm.Transient, Provider: "example", Status: 503, Usage: llm.Usage{Calls: 1}}
		}
		return llm.Response{Content: "ok", Usage: llm.Usage{Calls: 1}}, nil
	})
	var waited time.Duration
	model := llm.Retry(flaky, llm.RetryPolicy{
		Sleep:  func(ctx context.Context, d time.Duration) error { waited += d; return nil },
		Jitter: func() float64 { return 0 },
	})
	resp, err := model.Complete(context.Background(), llm.Request{Model: "gpt-4o-mini"})
	fmt.Println(resp.Content, err)
	fmt.Printf("calls %d, retries %d, waited %v\n", resp.Usage.Calls, resp.Usage.Retries, waited)
	// Output:
	// ok <nil>
	// calls 2, retries 1, waited 500ms
}

// A Store in replay-or-record mode calls the model once per distinct
// request and answers repeats from disk, with what the answer cost.
func ExampleStore() {
	dir, _ := os.MkdirTemp("", "cassettes")
	defer os.RemoveAll(dir)
	calls := 0
	model := llm.ModelFunc(func(ctx context.Context, req llm.Request) (llm.Response, error) {
		calls++
		return llm.Response{Content: `{"answer": 42}`, Usage: llm.Usage{Calls: 1, PromptTokens: 12}}, nil
	})
	store := llm.NewStore(model, dir, llm.ReplayOrRecord, "example")
	req := llm.Request{Model: "gpt-4o-mini", Messages: []llm.Message{{Role: "user", Content: "The answer?"}}}
	for range 3 {
		resp, _ := store.Complete(context.Background(), req)
		fmt.Println(resp.Content, resp.Usage.PromptTokens)
	}
	fmt.Printf("model called %d time(s), %d answers from disk\n", calls, store.Hits())
	// Output:
	// {"answer": 42} 12
	// {"answer": 42} 12
	// {"answer": 42} 12
	// model called 1 time(s), 2 answers from disk
}
