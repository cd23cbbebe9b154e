package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	hooks := configs.Hooks{configs.Poststart: {configs.NewCommandHook(&configs.Command{Path: "/bin/true"})}}
	s := &State{ID: "x", InitPid: 42, Config: &configs.Config{Rootfs: "/r", Hooks: hooks},
		Process: &specs.Process{Args: []string{"/x.nabla"}},
		FsState: llif.LLState{Options: map[string]string{"disk": "/d.iso"}}}
	if err := s.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := readState(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.InitPid != 42 || got.FsState.Get("disk") != "/d.iso" || got.Config != nil || got.Process != nil {
		t.Fatalf("state did not survive a round trip (its config and process decoded only when asked): %+v", got)
	}
	// The hooks alone, then the whole config, come from the raw config.
	if h, err := got.hooks(); err != nil || len(h[configs.Poststart]) != 1 || got.Config != nil {
		t.Fatalf("hooks: %v, %v; config decoded: %v", h, err, got.Config != nil)
	}
	if cfg, err := got.config(); err != nil || cfg.Rootfs != "/r" || len(cfg.Hooks[configs.Poststart]) != 1 {
		t.Fatalf("config: %+v, %v", cfg, err)
	}
	if got.Process == nil || len(got.Process.Args) != 1 || got.Process.Args[0] != "/x.nabla" {
		t.Fatalf("process decoded with the config: %+v", got.Process)
	}
	// Only state.json is left: the temporary file was renamed over it.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != stateFile {
		t.Fatalf("directory holds %v", entries)
	}
}

func TestCorruptStateIsReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o600)
	if _, err := readState(dir, nil); err == nil {
		t.Fatal("a torn state.json was accepted")
	}
}

// A create's start takes the container's lock again, and `runnc run` twice
// more: the state this process saved last is reused, undecoded, only while
// the file still holds what it wrote, and only after Create or an
// operation of lockedCurrent that succeeded.
func TestCurrentStateIsReused(t *testing.T) {
	dir := t.TempDir()
	s := &State{ID: "x", InitPid: 42, Config: &configs.Config{Rootfs: "/r"}}
	if err := s.save(dir); err != nil {
		t.Fatal(err)
	}
	c := &nablaContainer{id: "x", dir: dir, state: s, current: true}
	relock := func() {
		t.Helper()
		unlock, err := c.lock()
		if err != nil {
			t.Fatal(err)
		}
		unlock()
	}
	relock()
	if c.state != s || c.state.Config == nil {
		t.Fatal("the state the create just saved was read again")
	}
	// Other locks read the file: this copy may have run ahead of it.
	s.InitPid = 7
	relock()
	if c.state == s || c.state.InitPid != 42 {
		t.Fatalf("a second lock kept this process's copy (pid %d)", c.state.InitPid)
	}
	// An operation that ends with a save leaves the copy current...
	if err := c.lockedCurrent(func() error { c.state.InitPid = 44; return c.state.save(dir) }); err != nil {
		t.Fatal(err)
	}
	saved := c.state
	relock()
	if c.state != saved {
		t.Fatal("the state a successful operation saved last was read again")
	}
	// ...and one that fails does not.
	if err := c.lockedCurrent(func() error { c.state.InitPid = 45; return errors.New("failed half way") }); err == nil {
		t.Fatal("lockedCurrent hid its operation's error")
	}
	relock()
	if c.state.InitPid != 44 {
		t.Fatalf("a lock after a failed operation kept its copy (pid %d)", c.state.InitPid)
	}
	// A file another invocation changed meanwhile is read, current or not.
	other := &State{ID: "x", InitPid: 43, RawConfig: c.state.RawConfig}
	if err := other.save(dir); err != nil {
		t.Fatal(err)
	}
	c.state, c.current = s, true
	relock()
	if c.state == s || c.state.InitPid != 43 {
		t.Fatalf("a state changed by another invocation was not read again (pid %d)", c.state.InitPid)
	}
}

// A container deleted while a lock on it was awaited, and made again under
// the same id meanwhile (a delete --force and a create racing a start): the
// waiter gets "does not exist", not the dead directory's lock, which would
// let it change the new container beside the create that holds its real
// lock (50 parallel operations on one id left an init behind this way).
func TestLockDirOfAContainerMadeAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c1")
	made := func() *os.File {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		return f
	}
	holder := made()
	got := make(chan error, 1)
	go func() {
		unlock, err := lockDir(dir, "c1", nil)
		if err == nil {
			unlock()
		}
		got <- err
	}()
	// Once the waiter waits for the old directory's lock (the kernel lists
	// it in /proc/locks), the directory goes and another takes its place.
	fi, err := holder.Stat()
	if err != nil {
		t.Fatal(err)
	}
	for !awaited(t, fi.Sys().(*syscall.Stat_t).Ino) {
		time.Sleep(time.Millisecond)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	again := made()
	defer again.Close()
	holder.Close() // the old directory's lock comes free; the new one's is held
	if err := <-got; !errors.Is(err, ErrNotExist) {
		t.Fatalf("lockDir of a directory made again while it waited: %v, want ErrNotExist", err)
	}
}

// awaited tells whether some process waits for a lock on inode ino: the
// kernel lists a blocked request in /proc/locks with "->".
func awaited(t *testing.T, ino uint64) bool {
	t.Helper()
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(locks), "\n") {
		f := strings.Fields(line)
		if len(f) > 6 && f[1] == "->" && strings.HasSuffix(f[6], fmt.Sprintf(":%d", ino)) {
			return true
		}
	}
	return false
}
