package hostile_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The security defaults of a running container: state and disk
// directories private to root, and a tender that holds nothing of the
// runtime (no fd on the state, the fifo or the sync socket, no
// environment) besides its stdio, devices, epoll set and timer. Its
// capabilities, seccomp and no_new_privs are checked in
// TestSpinningGuestIsPausableAndKillable.
func TestSecurityDefaults(t *testing.T) {
	e := newEnv(t)
	e.setArgs(t, 0, "spin")
	id := e.id("sec")
	out := e.createWithOutput(t, id)
	dir := filepath.Join(e.Root, id)
	for path, want := range map[string]os.FileMode{
		e.Root:                           os.ModeDir | 0o700,
		dir:                              os.ModeDir | 0o700,
		filepath.Join(dir, "state.json"): 0o600,
		filepath.Join(dir, "exec.fifo"):  os.ModeNamedPipe | 0o600,
		e.DiskDir:                        os.ModeDir | 0o700,
	} {
		checkMode(t, path, want)
	}
	pid := e.startSpinning(t, id, out)
	if _, err := os.Stat(filepath.Join(dir, "exec.fifo")); !os.IsNotExist(err) {
		t.Errorf("the exec fifo is still there once started (%v)", err)
	}

	fdDir := "/proc/" + strconv.Itoa(pid) + "/fd"
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		t.Fatal(err)
	}
	// The Solo5 ABI's one epoll set and one timerfd are the guest's to wait
	// on (their fds are in its boot info); any other anonymous inode is not.
	waitFDs := map[string]int{"anon_inode:[eventpoll]": 1, "anon_inode:[timerfd]": 1}
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join(fdDir, fd.Name()))
		n, _ := strconv.Atoi(fd.Name())
		switch {
		case waitFDs[target] > 0:
			waitFDs[target]--
		case strings.HasPrefix(target, e.Root), strings.HasPrefix(target, "socket:"), strings.HasPrefix(target, "anon_inode:"):
			t.Errorf("the tender holds fd %d on %s", n, target)
		case n > 2 && !strings.HasPrefix(target, e.DiskDir) && target != "/dev/net/tun":
			t.Errorf("the tender holds fd %d on %s, which is neither stdio nor a device", n, target)
		}
	}
	environ, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil || len(environ) != 0 {
		t.Errorf("the tender's environment is %q (%v), want empty", environ, err)
	}
	if res := e.Run("delete", "--force", id); res.Code != 0 {
		t.Fatalf("delete: %s", res.Stderr)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if fi.Mode() != want {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
		t.Errorf("%s is owned by %d:%d, want root", path, st.Uid, st.Gid)
	}
}
