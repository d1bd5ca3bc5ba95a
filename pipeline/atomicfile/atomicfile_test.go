package atomicfile_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onet-jury/jury/pipeline/atomicfile"
)

// tree lists every file and directory under dir, relative, sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

// filesOnly drops the directories from a tree listing.
func filesOnly(paths []string) []string {
	var out []string
	for _, p := range paths {
		if !strings.HasSuffix(p, "/") {
			out = append(out, p)
		}
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		filepath.Join(dir, "report.json"):               []byte("{\"schema_version\": 1}\n"),
		filepath.Join(dir, "report.md"):                 []byte("# Medical Records Specialists\n"),
		filepath.Join(dir, "29-2072.00", "index.html"):  []byte("<!doctype html>\n"),
		filepath.Join(dir, "deep", "er", "empty.txt"):   {},
		filepath.Join(dir, "29-2072.00", "report.json"): []byte("{}\n"),
	}
	require.NoError(t, atomicfile.WriteFiles(ordered(files, ""), 0o644))
	for path, data := range files {
		require.Equal(t, string(data), readFile(t, path), path)
	}
	require.Equal(t, []string{
		"29-2072.00/", "29-2072.00/index.html", "29-2072.00/report.json",
		"deep/", "deep/er/", "deep/er/empty.txt",
		"report.json", "report.md",
	}, tree(t, dir), "no temporary files are left behind")
}

func TestWriteFilesNothing(t *testing.T) {
	require.NoError(t, atomicfile.WriteFiles(nil, 0o644))
	require.NoError(t, atomicfile.WriteFiles([]atomicfile.File{}, 0o644))
}

func TestWriteFilesFailure(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares dir and returns the path that cannot be written.
		setup func(t *testing.T, dir string) string
		// parentNamed says the error names the target's directory (that
		// cannot be created) rather than the target.
		parentNamed bool
	}{
		{
			name: "the target is an existing directory",
			setup: func(t *testing.T, dir string) string {
				bad := filepath.Join(dir, "report.md")
				require.NoError(t, os.MkdirAll(filepath.Join(bad, "inside"), 0o755))
				return bad
			},
		},
		{
			name: "the target is an existing empty directory",
			setup: func(t *testing.T, dir string) string {
				bad := filepath.Join(dir, "report.md")
				require.NoError(t, os.Mkdir(bad, 0o755))
				return bad
			},
		},
		{
			name: "the target's parent is a file",
			setup: func(t *testing.T, dir string) string {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "blocker"), []byte("a file"), 0o644))
				return filepath.Join(dir, "blocker", "report.md")
			},
			parentNamed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad path comes first, last and in between.
			for attempt := range 8 {
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(dir, "old.json"), []byte("old"), 0o644))
				bad := tt.setup(t, dir)
				before := tree(t, dir)

				files := map[string][]byte{
					bad:                                   []byte("bad"),
					filepath.Join(dir, "old.json"):        []byte("new"),
					filepath.Join(dir, "a.json"):          []byte("a"),
					filepath.Join(dir, "b.json"):          []byte("b"),
					filepath.Join(dir, "c.json"):          []byte("c"),
					filepath.Join(dir, "d.json"):          []byte("d"),
					filepath.Join(dir, "sub", "e.json"):   []byte("e"),
					filepath.Join(dir, "sub", "f.json"):   []byte("f"),
					filepath.Join(dir, "sub2", "g.json"):  []byte("g"),
					filepath.Join(dir, "sub2", "h.json"):  []byte("h"),
					filepath.Join(dir, "sub2", "i.json"):  []byte("i"),
					filepath.Join(dir, "sub2", "j.json"):  []byte("j"),
					filepath.Join(dir, "sub2", "k.json"):  []byte("k"),
					filepath.Join(dir, "sub2", "l.json"):  []byte("l"),
					filepath.Join(dir, "sub2", "m.json"):  []byte("m"),
					filepath.Join(dir, "sub2", "nn.json"): []byte("n"),
				}
				list := ordered(files, bad)
				at := attempt * 2 % (len(list) + 1)
				list = append(list[:at], append([]atomicfile.File{{Path: bad, Data: files[bad]}}, list[at:]...)...)
				err := atomicfile.WriteFiles(list, 0o644)
				require.Error(t, err, "attempt %d", attempt)
				named := bad
				if tt.parentNamed {
					named = filepath.Dir(bad)
				}
				require.Contains(t, err.Error(), named, "the error names the path")

				// Directories may have been created, but no file is new,
				// no temporary file is left and old.json is unchanged.
				require.Equal(t, filesOnly(before), filesOnly(tree(t, dir)), "attempt %d: %v", attempt, err)
				require.Equal(t, "old", readFile(t, filepath.Join(dir, "old.json")), "attempt %d", attempt)
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out", "report.md")

	require.NoError(t, atomicfile.WriteFile(path, []byte("first version, longer than the second\n"), 0o644))
	require.Equal(t, "first version, longer than the second\n", readFile(t, path))

	require.NoError(t, atomicfile.WriteFile(path, []byte("second\n"), 0o644))
	require.Equal(t, "second\n", readFile(t, path), "content is replaced, not overwritten in place")

	require.NoError(t, atomicfile.WriteFile(path, nil, 0o644))
	require.Equal(t, "", readFile(t, path))

	require.Equal(t, []string{"out/", "out/report.md"}, tree(t, dir), "no temporary files are left behind")
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	// A reader holding the old file keeps reading the old content: the new
	// content arrives as a new file renamed over the old name.
	path := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, atomicfile.WriteFile(path, []byte("old content\n"), 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	require.NoError(t, atomicfile.WriteFile(path, []byte("new content\n"), 0o644))
	old := make([]byte, 64)
	n, err := f.Read(old)
	require.NoError(t, err)
	require.Equal(t, "old content\n", string(old[:n]))
	require.Equal(t, "new content\n", readFile(t, path))
}

