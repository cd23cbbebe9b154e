package runtime_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// A container whose state.json cannot be read back shows in list as
// "unknown", and delete --force removes it: its init is killed when the
// readable head of the file still identifies it, and what the head still
// names (handlers, configuration) is undone as by any delete.
func TestUnreadableStateIsListedAndDeleted(t *testing.T) {
	for _, c := range []struct {
		name string
		// damage turns the state file into what is left of it.
		damage func(whole []byte) []byte
		// killed: delete --force can still tell init and kills it.
		killed bool
	}{
		{"torn in its last member", func(b []byte) []byte { return b[:len(b)-10] }, true},
		{"torn after init's pid", func(b []byte) []byte {
			return b[:strings.Index(string(b), `"handlers"`)+len(`"hand`)]
		}, true},
		{"torn inside init's pid", func(b []byte) []byte {
			return b[:strings.Index(string(b), `"init_pid":`)+len(`"init_pid":`)+2]
		}, false},
		{"garbage", func([]byte) []byte { return []byte("\x00\x01not json") }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			const id = "cl-torn"
			e.create(id, e.bundle([]string{"/hello.nabla", "sleep"}, nil))
			pid := e.state(id).Pid
			path := filepath.Join(e.Root, id, "state.json")
			whole, err := os.ReadFile(path)
			if err != nil || !strings.Contains(string(whole), `"init_pid":`) || !strings.Contains(string(whole), `"handlers"`) {
				t.Fatalf("state.json lacks the members the cases cut at: %q, %v", whole, err)
			}
			if err := os.WriteFile(path, c.damage(whole), 0o600); err != nil {
				t.Fatal(err)
			}
			// This test started init: it is ended here whatever runnc did,
			// and so is the cgroup runnc could not find.
			t.Cleanup(func() {
				unix.Kill(pid, unix.SIGKILL)
				for deadline := time.Now().Add(10 * time.Second); running(pid) && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				for _, dir := range testenv.Cgroups(id) {
					os.Remove(dir)
				}
			})

			res := e.Run("list")
			if res.Code != 0 || !strings.Contains(res.Stdout, id) || !strings.Contains(res.Stdout, "unknown") {
				t.Errorf("list: exit %d, stdout %q, stderr %q; want the container as unknown", res.Code, res.Stdout, res.Stderr)
			}
			res = e.Run("list", "-f", "json")
			var listed []struct{ ID, Status string }
			if err := json.Unmarshal([]byte(res.Stdout), &listed); err != nil || len(listed) != 1 || listed[0].Status != "unknown" {
				t.Errorf("list -f json: %q (%v)", res.Stdout, err)
			}
			e.refused("", "delete it with runnc delete --force", "state", id)
			e.refused("", "delete it with runnc delete --force", "delete", id)

			if res := e.Run("delete", "--force", id); res.Code != 0 {
				t.Fatalf("delete --force: exit %d, %s", res.Code, res.Stderr)
			}
			if _, err := os.Stat(filepath.Join(e.Root, id)); err == nil {
				t.Error("the state directory is still there")
			}
			if running(pid) != !c.killed {
				t.Errorf("after delete --force init (pid %d) runs: %v; want %v", pid, running(pid), !c.killed)
			}
			if left := testenv.Cgroups(id); c.killed && len(left) > 0 {
				t.Errorf("delete --force left cgroups %v", left)
			}
		})
	}
}

// running reports whether pid is a process that has not exited (a zombie
// has: its reaper may be slow, or PID 1 that reaps nothing).
func running(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(data), ')')
	return i > 0 && i+2 < len(data) && data[i+2] != 'Z' && data[i+2] != 'X'
}
