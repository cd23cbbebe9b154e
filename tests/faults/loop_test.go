package faults_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// usage is what a runtime could leak, host-wide and in this process.
type usage struct {
	ownFDs    int // this test process drives runnc as a daemon would
	procs     int // live processes on the host
	zombies   int // exited, unreaped (PID 1 here reaps late or never)
	fileNr    int // allocated file handles on the host
	mounts    int // mounts seen by this process
	cgroups   int // memory cgroups on the host
	memAvailK int // MemAvailable, kB
	slabK     int // Slab, kB
}

func measure(t *testing.T) usage {
	t.Helper()
	var u usage
	fds, _ := os.ReadDir("/proc/self/fd")
	u.ownFDs = len(fds)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			u.zombies++
		} else {
			u.procs++
		}
	}
	if data, err := os.ReadFile("/proc/sys/fs/file-nr"); err == nil {
		u.fileNr, _ = strconv.Atoi(strings.Fields(string(data))[0])
	}
	if data, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		u.mounts = strings.Count(string(data), "\n")
	}
	filepath.WalkDir("/sys/fs/cgroup/memory", func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			u.cgroups++
		}
		return nil
	})
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		switch fields[0] {
		case "MemAvailable:":
			u.memAvailK, _ = strconv.Atoi(fields[1])
		case "Slab:":
			u.slabK, _ = strconv.Atoi(fields[1])
		}
	}
	return u
}

// A daemon's life: create, start, kill, delete, over and over
// (RUNNC_CYCLES, default 50; the full run is 500). This process's fds
// and everything in scope must be exactly as before; the host-wide
// figures, which other tests running at the same time also move, are
// reported.
func TestDaemonLoop(t *testing.T) {
	e := newEnv(t)
	cycles := envInt(t, "RUNNC_CYCLES", 50)
	before := e.Snapshot(t, e.scope)
	// One cycle first, so lazily opened files (the log) are counted.
	cycle(t, e, e.scope.ID("warmup"))
	start := measure(t)
	for i := 0; i < cycles; i++ {
		cycle(t, e, e.scope.ID(fmt.Sprint(i)))
	}
	end := measure(t)
	t.Logf("%d cycles: own fds %d -> %d, host processes %d -> %d (zombies %d -> %d), file handles %d -> %d, mounts %d -> %d, memory cgroups %d -> %d, MemAvailable %d -> %d kB, Slab %d -> %d kB",
		cycles, start.ownFDs, end.ownFDs, start.procs, end.procs, start.zombies, end.zombies, start.fileNr, end.fileNr,
		start.mounts, end.mounts, start.cgroups, end.cgroups, start.memAvailK, end.memAvailK, start.slabK, end.slabK)
	if end.ownFDs != start.ownFDs {
		t.Errorf("the driving process's fds went from %d to %d", start.ownFDs, end.ownFDs)
	}
	before.CheckNone(t, e.Snapshot(t, e.scope), fmt.Sprintf("%d cycles", cycles))
}

func cycle(t *testing.T, e *env, id string) {
	t.Helper()
	e.create(t, id)
	e.must(t, "start", id)
	e.must(t, "kill", id, "KILL")
	e.WaitStatus(t, id, "stopped")
	e.must(t, "delete", id)
}
