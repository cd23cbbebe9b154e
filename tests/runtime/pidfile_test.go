package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gorunc "github.com/containerd/go-runc"
)

// The pid file is written as runc writes it, into a new file renamed into
// place: symlinks planted at its name or at the temporary name runc (and
// runnc before) used are replaced or ignored, never written through.
func TestPidFileIsNotFollowed(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "init.pid")
	for _, name := range []string{pidFile, filepath.Join(dir, ".init.pid")} {
		if err := os.Symlink(victim, name); err != nil {
			t.Fatal(err)
		}
	}
	null, err := gorunc.NewNullIO()
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.runc.Create(ctx, "cl-pid", e.bundle([]string{"/hello.nabla", "sleep"}, nil), &gorunc.CreateOpts{PidFile: pidFile, IO: null}); err != nil {
		t.Fatalf("create: %v (%s)", err, e.LastLog())
	}
	if data, err := os.ReadFile(victim); err != nil || string(data) != "precious" {
		t.Errorf("the file behind the planted symlinks now holds %q (%v)", data, err)
	}
	fi, err := os.Lstat(pidFile)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("pid file: %v, mode %v; want a regular file in place of the symlink", err, fi.Mode())
	}
	data, _ := os.ReadFile(pidFile)
	if pid, err := strconv.Atoi(string(data)); err != nil || pid != e.state("cl-pid").Pid {
		t.Errorf("pid file holds %q, want the container's pid and no newline", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		t.Errorf("the pid file's directory holds %v: a temporary file was left", names)
	}
}
