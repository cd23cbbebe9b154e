package e2e_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// The guests of these tests (nabla-lib/guest/apps): cat.nabla PATH...
// prints files, from its rootfs disk or its volumes; disk.nabla PATH write
// OFFSET TEXT and PATH read OFFSET LEN write and read the raw volume at
// PATH; storage.nabla writes "runnc was here" at the start of its
// BLOCK_BASIC device "storage" and prints it back.

// token is a string no other test writes, to find a test's disk images.
func token(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "token-" + hex.EncodeToString(b)
}

// hostDir makes a directory of files (path -> content) for a volume.
func hostDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testenv.WriteFiles(t, dir, files)
	return dir
}

// imagesHolding lists the disk images made since that hold text: the
// images of a test's volumes, found by their content. Rootfs images,
// which are large, are not read.
func imagesHolding(t testing.TB, text string, since time.Time) []string {
	t.Helper()
	isos, _ := filepath.Glob(filepath.Join(diskDir, "*.iso"))
	var found []string
	for _, iso := range isos {
		fi, err := os.Stat(iso)
		if err != nil || fi.ModTime().Before(since.Add(-time.Second)) || fi.Size() > 16<<20 {
			continue
		}
		if data, err := os.ReadFile(iso); err == nil && bytes.Contains(data, []byte(text)) {
			found = append(found, iso)
		}
	}
	return found
}

// TestVolumeDirectory: -v DIR:/data gives cat the directory's files, read
// only or not. The guest reads a snapshot: its device is read-only (a
// write fails with EROFS), and a change to the directory reaches the next
// container.
func TestVolumeDirectory(t *testing.T) {
	d := dockerd(t)
	tok := token(t)
	dir := hostDir(t, map[string]string{"file": "hello from the host " + tok + "\n", "sub/deep": "deep " + tok + "\n"})
	for _, opt := range []string{":ro", ""} {
		_, r := d.run(t, "--rm", "--runtime=runnc", "-v", dir+":/data"+opt, d.nabla(t), "/cat.nabla", "/data/file", "/data/sub/deep")
		if r.code != 0 || !strings.Contains(r.stdout, "hello from the host "+tok) || !strings.Contains(r.stdout, "deep "+tok) {
			t.Errorf("cat of -v DIR:/data%s: want the host's files\n%v", opt, r)
		}
	}
	// storage.nabla writes to its device "storage" as any Solo5 guest would.
	_, r := d.run(t, "--rm", "--runtime=runnc", "-v", dir+":/storage", d.nabla(t), "/storage.nabla")
	if r.code == 0 || !strings.Contains(r.stdout, "storage: write: read-only") {
		t.Errorf("a write to a directory volume mounted read-write: want EROFS\n%v", r)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "file")); err != nil || !strings.HasPrefix(string(b), "hello from the host") {
		t.Errorf("the host's file changed: %q, %v", b, err)
	}
	testenv.WriteFiles(t, dir, map[string]string{"file": "changed " + tok + "\n"})
	_, r = d.run(t, "--rm", "--runtime=runnc", "-v", dir+":/data:ro", d.nabla(t), "/cat.nabla", "/data/file")
	if r.code != 0 || !strings.Contains(r.stdout, "changed "+tok) {
		t.Errorf("cat after the directory changed: want the new content\n%v", r)
	}
}

// TestVolumeFile: -v FILE:/storage is the storage device of a guest that
// declares one, written through; read-only with :ro. disk.nabla writes
// and reads a file volume through a volume slot.
func TestVolumeFile(t *testing.T) {
	d := dockerd(t)
	const here = "runnc was here"
	img, _ := testenv.RawDisk(t, 64<<10, 0, 0o644)
	_, r := d.run(t, "--rm", "--runtime=runnc", "-v", img+":/storage", d.nabla(t), "/storage.nabla")
	if b, _ := os.ReadFile(img); r.code != 0 || !strings.Contains(r.stdout, here) || !bytes.HasPrefix(b, []byte(here)) {
		t.Errorf("storage.nabla with -v FILE:/storage: want %q printed and in the file (it starts %q)\n%v", here, b[:32], r)
	}

	ro, _ := testenv.RawDisk(t, 64<<10, 0, 0o644)
	_, r = d.run(t, "--rm", "--runtime=runnc", "-v", ro+":/storage:ro", d.nabla(t), "/storage.nabla")
	if b, _ := os.ReadFile(ro); r.code == 0 || !bytes.Equal(b, make([]byte, 64<<10)) {
		t.Errorf("storage.nabla with -v FILE:/storage:ro: want its write refused and the file unchanged\n%v", r)
	}

	disk, _ := testenv.RawDisk(t, 64<<10, 0, 0o644)
	_, r = d.run(t, "--rm", "--runtime=runnc", "-v", disk+":/disk", d.nabla(t), "/disk.nabla", "/disk", "write", "1024", "through a slot")
	if b, _ := os.ReadFile(disk); r.code != 0 || !bytes.HasPrefix(b[1024:], []byte("through a slot")) {
		t.Errorf("disk.nabla write: want the text at offset 1024 of the file\n%v", r)
	}
	_, r = d.run(t, "--rm", "--runtime=runnc", "-v", disk+":/disk:ro", d.nabla(t), "/disk.nabla", "/disk", "read", "1024", "14")
	if r.code != 0 || !strings.Contains(r.stdout, "through a slot") {
		t.Errorf("disk.nabla read: want the text back\n%v", r)
	}
}

