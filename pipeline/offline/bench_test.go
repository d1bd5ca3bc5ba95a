package offline_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline"
	"github.com/onet-jury/jury/pipeline/batch"
	"github.com/onet-jury/jury/pipeline/deliberation"
	"github.com/onet-jury/jury/pipeline/llm"
	"github.com/onet-jury/jury/pipeline/offline"
	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/onet-jury/jury/prompts"
)

// catalogOccupations reads every occupation of the shared catalog, or
// skips the benchmark when ../shared is absent.
func catalogOccupations(b *testing.B) []jury.Occupation {
	b.Helper()
	if _, err := os.Stat(sharedTasks); err != nil {
		b.Skip("../shared/data/gpts-are-gpts absent: skipping the offline catalog benchmark")
	}
	cat, err := onet.ReadCatalog(sharedTasks, "")
	require.NoError(b, err)
	var occs []jury.Occupation
	for _, code := range cat.Codes() {
		occ, err := cat.Occupation(code)
		require.NoError(b, err)
		occs = append(occs, occ)
	}
	return occs
}

// BenchmarkOfflineCatalog is `jury batch --offline` over the whole shared
// catalog (923 occupations) in process: the default panel on the offline
// juror behind a meter, every verdict deliberated, validated and written
// (pages, manifest, index) into a fresh folder. Its CPU time is issue
// 17's "offline catalog in ≤ 3 s of CPU" less the process start; profile
// it with
//
//	go test ./pipeline/offline -run '^$' -bench OfflineCatalog -benchtime 1x -cpuprofile /tmp/off.prof
func BenchmarkOfflineCatalog(b *testing.B) {
	occs := catalogOccupations(b)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ResetTimer()
	for i := range b.N {
		off, err := offline.New()
		require.NoError(b, err)
		st := &llm.Stack{Meter: llm.NewMeter(llm.DefaultPrices(), 0), Logger: quiet}
		panel := deliberation.NewPanel(prompts.Default(), deliberation.Seat{Model: st.WrapLocal(off, "offline", ""),
			ModelName: llm.OfflineModelName, Provider: "offline"})
		panel.Version, panel.Weights, panel.Logger = pipeline.Version, off.Weights(), quiet
		run := &batch.Runner{Panel: panel, Out: filepath.Join(b.TempDir(), strconv.Itoa(i)), Concurrency: 16, Logger: quiet}
		res, err := run.Run(context.Background(), occs)
		require.NoError(b, err)
		require.Equal(b, len(occs), res.Done)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(occs)), "ns/occupation")
}
