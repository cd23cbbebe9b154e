package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/runc/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestLimitsPauseUpdateEvents drives what a container's cgroup is for:
// the limits of the bundle, pause and resume, update and the statistics
// of events, with whichever cgroup driver and layout the host has.
func TestLimitsPauseUpdateEvents(t *testing.T) {
	e := newEnv(t)
	mem, pids := int64(256<<20), int64(64)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
		s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &mem}, Pids: &specs.LinuxPids{Limit: &pids}}
	})
	e.create("lim", b)
	pid := e.state("lim").Pid
	assertInCgroup(t, pid, "lim")
	checkLimits(t, pid, mem, pids)
	if err := e.runc.Start(context.Background(), "lim"); err != nil {
		t.Fatalf("start: %v (%s)", err, e.LastLog())
	}
	e.waitStatus("lim", "running")

	if err := e.runc.Pause(context.Background(), "lim"); err != nil {
		t.Fatalf("pause: %v (%s)", err, e.LastLog())
	}
	e.waitStatus("lim", "paused")
	if err := e.runc.Resume(context.Background(), "lim"); err != nil {
		t.Fatalf("resume: %v (%s)", err, e.LastLog())
	}
	e.waitStatus("lim", "running")

	if _, stderr, code := e.runnc_("update", "--memory", "128m", "--pids-limit", "32", "lim"); code != 0 {
		t.Fatalf("update: %s", stderr)
	}
	checkLimits(t, pid, 128<<20, 32)

	stdout, stderr, code := e.runnc_("events", "--stats", "lim")
	if code != 0 {
		t.Fatalf("events --stats: %s", stderr)
	}
	var ev struct {
		types.Event
		Data types.Stats `json:"data"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatalf("events --stats printed %q: %v", stdout, err)
	}
	if ev.Type != "stats" || ev.ID != "lim" || ev.Data.Memory.Usage.Limit != 128<<20 ||
		ev.Data.Memory.Usage.Usage == 0 || ev.Data.Pids.Current != 1 || ev.Data.Pids.Limit != 32 {
		t.Errorf("events --stats: %s; want type stats, memory limit 128 MiB and some usage, 1 of 32 pids", stdout)
	}

	if _, stderr, code := e.runnc_("kill", "lim", "KILL"); code != 0 {
		t.Fatalf("kill: %s", stderr)
	}
	e.waitStatus("lim", "stopped")
	if err := e.runc.Delete(context.Background(), "lim", nil); err != nil {
		t.Fatalf("delete: %v (%s)", err, e.LastLog())
	}
}

// checkLimits checks the memory and pids limits of pid's cgroup.
func checkLimits(t *testing.T, pid int, mem, pids int64) {
	t.Helper()
	for _, c := range []struct {
		controller, v1, v2 string
		want               int64
	}{
		{"memory", "memory.limit_in_bytes", "memory.max", mem},
		{"pids", "pids.max", "pids.max", pids},
	} {
		path := cgroupFile(t, pid, c.controller, c.v1, c.v2)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("limit: %v", err)
			continue
		}
		if got := strings.TrimSpace(string(data)); got != strconv.FormatInt(c.want, 10) {
			t.Errorf("%s: %s, want %d", path, got, c.want)
		}
	}
}

// cgroupFile is the path of a file of pid's cgroup: v2 in the unified
// hierarchy of a v2-only host, else v1 in controller's v1 hierarchy.
func cgroupFile(t *testing.T, pid int, controller, v1, v2 string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat("/sys/fs/cgroup/cgroup.controllers")
	unified := err == nil
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if unified && parts[0] == "0" {
			return filepath.Join("/sys/fs/cgroup", parts[2], v2)
		}
		if !unified && slices.Contains(strings.Split(parts[1], ","), controller) {
			return filepath.Join("/sys/fs/cgroup", controller, parts[2], v1)
		}
	}
	t.Fatalf("pid %d has no %s cgroup in %q", pid, controller, data)
	return ""
}
