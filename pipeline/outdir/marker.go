package outdir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/onet-jury/jury/jury"
)

// ErrHandEdited reports a page that a person changed since jury wrote it:
// jury does not overwrite it unless forced. It is an ErrInvalid error
// (exit code 2) for `run` and `render`; `batch` lists the occupation and
// goes on.
var ErrHandEdited = errors.New("changed by hand")

// markerPrefix begins the last line of every page jury writes: an HTML
// comment, invisible in a browser and in rendered Markdown, with a hash
// of the page above it.
const markerPrefix = "<!-- jury sha256:"

// stamp returns page with its marker appended, in a new slice.
func stamp(page []byte) []byte { return stampOwned(page[:len(page):len(page)]) }

// stampOwned appends the marker of page to it, in place when page has
// room (render leaves some after a page): page is the caller's to give.
func stampOwned(page []byte) []byte {
	sum := sha256.Sum256(page)
	return fmt.Appendf(page, "%s%s · written by jury from report.json and edits.yaml: change edits.yaml, not this file -->\n",
		markerPrefix, hex.EncodeToString(sum[:])[:16])
}

// handEdited reports whether the page at path was changed since jury
// wrote it: its marker's hash is not that of the content above it. A
// missing page, or one without a marker (written by an older jury), was
// not.
func handEdited(path string) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	i := bytes.LastIndex(data, []byte(markerPrefix))
	if i < 0 {
		return false, nil
	}
	return !bytes.Equal(stamp(data[:i]), data), nil
}

// checkHandEdits returns an ErrHandEdited error naming the first of
// paths a person changed, or nil.
func checkHandEdits(paths ...string) error {
	for _, p := range paths {
		edited, err := handEdited(p)
		if err != nil {
			return err
		}
		if edited {
			return &handEditedError{path: p}
		}
	}
	return nil
}

// handEditedError is ErrHandEdited for one page; it is ErrInvalid too.
type handEditedError struct{ path string }

func (e *handEditedError) Error() string {
	return fmt.Sprintf("%s was changed by hand since jury wrote it: move the change into %s (jury edit DIR/<code>) or pass --force to overwrite it",
		e.path, EditsFile)
}

func (e *handEditedError) Is(target error) bool {
	return target == ErrHandEdited || target == jury.ErrInvalid
}
