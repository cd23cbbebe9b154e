package safedir_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/nabla-containers/runnc/internal/safedir"
	"github.com/nabla-containers/runnc/tests/testenv"
)

func TestCheck(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files other owners")
	}
	base := t.TempDir() // below /tmp: a sticky parent is fine
	sticky := testenv.Mkdir(t, filepath.Join(base, "sticky"), 0o777|os.ModeSticky, 0)
	safe := testenv.Mkdir(t, filepath.Join(base, "safe"), 0o755, 0)
	if err := os.Symlink("safe", filepath.Join(base, "rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(safe+"/../sticky", filepath.Join(base, "up")); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{safe, filepath.Join(base, "rel"), testenv.Mkdir(t, filepath.Join(sticky, "mine"), 0o700, 0)} {
		if err := safedir.Check(ok); err != nil {
			t.Errorf("safedir.Check(%s) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{sticky, filepath.Join(base, "up"), testenv.Mkdir(t, filepath.Join(sticky, "theirs"), 0o700, 65534)} {
		if err := safedir.Check(bad); !errors.Is(err, safedir.ErrUnsafe) {
			t.Errorf("safedir.Check(%s) = %v, want safedir.ErrUnsafe", bad, err)
		}
	}
	if err := safedir.Check(filepath.Join(safe, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check of a missing directory = %v, want ErrNotExist", err)
	}
	if err := os.Symlink("loop", filepath.Join(base, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := safedir.Check(filepath.Join(base, "loop")); err == nil {
		t.Error("Check through a symlink loop succeeded")
	}
}

func TestMake(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := safedir.Make(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{filepath.Join(base, "a"): 0o711, dir: 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("Make made %s with %v (%v), want %04o", p, fi.Mode(), err, want)
		}
	}
	if err := safedir.Make(dir, 0o700); err != nil {
		t.Errorf("Make of an existing directory: %v", err)
	}
}
