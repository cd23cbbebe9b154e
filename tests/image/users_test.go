package image_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
)

// The store records which containers use an image: runnc writes the
// record when it makes a container from one (run --image, or create from
// a bundle runnc image bundle wrote) and removes it at delete, so runnc
// image rm refuses an image in use without reading any container's state.

// storeDirs are the store's directories that hold an image's files.
var storeDirs = []string{"rootfs", "images", "bundles", "users", "blobs/sha256", "tmp"}

// checkNoneLeft fails the test if e's state root, disk directory or store
// hold anything, or a process runs below e's directories.
func checkNoneLeft(t *testing.T, e *env) {
	t.Helper()
	for _, d := range storeDirs {
		if got := entries(t, filepath.Join(e.store, d)); len(got) != 0 {
			t.Errorf("the store's %s holds %v", d, got)
		}
	}
	for _, d := range []string{e.root, e.diskDir} {
		if got := entries(t, d); len(got) != 0 {
			t.Errorf("%s holds %v", d, got)
		}
	}
	base := filepath.Dir(e.root)
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if cmd, err := os.ReadFile(p); err == nil && bytes.Contains(cmd, []byte(base)) {
			t.Errorf("process %s still runs: %q", filepath.Base(filepath.Dir(p)), cmd)
		}
	}
}

// rmRefused checks that image rm ref fails naming the container user.
func rmRefused(t *testing.T, e *env, ref, user string) {
	t.Helper()
	_, stderr := e.run(false, "image", "rm", ref)
	if !strings.Contains(stderr, "is used by container "+user) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("image rm of an image container %s uses failed with %q, want one line naming it", user, stderr)
	}
}

// heldUntilDeleted checks that image rm ref is refused while container
// user exists, and that once it is deleted the image goes, leaving nothing.
func heldUntilDeleted(t *testing.T, e *env, ref, user string) {
	t.Helper()
	rmRefused(t, e, ref, user)
	e.run(true, "delete", "--force", user)
	e.run(true, "image", "rm", ref)
	checkNoneLeft(t, e)
}

