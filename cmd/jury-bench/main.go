// Command jury-bench measures `jury batch` against a fake OpenAI-compatible
// server with real latency and a hard rate limit, then reruns it on the
// cache and runs the whole catalog offline. `make bench` runs it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/pipeline/openaitest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jury-bench:", err)
		os.Exit(1)
	}
}

type config struct {
	bin, tasks      string
	occupations     int
	rpm             int
	latency, jitter time.Duration
	concurrency     int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var c config
	fs := flag.NewFlagSet("jury-bench", flag.ContinueOnError)
	fs.StringVar(&c.bin, "bin", "bin/jury", "the jury binary to measure")
	fs.StringVar(&c.tasks, "tasks", "../shared/data/gpts-are-gpts/onet_tasks.tsv", "O*NET task file")
	fs.IntVar(&c.occupations, "n", 200, "occupations in the rate-limited run")
	fs.IntVar(&c.rpm, "rpm", 3000, "the fake server's hard requests-per-minute limit")
	fs.DurationVar(&c.latency, "latency", 200*time.Millisecond, "the fake server's mean latency")
	fs.DurationVar(&c.jitter, "jitter", 50*time.Millisecond, "the fake server's latency spread (±)")
	fs.IntVar(&c.concurrency, "concurrency", 32, "occupations in flight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(c.tasks); err != nil {
		return fmt.Errorf("%s absent: the benchmark needs the shared task file", c.tasks)
	}
	cat, err := onet.ReadCatalog(c.tasks, "")
	if err != nil {
		return err
	}
	codes := cat.Codes()
	if c.occupations > len(codes) {
		c.occupations = len(codes)
	}
	tmp, err := os.MkdirTemp("", "jury-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	only := filepath.Join(tmp, "only.txt")
	if err := os.WriteFile(only, []byte(strings.Join(codes[:c.occupations], "\n")+"\n"), 0o644); err != nil {
		return err
	}

	latency := openaitest.WithLatency(func() time.Duration {
		return c.latency - c.jitter + time.Duration(rand.Int64N(int64(2*c.jitter)+1))
	})
	srv := openaitest.Start(openaitest.WithWindowLimit(c.rpm), latency)
	defer srv.Close()
	env := append(os.Environ(), "OPENAI_API_KEY=bench-key", "OPENAI_BASE_URL="+srv.URL())
	out := filepath.Join(tmp, "out")
	batchArgs := []string{"batch", "--tasks", c.tasks, "--only", "@" + only, "--out", out,
		"--concurrency", fmt.Sprint(c.concurrency), "--log-format", "json"} // limits learned from the server

	fmt.Fprintf(stdout, "jury batch benchmark on %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(stdout, "fake server: latency %v ± %v, %d requests/min enforced per one-second window (429 + retry-after), sends x-ratelimit-limit-requests, caches prompt prefixes\n\n", c.latency, c.jitter, c.rpm)
	fmt.Fprintf(stdout, "%-28s %7s %9s %9s %6s %6s %11s %9s\n", "run", "calls", "wall", "ideal", "ratio", "429s", "cpu/call", "peak RSS")

	first, err := measure(ctx, c.bin, batchArgs, env, out)
	if err != nil {
		return err
	}
	first.print(stdout, fmt.Sprintf("%d occupations, rate-limited", c.occupations), c.rpm, srv.RateLimited())
	cachedT, promptT := srv.CachedTokens()
	fmt.Fprintf(stdout, "  prompt tokens per verdict %d, cached share %.1f %%, 429 share %.2f %%, limits: %s\n",
		first.LastRun.PromptTokens/max(1, first.LastRun.Done), 100*float64(cachedT)/float64(max(1, promptT)),
		100*float64(srv.RateLimited())/float64(max(1, srv.Count())), first.LastRun.BoundBy)

	// Storm: told four times what the server allows.
	storm := openaitest.Start(openaitest.WithWindowLimit(c.rpm), latency)
	defer storm.Close()
	stormOut := filepath.Join(tmp, "storm")
	stormArgs := []string{"batch", "--tasks", c.tasks, "--only", "@" + only, "--out", stormOut, "--rpm", fmt.Sprint(4 * c.rpm), "--tpm", "0",
		"--concurrency", fmt.Sprint(c.concurrency), "--log-format", "json"}
	stormEnv := append(os.Environ(), "OPENAI_API_KEY=bench-key", "OPENAI_BASE_URL="+storm.URL())
	st, err := measure(ctx, c.bin, stormArgs, stormEnv, stormOut)
	if err != nil {
		return err
	}
	st.print(stdout, fmt.Sprintf("storm: told --rpm %d", 4*c.rpm), c.rpm, storm.RateLimited())
	total, late, lateLimited := storm.RateLimitedAfter(10 * time.Second)
	fmt.Fprintf(stdout, "  429s after the first 10 s: %d of %d (%.2f %%); all: %d of %d\n", lateLimited, late, 100*float64(lateLimited)/float64(max(1, late)), storm.RateLimited(), total)

	again, err := measure(ctx, c.bin, batchArgs, env, out)
	if err != nil {
		return err
	}
	again.print(stdout, "same batch again (resume)", 0, 0)

	// The reports gone, the cache kept: every answer from disk.
	for _, code := range codes[:c.occupations] {
		os.RemoveAll(filepath.Join(out, code))
	}
	cached, err := measure(ctx, c.bin, batchArgs, env, out)
	if err != nil {
		return err
	}
	cached.print(stdout, "reports rebuilt from cache", 0, 0)

	offEnv := append(os.Environ(), "OPENAI_API_KEY=")
	offOut := filepath.Join(tmp, "offline")
	offline, err := measure(ctx, c.bin, []string{"batch", "--tasks", c.tasks, "--out", offOut, "--offline", "--log-format", "json"}, offEnv, offOut)
	if err != nil {
		return err
	}
	offline.print(stdout, fmt.Sprintf("all %d occupations, offline", len(codes)), 0, 0)
	return nil
}

type result struct {
	Wall     time.Duration
	CPU      time.Duration
	MaxRSSKB int64
	LastRun  struct {
		Calls        int    `json:"calls"`
		PromptTokens int    `json:"prompt_tokens"`
		BoundBy      string `json:"bound_by"`
		CacheHits    int    `json:"cache_hits"`
		RateLimited  int    `json:"rate_limited"`
		Done         int    `json:"done"`
		Failed       int    `json:"failed"`
		AlreadyDone  int    `json:"already_done"`
	}
}

func measure(ctx context.Context, bin string, args, env []string, out string) (*result, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var tail []string
	sc := bufio.NewScanner(stderr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if tail = append(tail, sc.Text()); len(tail) > 5 {
			tail = tail[1:]
		}
	}
	err = cmd.Wait()
	r := &result{Wall: time.Since(start)}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil // items failed: last-run.json counts them
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, strings.Join(tail, "\n"))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		r.MaxRSSKB = ru.Maxrss
	}
	data, err := os.ReadFile(filepath.Join(out, "last-run.json"))
	if err != nil {
		return nil, errors.New("no last-run.json: " + err.Error())
	}
	return r, json.Unmarshal(data, &r.LastRun)
}

func (r *result) print(w io.Writer, name string, rpm, serverLimited int) {
	ideal, ratio := "-", "-"
	if rpm > 0 && r.LastRun.Calls > 0 {
		id := time.Duration(float64(r.LastRun.Calls) / float64(rpm) * float64(time.Minute))
		ideal, ratio = id.Round(10*time.Millisecond).String(), fmt.Sprintf("%.3f", r.Wall.Seconds()/id.Seconds())
	}
	perCall := "-"
	if r.LastRun.Calls > 0 {
		perCall = (r.CPU / time.Duration(r.LastRun.Calls)).Round(time.Microsecond).String()
	}
	limited := r.LastRun.RateLimited
	if serverLimited > limited {
		limited = serverLimited
	}
	fmt.Fprintf(w, "%-28s %7d %9s %9s %6s %6d %11s %7.1fMB   (done %d, failed %d, kept %d, cache hits %d, cpu %s)\n",
		name, r.LastRun.Calls, r.Wall.Round(10*time.Millisecond), ideal, ratio, limited, perCall, float64(r.MaxRSSKB)/1024,
		r.LastRun.Done, r.LastRun.Failed, r.LastRun.AlreadyDone, r.LastRun.CacheHits, r.CPU.Round(time.Millisecond))
}
