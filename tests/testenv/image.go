package testenv

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TarEntry is one entry of a test image's layer, written as it is: a
// zero Type is a regular file (a directory if Name ends in "/"), Link is a
// symlink's or hard link's target, and a character device is /dev/null's
// 1,3.
type TarEntry struct {
	Name, Link string
	Type       byte
	Mode       int64
	Body       []byte
}

// Tar is entries as a tar stream, in order, in PAX format and with one
// fixed modification time, so that the same entries make the same bytes
// (and a layer the same digest).
func Tar(t testing.TB, entries ...TarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Linkname: e.Link, Typeflag: e.Type, Mode: e.Mode,
			Size: int64(len(e.Body)), ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
		if e.Type == tar.TypeChar {
			h.Devmajor, h.Devminor = 1, 3
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("tar entry %s: %v", e.Name, err)
		}
		if _, err := tw.Write(e.Body); err != nil {
			t.Fatalf("tar entry %s: %v", e.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Layer is a gzip layer of entries.
func Layer(t testing.TB, entries ...TarEntry) v1.Layer {
	t.Helper()
	data := Tar(t, entries...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
	if err != nil {
		t.Fatalf("layer: %v", err)
	}
	return l
}

// Image is a linux/amd64 image of layers, in order, with config cfg.
func Image(t testing.TB, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatalf("image: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("image: %v", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", "amd64", cfg
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatalf("image: %v", err)
	}
	return img
}

// Busybox is Debian's static busybox at /bin/busybox and a symlink to it at
// /bin/APPLET for each applet: the userland of the images that runc runs
// beside runnc. A dynamically linked busybox is refused, as the image
// holds no libraries.
func Busybox(t testing.TB, applets ...string) []TarEntry {
	t.Helper()
	bin, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal("busybox is not installed: run scripts/setup.sh (Debian package busybox-static)")
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("read %s: %v", bin, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("%s is dynamically linked and the image holds no libraries: install busybox-static", bin)
		}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	entries := []TarEntry{
		{Name: "bin/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "bin/busybox", Mode: 0o755, Body: data},
	}
	for _, a := range applets {
		entries = append(entries, TarEntry{Name: "bin/" + a, Type: tar.TypeSymlink, Link: "busybox", Mode: 0o777})
	}
	return entries
}
