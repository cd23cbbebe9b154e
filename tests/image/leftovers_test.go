package image_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// manyFilesImage is the hello guest and n small files: unpacking,
// building its disk image and removing its rootfs take long enough to be
// killed half way.
func manyFilesImage(t *testing.T, n int) v1.Image {
	t.Helper()
	files := []testenv.TarEntry{file("hello.nabla", hello(t), 0o755)}
	for i := 0; i < n; i++ {
		files = append(files, file(fmt.Sprintf("d%d/f%d", i%50, i), []byte(fmt.Sprint(i)), 0o644))
	}
	return makeImage(t, nil, nil, testenv.Layer(t, files...))
}

// killWhen starts runnc args and kills it (runnc-image, which runnc
// execs in its place) as soon as ready says so; it fails the test if the
// command ends first.
func killWhen(t *testing.T, e *env, ready func() bool, args ...string) {
	t.Helper()
	cmd := e.cmd(args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for !ready() {
		select {
		case err := <-done:
			t.Fatalf("runnc %v ended (%v) before the moment to kill it", args, err)
		default:
			time.Sleep(100 * time.Microsecond)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if err := <-done; err == nil {
		t.Fatalf("runnc %v ended well before the kill", args)
	}
}

// keys are the disk image keys of the files in dir, and the number of
// keeper indexes among them.
func keys(t *testing.T, dir string) (images map[string]bool, indexes int) {
	t.Helper()
	images = map[string]bool{}
	for _, n := range entries(t, dir) {
		// <sha256 of a rootfs path>.keeper names the keeper of that
		// rootfs: one per image the store keeps, not an image.
		if strings.HasSuffix(n, ".keeper") {
			indexes++
			continue
		}
		k, _, _ := strings.Cut(n, ".")
		images[k] = true
	}
	return images, indexes
}

// checkOnly fails the test unless the store and the disk directory hold
// the files of the images ids (hex digests) and nothing else.
func checkOnly(t *testing.T, e *env, what string, ids ...string) {
	t.Helper()
	var records []string
	for _, id := range ids {
		records = append(records, id+".json")
	}
	for dir, want := range map[string][]string{"rootfs": ids, "images": records, "tmp": nil} {
		if got := entries(t, filepath.Join(e.store, dir)); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: the store's %s holds %v, want %v", what, dir, got, want)
		}
	}
	if got := entries(t, filepath.Join(e.store, "bundles")); len(got) > len(ids) {
		t.Errorf("%s: the store's bundles holds %v", what, got)
	}
	if got, indexes := keys(t, e.diskDir); len(got) != len(ids) || indexes != len(ids) {
		t.Errorf("%s: the disk directory holds images and keeper indexes %v, want %d of each", what, entries(t, e.diskDir), len(ids))
	}
}

// A pull killed while it builds the disk image leaves a rootfs without a
// record, and a killed record write leaves a temp file: the next pull, of
// another image, collects both.
func TestPullCollectsWhatAKilledPullLeft(t *testing.T) {
	e := newEnv(t)
	big := manyFilesImage(t, 3000)
	building := func() bool {
		builds, _ := filepath.Glob(filepath.Join(e.diskDir, "*.iso.build-*"))
		return len(builds) > 0
	}
	killWhen(t, e, building, "image", "pull", "oci:"+writeLayout(t, big, "1"))
	if got := entries(t, filepath.Join(e.store, "rootfs")); len(got) != 1 {
		t.Fatalf("the killed pull left rootfs %v, want its own", got)
	}
	temp := filepath.Join(e.store, "images", "."+strings.Repeat("cd", 32)+".json.12345")
	if err := os.WriteFile(temp, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := helloImage(t)
	id := e.pull("oci:" + writeLayout(t, img, "1"))
	checkOnly(t, e, "after the next pull", strings.TrimPrefix(id, "sha256:"))
}

// An image rm killed after the record went can be run again: it finishes
// the removal, and says so.
func TestKilledRemoveCanBeRetried(t *testing.T) {
	e := newEnv(t)
	_, keep := e.pullHello()
	big := manyFilesImage(t, 3000)
	id := e.pull("oci:" + writeLayout(t, big, "1"))
	record := filepath.Join(e.store, "images", strings.TrimPrefix(id, "sha256:")+".json")
	killWhen(t, e, func() bool { return !exists(record) }, "image", "rm", id)
	out, stderr := e.run(true, "image", "rm", id)
	if !strings.Contains(out, "Deleted: "+id) {
		t.Errorf("image rm again printed %q %q, want Deleted: %s", out, stderr, id)
	}
	checkOnly(t, e, "after the retried rm", strings.TrimPrefix(keep, "sha256:"))
	if out, _ := e.run(true, "image", "ls", "--quiet"); strings.TrimSpace(out) != keep {
		t.Errorf("image ls --quiet = %q, want %s", out, keep)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
