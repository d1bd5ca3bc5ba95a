// Command jury-inputbench measures what reading a large task file costs:
// it writes a synthetic O*NET task file of the size asked (500 MB by
// default) into a temporary folder, runs `jury run CODE --tasks FILE
// --offline` on one occupation of it and reports the child's peak
// resident memory and wall time; it fails when the peak passes -max-rss.
// With -batch it also measures `jury batch --only CODE` on the same file.
// `make bench` runs it.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jury-inputbench:", err)
		os.Exit(1)
	}
}

// wanted is the occupation the runs ask for; its tasks are spread over
// the file, first, middle and last rows among them.
const wanted = "29-2072.00"

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jury-inputbench", flag.ContinueOnError)
	bin := fs.String("bin", ".build/jury", "the jury binary to measure")
	sizeMB := fs.Int("size", 500, "size of the synthetic task file, in MB")
	maxRSS := fs.Int("max-rss", 200, "the largest peak RSS of `jury run`, in MB, that passes")
	batch := fs.Bool("batch", true, "also measure `jury batch --only CODE` (reads the whole catalog)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(*bin); err != nil {
		return fmt.Errorf("%s absent: run `make build` first", *bin)
	}
	dir, err := os.MkdirTemp("", "jury-inputbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tasks := filepath.Join(dir, "onet_tasks.tsv")
	rows, err := writeTaskFile(tasks, int64(*sizeMB)<<20)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "task file: %d MB, %d tasks\n", *sizeMB, rows)

	rss, took, err := measure(ctx, *bin, "run", wanted, "--tasks", tasks, "--offline", "--out", filepath.Join(dir, "run"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jury run %s --tasks FILE --offline: peak RSS %d MB, %s\n", wanted, rss>>20, took.Round(10*time.Millisecond))
	if *batch {
		brss, btook, err := measure(ctx, *bin, "batch", "--only", wanted, "--tasks", tasks, "--offline", "--out", filepath.Join(dir, "batch"))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "jury batch --only %s --tasks FILE --offline: peak RSS %d MB, %s\n", wanted, brss>>20, btook.Round(10*time.Millisecond))
	}
	if rss > int64(*maxRSS)<<20 {
		return fmt.Errorf("jury run peaked at %d MB RSS on a %d MB task file: over the %d MB limit", rss>>20, *sizeMB, *maxRSS)
	}
	return nil
}

// measure runs the jury binary and returns its peak RSS in bytes and its
// wall time.
func measure(ctx context.Context, bin string, args ...string) (int64, time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=")
	cmd.Stdout = io.Discard
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s %v: %w: %s", bin, args, err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, errors.New("no resource usage on this system")
	}
	return ru.Maxrss << 10, took, nil // Linux reports kilobytes
}

// writeTaskFile writes a task file in the shape of the shared
// onet_tasks.tsv, about size bytes long, and returns its number of tasks.
// Occupations have 20 tasks each; the wanted one's 17 tasks are spread
// from the first row to the last.
func writeTaskFile(path string, size int64) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: w}
	fmt.Fprint(cw, "\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\tcoreweight\tequalweight\n")
	const text = "Review, evaluate, and approve proposed records, schedules, and reports to ensure that each meets the standards, using software."
	row := 0
	wantedRow := func(k int) {
		fmt.Fprintf(cw, "%d\t%s\t%d\tAssign the patient to diagnosis-related group %d, using computer software.\tCore\tMedical Records Specialists\t2\t1\n", row, wanted, 900000+k, k)
		row++
	}
	wantedRow(0)
	spread := size / 16
	next := spread
	k := 1
	for occ := 0; cw.n < size; occ++ {
		code := fmt.Sprintf("%02d-%04d.%02d", 11+occ/10000%80, occ%10000, occ/800000%100)
		if code == wanted {
			continue
		}
		for i := range 20 {
			fmt.Fprintf(cw, "%d\t%s\t%d\t%s\tCore\tSynthetic Occupation %d\t2\t1\n", row, code, 1+i, text, occ)
			row++
		}
		if cw.n >= next && k < 16 {
			wantedRow(k)
			k++
			next += spread
		}
	}
	for ; k < 17; k++ {
		wantedRow(k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return row, f.Close()
}

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// limitedBuffer keeps the first 4 KB written to it.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
