package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// httpd starts the httpd guest detached, publishing port 80 on a free port
// of 127.0.0.1, waits until it serves and returns it with that port.
func (d *daemon) httpd(t testing.TB, opts ...string) (*container, int) {
	t.Helper()
	testenv.Binary(t, "guests/httpd.nabla")
	port := freePort(t)
	args := append([]string{"--runtime=runnc", "-p", fmt.Sprintf("127.0.0.1:%d:80", port)}, opts...)
	c := d.runDetached(t, append(args, d.nabla(t), "/httpd.nabla")...)
	waitServed(t, "http://"+c.ip(t)+"/index.html", []byte(indexHTML))
	return c, port
}

func TestHttpd(t *testing.T) {
	d := dockerd(t)
	c, port := d.httpd(t)
	ip := c.ip(t)
	waitServed(t, "http://"+ip+"/big.bin", bigFile)
	waitServed(t, fmt.Sprintf("http://127.0.0.1:%d/index.html", port), []byte(indexHTML))
	waitServed(t, fmt.Sprintf("http://127.0.0.1:%d/big.bin", port), bigFile)
	if _, err := get("http://"+ip+"/no-such-file", cliTimeout); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("GET of a missing file: %v, want 404", err)
	}
	if r := d.docker(t, "logs", c.name); strings.TrimSpace(r.stdout+r.stderr) == "" {
		t.Errorf("docker logs of httpd shows nothing\n%v", r)
	}
}

// TestLogs: what the guest prints on its console is what docker logs shows.
func TestLogs(t *testing.T) {
	d := dockerd(t)
	c := d.runDetached(t, "--runtime=runnc", d.nabla(t), "/hello.nabla", "logged-arg", "sleep")
	logs := c.waitLogs(t, "Hello, World")
	if !strings.Contains(logs, "logged-arg") {
		t.Errorf("docker logs lacks the guest's argv line:\n%s", logs)
	}
	if got := c.inspect(t, "{{.State.Status}}"); got != "running" {
		t.Errorf("hello sleep is %q, want running", got)
	}
}
