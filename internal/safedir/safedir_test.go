package safedir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// mkdir makes p with mode (umask aside) and owner uid.
func mkdir(t *testing.T, p string, mode os.FileMode, uid int) string {
	t.Helper()
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(p, uid, uid); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files other owners")
	}
	base := t.TempDir() // below /tmp: a sticky parent is fine
	sticky := mkdir(t, filepath.Join(base, "sticky"), 0o777|os.ModeSticky, 0)
	safe := mkdir(t, filepath.Join(base, "safe"), 0o755, 0)
	if err := os.Symlink("safe", filepath.Join(base, "rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(safe+"/../sticky", filepath.Join(base, "up")); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{safe, filepath.Join(base, "rel"), mkdir(t, filepath.Join(sticky, "mine"), 0o700, 0)} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%s) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{sticky, filepath.Join(base, "up"), mkdir(t, filepath.Join(sticky, "theirs"), 0o700, 65534)} {
		if err := Check(bad); !errors.Is(err, ErrUnsafe) {
			t.Errorf("Check(%s) = %v, want ErrUnsafe", bad, err)
		}
	}
	if err := Check(filepath.Join(safe, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check of a missing directory = %v, want ErrNotExist", err)
	}
	if err := os.Symlink("loop", filepath.Join(base, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := Check(filepath.Join(base, "loop")); err == nil {
		t.Error("Check through a symlink loop succeeded")
	}
}

func TestMake(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := Make(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{filepath.Join(base, "a"): 0o711, dir: 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("Make made %s with %v (%v), want %04o", p, fi.Mode(), err, want)
		}
	}
	if err := Make(dir, 0o700); err != nil {
		t.Errorf("Make of an existing directory: %v", err)
	}
}
