package e2e_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestHarnessRunc runs the same kinds of containers with Docker's default
// runtime (runc), so a failure here is the harness's, not runnc's.
func TestHarnessRunc(t *testing.T) {
	d := dockerd(t)
	img := d.busybox(t)

	_, r := d.run(t, "--rm", img, "/bin/echo", "hi from runc")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "hi from runc" {
		t.Fatalf("%v", r)
	}
	if _, r := d.run(t, "--rm", img, "/bin/sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exit code %d, want 7\n%v", r.code, r)
	}

	port := freePort(t)
	c := d.runDetached(t, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), img, "/bin/httpd", "-f", "-p", "80", "-h", "/www")
	waitServed(t, "http://"+c.ip(t)+"/index.html", []byte(indexHTML))
	waitServed(t, fmt.Sprintf("http://127.0.0.1:%d/big.bin", port), bigFile)
}
