package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

func TestImageHoldsTheRootfs(t *testing.T) {
	e := newEnv(t)
	long := "a-file-name-much-longer-than-the-thirty-one-characters-of-iso9660.txt"
	content := "line one\n\x00binary\xff and \"quotes\"\n"
	rootfs := writeTree(t, map[string]string{
		"hello.nabla":             "ELF pretend",
		"usr/share/doc/" + long:   content,
		"www/index.html":          "<h1>hi</h1>\n",
		"unicodé/fichier-été.txt": "é",
	})
	if err := os.Chmod(filepath.Join(rootfs, "hello.nabla"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(rootfs, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	st := e.create("c1", rootfs)
	img := st.Get(llif.FsDisk)
	if filepath.Dir(img) != e.diskDir || !strings.HasSuffix(img, ".iso") {
		t.Fatalf("image %q is not an .iso in the disk directory %s", img, e.diskDir)
	}
	if st.Get(llif.FsDiskReadOnly) != "true" {
		t.Fatalf("%s = %q, want true", llif.FsDiskReadOnly, st.Get(llif.FsDiskReadOnly))
	}

	list := run(t, isoinfo, "-R", "-f", "-i", img)
	for _, want := range []string{"/hello.nabla", "/usr/share/doc/" + long, "/www/index.html", "/unicodé/fichier-été.txt", "/empty"} {
		if !strings.Contains(list, want+"\n") {
			t.Errorf("image listing lacks %s:\n%s", want, list)
		}
	}
	if got := run(t, isoinfo, "-R", "-i", img, "-x", "/usr/share/doc/"+long); got != content {
		t.Errorf("extracted %q, want %q", got, content)
	}
	if ls := run(t, isoinfo, "-R", "-l", "-i", img); !strings.Contains(ls, "-r-xr-xr-x") {
		t.Errorf("executable mode of hello.nabla lost:\n%s", ls)
	}
}

func TestSymlinkIsStoredNotFollowed(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"etc/motd": "hi\n"})
	if err := os.Symlink("/etc/passwd", filepath.Join(rootfs, "etc/host-passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../etc/passwd", filepath.Join(rootfs, "etc/up-passwd")); err != nil {
		t.Fatal(err)
	}
	img := e.create("c1", rootfs).Get(llif.FsDisk)

	ls := run(t, isoinfo, "-R", "-l", "-i", img)
	for _, want := range []string{"host-passwd -> /etc/passwd", "up-passwd -> ../../../../../../etc/passwd"} {
		if !strings.Contains(ls, want) {
			t.Errorf("image does not hold the symlink %q:\n%s", want, ls)
		}
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, passwd) {
		t.Fatal("the image holds the host's /etc/passwd: a symlink was followed out of the rootfs")
	}
}

func TestContainersOfOneRootfsShareTheImage(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"hello.nabla": "x", "data/a": "a"})
	a := e.create("a", rootfs).Get(llif.FsDisk)
	b := e.create("b", rootfs).Get(llif.FsDisk)
	if a != b {
		t.Fatalf("same rootfs, different images: %s and %s", a, b)
	}
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(fa, fb) {
		t.Fatal("the two containers' images are different files")
	}

	e.destroy("a")
	if _, err := os.Stat(b); err != nil {
		t.Fatalf("image gone while container b still uses it: %v", err)
	}
	e.destroy("b")
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("disk directory not empty after the last user left: %v", left)
	}
}

func TestChangedRootfsGetsANewImage(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"hello.nabla": "x", "www/index.html": "v1"})
	before := e.create("a", rootfs).Get(llif.FsDisk)
	if err := os.WriteFile(filepath.Join(rootfs, "www/index.html"), []byte("version 2"), 0o644); err != nil {
		t.Fatal(err)
	}
	after := e.create("b", rootfs).Get(llif.FsDisk)
	if before == after {
		t.Fatal("a changed rootfs reused the old image")
	}
	if got := run(t, isoinfo, "-R", "-i", after, "-x", "/www/index.html"); got != "version 2" {
		t.Fatalf("new image holds %q, want the new content", got)
	}
	if got := run(t, isoinfo, "-R", "-i", before, "-x", "/www/index.html"); got != "v1" {
		t.Fatalf("old image (still used by a) holds %q, want v1", got)
	}
}

// An engine gives each container its own entries (/.dockerenv, /dev,
// /proc, /sys, /etc/hosts, /etc/hostname, /etc/resolv.conf, /etc/mtab)
// with fresh timestamps, which also touch the directories holding them.
// Two containers of one tree still share one disk image, which holds none
// of those entries. (Docker's containers, each its own overlay of the same
// layers, share too: see TestDockerContainersShareByLayers.)
func TestEngineEntriesDoNotSplitTheImage(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"hello.nabla": "ELF pretend", "etc/app.conf": "x=1\n"})
	var disks []string
	for i, id := range []string{"d1", "d2"} {
		for _, f := range []string{".dockerenv", "etc/hosts", "etc/hostname", "etc/resolv.conf", "dev/console", "proc/.keep", "sys/.keep"} {
			p := filepath.Join(rootfs, f)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(strings.Repeat("z", i+1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		os.Remove(filepath.Join(rootfs, "etc/mtab"))
		if err := os.Symlink("/proc/mounts", filepath.Join(rootfs, "etc/mtab")); err != nil {
			t.Fatal(err)
		}
		st := e.create(id, rootfs, bindMount(t, "/etc/hosts"), bindMount(t, "/etc/hostname"), bindMount(t, "/etc/resolv.conf"))
		disks = append(disks, st.Get(llif.FsDisk))
	}
	if disks[0] != disks[1] {
		t.Fatalf("two containers of one image got two disk images: %v", disks)
	}
	list := run(t, isoinfo, "-R", "-f", "-i", disks[0])
	for _, gone := range []string{"/.dockerenv", "/dev", "/proc", "/sys", "/etc/hosts", "/etc/mtab"} {
		if strings.Contains(list, gone+"\n") {
			t.Errorf("the image holds the engine's %s:\n%s", gone, list)
		}
	}
	if !strings.Contains(list, "/etc/app.conf\n") {
		t.Errorf("the image lost /etc/app.conf:\n%s", list)
	}
}

// bindMount is an engine's bind mount of a host file at dst.
func bindMount(t *testing.T, dst string) *configs.Mount {
	src := filepath.Join(t.TempDir(), filepath.Base(dst))
	if err := os.WriteFile(src, []byte("per container\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &configs.Mount{Source: src, Destination: dst, Device: "bind", Flags: unix.MS_BIND}
}
