package exposure

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/onet-jury/jury/jury"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
)

// format names the weights layout; Load refuses any other.
const format = "jury-exposure-logreg/2"

// weightScale is 10^decimals for the weights Marshal writes. Three
// decimals change no cross-validated metric by more than one task in
// 15,521 (doc.go) and keep the file small.
const weightScale = 1e3

// WeightsFile is the name of the embedded weights file in this package's
// directory: Marshal's JSON, gzip-compressed.
const WeightsFile = "weights.json.gz"

//go:embed weights.json.gz
var embeddedWeights []byte

// Model is the offline juror's task-exposure classifier: a linear model
// from task features to P(E0), P(E1), P(E2). Build one with Train, Load
// or Default; it is read-only afterwards and safe for concurrent use.
type Model struct {
	features featureSet
	bias     [3]float64
	weights  map[string][3]float64 // class logits added by each feature present
	meta     trainMeta
	hash     string
}

// trainMeta records how a model was trained, for people reading the file.
type trainMeta struct {
	Examples int     `json:"examples"`
	L2       float64 `json:"l2"`
	MinDF    int     `json:"min_df"`
	Skew     float64 `json:"penalty_skew"`
	NBMix    float64 `json:"naive_bayes_mix"`
	// Calibration is the shift added to the E1 and E2 biases (Train).
	Calibration float64 `json:"calibration_shift"`
}

// modelHeader is the part of the weights file before bias and weights.
type modelHeader struct {
	Format   string     `json:"format"`
	Classes  [3]string  `json:"classes"`
	Features featureSet `json:"features"`
	Train    trainMeta  `json:"train"`
}

// modelFile is the JSON shape of a weights file.
type modelFile struct {
	modelHeader
	Bias    [3]float64            `json:"bias"`
	Weights map[string][3]float64 `json:"weights"`
}

var defaultModel = sync.OnceValues(func() (*Model, error) {
	m, err := Load(embeddedWeights)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w (run `go run ./cmd/jury-model train`)", WeightsFile, err)
	}
	return m, nil
})

// Default returns the model embedded in the binary from WeightsFile,
// loaded once and shared.
func Default() (*Model, error) { return defaultModel() }

// Load reads a model from the bytes Marshal wrote, gzip-compressed or not.
func Load(data []byte) (*Model, error) {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("decompress exposure weights: %w", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("decompress exposure weights: %w", err)
		}
	}
	var f modelFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode exposure weights: %w", err)
	}
	if f.Format != format {
		return nil, fmt.Errorf("exposure weights format %q: want %q", f.Format, format)
	}
	if f.Classes != Labels {
		return nil, fmt.Errorf("exposure weights classes %q: want %q", f.Classes, Labels)
	}
	if f.Weights == nil {
		f.Weights = map[string][3]float64{}
	}
	m := &Model{features: f.Features, bias: f.Bias, weights: f.Weights, meta: f.Train}
	if err := m.check(); err != nil {
		return nil, err
	}
	// The bytes are what Marshal wrote: hashing them gives the hash seal
	// would, without encoding every weight again.
	m.hash = hashOf(data)
	return m, nil
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}

// seal checks the weights are finite and computes the model's hash from
// its encoding.
func (m *Model) seal() (*Model, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	data, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	m.hash = hashOf(data)
	return m, nil
}

// check fails on a non-finite weight, so that a corrupt file fails at load
// and not as NaN probabilities later.
func (m *Model) check() error {
	check := func(name string, w [3]float64) error {
		for _, x := range w {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("exposure weights: %s has a non-finite weight", name)
			}
		}
		return nil
	}
	if err := check("bias", m.bias); err != nil {
		return err
	}
	for name, w := range m.weights {
		if err := check(strconv.Quote(name), w); err != nil {
			return err
		}
	}
	return nil
}

// Marshal encodes the model as JSON: a header, then one feature a line in
// sorted order with weights at a fixed number of decimals, so the same
// model always gives the same bytes. The weights file is this, gzipped.
func (m *Model) Marshal() ([]byte, error) {
	var b bytes.Buffer
	head, err := json.Marshal(modelHeader{format, Labels, m.features, m.meta})
	if err != nil {
		return nil, fmt.Errorf("encode exposure weights: %w", err)
	}
	b.Write(head[:len(head)-1]) // reopen the object to append bias and weights
	b.WriteString(",\n\"bias\":")
	writeTriple(&b, m.bias)
	b.WriteString(",\n\"weights\":{")
	names := make([]string, 0, len(m.weights))
	for name := range m.weights {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		key, err := json.Marshal(name)
		if err != nil {
			return nil, fmt.Errorf("encode exposure weights: %w", err)
		}
		b.Write(key)
		b.WriteByte(':')
		writeTriple(&b, m.weights[name])
	}
	b.WriteString("\n}}\n")
	return b.Bytes(), nil
}

// MarshalGzip is Marshal compressed with gzip at the best compression and
// no name or time in the header, so it too is deterministic; it is what
// the weights file holds.
func (m *Model) MarshalGzip() ([]byte, error) {
	data, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeTriple(b *bytes.Buffer, w [3]float64) {
	b.WriteByte('[')
	for c, x := range w {
		if c > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	}
	b.WriteByte(']')
}

// quantize rounds a weight to the precision Marshal writes, so a trained
// model and its reloaded copy predict exactly alike.
func quantize(x float64) float64 {
	q := math.Round(x*weightScale) / weightScale
	if q == 0 {
		return 0 // no "-0" in the file
	}
	return q
}

// Hash identifies the model's weights: "sha256:" and the first 16 hex
// digits of the SHA-256 of Marshal's output (the uncompressed JSON, so it
// does not depend on the gzip implementation).
func (m *Model) Hash() string { return m.hash }

// Features is the number of weighted features the model knows.
func (m *Model) Features() int { return len(m.weights) }

// Predict returns the class probabilities of one task from its
// occupation's O*NET-SOC code (e.g. "29-2072.00"; its SOC groups are
// features, and an unknown or malformed code only loses them) and title,
// its task type ("core", "supplemental" or "n/a"; O*NET's "Core",
// "Supplemental" and empty are accepted too, anything else counts as
// "n/a") and task statement.
func (m *Model) Predict(code, title, taskType, taskText string) Probs {
	typ := TypeNA
	if t, err := jury.ParseTaskType(taskType); err == nil {
		typ = string(t)
	}
	var buf [128]string
	z := m.bias
	for _, f := range m.features.features(code, title, typ, taskText, buf[:0]) {
		if w, ok := m.weights[f]; ok {
			z[0] += w[0]
			z[1] += w[1]
			z[2] += w[2]
		}
	}
	return softmax(z)
}

// softmax turns class logits into probabilities.
func softmax(z [3]float64) Probs {
	hi := max(z[0], z[1], z[2])
	var p Probs
	sum := 0.0
	for c := range z {
		p[c] = math.Exp(z[c] - hi)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
	return p
}