// TestVolumeNamed: a Docker named volume is a directory volume.
func TestVolumeNamed(t *testing.T) {
	d := dockerd(t)
	name := "e2e-" + nameSafe(t.Name())
	d.must(t, "volume", "create", name)
	t.Cleanup(func() { d.docker(t, "volume", "rm", "-f", name) })
	mountpoint := strings.TrimSpace(d.must(t, "volume", "inspect", "-f", "{{.Mountpoint}}", name))
	tok := token(t)
	if err := os.WriteFile(filepath.Join(mountpoint, "file"), []byte("named "+tok+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, r := d.run(t, "--rm", "--runtime=runnc", "-v", name+":/data", d.nabla(t), "/cat.nabla", "/data/file")
	if r.code != 0 || !strings.Contains(r.stdout, "named "+tok) {
		t.Errorf("cat of a named volume: want its file\n%v", r)
	}
}

// TestVolumeSharing: containers of one directory share one disk image;
// another tenant's directory gets its own, and its container sees only
// its own content.
func TestVolumeSharing(t *testing.T) {
	d := dockerd(t)
	since := time.Now()
	tokA, tokB := token(t), token(t)
	a := hostDir(t, map[string]string{"file": "tenant A " + tokA + "\n"})
	b := hostDir(t, map[string]string{"file": "tenant B " + tokB + "\n"})
	for _, dir := range []string{a, a, b} {
		if _, r := d.run(t, "--rm", "--runtime=runnc", "-v", dir+":/data:ro", d.nabla(t), "/cat.nabla", "/data/file"); r.code != 0 {
			t.Fatalf("%v", r)
		}
	}
	imagesA, imagesB := imagesHolding(t, tokA, since), imagesHolding(t, tokB, since)
	if len(imagesA) != 1 || len(imagesB) != 1 || imagesA[0] == imagesB[0] {
		t.Errorf("images of A's directory %v and of B's %v: want one each", imagesA, imagesB)
	}
	_, r := d.run(t, "--rm", "--runtime=runnc", "-v", b+":/data:ro", d.nabla(t), "/cat.nabla", "/data/file")
	if !strings.Contains(r.stdout, tokB) || strings.Contains(r.stdout, tokA) {
		t.Errorf("tenant B's container: want B's file only\n%v", r)
	}
}

// TestVolumeRefused: what cannot reach the guest fails docker run with
// runnc's sentence, and leaves no disk image behind (nor state, cgroup,
// mount or process: see container.remove).
func TestVolumeRefused(t *testing.T) {
	d := dockerd(t)
	since := time.Now()
	tok := token(t)
	dir := hostDir(t, map[string]string{"file": tok})
	fifo, sock := testenv.FIFOAndSocket(t, t.TempDir())
	var nine []string
	for i := range 9 {
		nine = append(nine, "-v", fmt.Sprintf("%s:/v%d:ro", dir, i))
	}
	for _, tc := range []struct {
		name      string
		opts, cmd []string // docker run's options, and the command after the image
		want      string
	}{
		{"a volume for hello, which declares no slots", []string{"-v", dir + ":/data"}, []string{"/hello.nabla"},
			"the bind mount at /data cannot reach the unikernel: the unikernel declares no volume slots; build it with NB_VOLUMES"},
		{"a mount that names no device of the guest", []string{"-v", dir + ":/data"}, []string{"/storage.nabla"},
			"the bind mount at /data cannot reach the unikernel"},
		{"more volumes than cat's slots", nine, []string{"/cat.nabla", "/v0/file"},
			"cannot reach the unikernel: the container has 9 volumes for the unikernel's 8 volume slots; mount fewer"},
		{"a FIFO", []string{"-v", fifo + ":/data"}, []string{"/cat.nabla"}, "of the bind mount at /data is a FIFO, which cannot reach the unikernel"},
		{"a socket", []string{"-v", sock + ":/data"}, []string{"/cat.nabla"}, "of the bind mount at /data is a socket, which cannot reach the unikernel"},
		{"--tmpfs", []string{"--tmpfs", "/scratch"}, []string{"/hello.nabla"},
			"the tmpfs mount at /scratch cannot reach the unikernel, which sees only disks: remove it (docker run --tmpfs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"--rm", "--runtime=runnc"}, tc.opts...), d.nabla(t))
			if _, r := d.run(t, append(args, tc.cmd...)...); r.code == 0 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("want docker run refused with %q\n%v", tc.want, r)
			}
		})
	}
	if left := imagesHolding(t, tok, since); len(left) > 0 {
		t.Errorf("refused creates left disk images %v", left)
	}
}
