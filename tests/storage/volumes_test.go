package storage_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

// volume is a bind mount as runc's specconv makes it of Docker's -v.
func volume(src, dst string, readOnly bool) *configs.Mount {
	m := &configs.Mount{Source: src, Destination: dst, Device: "bind", Flags: unix.MS_BIND | unix.MS_REC}
	if readOnly {
		m.Flags |= unix.MS_RDONLY
	}
	return m
}

// volumes are the volumes an fs state records.
func volumes(t *testing.T, st *llif.LLState) []llif.Volume {
	t.Helper()
	vs, err := llif.DecodeVolumes(st.Get(llif.FsVolumes))
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// isoListing is what isoinfo lists of a disk image, with Rock Ridge.
func isoListing(t *testing.T, iso string) string {
	t.Helper()
	return run(t, isoinfo, "-R", "-l", "-i", iso)
}

// A directory becomes a read-only image of its content; its symlinks stay
// symlinks (kubelet's atomic-writer layout, and one naming a host file),
// never followed on the host.
func TestVolumeOfADirectory(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"cat.nabla": "x"})
	sa := writeTree(t, map[string]string{"..2026_12_05_19_00_00.123456789/token": "the-token", "plain": "plain file"})
	for link, target := range map[string]string{"..data": "..2026_12_05_19_00_00.123456789", "token": "..data/token", "passwd": "/etc/passwd"} {
		if err := os.Symlink(target, filepath.Join(sa, link)); err != nil {
			t.Fatal(err)
		}
	}
	// The source itself may be reached through a symlink: its target is
	// the volume.
	via := filepath.Join(t.TempDir(), "sa")
	if err := os.Symlink(sa, via); err != nil {
		t.Fatal(err)
	}
	st := e.create("c1", rootfs, volume(via, "/var/run/secrets/kubernetes.io/serviceaccount", false))
	vs := volumes(t, st)
	if len(vs) != 1 || vs[0].Destination != "/var/run/secrets/kubernetes.io/serviceaccount" || vs[0].Type != llif.VolumeISO9660 || !vs[0].ReadOnly || filepath.Dir(vs[0].Disk) != e.diskDir {
		t.Fatalf("volumes %+v, want one read-only iso9660 image in %s", vs, e.diskDir)
	}
	listing := isoListing(t, vs[0].Disk)
	for _, want := range []string{"token -> ..data/token", "..data -> ..2026_12_05_19_00_00.123456789", "passwd -> /etc/passwd", "plain"} {
		if !strings.Contains(listing, want) {
			t.Errorf("the image lacks %q:\n%s", want, listing)
		}
	}
	if !imageHolds(t, vs[0].Disk, "the-token") || imageHolds(t, vs[0].Disk, "root:x:0:0") {
		t.Errorf("image %s: want the token and not the host's /etc/passwd", vs[0].Disk)
	}
	if vs[0].Disk == st.Get(llif.FsDisk) {
		t.Errorf("the volume and the rootfs share image %s", vs[0].Disk)
	}
	e.destroy("c1")
	if left := e.diskEntries(); len(left) > 0 {
		t.Errorf("destroy left %v in the disk directory", left)
	}
}

// Containers mounting one directory share one image; a directory of other
// content gets its own, and each container's volume holds its own
// tenant's bytes.
func TestVolumesShareByContent(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"cat.nabla": "x"})
	a := writeTree(t, map[string]string{"file": "tenant-A-data"})
	b := writeTree(t, map[string]string{"file": "tenant-B-data"})
	a1 := volumes(t, e.create("a1", rootfs, volume(a, "/data", true)))[0].Disk
	a2 := volumes(t, e.create("a2", rootfs, volume(a, "/data", false)))[0].Disk
	b1 := volumes(t, e.create("b1", rootfs, volume(b, "/data", true)))[0].Disk
	var sa1, sa2 unix.Stat_t
	if unix.Stat(a1, &sa1) != nil || unix.Stat(a2, &sa2) != nil || sa1.Ino != sa2.Ino {
		t.Errorf("two containers of directory %s: images %s and %s, want one", a, a1, a2)
	}
	if b1 == a1 || !imageHolds(t, b1, "tenant-B-data") || imageHolds(t, b1, "tenant-A-data") || !imageHolds(t, a1, "tenant-A-data") {
		t.Errorf("tenants A and B: images %s and %s, want each its own content", a1, b1)
	}
	// A changed directory is another image; the old one stays for its user.
	testenv.WriteFiles(t, a, map[string]string{"file": "tenant-A-data-v2"})
	a3 := volumes(t, e.create("a3", rootfs, volume(a, "/data", true)))[0].Disk
	if a3 == a1 || !imageHolds(t, a3, "tenant-A-data-v2") || !imageHolds(t, a1, "tenant-A-data") {
		t.Errorf("after a change: images %s and %s, want a new one with the new content", a1, a3)
	}
	for _, id := range []string{"a1", "a2", "b1", "a3"} {
		e.destroy(id)
	}
	if left := e.diskEntries(); len(left) > 0 {
		t.Errorf("destroy left %v in the disk directory", left)
	}
}

