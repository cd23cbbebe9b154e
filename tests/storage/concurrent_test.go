package storage_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/runc/libcontainer/configs"
)

// helperEnv makes the test binary act as runnc invocations (see TestMain).
const helperEnv = "RUNNC_STORAGE_TEST_CREATE"

type helperJob struct {
	ID, Rootfs, DiskDir, Root string
	CacheBytes                int64
	// Rounds > 0: create and destroy that many containers one after the
	// other, checking each one's image while it is in use, instead of
	// one create that prints the inode of its image.
	Rounds int
}

// TestMain lets a test start the test binary as a separate process that
// runs FsCreate (and FsDestroy): concurrent creates then really are
// separate processes, as runnc invocations are.
func TestMain(m *testing.M) {
	if v := os.Getenv(helperEnv); v != "" {
		os.Exit(helper(v))
	}
	os.Exit(m.Run())
}

func helper(arg string) int {
	var j helperJob
	if err := json.Unmarshal([]byte(arg), &j); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if j.Rounds == 0 {
		_, fi, err := j.create(j.ID)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(fi.Sys().(*syscall.Stat_t).Ino)
		return 0
	}
	for i := range j.Rounds {
		id := fmt.Sprintf("%s-%d", j.ID, i)
		path, fi, err := j.create(id)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// Still there, the same file, when its container goes.
		if now, err := os.Stat(path); err != nil || !os.SameFile(fi, now) {
			fmt.Fprintf(os.Stderr, "the image of %s went while in use: %v\n", id, err)
			return 1
		}
		in := j.input(id)
		if _, err := storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: in}); err != nil {
			fmt.Fprintf(os.Stderr, "destroy %s: %v\n", id, err)
			return 1
		}
	}
	return 0
}

func (j helperJob) input(id string) llif.Input {
	return llif.Input{
		ContainerID: id, ContainerRoot: filepath.Join(j.Root, id),
		Config:  &configs.Config{Rootfs: j.Rootfs},
		Runtime: llif.RuntimeOptions{Root: j.Root, DiskDir: j.DiskDir, DiskCacheBytes: j.CacheBytes},
		FsState: llif.NewLLState(), NetworkState: llif.NewLLState(), ExecState: llif.NewLLState(),
	}
}

// create runs FsCreate for container id, checks that its image is a
// whole ISO 9660 image (its volume descriptor at sector 16) and returns
// the image's path and file.
func (j helperJob) create(id string) (string, os.FileInfo, error) {
	in := j.input(id)
	if err := os.MkdirAll(in.ContainerRoot, 0o700); err != nil {
		return "", nil, err
	}
	st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if err != nil {
		return "", nil, fmt.Errorf("create %s: %w", id, err)
	}
	path := st.Get(llif.FsDisk)
	f, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("image of %s: %w", id, err)
	}
	defer f.Close()
	magic := make([]byte, 5)
	if _, err := f.ReadAt(magic, 16*2048+1); err != nil || string(magic) != "CD001" {
		return "", nil, fmt.Errorf("image of %s is not a whole ISO image: %q %v", id, magic, err)
	}
	fi, err := f.Stat()
	return path, fi, err
}

// startHelpers starts the test binary as one helper process per job and
// returns what each printed and how it ended.
func startHelpers(t *testing.T, jobs []helperJob) (outs []string, errs []error) {
	t.Helper()
	outs, errs = make([]string, len(jobs)), make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		arg, _ := json.Marshal(j)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+string(arg))
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.Output()
			if ee, ok := err.(*exec.ExitError); ok {
				err = fmt.Errorf("%v: %s", err, ee.Stderr)
			}
			outs[i], errs[i] = strings.TrimSpace(string(out)), err
		}()
	}
	wg.Wait()
	return outs, errs
}

// Ten processes create containers of one rootfs at once. A second build
// would rename a new file over the image, so every process seeing the same
// inode (while all of them keep using it) means it was built once.
func TestConcurrentCreatesBuildOnce(t *testing.T) {
	e := newEnv(t)
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("d%02d/file-%04d.bin", i%30, i)] = strings.Repeat(fmt.Sprint(i), 10000)
	}
	rootfs := writeTree(t, files)

	const n = 10
	var jobs []helperJob
	for i := range n {
		id := fmt.Sprintf("c%d", i)
		t.Cleanup(func() { e.destroyQuiet(id) })
		jobs = append(jobs, helperJob{ID: id, Rootfs: rootfs, DiskDir: e.diskDir, Root: e.root})
	}
	inodes, errs := startHelpers(t, jobs)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create c%d: %v", i, errs[i])
		}
		if inodes[i] != inodes[0] {
			t.Fatalf("the image was built more than once: inodes %v", inodes)
		}
	}
	users, err := filepath.Glob(filepath.Join(e.diskDir, "*.users", "*"))
	if err != nil || len(users) != n {
		t.Fatalf("want %d recorded users, got %v (%v)", n, users, err)
	}
	for i := range n {
		e.destroy(fmt.Sprintf("c%d", i))
	}
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("disk directory not empty after every container left: %v", left)
	}
}

// Processes create and destroy containers of three rootfs at once, with
// room for one unused image: images are reused, released and evicted all
// the time. No create ever gets an image that is missing or half written,
// and in the end only unused images within the limit are left.
func TestConcurrentReuseAndEviction(t *testing.T) {
	e := newEnv(t)
	var rootfs []string
	for i := range 3 {
		files := map[string]string{}
		for f := range 20 {
			files[fmt.Sprintf("d/file-%02d", f)] = strings.Repeat(fmt.Sprint(i), 5000)
		}
		rootfs = append(rootfs, writeTree(t, files))
	}
	size := e.imageSize(rootfs[0])
	limit := size + size/2
	var jobs []helperJob
	for i := range 6 {
		id := fmt.Sprintf("p%d", i)
		jobs = append(jobs, helperJob{ID: id, Rootfs: rootfs[i%3], DiskDir: e.diskDir, Root: e.root, CacheBytes: limit, Rounds: 8})
		t.Cleanup(func() {
			for r := range 8 {
				e.destroyQuiet(fmt.Sprintf("%s-%d", id, r))
			}
		})
	}
	_, errs := startHelpers(t, jobs)
	for i, err := range errs {
		if err != nil {
			t.Errorf("process p%d: %v", i, err)
		}
	}
	var total int64
	for _, name := range e.diskEntries() {
		switch filepath.Ext(name) {
		case ".iso":
			fi, err := os.Stat(filepath.Join(e.diskDir, name))
			if err != nil {
				t.Fatal(err)
			}
			total += fi.Size()
		case ".unused":
		case ".users":
			if !testenv.IdleUsersDir(e.diskDir, name) {
				t.Errorf("after every container left, the disk directory holds %s, which is no unused image's", name)
			}
		default:
			t.Errorf("after every container left, the disk directory holds %s", name)
		}
	}
	if total > limit {
		t.Errorf("unused images take %d bytes, more than the limit of %d", total, limit)
	}
}
