package e2e_test

import (
	"strings"
	"testing"
)

// TestNetworkNone: with --network none the guest gets no NIC and runs.
func TestNetworkNone(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", "--network", "none", d.nabla(t), "/hello.nabla")
	if r.code != 0 || !hasLine(r.stdout, "Hello, World") {
		t.Fatalf("%v", r)
	}
	if strings.Contains(r.stdout, "net: ") {
		t.Errorf("the guest has a network under --network none:\n%s", r.stdout)
	}
}

// TestNetworkHostRefused: the unikernel cannot take over the host's own
// interface, so --network host fails and says why.
func TestNetworkHostRefused(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", "--network", "host", d.nabla(t), "/hello.nabla")
	if r.code == 0 || !strings.Contains(r.stderr, "host networking is not supported") {
		t.Errorf("want docker run --network host to fail with \"host networking is not supported\"\n%v", r)
	}
}

// TestTwoContainers: two containers of one image each serve their own
// address, and removing one leaves the other serving. (They do not share a
// disk image under Docker: Docker's per-container init layer gives each
// rootfs fresh mtimes, and storage keys images by metadata.)
func TestTwoContainers(t *testing.T) {
	d := dockerd(t)
	a, _ := d.httpd(t)
	b, _ := d.httpd(t)
	if a.ip(t) == b.ip(t) {
		t.Fatalf("both containers have address %s", a.ip(t))
	}
	a.remove(t)
	waitServed(t, "http://"+b.ip(t)+"/big.bin", bigFile)
}
