// Command jury-bench measures `jury batch` against a fake OpenAI-compatible
// server with real latency and a hard rate limit (limits learned, three
// runs; a storm told four times the limit), reruns it on the cache, runs
// the catalog at a high limit (CPU per call, list price) and through the
// Batch API, synthetic catalogs of 923 and 10,000 occupations (peak RSS),
// and the whole catalog offline. `make bench` runs it; -rows picks rows.
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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/onet-jury/jury/jury"
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
	repeat          int
	synthetic       string
	vias            []string
	rows            map[string]bool
}

// allRows are the benchmark's rows, in the order they run.
var allRows = []string{"limited", "storm", "resume", "cache", "high", "batchapi", "synthetic", "offline"}

// highRPM is the limit of the high-limit rows' server: 10,000 requests a
// second, more than two cores can send.
const highRPM = 600000

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var c config
	var rows string
	fs := flag.NewFlagSet("jury-bench", flag.ContinueOnError)
	fs.StringVar(&c.bin, "bin", ".build/jury", "the jury binary to measure")
	fs.StringVar(&c.tasks, "tasks", "../shared/data/gpts-are-gpts/onet_tasks.tsv", "O*NET task file")
	fs.IntVar(&c.occupations, "n", 200, "occupations in the rate-limited run")
	fs.IntVar(&c.rpm, "rpm", 3000, "the fake server's hard requests-per-minute limit")
	fs.DurationVar(&c.latency, "latency", 200*time.Millisecond, "the fake server's mean latency")
	fs.DurationVar(&c.jitter, "jitter", 50*time.Millisecond, "the fake server's latency spread (±)")
	fs.IntVar(&c.concurrency, "concurrency", 32, "occupations in flight in the rate-limited runs")
	fs.IntVar(&c.repeat, "repeat", 3, "runs of the rate-limited batch with limits learned (the spread of wall ÷ ideal)")
	fs.StringVar(&c.synthetic, "synthetic", "923,10000", "sizes of the synthetic catalogs (openaitest.Occupations) measured for peak RSS")
	vias := fs.String("vias", "sync,batch-api", "how the synthetic rows call the model: sync, batch-api or both")
	fs.StringVar(&rows, "rows", strings.Join(allRows, ","), "rows to run: "+strings.Join(allRows, ","))
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.rows = map[string]bool{}
	for _, v := range strings.Split(*vias, ",") {
		if v != "sync" && v != "batch-api" {
			return fmt.Errorf("-vias: unknown via %q (want sync, batch-api)", v)
		}
		c.vias = append(c.vias, v)
	}
	for _, r := range strings.Split(rows, ",") {
		if !slices.Contains(allRows, r) {
			return fmt.Errorf("-rows: unknown row %q (want %s)", r, strings.Join(allRows, ","))
		}
		c.rows[r] = true
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
	start := func(opts ...openaitest.Option) (*openaitest.Server, []string) {
		srv := openaitest.Start(append([]openaitest.Option{latency, openaitest.WithoutBodies()}, opts...)...)
		return srv, append(os.Environ(), "OPENAI_API_KEY=bench-key", "OPENAI_BASE_URL="+srv.URL())
	}
	batchArgs := func(out string, extra ...string) []string {
		return append([]string{"batch", "--tasks", c.tasks, "--only", "@" + only, "--out", out, "--log-format", "json"}, extra...)
	}

	fmt.Fprintf(stdout, "jury batch benchmark on %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(stdout, "fake server: latency %v ± %v, %d requests/min enforced per one-second window (429 + retry-after), sends x-ratelimit-limit-requests, caches prompt prefixes\n", c.latency, c.jitter, c.rpm)
	fmt.Fprintf(stdout, "peak RSS is the child's VmHWM; list prices are gpt-4o-mini's, the Batch API at half\n\n")
	fmt.Fprintf(stdout, "%-34s %7s %9s %9s %6s %6s %10s %9s\n", "run", "calls", "wall", "ideal", "ratio", "429s", "cpu/call", "peak RSS")

	out := filepath.Join(tmp, "out")
	// The last of these runs' server answers the resume and cache rows:
	// the cache's keys name the endpoint.
	var last *openaitest.Server
	var lastEnv []string
	defer func() {
		if last != nil {
			last.Close()
		}
	}()
	if c.rows["limited"] || c.rows["resume"] || c.rows["cache"] {
		var ratios []float64
		for i := range max(1, c.repeat) {
			if !c.rows["limited"] && i > 0 {
				break
			}
			os.RemoveAll(out)
			if last != nil {
				last.Close()
			}
			srv, env := start(openaitest.WithWindowLimit(c.rpm))
			last, lastEnv = srv, env
			// limits learned from the server: no --rpm/--tpm
			first, err := measure(ctx, c.bin, batchArgs(out, "--concurrency", fmt.Sprint(c.concurrency)), env, out)
			if err != nil {
				return err
			}
			ratio := first.print(stdout, fmt.Sprintf("%d occupations, limits learned", c.occupations), c.rpm, srv.RateLimited())
			ratios = append(ratios, ratio)
			cachedT, promptT := srv.CachedTokens()
			fmt.Fprintf(stdout, "  prompt tokens per verdict %d, cached share %.1f %%, 429 share %.2f %%, limits: %s, list price %s per verdict\n",
				first.LastRun.PromptTokens/max(1, first.LastRun.Done), 100*float64(cachedT)/float64(max(1, promptT)),
				100*float64(srv.RateLimited())/float64(max(1, srv.Count())), first.LastRun.BoundBy, first.perVerdict())
		}
		if len(ratios) > 1 {
			fmt.Fprintf(stdout, "  wall ÷ ideal over %d runs: %.3f–%.3f (median %.3f)\n", len(ratios), slices.Min(ratios), slices.Max(ratios), median(ratios))
		}
	}

	if c.rows["storm"] {
		// Told four times what the server allows.
		storm, stormEnv := start(openaitest.WithWindowLimit(c.rpm))
		stormOut := filepath.Join(tmp, "storm")
		st, err := measure(ctx, c.bin, batchArgs(stormOut, "--rpm", fmt.Sprint(4*c.rpm), "--tpm", "0", "--concurrency", fmt.Sprint(c.concurrency)), stormEnv, stormOut)
		storm.Close()
		if err != nil {
			return err
		}
		st.print(stdout, fmt.Sprintf("storm: told --rpm %d", 4*c.rpm), c.rpm, storm.RateLimited())
		total, late, lateLimited := storm.RateLimitedAfter(10 * time.Second)
		fmt.Fprintf(stdout, "  429s after the first 10 s: %d of %d (%.2f %%); all: %d of %d\n", lateLimited, late, 100*float64(lateLimited)/float64(max(1, late)), storm.RateLimited(), total)
	}

	if c.rows["resume"] || c.rows["cache"] {
		env := lastEnv
		args := batchArgs(out, "--concurrency", fmt.Sprint(c.concurrency))
		if c.rows["resume"] {
			again, err := measure(ctx, c.bin, args, env, out)
			if err != nil {
				return err
			}
			again.print(stdout, "same batch again (resume)", 0, 0)
		}
		if c.rows["cache"] {
			// The reports gone, the cache kept: every answer from disk.
			for _, code := range codes[:c.occupations] {
				os.RemoveAll(filepath.Join(out, code))
			}
			cached, err := measure(ctx, c.bin, args, env, out)
			if err != nil {
				return err
			}
			cached.print(stdout, "reports rebuilt from cache", 0, 0)
		}
	}

	all := func(out string, extra ...string) []string {
		return append([]string{"batch", "--tasks", c.tasks, "--out", out, "--log-format", "json"}, extra...)
	}
	if c.rows["high"] {
		srv, env := start(openaitest.WithWindowLimit(highRPM))
		hiOut := filepath.Join(tmp, "high")
		hi, err := measure(ctx, c.bin, all(hiOut, "--concurrency", "64"), env, hiOut)
		srv.Close()
		if err != nil {
			return err
		}
		hi.print(stdout, fmt.Sprintf("all %d occupations, high limit", len(codes)), 0, 0)
		fmt.Fprintf(stdout, "  list price %s per verdict, %s for the catalog (sync)\n", hi.perVerdict(), hi.catalog(len(codes)))
	}
	if c.rows["batchapi"] {
		srv, env := start(openaitest.WithWindowLimit(highRPM))
		baOut := filepath.Join(tmp, "batchapi")
		ba, err := measure(ctx, c.bin, all(baOut, "--via", "batch-api", "--batch-poll", "200ms", "--batch-collect", "500ms"), env, baOut)
		srv.Close()
		if err != nil {
			return err
		}
		ba.print(stdout, fmt.Sprintf("all %d occupations, Batch API", len(codes)), 0, 0)
		fmt.Fprintf(stdout, "  list price %s per verdict, %s for the catalog (Batch API)\n", ba.perVerdict(), ba.catalog(len(codes)))
	}

	if c.rows["synthetic"] {
		for _, f := range strings.Split(c.synthetic, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return fmt.Errorf("-synthetic %q: want sizes such as 923,10000", c.synthetic)
			}
			file := filepath.Join(tmp, fmt.Sprintf("synthetic-%d.tsv", n))
			if err := writeTaskFile(file, openaitest.Occupations(n)); err != nil {
				return err
			}
			for _, via := range c.vias {
				// No prompt cache: its prefixes would fill this process.
				srv, env := start(openaitest.WithWindowLimit(highRPM), openaitest.WithoutPromptCache())
				synOut := filepath.Join(tmp, fmt.Sprintf("synthetic-%d-%s", n, via))
				args := []string{"batch", "--tasks", file, "--out", synOut, "--log-format", "json", "--via", via}
				if via == "sync" {
					args = append(args, "--concurrency", "64")
				} else {
					args = append(args, "--batch-poll", "200ms", "--batch-collect", "500ms")
				}
				r, err := measure(ctx, c.bin, args, env, synOut)
				srv.Close()
				os.RemoveAll(synOut)
				if err != nil {
					return err
				}
				r.print(stdout, fmt.Sprintf("%d synthetic, %s", n, via), 0, 0)
			}
		}
	}

	if c.rows["offline"] {
		offEnv := append(os.Environ(), "OPENAI_API_KEY=")
		offOut := filepath.Join(tmp, "offline")
		offline, err := measure(ctx, c.bin, all(offOut, "--offline"), offEnv, offOut)
		if err != nil {
			return err
		}
		offline.print(stdout, fmt.Sprintf("all %d occupations, offline", len(codes)), 0, 0)
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// writeTaskFile writes occupations as an O*NET task file.
func writeTaskFile(path string, occs []jury.Occupation) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, "\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\tcoreweight\tequalweight\n")
	row := 0
	for _, o := range occs {
		for _, t := range o.Tasks {
			typ := "Core"
			if t.Type == jury.Supplemental {
				typ = "Supplemental"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t2\t1\n", row, o.Code, t.ID, t.Text, typ, o.Title)
			row++
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type result struct {
	Wall time.Duration
	// CPU is User plus Sys: the process's time in its own code and in
	// the kernel (file system calls among it).
	CPU, User, Sys time.Duration
	MaxRSSKB       int64
	LastRun        struct {
		Calls        int     `json:"calls"`
		PromptTokens int     `json:"prompt_tokens"`
		BoundBy      string  `json:"bound_by"`
		CacheHits    int     `json:"cache_hits"`
		RateLimited  int     `json:"rate_limited"`
		Done         int     `json:"done"`
		Failed       int     `json:"failed"`
		AlreadyDone  int     `json:"already_done"`
		CostUSD      float64 `json:"cost_usd"`
	}
}

// perVerdict is the list price of one verdict done.
func (r *result) perVerdict() string {
	return fmt.Sprintf("$%.5f", r.LastRun.CostUSD/float64(max(1, r.LastRun.Done)))
}

// catalog is the list price of n verdicts at this run's price per verdict.
func (r *result) catalog(n int) string {
	return fmt.Sprintf("$%.2f", r.LastRun.CostUSD/float64(max(1, r.LastRun.Done))*float64(n))
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
	// The child's rusage maxrss starts at this process's own peak (the
	// child shares its memory until exec), so the peak is read from the
	// child's /proc/PID/status while it runs.
	hwm := make(chan int64)
	done := make(chan struct{})
	go func() {
		var peak int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := vmHWM(cmd.Process.Pid); kb > peak {
				peak = kb
			}
			select {
			case <-done:
				hwm <- peak
				return
			case <-t.C:
			}
		}
	}()
	var tail []string
	sc := bufio.NewScanner(stderr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if tail = append(tail, sc.Text()); len(tail) > 5 {
			tail = tail[1:]
		}
	}
	close(done)
	peak := <-hwm
	err = cmd.Wait()
	r := &result{Wall: time.Since(start), MaxRSSKB: peak}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil // items failed: last-run.json counts them
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, strings.Join(tail, "\n"))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.User, r.Sys = time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
		r.CPU = r.User + r.Sys
	}
	data, err := os.ReadFile(filepath.Join(out, "last-run.json"))
	if err != nil {
		return nil, errors.New("no last-run.json: " + err.Error())
	}
	return r, json.Unmarshal(data, &r.LastRun)
}

// vmHWM returns a process's peak resident set size in KB, 0 once gone.
func vmHWM(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// print writes the run's row and returns its wall ÷ ideal (0 without a
// limit).
func (r *result) print(w io.Writer, name string, rpm, serverLimited int) float64 {
	ideal, ratio, x := "-", "-", 0.0
	if rpm > 0 && r.LastRun.Calls > 0 {
		id := time.Duration(float64(r.LastRun.Calls) / float64(rpm) * float64(time.Minute))
		x = r.Wall.Seconds() / id.Seconds()
		ideal, ratio = id.Round(10*time.Millisecond).String(), fmt.Sprintf("%.3f", x)
	}
	perCall := "-"
	if r.LastRun.Calls > 0 {
		perCall = (r.CPU / time.Duration(r.LastRun.Calls)).Round(time.Microsecond).String()
	}
	limited := max(r.LastRun.RateLimited, serverLimited)
	fmt.Fprintf(w, "%-34s %7d %9s %9s %6s %6d %10s %7.1fMB   (done %d, failed %d, kept %d, cache hits %d, cpu %s = %s user + %s sys)\n",
		name, r.LastRun.Calls, r.Wall.Round(10*time.Millisecond), ideal, ratio, limited, perCall, float64(r.MaxRSSKB)/1024,
		r.LastRun.Done, r.LastRun.Failed, r.LastRun.AlreadyDone, r.LastRun.CacheHits, r.CPU.Round(time.Millisecond), r.User.Round(time.Millisecond), r.Sys.Round(time.Millisecond))
	return x
}
