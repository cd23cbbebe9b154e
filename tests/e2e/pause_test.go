package e2e_test

import (
	"testing"
	"time"
)

// TestPause: a paused unikernel is frozen (a request times out) and docker
// says so; after unpause it serves again.
func TestPause(t *testing.T) {
	d := dockerd(t)
	c, _ := d.httpd(t)
	url := "http://" + c.ip(t) + "/index.html"

	d.must(t, "pause", c.name)
	if got := c.inspect(t, "{{.State.Status}} {{.State.Paused}}"); got != "paused true" {
		t.Errorf("docker inspect after pause: %q, want \"paused true\"", got)
	}
	if _, err := get(url, 2*time.Second); err == nil {
		t.Errorf("GET %s was answered while the container was paused", url)
	}

	d.must(t, "unpause", c.name)
	if got := c.inspect(t, "{{.State.Status}} {{.State.Paused}}"); got != "running false" {
		t.Errorf("docker inspect after unpause: %q, want \"running false\"", got)
	}
	waitServed(t, url, []byte(indexHTML))
}

// TestStopPaused: docker stop of a paused container (kill 15, resume,
// kill 9 is the sequence the shim sends) stops it.
func TestStopPaused(t *testing.T) {
	d := dockerd(t)
	c := d.sleeper(t)
	d.must(t, "pause", c.name)
	d.must(t, "stop", "-t", "1", c.name)
	c.waitStatus(t, "exited")
}
