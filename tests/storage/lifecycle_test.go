package storage_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

func TestMissingRootfsIsAClearError(t *testing.T) {
	e := newEnv(t)
	missing := filepath.Join(t.TempDir(), "nope")
	in := e.input("c1", missing)
	_, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if err == nil || !strings.Contains(err.Error(), missing+" does not exist") || !strings.Contains(err.Error(), "root.path") {
		t.Fatalf("got error %v, want one naming %s and root.path", err, missing)
	}
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("failed create left %v in the disk directory", left)
	}
	// Destroy after a failed create has nothing to remove and must succeed.
	e.destroy("c1")
	e.destroy("c1")
}

func TestRootfsThatIsAFileIsRefused(t *testing.T) {
	e := newEnv(t)
	file := filepath.Join(t.TempDir(), "rootfs")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	in := e.input("c1", file)
	_, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("got error %v, want a 'not a directory' error", err)
	}
}

// A create killed after recording its use but before its state was saved
// leaves only the marker: destroy must still find and remove it.
func TestDestroyWithoutStateCleansUp(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"hello.nabla": "x"})
	e.create("c1", rootfs)
	e.destroy("c1") // its input carries no fs state
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("disk directory not empty: %v", left)
	}
	e.destroy("c1")
}

// /run/runnc is a tmpfs: after a reboot the state directories are gone but
// the images are not. The next create prunes such users.
func TestStaleUsersArePruned(t *testing.T) {
	e := newEnv(t)
	old := e.create("lost", writeTree(t, map[string]string{"old": "x"})).Get(llif.FsDisk)
	if err := os.RemoveAll(filepath.Join(e.root, "lost")); err != nil {
		t.Fatal(err)
	}
	e.create("new", writeTree(t, map[string]string{"new": "y"}))
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("image %s of a container whose state is gone is still there (%v)", old, err)
	}
}

func TestPerContainerFilesStayOutOfTheImage(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"etc/hosts": "image hosts\n"})
	host := writeTree(t, map[string]string{"hosts": "10.0.0.2 c1\n", "resolv.conf": "nameserver 10.0.0.1\n", "hostname": "c1\n"})
	bind := func(src, dst string) *configs.Mount {
		return &configs.Mount{Source: filepath.Join(host, src), Destination: dst, Device: "bind", Flags: unix.MS_BIND | unix.MS_REC}
	}
	st := e.create("c1", rootfs,
		&configs.Mount{Source: "proc", Destination: "/proc", Device: "proc"},
		bind("hosts", "/etc/hosts"),
		bind("resolv.conf", "/etc/resolv.conf"),
		bind("hostname", "/etc/hostname"),
		&configs.Mount{Source: "tmpfs", Destination: "/dev", Device: "tmpfs"},
	)
	var files map[string]string
	if err := json.Unmarshal([]byte(st.Get(llif.FsFiles)), &files); err != nil {
		t.Fatalf("%s = %q is not a JSON object: %v", llif.FsFiles, st.Get(llif.FsFiles), err)
	}
	want := map[string]string{
		"/etc/hosts":       filepath.Join(host, "hosts"),
		"/etc/resolv.conf": filepath.Join(host, "resolv.conf"),
		"/etc/hostname":    filepath.Join(host, "hostname"),
	}
	if !reflect.DeepEqual(files, want) {
		t.Fatalf("files = %v, want %v", files, want)
	}
	// The image leaves the shadowed files out: they come from CONFIG, and
	// an engine's copies differ per container.
	if got := run(t, isoinfo, "-R", "-i", st.Get(llif.FsDisk), "-x", "/etc/hosts"); got != "" {
		t.Fatalf("image's /etc/hosts holds %q: per-container content leaked into the shared image", got)
	}

	// Without such mounts there is no files option at all.
	if st := e.create("c2", rootfs); st.Get(llif.FsFiles) != "" {
		t.Fatalf("files = %q with no bind mounts", st.Get(llif.FsFiles))
	}
}

// genisoimage refuses files of 4 GiB or more (ISO 9660 sizes are 32-bit):
// the create fails with the tool's reason and leaves nothing behind.
func TestFailedBuildLeavesNothing(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"hello.nabla": "x"})
	huge, err := os.Create(filepath.Join(rootfs, "huge"))
	if err != nil {
		t.Fatal(err)
	}
	defer huge.Close()
	if err := huge.Truncate(5 << 30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	in := e.input("c1", rootfs)
	_, err = storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if err == nil || !strings.Contains(err.Error(), "larger than 4GiB") {
		t.Fatalf("got %v, want genisoimage's reason", err)
	}
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("failed create left %v in the disk directory", left)
	}
	e.destroy("c1")
}

// Delete finds the image where create put it, from the saved state, even
// when it is given another disk directory (a caller's flags changed).
func TestDestroyUsesTheDiskDirOfCreate(t *testing.T) {
	e := newEnv(t)
	st := e.create("moved", writeTree(t, map[string]string{"hello.nabla": "x"}))
	in := e.input("moved", "")
	in.FsState = st
	in.Runtime.DiskDir = t.TempDir()
	if _, err := storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: in}); err != nil {
		t.Fatal(err)
	}
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("the disk directory of create still holds %v", left)
	}
}
