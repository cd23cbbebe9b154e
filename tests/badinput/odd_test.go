package badinput_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// Odd but valid configs run: hello prints what it was given and the
// container leaves nothing behind.
func TestOddInputsRun(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name string
		edit func(t *testing.T, bundle string, m map[string]any)
		want string // in hello's output
	}{
		{"non-UTF-8 argument", setProcess("args", []any{"/hello.nabla", "caf\xe9"}), "arg[1]: caf"},
		{"unicode everywhere", setProcess("args", []any{"/hello.nabla", "☃ 😀 \u2028"}), "☃ 😀"},
		{"control characters", setProcess("args", []any{"/hello.nabla", "\x1b[31mred\x07"}), "red"},
		{"relative entrypoint with cwd", func(_ *testing.T, _ string, m map[string]any) {
			obj(m, "process")["args"] = []any{"hello.nabla"}
			obj(m, "process")["cwd"] = "/"
		}, "Hello, World"},
		{"empty cwd", setProcess("cwd", ""), "cwd: /"},
		// docker run --security-opt apparmor=unconfined: no confinement
		// asked for, on a host that has none to give.
		{"AppArmor profile unconfined", setProcess("apparmorProfile", "unconfined"), "Hello, World"},
		// The annotation leaves out every mount that would be refused
		// (see config_test.go).
		{"unusual mounts, left out by annotation", func(_ *testing.T, _ string, m map[string]any) {
			m["annotations"] = map[string]any{"org.nabla.runnc.ignore-mounts": "*"}
			m["mounts"] = []any{
				map[string]any{"destination": "/proc", "type": "proc", "source": "proc"},
				map[string]any{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": []any{"ro"}},
				map[string]any{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []any{"size=1k"}},
				map[string]any{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup"},
				map[string]any{"destination": "/host-etc", "type": "bind", "source": "/etc", "options": []any{"rbind", "rw"}},
				map[string]any{"destination": "/dev/sda", "type": "bind", "source": "/dev/null"},
				map[string]any{"destination": "../../escape", "type": "tmpfs", "source": "tmpfs"},
				map[string]any{"destination": "/weird", "type": "nfs4", "source": "10.255.255.1:/export"},
			}
		}, "Hello, World"},
		{"mounts left out by name", func(_ *testing.T, _ string, m map[string]any) {
			m["annotations"] = map[string]any{"org.nabla.runnc.ignore-mounts": "/tmp, /host-etc/"}
			m["mounts"] = []any{
				map[string]any{"destination": "/proc", "type": "proc", "source": "proc"},
				map[string]any{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
				map[string]any{"destination": "/host-etc", "type": "bind", "source": "/etc", "options": []any{"rbind", "ro"}},
			}
		}, "Hello, World"},
		{"symlinked rootfs", func(t *testing.T, b string, m map[string]any) {
			if err := os.Rename(filepath.Join(b, "rootfs"), filepath.Join(b, "real-rootfs")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("real-rootfs", filepath.Join(b, "rootfs")); err != nil {
				t.Fatal(err)
			}
		}, "Hello, World"},
		{"rootfs path with dot-dots inside the bundle", setRootPath("rootfs/../rootfs/."), "Hello, World"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := e.hello()
			editJSON(t, bundle, func(m map[string]any) { c.edit(t, bundle, m) })
			tried.Add(1)
			before := e.snapshot(t)
			res := e.Run("run", "--bundle", bundle, e.id(c.name))
			if res.Code != 0 || !strings.Contains(res.Stdout, c.want) {
				t.Fatalf("runnc run: exit %d, stdout %q lacks %q, stderr %q", res.Code, res.Stdout, c.want, res.Stderr)
			}
			before.CheckNone(t, e.snapshot(t), "runnc run")
		})
	}
}

// Symlinks in the rootfs that point outside it stay symlinks in the disk
// image: the host file they name is never copied in, and the guest, which
// resolves them inside its image, cannot read it.
func TestRootfsSymlinksStayInside(t *testing.T) {
	e := newEnv(t)
	bundle := e.Bundle([]string{"cat.nabla"}, []string{"/cat.nabla", "/abs"}, nil)
	secret := filepath.Join(bundle, "secret")
	const marker = "HOST-SECRET-7f3a9c"
	if err := os.WriteFile(secret, []byte(marker+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(bundle, "rootfs")
	links := map[string]string{
		"abs":      secret,
		"rel":      "../secret",
		"deep":     strings.Repeat("../", 20) + strings.TrimPrefix(secret, "/"),
		"dir-link": filepath.Dir(secret),
		"loop":     "loop",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(rootfs, name)); err != nil {
			t.Fatal(err)
		}
	}
	before := e.snapshot(t)
	id := e.id("symlinks")
	if res := e.Run("create", "--bundle", bundle, id); res.Code != 0 {
		t.Fatalf("create: %s", res.Stderr)
	}
	image := testenv.SoleDiskImage(t, e.DiskDir)
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(marker)) {
		t.Errorf("the disk image holds the content of %s, which only a symlink names", secret)
	}
	listing, err := exec.Command("isoinfo", "-R", "-l", "-i", image).CombinedOutput()
	if err != nil {
		t.Fatalf("isoinfo: %v: %s", err, listing)
	}
	for name, target := range links {
		if !strings.Contains(string(listing), name+" -> "+target) {
			t.Errorf("isoinfo does not list %s as a symlink to %s:\n%s", name, target, listing)
		}
	}
	if res := e.Run("delete", id); res.Code != 0 {
		t.Fatalf("delete: %s", res.Stderr)
	}

	// The guest resolves each link inside its image and finds nothing.
	for _, path := range []string{"/abs", "/rel", "/deep", "/dir-link/secret", "/loop"} {
		editJSON(t, bundle, func(m map[string]any) { obj(m, "process")["args"] = []any{"/cat.nabla", path} })
		res := e.Run("run", "--bundle", bundle, e.id("cat"))
		if res.Code != 1 || strings.Contains(res.Stdout, marker) ||
			!(strings.Contains(res.Stdout, "no such file") || strings.Contains(res.Stdout, "too many symbolic links")) {
			t.Errorf("cat %s: exit %d, printed %q; want exit 1, no such file, never the host file", path, res.Code, res.Stdout)
		}
	}
	before.CheckNone(t, e.snapshot(t), "the symlinks containers")
}
