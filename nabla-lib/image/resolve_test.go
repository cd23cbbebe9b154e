package image

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCleanEntry(t *testing.T) {
	for name, want := range map[string]string{"./a/b": "a/b", "a/../b": "b", "a/": "a", ".": "."} {
		if got, err := cleanEntry(name); err != nil || got != want {
			t.Errorf("cleanEntry(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, name := range []string{"/etc/passwd", "../x", "a/../../x", ".."} {
		if _, err := cleanEntry(name); !errors.Is(err, errEscape) {
			t.Errorf("cleanEntry(%q) = %v, want an escape", name, err)
		}
	}
}

func TestResolveDir(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755))
	must(t, os.Symlink("usr/bin", filepath.Join(root, "bin")))
	must(t, os.Symlink("/usr", filepath.Join(root, "abs")))
	must(t, os.Symlink("../..", filepath.Join(root, "usr/bin/up")))
	must(t, os.Symlink("../../..", filepath.Join(root, "usr/bin/out")))
	must(t, os.Symlink("loop", filepath.Join(root, "loop")))
	for rel, want := range map[string]string{
		"bin":           "usr/bin",
		"bin/sub":       "usr/bin/sub",
		"abs/bin":       "usr/bin",
		"usr/bin/up":    "",
		"missing/a/b":   "missing/a/b",
		"bin/../lib":    "usr/lib", // .. after a symlink is physical
		"usr/bin/up/x/": "x",
	} {
		if got, err := resolveDir(root, rel); err != nil || got != want {
			t.Errorf("resolveDir(%q) = %q, %v; want %q", rel, got, err, want)
		}
	}
	for _, rel := range []string{"usr/bin/out", "usr/bin/out/etc"} {
		if _, err := resolveDir(root, rel); !errors.Is(err, errEscape) {
			t.Errorf("resolveDir(%q) = %v, want an escape", rel, err)
		}
	}
	if _, err := resolveDir(root, "loop/x"); err == nil {
		t.Errorf("resolveDir through a symlink loop succeeded")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
