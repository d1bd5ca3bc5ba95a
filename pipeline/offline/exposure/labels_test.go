package exposure

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onet-jury/jury/pipeline/onet"
	"github.com/stretchr/testify/require"
)

// dataDir is the shared reference data, relative to this package.
var dataDir = filepath.Join("..", "..", "..", "..", "shared", "data", "gpts-are-gpts")

// trainingLabels reads labels_train.tsv or skips the test when the shared
// data is absent, as in a fresh clone.
func trainingLabels(t testing.TB) []Example {
	t.Helper()
	path := filepath.Join(dataDir, "labels_train.tsv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skip("../shared/data/gpts-are-gpts absent: skipping tests on the labelled tasks")
	}
	require.NoError(t, err)
	defer f.Close()
	ex, err := ReadLabels(f, path)
	require.NoError(t, err)
	return ex
}

const labelsHeader = "\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\thuman_exposure_agg\tgpt4_exposure\talpha\n"

func TestReadLabels(t *testing.T) {
	input := labelsHeader +
		"0\t29-2072.00\t22893.0\tTranscribe medical reports.\t\tMedical Records Specialists\tE1\tE1\t1.0\n" +
		"1\t47-2021.00\t20699.0\tLay bricks.\tCore\tBrickmasons and Blockmasons\tE0\tE0\t0.0\n" +
		"2\t47-2021.00\t20700\tOrder materials.\tSupplemental\tBrickmasons and Blockmasons\tE2\t\t0.0\n" +
		"3\t47-2021.00\t20701\tClean tools.\tn/a\tBrickmasons and Blockmasons\tE0\tE0\t0.0\n"
	got, err := ReadLabels(strings.NewReader(input), "labels.tsv")
	require.NoError(t, err)
	require.Equal(t, []Example{
		{Code: "29-2072.00", Title: "Medical Records Specialists", TaskID: "22893", Text: "Transcribe medical reports.", Type: TypeNA, Label: "E1", GPT4: "E1"},
		{Code: "47-2021.00", Title: "Brickmasons and Blockmasons", TaskID: "20699", Text: "Lay bricks.", Type: TypeCore, Label: "E0", GPT4: "E0"},
		{Code: "47-2021.00", Title: "Brickmasons and Blockmasons", TaskID: "20700", Text: "Order materials.", Type: TypeSupplemental, Label: "E2"},
		{Code: "47-2021.00", Title: "Brickmasons and Blockmasons", TaskID: "20701", Text: "Clean tools.", Type: TypeNA, Label: "E0", GPT4: "E0"},
	}, got)
}

func TestReadLabelsOptionalColumns(t *testing.T) {
	input := "O*NET-SOC Code\tTask ID\tTask\tTitle\thuman_exposure_agg\n" +
		"47-2021.00\t20699.0\tLay bricks.\tBrickmasons and Blockmasons\tE0\n"
	got, err := ReadLabels(strings.NewReader(input), "labels.tsv")
	require.NoError(t, err)
	require.Equal(t, []Example{{Code: "47-2021.00", Title: "Brickmasons and Blockmasons", TaskID: "20699", Text: "Lay bricks.", Type: TypeNA, Label: "E0"}}, got)
	var b strings.Builder
	require.NoError(t, Evaluate(Train(got, TrainOptions{}), got).WriteTable(&b))
	require.Contains(t, b.String(), "n/a", "no gpt4_exposure column: the GPT-4 column shows n/a")
}

func TestReadLabelsErrors(t *testing.T) {
	tests := []struct {
		name, input string
		missing     bool
		want        string
	}{
		{
			name:    "missing label column",
			input:   "O*NET-SOC Code\tTask ID\tTask\tTitle\n47-2021.00\t1\tLay bricks.\tBrickmasons\n",
			missing: true,
			want:    `"human_exposure_agg"`,
		},
		{
			name:    "missing two columns",
			input:   "O*NET-SOC Code\tTask\thuman_exposure_agg\n47-2021.00\tLay bricks.\tE0\n",
			missing: true,
			want:    `"Task ID", "Title"`,
		},
		{
			name:  "bad label",
			input: labelsHeader + "0\t47-2021.00\t1\tLay bricks.\tCore\tBrickmasons\tE0\tE0\t0\n1\t47-2021.00\t2\tMix mortar.\tCore\tBrickmasons\tE3\tE0\t0\n",
			want:  `labels.tsv:3: human_exposure_agg "E3"`,
		},
		{
			name:  "bad GPT-4 label",
			input: labelsHeader + "0\t47-2021.00\t1\tLay bricks.\tCore\tBrickmasons\tE0\tT2\t0\n",
			want:  `labels.tsv:2: gpt4_exposure "T2"`,
		},
		{
			name:  "bad task type",
			input: labelsHeader + "0\t47-2021.00\t1\tLay bricks.\tOptional\tBrickmasons\tE0\tE0\t0\n",
			want:  `labels.tsv:2: Task Type "Optional"`,
		},
		{
			name:  "empty task",
			input: labelsHeader + "0\t47-2021.00\t1\t \tCore\tBrickmasons\tE0\tE0\t0\n",
			want:  "labels.tsv:2: empty",
		},
		{
			name:  "ragged row",
			input: labelsHeader + "0\t47-2021.00\t1\tLay bricks.\n",
			want:  "labels.tsv:2:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadLabels(strings.NewReader(tt.input), "labels.tsv")
			require.Error(t, err)
			require.Equal(t, tt.missing, errors.Is(err, onet.ErrMissingColumn), "wraps onet.ErrMissingColumn: %v", err)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestReadLabelsTrainingFile(t *testing.T) {
	examples := trainingLabels(t)
	require.Len(t, examples, 15521)
	require.Len(t, occupationCodes(examples), 739)
	for _, ex := range examples {
		require.NotContains(t, ex.TaskID, ".", "task IDs are normalised")
	}
}
