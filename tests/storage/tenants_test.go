package storage_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// sameShape writes files (path -> content) below dir with every mtime 0,
// as a reproducible build makes them; it returns dir. The engine layers
// of the overlay tests are made so too.
func sameShape(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	testenv.WriteFiles(t, dir, files)
	epoch := time.Unix(0, 0)
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, epoch, epoch)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// imageHolds tells whether the disk image at path holds content.
func imageHolds(t *testing.T, path, content string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(data, []byte(content))
}

// Two tenants' rootfs trees with the same names, sizes and mtimes but
// other bytes never share a disk image: each container gets its own
// tree's content. The same tree keeps sharing one image.
func TestTwoTenantsNeverShareAnImage(t *testing.T) {
	e := newEnv(t)
	a := sameShape(t, t.TempDir(), map[string]string{"hello.nabla": "x", "etc/secret": "tenant-A-secret-1"})
	b := sameShape(t, t.TempDir(), map[string]string{"hello.nabla": "x", "etc/secret": "tenant-B-secret-2"})
	diskA := e.create("a1", a).Get(llif.FsDisk)
	diskB := e.create("b1", b).Get(llif.FsDisk)
	if diskA == diskB {
		t.Errorf("tenants A and B got one disk image, %s", diskA)
	}
	if !imageHolds(t, diskB, "tenant-B-secret-2") || imageHolds(t, diskB, "tenant-A-secret-1") {
		t.Errorf("tenant B's disk image %s does not hold B's tree", diskB)
	}
	if again := e.create("a2", a).Get(llif.FsDisk); again != diskA {
		t.Errorf("a second container of tree A got %s, not A's image %s", again, diskA)
	}
}

// layout names a container's layers (its init layer, its upper) in an
// engine's layer store below home.
type layout func(home, container, layer string) string

// overlay2 is Docker's: <home>/<id>-init/diff, <home>/<id>/diff.
func overlay2(home, container, layer string) string {
	return filepath.Join(home, container+layer, "diff")
}

// snapshots is containerd's snapshotter's (Docker's too, with the
// containerd image store): every layer a numbered snapshot.
func snapshots(home, container, layer string) string {
	sum := sha256.Sum256([]byte(container + layer))
	return filepath.Join(home, "snapshots", fmt.Sprint(1000+int(sum[0])<<8+int(sum[1])), "fs")
}

// engineRootfs mounts what an engine mounts for a container (named by
// 64 hex digits, as engines name them) of the image whose layer is
// imageLayer: that layer, the container's own init layer (engine
// entries, placeholders of the per-container files) and an upper
// directory holding upper (path -> content); it returns the merged
// directory, unmounted when the test ends.
func engineRootfs(t *testing.T, home string, names layout, id, imageLayer string, upper map[string]string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(id))
	container := hex.EncodeToString(sum[:])
	init := sameShape(t, names(home, container, "-init"), map[string]string{
		".dockerenv": "", "etc/hosts": "", "etc/hostname": "", "etc/resolv.conf": "", "dev/console": "",
	})
	diff := sameShape(t, names(home, container, ""), upper)
	work := filepath.Join(filepath.Dir(diff), "work")
	merged := filepath.Join(home, "merged", container)
	for _, d := range []string{work, merged} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	opts := fmt.Sprintf("index=off,lowerdir=%s:%s,upperdir=%s,workdir=%s", init, imageLayer, diff, work)
	if err := unix.Mount("overlay", merged, "overlay", 0, opts); err != nil {
		t.Fatalf("mount overlay: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(merged, unix.MNT_DETACH) })
	return merged
}

// Docker's (and containerd's) containers of one image share one disk
// image, and the second one's create does not rebuild it; a container of
// another image whose layer has the same names, sizes and mtimes, or one
// whose own layer holds a changed file, gets its own.
func TestDockerContainersShareByLayers(t *testing.T) {
	for name, names := range map[string]layout{"overlay2": overlay2, "snapshots": snapshots} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			home := t.TempDir()
			big := map[string]string{"hello.nabla": "x"}
			for i := 0; i < 100; i++ {
				big[fmt.Sprintf("lib/f%d", i)] = "library"
			}
			image := func(layer, secret string) string {
				files := map[string]string{"etc/secret": secret}
				for k, v := range big {
					files[k] = v
				}
				return sameShape(t, names(home, strings.Repeat(layer, 64), ""), files)
			}
			imgA, imgB := image("a", "image-A-secret-1"), image("b", "image-B-secret-2")
			create := func(id, img string, upper map[string]string) string {
				t.Helper()
				rootfs := engineRootfs(t, home, names, id, img, upper)
				return e.create(id, rootfs, bindMount(t, "/etc/hosts"), bindMount(t, "/etc/hostname"), bindMount(t, "/etc/resolv.conf")).Get(llif.FsDisk)
			}
			first := create("c1", imgA, nil)
			start := time.Now()
			second := create("c2", imgA, nil)
			t.Logf("second create of image A: %v", time.Since(start))
			if first != second {
				t.Errorf("two containers of image A got disk images %s and %s, want one", first, second)
			}
			other := create("c3", imgB, nil)
			if other == first || !imageHolds(t, other, "image-B-secret-2") {
				t.Errorf("a container of image B got %s (A's is %s), not an image of B", other, first)
			}
			changed := create("c4", imgA, map[string]string{"etc/secret": "changed-in-the-upper"})
			if changed == first || !imageHolds(t, changed, "changed-in-the-upper") {
				t.Errorf("a container of image A with a changed file got %s (A's is %s), not its own", changed, first)
			}
		})
	}
}

// A rootfs where an engine's overlay is covered by another mount is named
// by the tree seen there, never by the covered overlay's layers: else a
// container would get the disk image of a tree it does not see.
func TestCoveredOverlayIsNotNamedByItsLayers(t *testing.T) {
	e := newEnv(t)
	home := t.TempDir()
	img := sameShape(t, overlay2(home, strings.Repeat("a", 64), ""), map[string]string{"hello.nabla": "x", "etc/secret": "secret-of-image-A"})
	rootfs := engineRootfs(t, home, overlay2, "c1", img, nil)
	create := func(id string) string {
		t.Helper()
		return e.create(id, rootfs, bindMount(t, "/etc/hosts"), bindMount(t, "/etc/hostname"), bindMount(t, "/etc/resolv.conf")).Get(llif.FsDisk)
	}
	overlay := create("c1")
	cover := sameShape(t, filepath.Join(home, "cover"), map[string]string{"hello.nabla": "x", "etc/secret": "secret-of-cover-X"})
	if err := unix.Mount(cover, rootfs, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind %s over the overlay: %v", cover, err)
	}
	t.Cleanup(func() { unix.Unmount(rootfs, unix.MNT_DETACH) })
	covered := create("c2")
	if covered == overlay || !imageHolds(t, covered, "secret-of-cover-X") || imageHolds(t, covered, "secret-of-image-A") {
		t.Errorf("the container whose rootfs shows the covering tree got %s (the overlay's is %s), not an image of that tree", covered, overlay)
	}
}
