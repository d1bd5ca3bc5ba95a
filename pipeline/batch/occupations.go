package batch

import (
	"fmt"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/onet"
)

// Occupations reads the occupations of a task file that --only and
// --shard select (see Select), in two passes over the file — its codes,
// then the occupations selected — so that memory holds only those. Every
// error is bad input naming the file or the flag.
func Occupations(tasks onet.TaskFile, only, shard string) ([]jury.Occupation, error) {
	all, err := tasks.Codes()
	if err != nil {
		return nil, err
	}
	codes, err := Select(all, only, shard)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tasks.Path, err)
	}
	cat, err := tasks.Select(codes)
	if err != nil {
		return nil, err
	}
	occs := make([]jury.Occupation, 0, len(codes))
	for _, c := range codes {
		o, err := cat.Occupation(c)
		if err != nil {
			return nil, err
		}
		occs = append(occs, o)
	}
	return occs, nil
}
