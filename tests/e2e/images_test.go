package e2e_test

import (
	"archive/tar"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

const (
	nablaImage   = "runnc-e2e/nabla:latest"
	busyboxImage = "runnc-e2e/busybox:latest"
	indexHTML    = "<html><body>runnc e2e</body></html>\n"
	bigFileSize  = 5 << 20
)

// bigFile is the 5 MiB file the images serve: deterministic, and not all
// one byte, so a truncated or shifted transfer is caught.
var bigFile = func() []byte {
	b := make([]byte, bigFileSize)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}()

var (
	imageMu   sync.Mutex
	imageDone = map[string]bool{}
)

// nabla returns the image holding every built guest at /<name>.nabla plus
// /index.html, /big.bin and an empty /dir, importing it on first use.
func (d *daemon) nabla(t testing.TB) string {
	t.Helper()
	testenv.Binary(t, "guests/hello.nabla")
	return d.image(t, nablaImage, func() []testenv.TarEntry {
		guests, err := filepath.Glob(filepath.Join(testenv.BuildDir(t), "guests", "*.nabla"))
		if err != nil {
			t.Fatal(err)
		}
		entries := append(webFiles(""), testenv.TarEntry{Name: "dir/", Type: tar.TypeDir, Mode: 0o755})
		for _, g := range guests {
			data, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, testenv.TarEntry{Name: filepath.Base(g), Mode: 0o755, Body: data})
		}
		return entries
	})
}

// busybox returns an image of Debian's static busybox with the applets the
// runc comparisons use, and the same web files under /www.
func (d *daemon) busybox(t testing.TB) string {
	t.Helper()
	return d.image(t, busyboxImage, func() []testenv.TarEntry {
		entries := append(testenv.Busybox(t, "sh", "echo", "true", "sleep", "httpd", "cat"),
			testenv.TarEntry{Name: "www/", Type: tar.TypeDir, Mode: 0o755})
		return append(entries, webFiles("www/")...)
	})
}

func webFiles(prefix string) []testenv.TarEntry {
	return []testenv.TarEntry{
		{Name: prefix + "index.html", Mode: 0o644, Body: []byte(indexHTML)},
		{Name: prefix + "big.bin", Mode: 0o644, Body: bigFile},
	}
}

// image imports the tar of entries as name once per run.
func (d *daemon) image(t testing.TB, name string, entries func() []testenv.TarEntry) string {
	t.Helper()
	imageMu.Lock()
	defer imageMu.Unlock()
	if imageDone[name] {
		return name
	}
	tarPath := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(tarPath, testenv.Tar(t, entries()...), 0o644); err != nil {
		t.Fatalf("image %s: %v", name, err)
	}
	d.must(t, "import", tarPath, name)
	imageDone[name] = true
	return name
}