func TestWriteFilePermissions(t *testing.T) {
	tests := []struct {
		name string
		perm os.FileMode
	}{
		{"world-readable report", 0o644},
		{"private file", 0o600},
		{"group-writable", 0o664},
		{"executable", 0o755},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "file")
			require.NoError(t, atomicfile.WriteFile(path, []byte("x"), tt.perm))
			info, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, tt.perm, info.Mode().Perm())
			require.True(t, info.Mode().IsRegular())

			// Replacing a file gives it the permissions asked for.
			require.NoError(t, os.Chmod(path, 0o400))
			require.NoError(t, atomicfile.WriteFile(path, []byte("y"), tt.perm))
			info, err = os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, tt.perm, info.Mode().Perm())
		})
	}
}

func TestWriteFileIntoReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write into a read-only directory")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	require.NoError(t, os.Mkdir(dir, 0o555))
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	path := filepath.Join(dir, "report.md")
	err := atomicfile.WriteFile(path, []byte("x"), 0o644)
	require.Error(t, err)
	require.Contains(t, err.Error(), path)
	require.Empty(t, tree(t, dir))
}

// ordered lists files sorted by path, leaving out skip.
func ordered(files map[string][]byte, skip string) []atomicfile.File {
	var out []atomicfile.File
	for p, d := range files {
		if p != skip {
			out = append(out, atomicfile.File{Path: p, Data: d})
		}
	}
	slices.SortFunc(out, func(a, b atomicfile.File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// TestSweepRemovesOnlyLeftovers: a crashed writer's temporary files go; a
// running writer's (another run sharing the folder) and this process's
// own stay.
func TestSweepRemovesOnlyLeftovers(t *testing.T) {
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	deadPid := dead.Process.Pid
	live := exec.Command("sleep", "30")
	require.NoError(t, live.Start())
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })

	cases := []struct {
		name string
		kept bool
	}{
		{name: fmt.Sprintf(".report.json.tmp-%d-123", deadPid), kept: false},
		{name: ".report.json.tmp-987654", kept: false}, // written before names carried a pid
		{name: fmt.Sprintf(".report.json.tmp-%d-456", live.Process.Pid), kept: true},
		{name: fmt.Sprintf(".manifest.json.tmp-%d-789", os.Getpid()), kept: true},
		{name: "report.json", kept: true},
	}
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	for _, tc := range cases {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", tc.name), nil, 0o644))
	}
	require.NoError(t, atomicfile.Sweep(dir))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := os.Stat(filepath.Join(dir, "sub", tc.name))
			require.Equal(t, tc.kept, err == nil, "kept")
		})
	}
}

// TestWriteFilesConcurrently: writers sharing one commit each find all
// their files in place, and no temporary file is left.
func TestWriteFilesConcurrently(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Go(func() {
			code := fmt.Sprintf("15-%04d.00", i)
			errs[i] = atomicfile.WriteFiles([]atomicfile.File{
				{Path: filepath.Join(dir, code, "report.md"), Data: []byte("md " + code)},
				{Path: filepath.Join(dir, code, "report.json"), Data: []byte("json " + code)},
			}, 0o644)
			if errs[i] == nil {
				errs[i] = atomicfile.WriteFileUnsynced(filepath.Join(dir, ".cache", code+".json"), []byte("answer "+code), 0o644)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		code := fmt.Sprintf("15-%04d.00", i)
		require.Equal(t, "md "+code, readFile(t, filepath.Join(dir, code, "report.md")))
		require.Equal(t, "json "+code, readFile(t, filepath.Join(dir, code, "report.json")))
		require.Equal(t, "answer "+code, readFile(t, filepath.Join(dir, ".cache", code+".json")))
	}
	for _, p := range tree(t, dir) {
		require.False(t, atomicfile.IsTemp(filepath.Base(p)), p)
	}
}

func TestWriteFileUnsynced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache", "answer.json")
	require.NoError(t, atomicfile.WriteFileUnsynced(path, []byte("first, longer\n"), 0o644))
	require.NoError(t, atomicfile.WriteFileUnsynced(path, []byte("second\n"), 0o600))
	require.Equal(t, "second\n", readFile(t, path), "replaced, not overwritten in place")
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	require.Equal(t, []string{"answer.json"}, tree(t, filepath.Dir(path)))
}
