package clients_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
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
	files := []testenv.TarEntry{{Name: "index.html", Mode: 0o644, Body: []byte(indexHTML)}}
	for _, g := range guests {
		files = append(files, testenv.TarEntry{Name: filepath.Base(g), Mode: 0o755, Body: testenv.ReadFile(t, g)})
	}
	return writeArchive(t, filepath.Join(dir, "nabla.tar"), nablaImage, files, v1.Config{Cmd: []string{"/hello.nabla"}})
}

// pauseArchive writes the pod sandbox image: its entrypoint is /pause,
// which runnc never runs (it holds the pod's namespaces itself), so the
// file is just a copy of a guest. For runc too (benchmarks), /pause is a
// busybox script that sleeps.
func pauseArchive(t testing.TB, dir string, forRunc bool) string {
	t.Helper()
	files := []testenv.TarEntry{{Name: "pause", Mode: 0o755, Body: testenv.ReadFile(t, testenv.Binary(t, "guests/hello.nabla"))}}
	if forRunc {
		files = append(testenv.Busybox(t, "sh", "sleep"),
			testenv.TarEntry{Name: "pause", Mode: 0o755, Body: []byte("#!/bin/sh\nexec sleep 2147483647\n")})
	}
	return writeArchive(t, filepath.Join(dir, "pause.tar"), pauseImage, files, v1.Config{Entrypoint: []string{"/pause"}})
}

// busyboxArchive writes an image of Debian's static busybox with the
// applets the runc comparisons use and index.html under /www.
func busyboxArchive(t testing.TB, dir string) string {
	t.Helper()
	files := append(testenv.Busybox(t, "sh", "echo", "sleep", "httpd"),
		testenv.TarEntry{Name: "www/index.html", Mode: 0o644, Body: []byte(indexHTML)})
	return writeArchive(t, filepath.Join(dir, "busybox.tar"), busyboxImage, files, v1.Config{Cmd: []string{"/bin/sh"}})
}

// writeArchive makes a one-layer linux/amd64 image of files, tagged ref,
// as a docker-archive at path.
func writeArchive(t testing.TB, path, ref string, files []testenv.TarEntry, cfg v1.Config) string {
	t.Helper()
	img := testenv.Image(t, cfg, testenv.Layer(t, files...))
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatalf("image %s: write %s: %v", ref, path, err)
	}
	return path
}
