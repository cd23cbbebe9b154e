package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cliTimeout bounds one docker CLI call; it only catches hangs.
const cliTimeout = 2 * time.Minute

// result is what one docker CLI call printed and returned.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r result) String() string {
	return fmt.Sprintf("docker %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// command is a docker CLI call against the private daemon, with a private
// CLI config directory.
func (d *daemon) command(args ...string) *exec.Cmd {
	cmd := exec.Command(d.cli, args...)
	cmd.Env = d.cliEnv()
	return cmd
}

func (d *daemon) cliEnv() []string {
	return append(os.Environ(), "DOCKER_HOST=unix://"+d.sock, "DOCKER_CONFIG="+filepath.Join(d.dir, "cli"))
}

// docker runs the docker CLI and returns its output and exit code.
func (d *daemon) docker(t testing.TB, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.cli, args...)
	cmd.Env = d.cliEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("docker %s did not finish within %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), cliTimeout, r.stdout, r.stderr)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// must runs the docker CLI and fails the test unless it exits 0.
func (d *daemon) must(t testing.TB, args ...string) string {
	t.Helper()
	r := d.docker(t, args...)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	return r.stdout
}

// container is one container a test made; it is removed when the test
// ends, and then nothing of it may remain on the host.
type container struct {
	d    *daemon
	name string
	id   string
}

var containerSeq atomic.Int64

// run calls `docker run` with a unique --name and a --cidfile inserted
// before opts, e.g. d.run(t, "--rm", "--runtime=runnc", img, "/hello.nabla").
func (d *daemon) run(t testing.TB, opts ...string) (*container, result) {
	t.Helper()
	c := &container{d: d, name: fmt.Sprintf("e2e-%s-%d", nameSafe(t.Name()), containerSeq.Add(1))}
	cidfile := filepath.Join(t.TempDir(), "cid")
	t.Cleanup(func() { c.remove(t) })
	r := d.docker(t, append([]string{"run", "--name", c.name, "--cidfile", cidfile}, opts...)...)
	if data, err := os.ReadFile(cidfile); err == nil {
		c.id = strings.TrimSpace(string(data))
	}
	return c, r
}

// runDetached starts a container with -d and fails the test unless it is
// running.
func (d *daemon) runDetached(t testing.TB, opts ...string) *container {
	t.Helper()
	c, r := d.run(t, append([]string{"-d"}, opts...)...)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	return c
}

// remove force-removes the container and reports what it left behind.
func (c *container) remove(t testing.TB) {
	r := c.d.docker(t, "rm", "-f", c.name)
	if r.code != 0 && !strings.Contains(r.stderr, "No such container") {
		t.Errorf("%v", r)
	}
	if c.id == "" {
		return
	}
	if left := c.d.containerLeftovers(c.id); len(left) > 0 {
		t.Errorf("container %s left on the host after docker rm -f: %v", c.id, left)
	}
}

// inspect returns one field of `docker inspect`, e.g. "{{.State.Status}}".
func (c *container) inspect(t testing.TB, format string) string {
	t.Helper()
	return strings.TrimSpace(c.d.must(t, "inspect", "-f", format, c.name))
}

func (c *container) ip(t testing.TB) string {
	t.Helper()
	ip := c.inspect(t, "{{.NetworkSettings.IPAddress}}")
	if ip == "" {
		t.Fatalf("container %s has no IP address in docker inspect", c.name)
	}
	return ip
}

// waitLogs waits until `docker logs` holds want and returns the logs.
func (c *container) waitLogs(t testing.TB, want string) string {
	t.Helper()
	var logs string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r := c.d.docker(t, "logs", c.name)
		logs = r.stdout + r.stderr
		if strings.Contains(logs, want) {
			return logs
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("docker logs %s never showed %q within 30 s; it shows:\n%s", c.name, want, logs)
	return ""
}

// waitStatus waits until docker reports the container in status (e.g.
// "exited") and fails with the last status seen.
func (c *container) waitStatus(t testing.TB, status string) {
	t.Helper()
	var got string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if got = c.inspect(t, "{{.State.Status}}"); got == status {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("container %s is %q, not %q, after 30 s", c.name, got, status)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

func nameSafe(s string) string {
	return strings.ToLower(unsafeName.ReplaceAllString(s, "-"))
}

// shellQuote quotes s for sh -c (used for `script -c`).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
