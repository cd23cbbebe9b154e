package e2e_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStats: the shim reads the cgroup of the tender's pid, so docker stats
// shows the unikernel's memory.
func TestStats(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	usage := strings.TrimSpace(d.must(t, "stats", "--no-stream", "--format", "{{.MemUsage}}", c.name))
	if usage == "" || strings.HasPrefix(usage, "0B") {
		t.Errorf("docker stats memory usage %q, want non-zero", usage)
	}
}

// TestTop: docker top lists the tender (runnc ps --format json).
func TestTop(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	pid := c.inspect(t, "{{.State.Pid}}")
	if out := d.must(t, "top", c.name, "-o", "pid"); !hasLine(out, pid) {
		t.Errorf("docker top does not list the container's pid %s:\n%s", pid, out)
	}
}

// TestMemoryLimit: docker run -m 64m puts a 64 MiB limit on the cgroup
// and gives the guest 64 MiB of memory; docker update changes the limit or
// says clearly why it cannot.
func TestMemoryLimit(t *testing.T) {
	d := dockerd(t)
	const limit = 64 << 20
	c := d.sleeper(t, "-m", "64m")
	logs := c.waitLogs(t, "MiB")
	if mib := memoryMiB(logs); mib != 64 {
		t.Errorf("hello under -m 64m reports %d MiB, want 64:\n%s", mib, logs)
	}
	if got := memoryLimit(t, c.id); got != limit {
		t.Errorf("memory.limit_in_bytes %d, want %d", got, limit)
	}

	r := d.docker(t, "update", "--memory", "128m", "--memory-swap", "256m", c.name)
	switch {
	case r.code == 0:
		if got := memoryLimit(t, c.id); got != 128<<20 {
			t.Errorf("memory.limit_in_bytes after docker update: %d, want %d", got, 128<<20)
		}
	case !strings.Contains(r.stderr, "runnc") && !strings.Contains(r.stderr, "not supported"):
		t.Errorf("docker update failed without saying why:\n%v", r)
	default:
		t.Logf("docker update is refused: %s", strings.TrimSpace(r.stderr))
	}
}

// TestMemoryRun: the same through a plain `docker run --rm -m 64m`.
func TestMemoryRun(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", "-m", "64m", d.nabla(t), "/hello.nabla")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	if mib := memoryMiB(r.stdout); mib != 64 {
		t.Errorf("hello under -m 64m reports %d MiB, want 64:\n%s", mib, r.stdout)
	}
}

// memoryLimit reads the container's cgroup v1 memory limit (cgroupfs
// driver, cgroup parent /docker).
func memoryLimit(t testing.TB, id string) int64 {
	t.Helper()
	p := filepath.Join("/sys/fs/cgroup/memory/docker", id, "memory.limit_in_bytes")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("container cgroup: %v", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return n
}

// TestCPUAndPidsLimits: the cpu and pids limits of linux.resources reach
// the container's cgroups too.
func TestCPUAndPidsLimits(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t, "--cpus", "0.5", "--pids-limit", "10")
	for file, want := range map[string]string{
		"cpu/docker/" + c.id + "/cpu.cfs_quota_us": "50000",
		"pids/docker/" + c.id + "/pids.max":        "10",
	} {
		data, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", file))
		if err != nil {
			t.Errorf("container cgroup: %v", err)
		} else if got := strings.TrimSpace(string(data)); got != want {
			t.Errorf("%s is %s, want %s", file, got, want)
		}
	}
}
