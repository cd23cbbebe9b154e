package nabla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	e "github.com/nabla-containers/runnc/nabla-lib/solo5elf/solo5elftest"
)

// sdkGuest is a runnc SDK unikernel with a NIC and a root disk.
var sdkGuest = e.Unikernel(2, true, e.Entry{Name: "net0", Type: e.Net}, e.Entry{Name: "rootfs", Type: e.Block})

// writeFile writes content at name below dir, making its directory.
func writeFile(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// rootfs makes a rootfs with a unikernel, symlinks inside and out of it, a
// directory named like a unikernel, and a unikernel on the host beside it.
func rootfs(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "rootfs")
	outside = writeFile(t, base, "host.nabla", sdkGuest)
	writeFile(t, root, "bin/hello.nabla", sdkGuest)
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
		got, err := resolveUnikernel(root, tc.cwd, tc.arg0, "process.args[0]")
		if err != nil || got != hello {
			t.Errorf("cwd %q args[0] %q: got %q, %v; want %q", tc.cwd, tc.arg0, got, err, hello)
		}
	}
}

func TestResolveUnikernelRefuses(t *testing.T) {
	root, outside := rootfs(t)
	for _, tc := range []struct {
		entry, want string
	}{
		{"", "process.args is empty"},
		{"/missing.spt", "does not exist in rootfs"},
		{"/dir.nabla", "not a regular file: check process.args[0]"},
		// Symlinks out of the rootfs resolve inside it, where there is
		// nothing: the host's file is never chosen.
		{"/escape.nabla", "does not exist in rootfs"},
		{"/hostabs.nabla", "does not exist in rootfs"},
	} {
		got, err := resolveUnikernel(root, "/", tc.entry, "process.args[0]")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), ".nabla unikernel") {
			t.Errorf("entry %q: got %q, %v; want an error with %q", tc.entry, got, err, tc.want)
		}
		if got == outside {
			t.Errorf("entry %q resolved to the host's %s", tc.entry, outside)
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
