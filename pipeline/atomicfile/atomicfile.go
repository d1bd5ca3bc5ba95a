// Package atomicfile writes files so that readers and crashes see either
// the old content or the new, never a part.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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

// WriteFileUnsynced replaces path with data atomically, as WriteFile
// does, but leaves the data to the kernel instead of syncing it: a killed
// process leaves the old content or the new, never a part, and a power
// loss may leave the file empty (readers treat an empty file as absent).
// The next WriteFiles on the same filesystem makes it durable with its
// own files (on Linux one syncfs covers both). A cache writes this way:
// an answer lost with the power is asked again.
func WriteFileUnsynced(path string, data []byte, perm os.FileMode) error {
	temp, _, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := temp.close(); err != nil {
		os.Remove(temp.name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := rename(temp.name, path); err != nil {
		os.Remove(temp.name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// rename is os.Rename without its Lstat of newname (a system call per
// file): renaming a file onto a directory fails all the same.
func rename(oldname, newname string) error {
	if err := syscall.Rename(oldname, newname); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return nil
}

// File is one file for WriteFiles.
type File struct {
	Path string
	Data []byte
}

// WriteFiles writes several files so that none is renamed into place
// until all are written and made durable in one commit (on Linux one
// syncfs, shared with concurrent writers, rather than one fsync per
// file), then renames them in the order given: put last the file whose
// presence says the others are complete (report.json, manifest.json), so
// that a crash between two renames never leaves it beside a stale
// companion. A failure leaves no temporary file behind and removes the
// files it had newly created.
func WriteFiles(files []File, perm os.FileMode) (err error) {
	temps := make([]temp, len(files))
	existed := make([]bool, len(files))
	defer func() {
		for _, t := range temps {
			t.close()
			if err != nil && t.name != "" {
				os.Remove(t.name)
			}
		}
	}()
	var newDirs []string // made here: nothing was in them
	for i, file := range files {
		path := file.Path
		var made bool
		if temps[i], made, err = writeTemp(path, file.Data, perm); err != nil {
			return err
		}
		if made {
			newDirs = append(newDirs, filepath.Dir(path))
		}
		if len(files) > 1 && !slices.Contains(newDirs, filepath.Dir(path)) {
			// Renaming onto a directory fails: fail before any file is
			// renamed. (Alone, a file fails at its rename, with nothing
			// renamed.)
			info, err := os.Lstat(path)
			if err == nil && info.IsDir() {
				return fmt.Errorf("write %s: is a directory", path)
			}
			existed[i] = err == nil
		}
	}
	if len(files) == 0 {
		return nil
	}
	if err := commit(temps); err != nil {
		return fmt.Errorf("write %s: %w", files[0].Path, err)
	}
	for i := range temps {
		if err := temps[i].close(); err != nil {
			return fmt.Errorf("write %s: %w", files[i].Path, err)
		}
	}
	var created []string // renamed into place where no file was
	for i, file := range files {
		if err := rename(temps[i].name, file.Path); err != nil {
			for _, c := range created {
				os.Remove(c)
			}
			return fmt.Errorf("write %s: %w", file.Path, err)
		}
		if !existed[i] {
			created = append(created, file.Path)
		}
		temps[i].name = ""
	}
	return nil
}

// temp is a written temporary file: its name and, until the commit, its
// open descriptor and the device it is on.
type temp struct {
	name string
	fd   int // -1 once closed
	dev  uint64
}

func (t *temp) close() error {
	if t.fd < 0 {
		return nil
	}
	err := syscall.Close(t.fd)
	t.fd = -1
	return err
}

// writeTemp writes data to a new temporary file beside path, with
// permissions perm whatever the umask, creating the directory if needed
// (made: it did, so that nothing else is in it).
// The file is left open for the commit. It uses the descriptor directly: an *os.File would try to register a
// regular file with the network poller, three system calls more per file
// for nothing.
func writeTemp(path string, data []byte, perm os.FileMode) (t temp, made bool, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var fd int
	var name string
	for try := 0; ; try++ {
		name = filepath.Join(dir, "."+base+tempTag+strconv.FormatUint(uint64(rand.Uint32()), 10))
		var err error
		fd, err = syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
		if err == nil {
			break
		}
		switch {
		case errors.Is(err, syscall.EEXIST) && try < 10000:
			continue
		case errors.Is(err, syscall.ENOENT) && try == 0:
			// Mostly a new folder of a batch, whose parent is there.
			err := os.Mkdir(dir, 0o755)
			made = err == nil
			if err != nil && !errors.Is(err, fs.ErrExist) {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return temp{}, false, fmt.Errorf("create %s: %w", filepath.Clean(dir), err)
				}
			}
			continue
		}
		return temp{}, false, fmt.Errorf("write %s: %w", path, &fs.PathError{Op: "open", Path: name, Err: err})
	}
	err = writeAll(fd, data)
	if err == nil {
		err = syscall.Fchmod(fd, uint32(perm.Perm()))
	}
	var st syscall.Stat_t
	if err == nil {
		err = syscall.Fstat(fd, &st)
	}
	if err != nil {
		syscall.Close(fd)
		os.Remove(name)
		return temp{}, false, fmt.Errorf("write %s: %w", path, err)
	}
	return temp{name: name, fd: fd, dev: uint64(st.Dev)}, made, nil
}

func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		data = data[n:]
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
