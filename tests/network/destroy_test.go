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

// podSnapshot is what Destroy must give back: eth0's addresses, MAC,
// qdiscs and ingress filters, and the IPv4 routes.
func podSnapshot(t *testing.T, ns string) string {
	t.Helper()
	return testenv.IP(t, "-n", ns, "-o", "-4", "addr", "show", "eth0") +
		testenv.IP(t, "-n", ns, "-o", "link", "show", "eth0") +
		testenv.IP(t, "-n", ns, "-4", "route") +
		testenv.IP(t, "netns", "exec", ns, "tc", "qdisc", "show", "dev", "eth0") +
		// tc names a filter's parent as ffff: or not, by how the kernel
		// last reached the block: the same filter either way.
		strings.ReplaceAll(testenv.IP(t, "netns", "exec", ns, "tc", "filter", "show", "dev", "eth0", "ingress"), "parent ffff: ", "")
}

// leftDevices returns the devices of c named in its state that are in the
// namespace ns.
func leftDevices(t *testing.T, c *container, ns string) []string {
	t.Helper()
	out := testenv.IP(t, "-n", ns, "-o", "link")
	var left []string
	for _, key := range []string{network.KeyTapName, network.KeyBridge} {
		if name := c.get(key); name != "" && strings.Contains(out, name) {
			left = append(left, name)
		}
	}
	return left
}

func checkRestored(t *testing.T, c *container, ns, before string) {
	t.Helper()
	if err := c.destroy(); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if after := podSnapshot(t, ns); after != before {
		t.Errorf("destroy did not give eth0 back:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if left := leftDevices(t, c, ns); len(left) != 0 {
		t.Errorf("%v left after destroy", left)
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

// A takeover by a runnc before 2026-12-06 bridged eth0, with a new MAC,
// and the tap, and kept its record on the bridge: Destroy gives eth0 back
// and deletes the tap and the bridge together, by putting them in a link
// group. A link of someone else's already in that group makes it delete
// them one by one, and that link stays.
func TestDestroyGivesABridgedTakeoverBack(t *testing.T) {
	p := newPod(t, "10.198.22.2/24", "10.198.22.1/24", "10.198.22.1", false)
	for _, keep := range []bool{false, true} {
		if keep {
			// 0x6e61626c, the group the network handler deletes by.
			testenv.IP(t, "-n", p.ns, "link", "add", "keep0", "group", "1851876716", "type", "bridge")
		}
		before := podSnapshot(t, p.ns)
		c := newContainer("bridged", nsPath(p.ns))
		tap, br := "nbt0123456789ab", "nbb0123456789ab"
		c.in.NetworkState.Options[network.KeyTapName] = tap
		c.in.NetworkState.Options[network.KeyBridge] = br
		mac := handleLinkMAC(t, p.ns, "eth0")
		rec := `runnc-net {"owner":"bridged","link":"eth0","mac":"` + mac + `","addr":"10.198.22.2/24","gw":"10.198.22.1"}`
		for _, args := range [][]string{
			{"link", "add", br, "type", "bridge"},
			{"link", "set", br, "alias", rec},
			{"tuntap", "add", "dev", tap, "mode", "tap"},
			{"addr", "del", "10.198.22.2/24", "dev", "eth0"},
			{"link", "set", "eth0", "down"},
			{"link", "set", "eth0", "address", "02:00:00:00:22:02"},
			{"link", "set", "eth0", "master", br},
			{"link", "set", tap, "master", br},
			{"link", "set", "eth0", "up"},
			{"link", "set", tap, "up"},
			{"link", "set", br, "up"},
		} {
			testenv.IP(t, append([]string{"-n", p.ns}, args...)...)
		}
		checkRestored(t, c, p.ns, before)
	}
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

// An ingress-hook qdisc eth0 has already (clsact here, which takes filters
// only at ffff:fff2) gets the takeover's filter, and keeps itself when
// Destroy gives eth0 back.
func TestTakeoverSharesAClsactQdisc(t *testing.T) {
	p := newPod(t, "10.198.23.2/24", "10.198.23.1/24", "10.198.23.1", false)
	testenv.IP(t, "netns", "exec", p.ns, "tc", "qdisc", "add", "dev", "eth0", "clsact")
	before := podSnapshot(t, p.ns)
	origMAC := handleLinkMAC(t, p.ns, "eth0")
	c := createAndRun(t, "clsact", p)
	checkTakenOver(t, c, p.ns, origMAC)
	checkRestored(t, c, p.ns, before)
	if out := testenv.IP(t, "netns", "exec", p.ns, "tc", "qdisc", "show", "dev", "eth0"); !strings.Contains(out, "clsact") {
		t.Errorf("eth0's clsact qdisc went with the takeover:\n%s", out)
	}
}
