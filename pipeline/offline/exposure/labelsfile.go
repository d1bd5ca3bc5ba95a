package exposure

import (
	"bytes"
	"errors"
	iofs "io/fs"
	"os"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
)

// ReadLabelsFile reads the labelled tasks of the file at path (see
// ReadLabels). A file that cannot be opened or read, or that holds no
// labelled task, is a jury.ErrInvalid error naming it.
func ReadLabelsFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, jury.Invalidf("%s: no such file", path)
	}
	if err != nil {
		return nil, jury.Invalidf("%s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	examples, err := ReadLabels(f, path)
	if err != nil {
		return nil, jury.Invalid(err)
	}
	if len(examples) == 0 {
		return nil, jury.Invalidf("%s: no labelled tasks", path)
	}
	return examples, nil
}

// WritePredictionsFile writes m's predictions for examples (see
// WritePredictions) to the file at path, atomically: a failed write
// leaves no half file.
func WritePredictionsFile(path string, m *Model, examples []Example) error {
	var b bytes.Buffer
	if err := WritePredictions(&b, m, examples); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b.Bytes(), 0o644)
}
