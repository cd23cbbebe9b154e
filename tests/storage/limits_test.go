package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// allocated is the bytes path takes on disk.
func allocated(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Blocks * 512
}

// A rootfs with a sparse file: its disk image stays sparse too, and a
// rootfs whose files add up to more than --disk-limit is refused at
// create, in one sentence, leaving nothing.
func TestDiskImageSizeIsBounded(t *testing.T) {
	r := testenv.NewRunnc(t)
	bundle := helloBundle(t, r, "sparse")
	const size = 1536 << 20 // 1.5 GiB, 36 KB on disk
	f, err := os.Create(filepath.Join(bundle, "rootfs", "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("data in a hole"), size/2); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()

	res := r.Run("--disk-limit", "1GiB", "create", "--bundle", bundle, "big")
	if res.Code == 0 || !strings.Contains(res.Stderr, "more than the disk image limit") || strings.Count(strings.TrimSpace(res.Stderr), "\n") > 0 {
		t.Errorf("create of a 1.5 GiB rootfs with --disk-limit 1GiB: exit %d, %q; want one sentence naming the limit", res.Code, res.Stderr)
	}
	if got := diskFiles(t, r); len(got) != 0 {
		t.Errorf("the refused create left %v in the disk directory", got)
	}
	if res := r.Run("list", "--quiet"); strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("the refused create left container %q", res.Stdout)
	}

	// Within the default limit (2GiB) the image is made, sparse.
	mustRun(t, r, "create", "--bundle", bundle, "sparse")
	iso := testenv.SoleDiskImage(t, r.DiskDir)
	if fi, err := os.Stat(iso); err != nil || fi.Size() < size {
		t.Fatalf("disk image %s: %v %v, want more than %d bytes", iso, fi, err, size)
	}
	if used := allocated(t, iso); used > 64<<20 {
		t.Errorf("the disk image of a sparse rootfs takes %d bytes on disk", used)
	}
	mustRun(t, r, "delete", "sparse")
}
