package guest_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// isoTree is the rootfs the cat tests pack into an ISO, path -> content.
type isoTree map[string][]byte

// makeISO packs tree and symlinks (link -> target) as runnc's storage
// does (see testenv.ISO).
func makeISO(t *testing.T, tree isoTree, links map[string]string) string {
	return testenv.ISO(t, tree, links)
}

func TestCatFiles(t *testing.T) {
	big := make([]byte, 1<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	longName := strings.Repeat("long-rock-ridge-name-", 11) + "end.txt" // 238 bytes
	tree := isoTree{
		"/hello.txt":             []byte("hello from the ISO\n"),
		"/big.bin":               big,
		"/" + longName:           []byte("a long name\n"),
		"/a/b/c/d/nested.txt":    []byte("nested\x00with a NUL\n"),
		"/etc/hosts":             []byte("127.0.0.1 from-the-iso\n"),
		"/MixedCase.Name.tar.gz": []byte("mixed\n"),
		"/empty":                 {},
	}
	iso := makeISO(t, tree, map[string]string{
		"/a/up":     "../hello.txt",
		"/abs":      "/a/b/c/d/nested.txt",
		"/a/escape": "../../../../../../hello.txt", // ".." stops at the ISO's root
	})

	cases := []struct {
		path string
		want []byte
	}{
		{"/hello.txt", tree["/hello.txt"]},
		{"/big.bin", big},
		{"/" + longName, tree["/"+longName]},
		{"/a/b/c/d/nested.txt", tree["/a/b/c/d/nested.txt"]},
		{"a/b/../b/./c//d/nested.txt", tree["/a/b/c/d/nested.txt"]},
		{"/MixedCase.Name.tar.gz", tree["/MixedCase.Name.tar.gz"]},
		{"/empty", nil},
		{"/a/up", tree["/hello.txt"]},
		{"/abs", tree["/a/b/c/d/nested.txt"]},
		{"/a/escape", tree["/hello.txt"]},
		{"/etc/hosts", tree["/etc/hosts"]},
	}
	for _, c := range cases {
		r := runGuest(t, "cat", []string{"--block:rootfs=" + iso, "--disk-readonly"},
			configJSON(t, "argv", []string{"cat", c.path}))
		if r.status != 0 || !bytes.Equal([]byte(r.stdout), c.want) {
			t.Errorf("cat %s: got %d bytes (%.200s), want %d bytes", c.path, len(r.stdout), r.String(), len(c.want))
		}
	}
}

// The disk's block size comes from the manifest and need not be the ISO's
// 2048: the reader goes through whole blocks of any size the tender gives.
func TestCatBlockSizes(t *testing.T) {
	big := make([]byte, 300001) // ends inside a block of every size
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	tree := isoTree{"/small.txt": []byte("small\n"), "/d/big.bin": big}
	iso := makeISO(t, tree, nil)
	// Every block size must divide the disk: pad it to the largest.
	if err := os.Truncate(iso, (fileSize(t, iso)+32767)/32768*32768); err != nil {
		t.Fatal(err)
	}
	for _, bs := range []string{"512", "1024", "4096", "32768"} {
		for path, want := range tree {
			r := runGuest(t, "cat", []string{"--block:rootfs=" + iso, "--block-sector-size:rootfs=" + bs,
				"--disk-readonly"}, configJSON(t, "argv", []string{"cat", path}))
			if r.status != 0 || !bytes.Equal([]byte(r.stdout), want) {
				t.Errorf("cat %s, block size %s: got %d bytes (%.200s), want %d", path, bs, len(r.stdout), r.String(), len(want))
			}
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// CONFIG "files" shadows the ISO (per-container /etc/hosts on a shared
// image) and adds files the ISO does not have.
func TestCatConfigFilesShadowISO(t *testing.T) {
	iso := makeISO(t, isoTree{"/etc/hosts": []byte("from the ISO\n")}, nil)
	cfg := configJSON(t,
		"argv", []string{"cat", "/etc/hosts", "/etc/resolv.conf"},
		"files", map[string]string{
			"/etc/hosts":       "127.0.0.1 localhost\n10.0.0.2 \"c1\"\n",
			"/etc/resolv.conf": "nameserver 10.0.0.1\n",
		})
	r := runGuest(t, "cat", []string{"--block:rootfs=" + iso, "--disk-readonly"}, cfg)
	want := "127.0.0.1 localhost\n10.0.0.2 \"c1\"\nnameserver 10.0.0.1\n"
	if r.status != 0 || r.stdout != want {
		t.Fatalf("cat with CONFIG files: %v, want stdout %q", r, want)
	}

	// With a disk that is no ISO at all, CONFIG's files are all there is:
	// they are found without reading it.
	blank := filepath.Join(t.TempDir(), "blank.img")
	if err := os.WriteFile(blank, make([]byte, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runGuest(t, "cat", []string{"--block:rootfs=" + blank, "--disk-readonly"}, cfg)
	if r.status != 0 || r.stdout != want {
		t.Fatalf("cat with CONFIG files and a blank disk: %v, want stdout %q", r, want)
	}
}

func TestCatMissing(t *testing.T) {
	iso := makeISO(t, isoTree{"/dir/file": []byte("x")}, map[string]string{"/loop": "loop"})
	for path, why := range map[string]string{
		"/nope":        "no such file",
		"/dir/file/x":  "not a directory",
		"/dir":         "is a directory",
		"/loop":        "too many symbolic links",
		"/dir/nothing": "no such file",
	} {
		r := runGuest(t, "cat", []string{"--block:rootfs=" + iso}, configJSON(t, "argv", []string{"cat", path}))
		if r.status != 1 || r.stdout != "cat: "+path+": "+why+"\n" {
			t.Errorf("cat %s: %v, want exit 1 and %q", path, r, why)
		}
	}
}
