package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
	"github.com/onet-jury/jury/pipeline/render"
)

// ManifestVersion is the version of manifest.json's shape.
const ManifestVersion = 1

// Status of an occupation in a batch.
const (
	StatusDone    = "done"
	StatusFailed  = "failed"
	StatusPending = "pending"
)

// Manifest is a batch output directory's record of every occupation:
// manifest.json. It holds only what the verdicts are and cost, so that a
// resumed batch ends with the same bytes as an uninterrupted one; what a
// run itself spent goes to last-run.json and the log.
type Manifest struct {
	SchemaVersion int             `json:"schema_version"`
	Occupations   []ManifestEntry `json:"occupations"`
}

// ManifestEntry is one occupation's line in the manifest.
type ManifestEntry struct {
	Code       string     `json:"code"`
	Title      string     `json:"title"`
	Status     string     `json:"status"`
	Headline   *int       `json:"headline"`
	Band       jury.Band  `json:"band,omitempty"`
	InputHash  string     `json:"input_hash"`
	PromptHash string     `json:"prompt_hash"`
	Usage      jury.Usage `json:"usage"`
	Error      string     `json:"error,omitempty"`
}

// ReadManifest reads dir/manifest.json; a missing file is an empty
// manifest.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{SchemaVersion: ManifestVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, jury.Invalidf("%s: %v: move the directory aside or repair the file", path, err)
	}
	if m.SchemaVersion != ManifestVersion {
		return nil, jury.Invalidf("%s: schema_version %d, this jury writes %d: use another --out", path, m.SchemaVersion, ManifestVersion)
	}
	return &m, nil
}

// Entry returns the entry for code, or nil.
func (m *Manifest) Entry(code string) *ManifestEntry {
	i, ok := slices.BinarySearchFunc(m.Occupations, code, func(e ManifestEntry, c string) int { return strings.Compare(e.Code, c) })
	if !ok {
		return nil
	}
	return &m.Occupations[i]
}

// Set adds or replaces an entry, keeping entries sorted by code.
func (m *Manifest) Set(e ManifestEntry) {
	i, ok := slices.BinarySearchFunc(m.Occupations, e.Code, func(x ManifestEntry, c string) int { return strings.Compare(x.Code, c) })
	if ok {
		m.Occupations[i] = e
		return
	}
	m.Occupations = slices.Insert(m.Occupations, i, e)
}

// Write writes manifest.json, index.md and index.html into dir,
// atomically: the three files change together.
func (m *Manifest) Write(dir string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	rows := indexRows(m.Occupations)
	return atomicfile.WriteFiles([]atomicfile.File{
		{Path: filepath.Join(dir, "index.md"), Data: render.IndexMarkdown(rows)},
		{Path: filepath.Join(dir, "index.html"), Data: render.IndexHTML(rows)},
		{Path: filepath.Join(dir, "manifest.json"), Data: b.Bytes()},
	}, 0o644)
}
