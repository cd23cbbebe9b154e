package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ISO writes files (path -> content) and symlinks (link -> target) below a
// fresh directory and packs it as the iso fs handler does, an ISO 9660
// image with Rock Ridge names; it returns the image's path.
func ISO(t testing.TB, files map[string][]byte, links map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("genisoimage"); err != nil {
		t.Fatalf("genisoimage is missing: run make setup (%v)", err)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	place := func(p string, make func(string) error) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := make(full); err != nil {
			t.Fatal(err)
		}
	}
	for p, content := range files {
		place(p, func(full string) error { return os.WriteFile(full, content, 0o644) })
	}
	for link, target := range links {
		place(link, func(full string) error { return os.Symlink(target, full) })
	}
	iso := filepath.Join(dir, "disk.iso")
	if out, err := exec.Command("genisoimage", "-quiet", "-l", "-r", "-o", iso, root).CombinedOutput(); err != nil {
		t.Fatalf("genisoimage: %v: %s", err, out)
	}
	return iso
}
