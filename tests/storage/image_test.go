package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
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
