package e2e_test

import (
	"strings"
	"testing"
)

// TestExecRefused: a unikernel has no second process to start; docker exec
// fails and the user reads runnc's reason.
func TestExecRefused(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	r := d.docker(t, "exec", c.name, "/hello.nabla")
	// The 20.10 CLI prints "OCI runtime exec failed: ..." on stdout.
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "not supported") {
		t.Errorf("want docker exec to fail with \"not supported\" in its error\n%v", r)
	}
	if got := c.inspect(t, "{{.State.Status}}"); got != "running" {
		t.Errorf("container is %q after the refused exec, want running", got)
	}
}
