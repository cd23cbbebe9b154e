package clients_test

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// The images the tests make. Names are under localhost/ so no client
// ever tries a registry for them.
const (
	nablaImage   = "localhost/runnc-clients/nabla:latest"
	pauseImage   = "localhost/runnc-clients/pause:latest"
	busyboxImage = "localhost/runnc-clients/busybox:latest"
	indexHTML    = "<html><body>served by a runnc unikernel</body></html>\n"
)

// file is one regular file of an image, or a symbolic link to link.
type file struct {
	name string
	data []byte
	link string
}

// nablaArchive writes a docker-archive (what `ctr images import` and
// `podman load` take) of an image holding every built guest at
// /<name>.nabla and /index.html for httpd, and returns its path.
func nablaArchive(t testing.TB, dir string) string {
	t.Helper()
	testenv.Binary(t, "guests/hello.nabla")
	guests, err := filepath.Glob(filepath.Join(testenv.BuildDir(t), "guests", "*.nabla"))
	if err != nil {
		t.Fatal(err)
	}
	files := []file{{name: "index.html", data: []byte(indexHTML)}}
	for _, g := range guests {
		files = append(files, file{name: filepath.Base(g), data: readFile(t, g)})
	}
	return writeArchive(t, filepath.Join(dir, "nabla.tar"), nablaImage, files, v1.Config{Cmd: []string{"/hello.nabla"}})
}

// pauseArchive writes the pod sandbox image: its entrypoint is /pause,
// which runnc never runs (it holds the pod's namespaces itself), so the
// file is just a copy of a guest. For runc too (benchmarks), /pause is a
// busybox script that sleeps.
func pauseArchive(t testing.TB, dir string, forRunc bool) string {
	t.Helper()
	files := []file{{name: "pause", data: readFile(t, testenv.Binary(t, "guests/hello.nabla"))}}
	if forRunc {
		files = append(busyboxFiles(t, "sh", "sleep"), file{name: "pause", data: []byte("#!/bin/sh\nexec sleep 2147483647\n")})
	}
	return writeArchive(t, filepath.Join(dir, "pause.tar"), pauseImage, files, v1.Config{Entrypoint: []string{"/pause"}})
}

// busyboxArchive writes an image of Debian's static busybox with the
// applets the runc comparisons use and index.html under /www.
func busyboxArchive(t testing.TB, dir string) string {
	t.Helper()
	files := append(busyboxFiles(t, "sh", "echo", "sleep", "httpd"), file{name: "www/index.html", data: []byte(indexHTML)})
	return writeArchive(t, filepath.Join(dir, "busybox.tar"), busyboxImage, files, v1.Config{Cmd: []string{"/bin/sh"}})
}

// busyboxFiles are /bin/busybox and a link to it for each applet.
func busyboxFiles(t testing.TB, applets ...string) []file {
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
	files := []file{{name: "bin/busybox", data: readFile(t, bin)}}
	for _, a := range applets {
		files = append(files, file{name: "bin/" + a, link: "busybox"})
	}
	return files
}

// writeArchive makes a one-layer linux/amd64 image of files, tagged ref,
// as a docker-archive at path.
func writeArchive(t testing.TB, path, ref string, files []file, cfg v1.Config) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.data)), Typeflag: tar.TypeReg}
		if f.link != "" {
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.link, 0o777
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		t.Fatalf("image %s: layer: %v", ref, err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatalf("image %s: %v", ref, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("image %s: %v", ref, err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", "amd64", cfg
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatalf("image %s: %v", ref, err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatalf("image %s: write %s: %v", ref, path, err)
	}
	return path
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
