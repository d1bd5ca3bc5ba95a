package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the file in an output folder that Lock holds.
const LockFile = ".jury.lock"

// ErrLocked reports an output folder another jury run is writing.
var ErrLocked = errors.New("output folder in use")

// ErrNotWritable reports an output (or cache) folder that cannot be
// created or written: a file in its place, a read-only mount.
var ErrNotWritable = errors.New("folder not writable")

// Lock is one run's exclusive hold on an output folder: an flock on
// DIR/.jury.lock, which holds the holder's pid. The OS releases it when
// the process ends, however it ends, so a crash never leaves a folder
// locked. The zero value holds nothing.
type Lock struct {
	f   *os.File
	dir string
}

// LockDir creates dir if needed and takes its lock without waiting. A
// folder another process holds is an error wrapping ErrLocked that names
// the folder and the holder's pid; a folder that cannot be created or
// written wraps ErrNotWritable. Writing the pid is the check that the
// folder is writable, before anything is paid for.
func LockDir(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, cause(err))
	}
	path := filepath.Join(dir, LockFile)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, cause(err))
		}
		l, again, err := lockFile(f, path, dir)
		if !again {
			return l, err
		}
	}
}

// lockFile takes the lock of f, opened at path. again says the file was
// removed by its holder's Release between the open and the lock: the
// lock taken is on a file no one else will open, so open again.
func lockFile(f *os.File, path, dir string) (l *Lock, again bool, err error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		data, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := "another process"
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(data))); perr == nil && pid > 0 {
				holder = "pid " + strconv.Itoa(pid)
			}
			return nil, false, fmt.Errorf("%w: %s is being written by another jury run (%s): wait for it to end, or choose another --out",
				ErrLocked, dir, holder)
		}
		return nil, false, fmt.Errorf("lock %s: %w", path, err)
	}
	held, herr := f.Stat()
	now, nerr := os.Stat(path)
	if herr != nil || nerr != nil || !os.SameFile(held, now) {
		f.Close()
		return nil, true, nil
	}
	if err := writePid(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, false, fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, cause(err))
	}
	return &Lock{f: f, dir: dir}, false, nil
}

func writePid(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// cause is the innermost error of a failed file operation (the errno),
// without the path the caller names anyway.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Release gives the folder up and removes the lock file, so that a
// finished run leaves only its output. (A run that opened the file just
// before sees, once it holds the lock, that the path is no longer its
// file, and opens again.) A crash leaves the file, unlocked: the next run
// takes it. Safe on a nil Lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	rerr := os.Remove(filepath.Join(l.dir, LockFile))
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	err = errors.Join(rerr, err, l.f.Close())
	l.f = nil
	return err
}

// CheckWritable reports whether files can be created in dir (created if
// needed), by writing and removing a probe file: an error wrapping
// ErrNotWritable names the folder and the errno. Use it on a folder that
// needs no lock (a cache) before the first paid call.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, cause(err))
	}
	f, err := os.CreateTemp(dir, ".jury-probe-*")
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, cause(err))
	}
	_, werr := f.Write([]byte("probe"))
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, cause(err))
	}
	return nil
}
