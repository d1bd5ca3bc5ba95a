package outdir

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/onet-jury/jury/jury"
	"github.com/onet-jury/jury/pipeline/atomicfile"
)

// EditDraft is an occupation's edits.yaml as `jury edit` shows or opens
// it: the file, or a starter file (StarterEdits) when there is none yet.
// Make one with OpenEditDraft.
type EditDraft struct {
	// Path is DIR/edits.yaml.
	Path string
	// Data is the file as it is, or the starter file.
	Data []byte
	// Starter says Data is the starter file: DIR has no edits.yaml yet.
	Starter bool
	// out and code name the occupation's report: out/code.
	out, code string
}

// OpenEditDraft reads the edits.yaml of dir, an occupation's directory
// as jury run writes it (OUT/<code>). A directory with no report.json is
// an ErrInvalid error saying what to name instead.
func OpenEditDraft(dir string) (*EditDraft, error) {
	r, err := ReadReport(filepath.Join(dir, "report.json"))
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, jury.Invalidf("%s: no report.json: name an occupation's directory as jury run writes it (out/<code>)", dir)
	}
	if err != nil {
		return nil, err
	}
	d := &EditDraft{Path: filepath.Join(dir, EditsFile), out: filepath.Dir(filepath.Clean(dir)), code: r.Occupation.Code}
	d.Data, err = os.ReadFile(d.Path)
	if errors.Is(err, iofs.ErrNotExist) {
		d.Data, d.Starter, err = StarterEdits(r.ModelView()), true, nil
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// SaveStarter writes the starter file as edits.yaml, so that an editor
// opens it; a draft of an existing file writes nothing.
func (d *EditDraft) SaveStarter() error {
	if !d.Starter {
		return nil
	}
	return atomicfile.WriteFile(d.Path, d.Data, 0o644)
}

// Apply applies edits.yaml as it is now on disk to the occupation's
// report.json, report.md and report.html (Writer.Refresh).
func (d *EditDraft) Apply() (Written, error) {
	return Writer{}.Refresh(d.out, d.code)
}

// Edit saves the starter file when there is no edits.yaml yet, opens
// edits.yaml in editor (a shell command such as $VISUAL or $EDITOR, given
// the file as its last argument) on the streams given, and applies the
// file when the editor exits. An editor that fails leaves edits.yaml as
// it is and applies nothing.
func (d *EditDraft) Edit(editor string, stdin io.Reader, stdout, stderr io.Writer) (Written, error) {
	if err := d.SaveStarter(); err != nil {
		return Written{}, err
	}
	cmd := exec.Command("sh", "-c", editor+` "$1"`, "sh", d.Path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		return Written{}, fmt.Errorf("%s: %w (edits.yaml is kept as it is)", editor, err)
	}
	return d.Apply()
}
