package exposure

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/stretchr/testify/require"
)

// catalogTask is one row of onet_tasks.tsv.
type catalogTask struct {
	code, title, typ, text string
}

// catalog reads onet_tasks.tsv or skips when the shared data is absent.
func catalog(tb testing.TB) []catalogTask {
	tb.Helper()
	path := filepath.Join(dataDir, "onet_tasks.tsv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skip("../shared/data/gpts-are-gpts absent: skipping tests on the O*NET task catalogue")
	}
	require.NoError(tb, err)
	defer f.Close()
	t, err := onet.ReadTable(f, path)
	require.NoError(tb, err)
	cols, err := t.Columns("O*NET-SOC Code", "Title", "Task Type", "Task")
	require.NoError(tb, err)
	tasks := make([]catalogTask, len(t.Rows))
	for i, r := range t.Rows {
		tasks[i] = catalogTask{r.Fields[cols[0]], r.Fields[cols[1]], r.Fields[cols[2]], r.Fields[cols[3]]}
	}
	return tasks
}

func TestDefault(t *testing.T) {
	require.Less(t, len(embeddedWeights), 1<<20, "embedded %s must stay under 1 MiB", WeightsFile)
	m, err := Default()
	require.NoError(t, err)
	require.Greater(t, m.Features(), 1000, "embedded weights look untrained: run `go run ./cmd/jury-model train`")
	require.Regexp(t, `^sha256:[0-9a-f]{16}$`, m.Hash())
	resealed, err := (&Model{features: m.features, bias: m.bias, weights: m.weights, meta: m.meta}).seal()
	require.NoError(t, err)
	require.Equal(t, resealed.Hash(), m.Hash(), "the hash of the embedded bytes is that of the model encoded again (the file is what Marshal wrote)")
	again, err := Default()
	require.NoError(t, err)
	require.Same(t, m, again)

	tests := []struct {
		code, title, typ, text string
		lo, hi                 int
	}{
		{"29-2072.00", "Medical Records Specialists", "", "Transcribe medical reports.", 40, MaxScore},
		{"29-2072.00", "Medical Records Specialists", "Core", "Enter data, such as demographic characteristics, history and extent of disease, diagnostic procedures, or treatment into computer.", 40, MaxScore},
		{"47-2021.00", "Brickmasons and Blockmasons", "Core", "Lay bricks, stone, or similar materials to construct or repair walls, partitions, arches, sewers, and other structures.", 0, 20},
		{"47-2021.00", "Brickmasons and Blockmasons", "core", "Lay and align bricks, blocks, or tiles to build or repair structures or high temperature equipment, such as cupola, kilns, ovens, or furnaces.", 0, 20},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			p := m.Predict(tt.code, tt.title, tt.typ, tt.text)
			require.InDelta(t, 1, p[0]+p[1]+p[2], 1e-9)
			require.GreaterOrEqual(t, p.Score(), tt.lo, "probs %v", p)
			require.LessOrEqual(t, p.Score(), tt.hi, "probs %v", p)
		})
	}
}

// TestMedicalRecordsSpecialists checks the occupation the published
// reference page scores at 83 %: its human labels put 88 % of the
// core-weighted task time in E1 or E2, 66 on Score's scale (75 × 0.88),
// and the core-weighted mean task score of 29-2072.00 must land within
// 10 points of that.
func TestMedicalRecordsSpecialists(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	var sum, weight float64
	n := 0
	for _, task := range catalog(t) {
		if task.code != "29-2072.00" {
			continue
		}
		w := 1.0
		if task.typ == "Core" {
			w = 2
		}
		sum += w * float64(m.Predict(task.code, task.title, task.typ, task.text).Score())
		weight += w
		n++
	}
	require.Equal(t, 17, n)
	mean := sum / weight
	t.Logf("29-2072.00 Medical Records Specialists: core-weighted mean score %.1f over %d tasks", mean, n)
	require.InDelta(t, 66, mean, 10, "mean score %.1f: the humans' figure is 66", mean)
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not json", "weights", "decode exposure weights"},
		{"wrong format", `{"format":"other/1","classes":["E0","E1","E2"]}`, `format "other/1"`},
		{"wrong classes", `{"format":"jury-exposure-logreg/2","classes":["E1","E0","E2"]}`, "classes"},
		{"unknown field", `{"format":"jury-exposure-logreg/2","classes":["E0","E1","E2"],"extra":1}`, "unknown field"},
		{"truncated gzip", "\x1f\x8b\x08\x00", "decompress exposure weights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.data))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// BenchmarkPredictCatalog predicts every task of onet_tasks.tsv once per
// iteration.
func BenchmarkPredictCatalog(b *testing.B) {
	m, err := Default()
	require.NoError(b, err)
	tasks := catalog(b)
	b.ReportAllocs()
	sink := 0.0
	for b.Loop() {
		for _, task := range tasks {
			sink += m.Predict(task.code, task.title, task.typ, task.text).Beta()
		}
	}
	if math.IsNaN(sink) {
		b.Fatal("NaN prediction")
	}
	b.ReportMetric(float64(len(tasks)), "tasks/op")
}

func ExampleModel_Predict() {
	m, err := Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	p := m.Predict("47-2021.00", "Brickmasons and Blockmasons", "core", "Lay bricks, stone, or similar materials to construct or repair walls.")
	fmt.Println(p.Label())
	p = m.Predict("29-2072.00", "Medical Records Specialists", "n/a", "Transcribe medical reports.")
	fmt.Println(p.Score() > 50)
	// Output:
	// E0
	// true
}
