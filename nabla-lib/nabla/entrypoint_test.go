package nabla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rootfs makes a rootfs with a unikernel, symlinks inside and out of it, a
// directory named like a unikernel, and a unikernel on the host beside it.
func rootfs(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "rootfs")
	outside = filepath.Join(base, "host.nabla")
	for _, f := range []string{outside, filepath.Join(root, "bin/hello.nabla")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("\x7fELF"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"inside.nabla":   "bin/hello.nabla",
		"absolute.nabla": "/bin/hello.nabla",
		"escape.nabla":   "../host.nabla",
		"hostabs.nabla":  outside,
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "dir.nabla"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func TestResolveUnikernel(t *testing.T) {
	root, _ := rootfs(t)
	hello := filepath.Join(root, "bin/hello.nabla")
	for _, tc := range []struct {
		cwd, arg0 string
	}{
		{"/", "/bin/hello.nabla"},
		{"/bin", "hello.nabla"},
		{"", "bin/hello.nabla"},
		{"/", "inside.nabla"},
		{"/", "absolute.nabla"},
		{"/bin", "../../../bin/hello.nabla"},
	} {
		got, err := resolveUnikernel(root, tc.cwd, []string{tc.arg0, "arg"})
		if err != nil || got != hello {
			t.Errorf("cwd %q args[0] %q: got %q, %v; want %q", tc.cwd, tc.arg0, got, err, hello)
		}
	}
}

func TestResolveUnikernelRefuses(t *testing.T) {
	root, outside := rootfs(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "process.args is empty"},
		{[]string{"/bin/sh", "-c", "x"}, "entrypoint /bin/sh is not a .nabla unikernel"},
		{[]string{"/missing.nabla"}, "does not exist in rootfs"},
		{[]string{"/dir.nabla"}, "not a regular file"},
		// Symlinks out of the rootfs resolve inside it, where there is
		// nothing: the host's file is never chosen.
		{[]string{"/escape.nabla"}, "does not exist in rootfs"},
		{[]string{"/hostabs.nabla"}, "does not exist in rootfs"},
	} {
		got, err := resolveUnikernel(root, "/", tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("args %q: got %q, %v; want an error with %q", tc.args, got, err, tc.want)
		}
		if got == outside {
			t.Errorf("args %q resolved to the host's %s", tc.args, outside)
		}
	}
}

func TestCheckTender(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "nabla-run")
	plain := filepath.Join(dir, "not-exec")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkTender(exe); err != nil {
		t.Fatalf("executable tender refused: %v", err)
	}
	for path, want := range map[string]string{
		"nabla-run":                   "not absolute",
		filepath.Join(dir, "missing"): "cannot be found",
		plain:                         "not an executable",
		dir:                           "not an executable",
	} {
		if err := checkTender(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("tender %q: got %v, want an error with %q", path, err, want)
		}
	}
}
