package batch

import (
	"flag"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/onet"
)

// Options are what `jury batch` is told about its occupations: which of
// the task file it runs and how many at once. Register binds them to
// the command line with its defaults (every occupation, 16 at once).
type Options struct {
	// Only is --only: comma-separated codes, or @FILE (see Select).
	Only string
	// Shard is --shard, "i/n" (see Select).
	Shard string
	// RetryFailed runs only the occupations the manifest marks failed.
	RetryFailed bool
	// Concurrency is how many occupations are in flight: 1 or more.
	Concurrency int
}

// Register adds --only, --shard, --retry-failed and --concurrency.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.Only, "only", "", "comma-separated `codes`, or @FILE with one code a line (# comments)")
	fs.StringVar(&o.Shard, "shard", "", "`i/n`: take every n-th occupation of the sorted list, starting at i (0-based)")
	fs.BoolVar(&o.RetryFailed, "retry-failed", false, "run only the occupations the manifest marks failed")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "occupations in flight (each asks its jurors concurrently)")
}

// Occupations checks the options and reads the occupations of tasks they
// select (Occupations). Every error is bad input naming the file or the
// flag.
func (o Options) Occupations(tasks onet.TaskFile) ([]jury.Occupation, error) {
	if o.Concurrency < 1 {
		return nil, jury.Invalidf("--concurrency %d: want 1 or more", o.Concurrency)
	}
	return Occupations(tasks, o.Only, o.Shard)
}
