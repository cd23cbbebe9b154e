package e2e_test

import (
	"path/filepath"
	"testing"
)

// sleeper starts hello with `sleep`: it prints its lines, then waits in
// the poll call until it is killed.
func (d *daemon) sleeper(t testing.TB, opts ...string) *container {
	t.Helper()
	args := append([]string{"--runtime=runnc"}, opts...)
	c := d.runDetached(t, append(args, d.nabla(t), "/hello.nabla", "sleep")...)
	c.waitLogs(t, "Hello, World")
	return c
}

// TestStop: docker stop sends SIGTERM, then SIGKILL after the timeout; the
// tender dies of one of them and the container is exited.
func TestStop(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	d.must(t, "stop", "-t", "2", c.name)
	c.waitStatus(t, "exited")
	if code := c.inspect(t, "{{.State.ExitCode}}"); code != "143" && code != "137" {
		t.Errorf("exit code after docker stop: %s, want 143 (SIGTERM) or 137 (SIGKILL)", code)
	}
	// A stopped container starts again from scratch.
	d.must(t, "start", c.name)
	c.waitStatus(t, "running")
}

func TestKill(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	d.must(t, "kill", c.name)
	c.waitStatus(t, "exited")
	if code := c.inspect(t, "{{.State.ExitCode}}"); code != "137" {
		t.Errorf("exit code after docker kill: %s, want 137", code)
	}
}

// TestRemoveRunning: docker rm -f of a running container kills and deletes
// it; the cleanup of d.run checks that nothing of it remains.
func TestRemoveRunning(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	// What the leftover check looks for must be there while it runs.
	for _, p := range []string{
		filepath.Join(d.runtimeRoot, c.id, "state.json"),
		filepath.Join("/sys/fs/cgroup/memory/docker", c.id),
	} {
		if !exists(p) {
			t.Errorf("%s is missing while the container runs", p)
		}
	}
	if len(diskUsers(filepath.Join(d.runtimeRoot, c.id))) == 0 {
		t.Errorf("no disk image in %s counts the running container as a user", diskDir)
	}
	d.must(t, "rm", "-f", c.name)
	if r := d.docker(t, "inspect", c.name); r.code == 0 {
		t.Errorf("container %s still exists after docker rm -f", c.name)
	}
	if left := d.containerLeftovers(c.id); len(left) > 0 {
		t.Errorf("left after docker rm -f: %v", left)
	}
}

// TestRestart: docker restart stops the unikernel and creates a new one
// under the same container id, which serves again.
func TestRestart(t *testing.T) {
	d := dockerd(t)
	c, _ := d.httpd(t)
	pid := c.inspect(t, "{{.State.Pid}}")
	d.must(t, "restart", "-t", "1", c.name)
	c.waitStatus(t, "running")
	if again := c.inspect(t, "{{.State.Pid}}"); again == pid {
		t.Errorf("pid %s unchanged after docker restart", pid)
	}
	waitServed(t, "http://"+c.ip(t)+"/index.html", []byte(indexHTML))
}

// TestExitedCleansUp: once the unikernel has exited, the shim deletes it
// from runnc; nothing of it stays on the host although Docker keeps the
// exited container.
func TestExitedCleansUp(t *testing.T) {
	d := dockerd(t)
	c, r := d.run(t, "--runtime=runnc", d.nabla(t), "/hello.nabla", "exit=3")
	if r.code != 3 {
		t.Fatalf("exit code %d, want 3\n%v", r.code, r)
	}
	c.waitStatus(t, "exited")
	if left := d.containerLeftovers(c.id); len(left) > 0 {
		t.Errorf("left on the host by an exited container: %v", left)
	}
}
