package llm_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/openaitest"
)

// BenchmarkSixtyMegabyteAnswer sends the OpenAI client a 60 MB answer and
// reports the process's peak RSS (VmHWM): the answer is left unread past
// llm.MaxAnswerBytes, so memory stays far below the 200 MB target (it took
// 3.9 GB before the cap). The server streams the body from a small
// buffer rather than holding it (openaitest.Raw would hold 60 MB in this
// very process and measure itself).
func BenchmarkSixtyMegabyteAnswer(b *testing.B) {
	const size = 60 << 20
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"choices":[{"index":0,"message":{"role":"assistant","content":"`))
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.Write([]byte(`"},"finish_reason":"stop"}]}`))
	}))
	defer srv.Close()
	client := llm.NewOpenAI(llm.OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL + "/v1"})
	req := openaitest.BallotRequest(b)
	for b.Loop() {
		if _, err := client.Complete(context.Background(), req); !errors.Is(err, llm.ErrAnswerTooLarge) {
			b.Fatalf("want ErrAnswerTooLarge, got %v", err)
		}
	}
	if mb := peakRSSMB(); mb > 0 {
		b.ReportMetric(mb, "peak-RSS-MB")
		if mb > 200 {
			b.Fatalf("peak RSS %.0f MB: over 200 MB", mb)
		}
	}
}

// peakRSSMB is the process's peak resident set (VmHWM), 0 where
// /proc/self/status is not there.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
