package image_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/console"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
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
	ref, _ := e.pullHello()
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
	ref, id := e.pullHello()
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
	checkNoneLeft(t, e)
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
	ref, id := e.pullHello()
	e.run(true, "run", "-d", "--image", ref, "first")
	before := diskInode(t, e, "first")
	e.run(true, "delete", "--force", "first")
	e.run(true, "image", "rm", id)
	left := entries(t, e.diskDir)
	sort.Strings(left)
	if len(left) != 3 || !strings.HasSuffix(left[0], ".iso") || left[1] != strings.TrimSuffix(left[0], ".iso")+".unused" ||
		!testenv.IdleUsersDir(e.diskDir, left[2]) {
		t.Fatalf("after image rm, the disk directory holds %v, want one unused disk image (.iso, .unused and an empty .users)", left)
	}
	e.pull(ref)
	e.run(true, "run", "-d", "--image", ref, "second")
	if after := diskInode(t, e, "second"); after != before {
		t.Fatalf("the image pulled again got a new disk image (%s, was %s)", after, before)
	}
}

// run --image REF ID ARGS... runs the image's Entrypoint with ARGS in
// place of its Cmd, as docker run does; with no Entrypoint the first of
// ARGS names the unikernel. The image's own command stays as it was.
func TestRunImageWithArguments(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	ref := "oci:" + writeLayout(t, helloImage(t), "1") + ":1"
	out, _ := e.run(true, "run", "--image", ref, "cl-args", "hola", "dos tres")
	for _, want := range []string{"arg[0]: /hello.nabla", "arg[1]: hola", "arg[2]: dos tres", "env: GREETING=from-the-image"} {
		if !strings.Contains(out, want) {
			t.Errorf("run --image with arguments: output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "first-arg") {
		t.Errorf("the image's Cmd ran along with the arguments:\n%s", out)
	}
	out, _ = e.run(true, "run", "--image", ref, "cl-noargs")
	checkHello(t, out)

	img := helloImage(t)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Entrypoint, cf.Config.Cmd = nil, []string{"/hello.nabla", "first-arg"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	out, _ = e.run(true, "run", "--image", "oci:"+writeLayout(t, img, "2")+":2", "cl-noentry", "/hello.nabla", "uno")
	if !strings.Contains(out, "arg[1]: uno") || strings.Contains(out, "first-arg") {
		t.Errorf("run --image of an image without Entrypoint, with arguments:\n%s", out)
	}
}

// An image Env entry without '=' is refused naming the image, not the
// bundle the store makes for it.
func TestImageEnvWithoutEquals(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	img := makeImage(t, nil, []string{"PATH=/bin", "GREETING"}, testenv.Layer(t, file("hello.nabla", hello(t), 0o755)))
	ref := "oci:" + writeLayout(t, img, "1") + ":1"
	_, stderr := e.run(false, "run", "--image", ref, "cl-env")
	if !strings.Contains(stderr, `"GREETING" that is not NAME=VALUE`) || !strings.Contains(stderr, ref) {
		t.Errorf("run --image of an image with Env GREETING: %q", stderr)
	}
	if strings.Contains(stderr, e.store) {
		t.Errorf("the refusal names the store's internals: %q", stderr)
	}
}

// A tag holding a newline (an OCI layout's tag may) shows escaped: each
// image stays one row of image ls.
func TestImageTableEscapesNewlines(t *testing.T) {
	e := newEnv(t)
	ref := "oci:" + writeLayout(t, helloImage(t), "1\nx") + ":1\nx"
	e.pull(ref)
	out, _ := e.run(true, "image", "ls")
	if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 2 || !strings.Contains(out, `:1\nx`) {
		t.Errorf("image ls of one image tagged \"1\\nx\":\n%s", out)
	}
}

// run --image shows a pull's progress on a terminal, and stays quiet
// when stderr is not one.
func TestRunImageShowsProgressOnlyOnATerminal(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	ref := "oci:" + writeLayout(t, helloImage(t), "1") + ":1"
	if _, stderr := e.run(true, "run", "--image", ref, "cl-quiet"); strings.Contains(stderr, " bytes") {
		t.Errorf("a pull without a terminal showed progress: %q", stderr)
	}
	e.run(true, "image", "rm", ref) // so that the next run pulls again

	master, slavePath, err := console.NewPty()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	slave, err := os.OpenFile(slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	var shown bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&shown, master) // until EIO: every holder of the slave is gone
		close(done)
	}()
	cmd := e.cmd("run", "--image", ref, "cl-tty")
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, slave
	err = cmd.Run()
	slave.Close()
	<-done
	if err != nil {
		t.Fatalf("run --image on a terminal: %v: %s", err, shown.String())
	}
	if !strings.Contains(shown.String(), " bytes") {
		t.Errorf("a pull on a terminal showed no progress: %q", shown.String())
	}
	checkHello(t, stdout.String())
}
