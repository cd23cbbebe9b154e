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
	"github.com/opencontainers/runc/libcontainer/configs"
)

// helperEnv makes the test binary act as one `runnc create` (see TestMain).
const helperEnv = "RUNNC_STORAGE_TEST_CREATE"

type helperJob struct {
	ID, Rootfs, DiskDir, Root string
}

// TestMain lets a test start the test binary as a separate process that
// runs one FsCreate and prints the inode of the image it got: concurrent
// creates then really are separate processes, as runnc invocations are.
func TestMain(m *testing.M) {
	if v := os.Getenv(helperEnv); v != "" {
		os.Exit(helperCreate(v))
	}
	os.Exit(m.Run())
}

func helperCreate(arg string) int {
	var j helperJob
	if err := json.Unmarshal([]byte(arg), &j); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	croot := filepath.Join(j.Root, j.ID)
	if err := os.MkdirAll(croot, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	in := llif.Input{
		ContainerID: j.ID, ContainerRoot: croot,
		Config:  &configs.Config{Rootfs: j.Rootfs},
		Runtime: llif.RuntimeOptions{Root: j.Root, DiskDir: j.DiskDir},
		FsState: llif.NewLLState(), NetworkState: llif.NewLLState(), ExecState: llif.NewLLState(),
	}
	st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fi, err := os.Stat(st.Get(llif.FsDisk))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(fi.Sys().(*syscall.Stat_t).Ino)
	return 0
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
	inodes := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("c%d", i)
		t.Cleanup(func() { e.destroyQuiet(id) })
		job, _ := json.Marshal(helperJob{ID: id, Rootfs: rootfs, DiskDir: e.diskDir, Root: e.root})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+string(job))
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.Output()
			if err != nil {
				if ee, ok := err.(*exec.ExitError); ok {
					err = fmt.Errorf("%v: %s", err, ee.Stderr)
				}
			}
			inodes[i], errs[i] = strings.TrimSpace(string(out)), err
		}()
	}
	wg.Wait()
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
