// Package atomicfile writes files so that readers and crashes see either
// the old content or the new, never a part.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// WriteFile writes data to path through a temporary file in the same
// directory, synced and renamed over path, creating the directory if
// needed.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return WriteFiles([]File{{Path: path, Data: data}}, perm)
}

// File is one file for WriteFiles.
type File struct {
	Path string
	Data []byte
}

// WriteFiles writes several files so that none is renamed into place
// until all are written, then renames them in the order given: put last
// the file whose presence says the others are complete (report.json,
// manifest.json), so that a crash between two renames never leaves it
// beside a stale companion. A failure leaves no temporary file behind and
// removes the files it had newly created.
func WriteFiles(files []File, perm os.FileMode) (err error) {
	temps := make([]string, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				if t != "" {
					os.Remove(t)
				}
			}
		}
	}()
	for i, file := range files {
		path := file.Path
		// Renaming onto a directory fails: fail before any file is renamed.
		if info, err := os.Lstat(path); err == nil && info.IsDir() {
			return fmt.Errorf("write %s: is a directory", path)
		}
		dir := filepath.Dir(path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		f, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempTag+"*")
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		temps[i] = f.Name()
		_, werr := f.Write(file.Data)
		serr := f.Sync()
		cerr := f.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.Chmod(f.Name(), perm); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	var created []string // renamed into place where no file was
	for i, file := range files {
		_, statErr := os.Lstat(file.Path)
		if err := os.Rename(temps[i], file.Path); err != nil {
			for _, c := range created {
				os.Remove(c)
			}
			return fmt.Errorf("write %s: %w", file.Path, err)
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			created = append(created, file.Path)
		}
		temps[i] = ""
	}
	return nil
}

// tempTag marks a temporary file's name with the pid of the process
// writing it (".report.json.tmp-1234-<random>"), so that Sweep can tell
// a crashed writer's leftovers from a live writer's work in progress.
var tempTag = ".tmp-" + strconv.Itoa(os.Getpid()) + "-"

// IsTemp reports whether a file name is one of WriteFiles' temporary
// files, which a crash can leave behind.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// tempOwner returns the pid a temporary file's name carries, or 0 for a
// name without one (written before names carried it).
func tempOwner(name string) int {
	_, rest, _ := strings.Cut(name, ".tmp-")
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0
	}
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Sweep removes the temporary files crashed writers left under dir, so
// that no partial file outlives a crash. It removes only leftovers: a
// temporary file whose writer is still running — another run sharing a
// cache, a `jury run` beside a batch — is its work in progress and is
// kept, as are this process's own.
func Sweep(dir string) error {
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !IsTemp(d.Name()) {
			return nil
		}
		if pid := tempOwner(d.Name()); pid != 0 && (pid == os.Getpid() || alive(pid)) {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
