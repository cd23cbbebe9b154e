package image_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/llif"
)

// checkHello checks the hello guest's output for the image's Cmd and Env.
func checkHello(t *testing.T, out string) {
	t.Helper()
	for _, want := range []string{"Hello, World", "arg[1]: first-arg", "arg[2]: second arg", "env: GREETING=from-the-image", "env: PATH=/bin", "cwd: /"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// runnc run --image runs the image's Entrypoint and Cmd with its Env, the
// same from a registry, an OCI layout and a docker save archive.
func TestRunImage(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	img := helloImage(t)
	id, _ := digestOf(t, img)
	addr := startRegistry(t)
	push(t, addr, "hello:1", img)
	registry := "docker://" + addr + "/hello:1"
	if got := e.pull(registry, "--insecure"); got != id {
		t.Fatalf("pull printed %q, want %s", got, id)
	}
	for i, ref := range []string{registry, "oci:" + writeLayout(t, img, "1") + ":1", "docker-archive:" + writeArchive(t, img)} {
		out, _ := e.run(true, "run", "--image", ref, "hello"+string(rune('a'+i)))
		checkHello(t, out)
	}
	if got := entries(t, filepath.Join(e.store, "rootfs")); len(got) != 1 {
		t.Errorf("store holds rootfs %v, want one", got)
	}
	// Foreground run deletes its container, and with it the disk image.
	if got := entries(t, e.root); len(got) != 0 {
		t.Errorf("state root still holds %v", got)
	}
}

// Every container of one image uses the disk image built at pull: the
// same file, also after the first container is gone, never a rebuilt copy.
func TestSecondContainerSharesDiskImage(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	ref := "oci:" + writeLayout(t, helloImage(t), "1")
	e.pull(ref)
	e.run(true, "run", "-d", "--image", ref, "first")
	e.run(true, "run", "-d", "--image", ref, "second")
	a, b := diskInode(t, e, "first"), diskInode(t, e, "second")
	if a != b {
		t.Fatalf("the containers' disk images are different files (%s and %s)", a, b)
	}
	e.run(true, "delete", "--force", "first")
	e.run(true, "delete", "--force", "second")
	e.run(true, "run", "-d", "--image", ref, "third")
	if c := diskInode(t, e, "third"); c != a {
		t.Fatalf("a container made after the others were deleted got a new disk image (%s, was %s)", c, a)
	}
}

// diskInode identifies the disk image container id uses: its inode and
// change time (a deleted and rebuilt file may get the inode number back).
func diskInode(t *testing.T, e *env, id string) string {
	t.Helper()
	disk := diskOf(t, e, id)
	fi, err := os.Stat(disk)
	if err != nil {
		t.Fatalf("disk image of %s: %v", id, err)
	}
	sys := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("inode %d changed %d.%09d", sys.Ino, sys.Ctim.Sec, sys.Ctim.Nsec)
}

// diskOf is the path of container id's disk image, from its state.
func diskOf(t *testing.T, e *env, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.root, id, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		FsState llif.LLState `json:"fsstate"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	return st.FsState.Options[llif.FsDisk]
}

// An image a container uses cannot be removed; once the container is
// deleted it can, and with --disk-cache=0 nothing of it stays.
func TestRemoveImageInUse(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	ref := "oci:" + writeLayout(t, helloImage(t), "1")
	id := e.pull(ref)
	e.run(true, "run", "-d", "--image", ref, "user1")
	_, stderr := e.run(false, "image", "rm", ref)
	if !strings.Contains(stderr, "user1") {
		t.Errorf("image rm of an image in use failed with %q, want it to name container user1", stderr)
	}
	if _, err := os.Stat(filepath.Join(e.store, "rootfs", strings.TrimPrefix(id, "sha256:"))); err != nil {
		t.Fatalf("a refused image rm removed the rootfs: %v", err)
	}
	e.run(true, "delete", "--force", "user1")
	out, _ := e.run(true, "image", "rm", id)
	if !strings.Contains(out, id) {
		t.Errorf("image rm printed %q, want the image ID", out)
	}
	for _, d := range []string{"rootfs", "images", "bundles", "blobs/sha256", "tmp"} {
		if got := entries(t, filepath.Join(e.store, d)); len(got) != 0 {
			t.Errorf("after image rm, the store's %s holds %v", d, got)
		}
	}
	if got := entries(t, e.diskDir); len(got) != 0 {
		t.Errorf("after delete, the disk directory holds %v", got)
	}
}

// runnc hands the image commands to the runnc-image beside it; without
// one, both entry points say what is missing in one line.
func TestImageToolMissing(t *testing.T) {
	e := newEnv(t)
	lone := filepath.Join(t.TempDir(), "runnc")
	data, err := os.ReadFile(e.runnc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	e.runnc = lone
	for _, args := range [][]string{{"image", "ls"}, {"run", "--image", "oci:/nowhere", "x"}} {
		_, stderr := e.run(false, args...)
		if !strings.Contains(stderr, "runnc-image, which runs the image commands, is missing") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("runnc %v without runnc-image: %q, want one line naming it", args, stderr)
		}
	}
}

// With runnc's default --disk-cache, the disk image of a removed image
// stays unused in the disk directory: pulling the image again finds it,
// and its next container gets the same file, not a rebuilt copy.
func TestRemovedImageLeavesItsDiskImageCached(t *testing.T) {
	e := newEnv(t)
	e.diskCache = ""
	requireRuntime(t)
	ref := "oci:" + writeLayout(t, helloImage(t), "1")
	id := e.pull(ref)
	e.run(true, "run", "-d", "--image", ref, "first")
	before := diskInode(t, e, "first")
	e.run(true, "delete", "--force", "first")
	e.run(true, "image", "rm", id)
	left := entries(t, e.diskDir)
	sort.Strings(left)
	if len(left) != 2 || !strings.HasSuffix(left[0], ".iso") || left[1] != strings.TrimSuffix(left[0], ".iso")+".unused" {
		t.Fatalf("after image rm, the disk directory holds %v, want one unused disk image (.iso and .unused)", left)
	}
	e.pull(ref)
	e.run(true, "run", "-d", "--image", ref, "second")
	if after := diskInode(t, e, "second"); after != before {
		t.Fatalf("the image pulled again got a new disk image (%s, was %s)", after, before)
	}
}
