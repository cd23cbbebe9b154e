package storage_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/runc/libcontainer/configs"
)

const isoinfo = "/usr/bin/isoinfo"

// env is one disk directory shared by the containers of a test, as the
// containers of one runnc root share /var/lib/runnc/disks.
type env struct {
	t       *testing.T
	diskDir string
	root    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if _, err := os.Stat(isoinfo); err != nil {
		t.Fatalf("%s is missing: run make setup (genisoimage package)", isoinfo)
	}
	base := t.TempDir()
	return &env{t: t, diskDir: filepath.Join(base, "disks"), root: filepath.Join(base, "run")}
}

// input is what libcontainer would hand the fs handler for container id:
// its state directory exists before FsCreate runs.
func (e *env) input(id, rootfs string, mounts ...*configs.Mount) llif.Input {
	e.t.Helper()
	croot := filepath.Join(e.root, id)
	if err := os.MkdirAll(croot, 0o700); err != nil {
		e.t.Fatal(err)
	}
	return llif.Input{
		ContainerID:   id,
		ContainerRoot: croot,
		Config:        &configs.Config{Rootfs: rootfs, Mounts: mounts},
		Annotations:   map[string]string{},
		Runtime:       llif.RuntimeOptions{Root: e.root, DiskDir: e.diskDir},
		FsState:       llif.NewLLState(),
		NetworkState:  llif.NewLLState(),
		ExecState:     llif.NewLLState(),
	}
}

// create runs FsCreate and registers the matching FsDestroy as cleanup, so
// a failing test leaves no image behind.
func (e *env) create(id, rootfs string, mounts ...*configs.Mount) *llif.LLState {
	e.t.Helper()
	in := e.input(id, rootfs, mounts...)
	st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if err != nil {
		e.t.Fatalf("create %s: %v", id, err)
	}
	e.t.Cleanup(func() { e.destroyQuiet(id) })
	return st
}

func (e *env) destroy(id string) {
	e.t.Helper()
	in := e.input(id, "")
	if _, err := storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: in}); err != nil {
		e.t.Fatalf("destroy %s: %v", id, err)
	}
}

func (e *env) destroyQuiet(id string) {
	in := e.input(id, "")
	storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: in})
}

// imageSize is the size of the disk image of rootfs.
func (e *env) imageSize(rootfs string) int64 {
	e.t.Helper()
	fi, err := os.Stat(e.create("measure", rootfs).Get(llif.FsDisk))
	if err != nil {
		e.t.Fatal(err)
	}
	e.destroy("measure")
	return fi.Size()
}

// diskEntries lists what is left in the disk directory.
func (e *env) diskEntries() []string {
	entries, err := os.ReadDir(e.diskDir)
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	return names
}

// writeTree makes files (path -> content) below a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testenv.WriteFiles(t, dir, files)
	return dir
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