// A regular file is the volume itself, resolved, writable unless the
// mount is read-only.
func TestVolumeOfAFile(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"storage.nabla": "x"})
	dir := t.TempDir()
	img := filepath.Join(dir, "disk.img")
	if err := os.WriteFile(img, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.img")
	if err := os.Symlink("disk.img", link); err != nil {
		t.Fatal(err)
	}
	vs := volumes(t, e.create("c1", rootfs, volume(link, "/storage", false), volume(img, "/ro", true)))
	want := []llif.Volume{
		{Destination: "/storage", Disk: img, Type: llif.VolumeRaw},
		{Destination: "/ro", Disk: img, Type: llif.VolumeRaw, ReadOnly: true},
	}
	if !slices.Equal(vs, want) {
		t.Errorf("volumes %+v, want %+v", vs, want)
	}
}

// Sources that cannot be a disk are refused at create, before any image
// is built, without waiting on a FIFO; the refusal names the mount.
func TestVolumeSourcesRefused(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"cat.nabla": "x"})
	dir := t.TempDir()
	fifo, sock := testenv.FIFOAndSocket(t, dir)
	odd := filepath.Join(dir, "odd.img")
	if err := os.WriteFile(odd, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.img")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		src, want string
	}{
		{fifo, "the source " + fifo + " of the bind mount at /data is a FIFO, which cannot reach the unikernel: mount a directory"},
		{sock, "is a socket, which cannot reach the unikernel"},
		{"/dev/null", "is a character device, which cannot reach the unikernel"},
		{odd, "the file " + odd + " mounted at /data is 1000 bytes, which the unikernel cannot read as a block device of 512-byte blocks"},
		{empty, "is 0 bytes"},
		{filepath.Join(dir, "missing"), "the source " + dir + "/missing of the bind mount at /data does not exist"},
	} {
		in := e.input("bad", rootfs, volume(tc.src, "/data", false))
		st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("source %s: got %v, want an error with %q", tc.src, err, tc.want)
		}
		if strings.Contains(tc.want, "cannot reach") && !errors.Is(err, llif.ErrMountUnreachable) {
			t.Errorf("source %s: %v is not llif.ErrMountUnreachable", tc.src, err)
		}
		if st != nil {
			in.FsState = st
		}
		if _, err := storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: in, Undo: true}); err != nil {
			t.Error(err)
		}
		if left := e.diskEntries(); len(left) > 0 {
			t.Errorf("source %s: the refused create left %v", tc.src, left)
		}
	}
}

// A create that fails at a volume after building images drops, when
// undone, the images it built, even within the cache, and keeps those
// that were there before.
func TestVolumeFailureUndone(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"cat.nabla": "x"})
	small := writeTree(t, map[string]string{"f": "small"})
	big := writeTree(t, map[string]string{"f": strings.Repeat("x", 2<<20)})
	kept := volumes(t, e.create("first", rootfs, volume(small, "/small", true)))[0].Disk

	in := e.input("bad", rootfs, volume(small, "/small", true), volume(writeTree(t, map[string]string{"g": "new"}), "/new", true), volume(big, "/big", true))
	in.Runtime.DiskLimitBytes = 1 << 20 // an image of a small tree takes about 360 KiB
	in.Runtime.DiskCacheBytes = 1 << 30
	st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: in})
	if !errors.Is(err, storage.ErrTooLarge) {
		t.Fatalf("got %v, want the big volume refused", err)
	}
	before := e.diskEntries()
	in.FsState = st
	if _, err := storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: in, Undo: true}); err != nil {
		t.Fatal(err)
	}
	isos := func(names []string) int {
		n := 0
		for _, name := range names {
			if strings.HasSuffix(name, ".iso") {
				n++
			}
		}
		return n
	}
	// Before: the rootfs's and /small's images, of the first container,
	// and /new's, built by this create.
	if after := e.diskEntries(); isos(before) != 3 || isos(after) != 2 || slices.ContainsFunc(after, func(n string) bool { return strings.HasSuffix(n, ".unused") }) {
		t.Errorf("undo: the disk directory went from %v to %v; want /new's image gone, none kept unused", before, after)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("the image of the first container went: %v", err)
	}
}