// create runs runnc create: its init keeps the container's stdio open, so
// they are files, not pipes runnc's caller would wait on.
func (e *env) create(args ...string) {
	e.t.Helper()
	out, err := os.CreateTemp(e.t.TempDir(), "create-out")
	if err != nil {
		e.t.Fatal(err)
	}
	defer out.Close()
	cmd := e.cmd(append([]string{"create"}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		data, _ := os.ReadFile(out.Name())
		e.t.Fatalf("runnc create %v: %v: %s", args, err, data)
	}
}

// A container made with runnc create from a bundle that runnc image bundle
// wrote holds its image until it is deleted.
func TestBundleContainerHoldsItsImage(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	_, id := e.pullHello()
	bundle := filepath.Join(t.TempDir(), "bundle")
	e.run(true, "image", "bundle", id, bundle)
	e.create("--bundle", bundle, "made1")
	heldUntilDeleted(t, e, id, "made1")
}

// recordUser records container user of e's root as a user of image id,
// as runnc does before it makes the container.
func recordUser(t *testing.T, e *env, id, user string) *imageapi.Hold {
	t.Helper()
	s, err := imageapi.Open(e.store)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Use(id, imageapi.User{Root: e.root, ID: user})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// While a container is being made, before its state exists, its record
// already holds the image: runnc holds a lock on the record meanwhile,
// which tells it from the record of a container whose state is gone (the
// state root is a tmpfs; a reboot empties it), which holds nothing.
func TestImageHeldWhileContainerIsMade(t *testing.T) {
	e := newEnv(t)
	_, id := e.pullHello()
	making := recordUser(t, e, id, "making")
	rmRefused(t, e, id, "making")
	if err := making.Drop(); err != nil {
		t.Fatal(err)
	}
	recordUser(t, e, id, "lost").Keep() // as if made, its state then lost
	e.run(true, "image", "rm", id)
	checkNoneLeft(t, e)
}

// A second run of the same id fails (the container exists) and leaves the
// first's record: the image stays held until that container is deleted.
func TestSecondRunOfAnIDKeepsTheFirstsHold(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	ref, _ := e.pullHello()
	e.run(true, "run", "-d", "--image", ref, "twice")
	if _, stderr := e.run(false, "run", "-d", "--image", ref, "twice"); !strings.Contains(stderr, "exists") {
		t.Errorf("a second run of id twice failed with %q", stderr)
	}
	heldUntilDeleted(t, e, ref, "twice")
}

// image rm racing run --image of the same image: either rm is refused and
// the container has its image, or rm goes first and the run pulls the
// image again or, if rm came after it found the image, fails in one line
// saying so, leaving nothing. Never a container whose image is gone.
func TestRemoveRacingRun(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	ref, id := e.pullHello()
	outcomes := map[string]int{}
	for i := 0; i < 12; i++ {
		cid := fmt.Sprint("race", i)
		var wg sync.WaitGroup
		var runErr, rmErr error
		var runStderr bytes.Buffer
		wg.Add(2)
		go func() {
			defer wg.Done()
			cmd := e.cmd("run", "-d", "--image", ref, cid)
			cmd.Stderr = &runStderr
			runErr = cmd.Run()
		}()
		go func() {
			defer wg.Done()
			rmErr = e.cmd("image", "rm", ref).Run()
		}()
		wg.Wait()
		var ee *exec.ExitError
		if (runErr != nil && !errors.As(runErr, &ee)) || (rmErr != nil && !errors.As(rmErr, &ee)) {
			t.Fatalf("run: %v, rm: %v", runErr, rmErr)
		}
		_, statErr := os.Stat(filepath.Join(e.root, cid))
		exists := statErr == nil
		switch {
		case runErr == nil && !exists:
			t.Fatalf("run %s succeeded but its container is gone", cid)
		case runErr != nil && exists:
			t.Fatalf("run %s failed (%s) but left its container", cid, runStderr.String())
		case runErr != nil && (!strings.Contains(runStderr.String(), "was removed while its container was being made") || strings.Count(strings.TrimSpace(runStderr.String()), "\n") > 0):
			t.Errorf("run %s failed with %q, want one line saying the image was removed meanwhile", cid, runStderr.String())
		}
		if exists {
			if _, err := os.Stat(filepath.Join(e.store, "rootfs", strings.TrimPrefix(id, "sha256:"))); err != nil {
				t.Fatalf("container %s exists but its image's rootfs is gone: %v", cid, err)
			}
			rmRefused(t, e, ref, cid)
			e.run(true, "delete", "--force", cid)
		}
		outcomes[fmt.Sprintf("run ok=%v rm ok=%v", runErr == nil, rmErr == nil)]++
		if _, err := os.Stat(filepath.Join(e.store, "images", strings.TrimPrefix(id, "sha256:")+".json")); err != nil {
			e.pull(ref) // the next round starts with the image stored
		}
	}
	t.Logf("outcomes: %v", outcomes)
	e.run(true, "image", "rm", ref)
	checkNoneLeft(t, e)
}

// A runnc-image of another build (here one that prints what the old
// hidden prepare command printed) is refused in one sentence, and nothing
// is made.
func TestImageToolOfAnotherBuild(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	lone := filepath.Join(dir, "runnc")
	data, err := os.ReadFile(e.runnc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	old := "#!/bin/sh\necho '{\"bundle\":\"/tmp\",\"entrypoint\":null}'\n"
	if err := os.WriteFile(filepath.Join(dir, "runnc-image"), []byte(old), 0o755); err != nil {
		t.Fatal(err)
	}
	e.runnc = lone
	_, stderr := e.run(false, "run", "--image", "oci:/nowhere", "x")
	if !strings.Contains(stderr, "install the runnc-image built with this runnc") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("run --image with a runnc-image of another build: %q, want one line saying so", stderr)
	}
	checkNoneLeft(t, e)
}
