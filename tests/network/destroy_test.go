package network_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// podSnapshot is what Destroy must give back: eth0's addresses and MAC and
// the IPv4 routes.
func podSnapshot(t *testing.T, ns string) string {
	t.Helper()
	return testenv.IP(t, "-n", ns, "-o", "-4", "addr", "show", "eth0") +
		testenv.IP(t, "-n", ns, "-o", "link", "show", "eth0") +
		testenv.IP(t, "-n", ns, "-4", "route")
}

func checkRestored(t *testing.T, c *container, ns, before string) {
	t.Helper()
	if err := c.destroy(); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if after := podSnapshot(t, ns); after != before {
		t.Errorf("destroy did not give eth0 back:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	out := testenv.IP(t, "-n", ns, "-o", "link")
	for _, name := range []string{c.get(network.KeyTapName), c.get(network.KeyBridge)} {
		if strings.Contains(out, name) {
			t.Errorf("%s is left after destroy:\n%s", name, out)
		}
	}
	if err := c.destroy(); err != nil {
		t.Errorf("second destroy: %v", err)
	}
}

func TestDestroyGivesThePodNetworkBack(t *testing.T) {
	p := newPod(t, "10.198.6.2/24", "10.198.6.1/24", "10.198.6.1", false)
	before := podSnapshot(t, p.ns)
	c := createAndRun(t, "restore", p)
	checkRestored(t, c, p.ns, before)
	// kubelet restarts the container under a new id: it takes over again.
	again := createAndRun(t, "restore-2", p)
	if again.get(llif.NetIPv4Addr) != "10.198.6.2" || again.get(llif.NetIPv4Gateway) != "10.198.6.1" {
		t.Errorf("re-created container: state %v", again.in.NetworkState.Options)
	}
	checkRestored(t, again, p.ns, before)
}

// TestDestroyLeavesOthersInItsLinkGroup: Destroy deletes the tap and the
// bridge together by putting them in a link group; a link of someone
// else's already in that group makes it delete them one by one, and that
// link stays.
func TestDestroyLeavesOthersInItsLinkGroup(t *testing.T) {
	p := newPod(t, "10.198.22.2/24", "10.198.22.1/24", "10.198.22.1", false)
	// 0x6e61626c, the group the network handler deletes by.
	testenv.IP(t, "-n", p.ns, "link", "add", "keep0", "group", "1851876716", "type", "bridge")
	before := podSnapshot(t, p.ns)
	checkRestored(t, createAndRun(t, "group", p), p.ns, before)
	if out := testenv.IP(t, "-n", p.ns, "-o", "link", "show", "keep0"); !strings.Contains(out, "group 1851876716") {
		t.Errorf("keep0 is gone or left its group:\n%s", out)
	}
}

func TestDestroyGivesSlash32NetworkBack(t *testing.T) {
	p := newPod(t, "10.198.7.2/32", "10.198.9.1/32", "10.198.9.1", true)
	before := podSnapshot(t, p.ns)
	checkRestored(t, createAndRun(t, "restore32", p), p.ns, before)
}

// Run's state may never reach state.json (init dies before reporting
// it): Destroy with Create's state alone still finds the takeover.
func TestDestroyWithCreateStateOnly(t *testing.T) {
	p := newPod(t, "10.198.8.2/24", "10.198.8.1/24", "10.198.8.1", false)
	before := podSnapshot(t, p.ns)
	c := newContainer("lost-run-state", nsPath(p.ns))
	if err := c.create(); err != nil {
		t.Fatal(err)
	}
	createState := c.in.NetworkState
	if err := c.run(p.ns); err != nil {
		t.Fatal(err)
	}
	c.in.NetworkState = createState
	checkRestored(t, c, p.ns, before)
}

func TestDestroyOfNothing(t *testing.T) {
	ns := newNetns(t)
	planned := func(c *container) *container {
		c.in.NetworkState.Options[network.KeyTapName] = "nbtffffffffffff"
		c.in.NetworkState.Options[network.KeyBridge] = "nbbffffffffffff"
		return c
	}
	cases := map[string]*container{
		"empty state, joined namespace": newContainer("empty", nsPath(ns)),
		"empty state, no config":        {h: network.NewTap(), in: llif.Input{ContainerID: "nil", NetworkState: llif.NewLLState()}},
		"nothing made yet":              planned(newContainer("unmade", nsPath(ns))),
		"namespace gone":                planned(newContainer("gone", nsPath(nsPrefix+"never-made"))),
		"namespace file left unmounted": planned(newContainer("unmounted", leftFile(t))),
		"namespace made by runnc":       planned(newContainer("own", "")),
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			for range 2 {
				if err := c.destroy(); err != nil {
					t.Errorf("destroy: %v", err)
				}
			}
		})
	}
}

// leftFile is a pod's namespace file after its namespace was unmounted.
func leftFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "cni-left")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
