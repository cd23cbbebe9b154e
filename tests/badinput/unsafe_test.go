package badinput_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/runc/libcontainer/configs"
)

// nobody is a user other than root, as whom the tests plant files.
const nobody = 65534

// unsafeDirs are directories another user could write, made below base:
// by mode, by owner, through a parent, and through a symlink.
func unsafeDirs(t *testing.T, base string) map[string]string {
	t.Helper()
	open := testenv.Mkdir(t, filepath.Join(base, "open"), 0o777, 0)
	sticky := testenv.Mkdir(t, filepath.Join(base, "sticky"), 0o1777, 0)
	link := filepath.Join(base, "link")
	if err := os.Symlink(testenv.Mkdir(t, filepath.Join(base, "target"), 0o700, 0), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"world-writable":       open,
		"group-writable":       testenv.Mkdir(t, filepath.Join(base, "group"), 0o770, 0),
		"owned by another":     testenv.Mkdir(t, filepath.Join(base, "theirs"), 0o700, nobody),
		"sticky itself":        sticky,
		"in a writable parent": testenv.Mkdir(t, filepath.Join(open, "sub"), 0o700, 0),
		"below their symlink":  filepath.Join(link, "sub"),
		"in their directory":   filepath.Join(testenv.Mkdir(t, filepath.Join(base, "home"), 0o755, nobody), "sub"),
	}
}

// runnc refuses a --root, --disk-dir or --image-store that another user
// could write, with one sentence, and makes nothing there.
func TestUnsafeDirectoriesRefused(t *testing.T) {
	e := newEnv(t)
	bundle := e.hello()
	for what, dir := range unsafeDirs(t, t.TempDir()) {
		for _, flag := range []string{"--root", "--disk-dir", "--image-store"} {
			t.Run(flag+" "+what, func(t *testing.T) {
				args := []string{flag, dir, "create", "--bundle", "BUNDLE", "ID"}
				if flag == "--image-store" {
					args = []string{flag, dir, "image", "ls"}
				}
				before, _ := os.ReadDir(dir)
				e.refuse(t, bad{args: args, want: "could be written by another user", noLog: flag == "--image-store"}, bundle, e.id(what))
				if after, _ := os.ReadDir(dir); len(after) != len(before) {
					t.Errorf("runnc made files in %s: %v", dir, after)
				}
			})
		}
	}
	// A sticky world-writable parent owned by root (/tmp) is fine, and
	// runnc makes missing directories writable by root alone.
	res := e.Run("--root", filepath.Join(e.Dir, "new", "root"), "list")
	if res.Code != 0 {
		t.Fatalf("list with a root below a new directory: %s", res.Stderr)
	}
	res = e.Run("--root", filepath.Join(e.Dir, "new", "root"), "create", "--bundle", bundle, e.id("made"))
	if res.Code != 0 {
		t.Fatalf("create with a root below a new directory: %s", res.Stderr)
	}
	e.Run("--root", filepath.Join(e.Dir, "new", "root"), "delete", "--force", e.id("made"))
	for p, want := range map[string]os.FileMode{filepath.Join(e.Dir, "new"): 0o711, filepath.Join(e.Dir, "new", "root"): 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("runnc made %s with %v (%v), want mode %04o", p, fi.Mode(), err, want)
		}
	}
}

// plantState writes root/id/state.json as another user could: a stopped
// container whose poststop hook makes the file mark.
func plantState(t *testing.T, root, id, mark string, uid int) {
	t.Helper()
	hooks := configs.Hooks{configs.Poststop: configs.HookList{configs.NewCommandHook(&configs.Command{
		Path: "/bin/sh", Args: []string{"sh", "-c", "touch " + mark},
	})}}
	cfg, err := json.Marshal(&configs.Config{Rootfs: "/", Hooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	st, err := json.Marshal(map[string]any{
		"id":       id,
		"handlers": llif.Names{Fs: "noop", Network: "none", Exec: "nabla"},
		"config":   json.RawMessage(cfg),
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), st, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, "state.json")} {
		if err := os.Lchown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
}

// A state.json that runnc did not write is never used: its hooks do not
// run, whether it lies in a root others could write or in a container
// directory another user owns.
func TestPlantedStateIgnored(t *testing.T) {
	for _, c := range []struct {
		name      string
		rootMode  os.FileMode
		owner     int
		stateMode os.FileMode
	}{
		{"in a world-writable root", 0o777, nobody, 0o600},
		{"owned by another user", 0o700, nobody, 0o600},
		{"writable by others", 0o700, 0, 0o666},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if err := os.MkdirAll(e.Root, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(e.Root, c.rootMode); err != nil {
				t.Fatal(err)
			}
			id := e.id(c.name)
			mark := filepath.Join(e.Dir, "hook-ran")
			plantState(t, e.Root, id, mark, c.owner)
			if err := os.Chmod(filepath.Join(e.Root, id, "state.json"), c.stateMode); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"delete", "--force", "ID"}, {"state", "ID"}, {"kill", "ID", "KILL"}} {
				e.refuse(t, bad{args: args, want: "could be written by another user"}, "", id)
			}
			if _, err := os.Stat(mark); err == nil {
				t.Fatal("the planted poststop hook ran")
			}
			// Put right by hand, as the message says, the root works again.
			if err := os.Chmod(e.Root, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(filepath.Join(e.Root, id)); err != nil {
				t.Fatal(err)
			}
			if res := e.Run("list"); res.Code != 0 {
				t.Fatalf("list after the repair: %s", res.Stderr)
			}
		})
	}
}
