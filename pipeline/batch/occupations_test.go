package batch_test

import (
	"cmp"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/onet"
)

func TestOccupationsReadsTheSelectedOccupationsOfATaskFile(t *testing.T) {
	dir := t.TempDir()
	tasks := filepath.Join(dir, "tasks.tsv")
	require.NoError(t, os.WriteFile(tasks, []byte("O*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\n"+
		"15-1003.00\t3.0\tTest code.\tCore\tTesters\n"+
		"15-1001.00\t1.0\tWrite code.\tCore\tProgrammers\n"+
		"15-1002.00\t2.0\tReview code.\tSupplemental\tReviewers\n"), 0o644))
	cases := []struct {
		name, only, shard string
		inFlight          int      // --concurrency; 0 means 4
		want              []string // codes, in order
		wantErr           string
	}{
		{name: "every occupation, sorted", want: []string{"15-1001.00", "15-1002.00", "15-1003.00"}},
		{name: "--only", only: "15-1003.00, 15-1001.00", want: []string{"15-1001.00", "15-1003.00"}},
		{name: "--shard", shard: "1/2", want: []string{"15-1002.00"}},
		{name: "a code the file lacks", only: "15-9999.00", wantErr: "--only: occupation 15-9999.00 is not in the task file"},
		{name: "an empty shard", only: "15-1001.00", shard: "1/2", wantErr: "no occupation selected"},
		{name: "none in flight", inFlight: -1, wantErr: "--concurrency -1: want 1 or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := batch.Options{Only: tc.only, Shard: tc.shard, Concurrency: cmp.Or(tc.inFlight, 4)}
			occs, err := o.Occupations(onet.TaskFile{Path: tasks})
			if tc.wantErr != "" {
				require.ErrorIs(t, err, jury.ErrInvalid)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var codes []string
			for _, o := range occs {
				codes = append(codes, o.Code)
				require.Len(t, o.Tasks, 1, "%s keeps its tasks", o.Code)
			}
			require.Equal(t, tc.want, codes)
		})
	}

	_, err := batch.Occupations(onet.TaskFile{Path: filepath.Join(dir, "missing.tsv")}, "", "")
	require.ErrorIs(t, err, jury.ErrInvalid, "a missing task file is bad input")
}
