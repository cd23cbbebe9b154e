package network_test

import (
	"os"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
)

func openFds(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// checkTakenOver checks the namespace after Run: eth0 without an address
// and with its own MAC (the guest answers with it), a persistent
// single-queue tap carrying the takeover's record, every frame either
// receives redirected to the other, both up, and no bridge.
func checkTakenOver(t *testing.T, c *container, ns, origMAC string) {
	t.Helper()
	h := handle(t, ns)
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if addrs, _ := h.AddrList(eth0, netlink.FAMILY_V4); len(addrs) != 0 {
		t.Errorf("eth0 still has IPv4 addresses %v", addrs)
	}
	if got := eth0.Attrs().HardwareAddr.String(); got != origMAC {
		t.Errorf("eth0's MAC is %s, want its own %s", got, origMAC)
	}
	l, err := h.LinkByName(c.get(llif.NetTap))
	if err != nil {
		t.Fatalf("tap %s: %v", c.get(llif.NetTap), err)
	}
	tap, ok := l.(*netlink.Tuntap)
	if !ok || tap.Mode != netlink.TUNTAP_MODE_TAP {
		t.Fatalf("%s is %T %+v, want a tap", l.Attrs().Name, l, l)
	}
	if tap.NonPersist || tap.Flags&netlink.TUNTAP_MULTI_QUEUE != 0 || tap.Flags&netlink.TUNTAP_NO_PI == 0 {
		t.Errorf("tap %s: persist=%v flags=%#x, want persistent, single queue, no packet info", tap.Name, !tap.NonPersist, tap.Flags)
	}
	// The tender attaches the first queue; an fd of ours still attached
	// would take the frames meant for the guest.
	if tap.Queues != 0 {
		t.Errorf("tap %s has %d queues attached after Run, want 0", tap.Name, tap.Queues)
	}
	if !strings.Contains(tap.Alias, `"owner":"`+c.in.ContainerID+`"`) {
		t.Errorf("tap %s's alias %q does not record the takeover", tap.Name, tap.Alias)
	}
	for _, link := range []netlink.Link{eth0, tap} {
		if link.Attrs().Flags&0x1 == 0 {
			t.Errorf("%s is down", link.Attrs().Name)
		}
		if link.Attrs().MasterIndex != 0 {
			t.Errorf("%s has a master", link.Attrs().Name)
		}
	}
	for from, to := range map[string]string{"eth0": tap.Name, tap.Name: "eth0"} {
		out := testenv.IP(t, "netns", "exec", ns, "tc", "filter", "show", "dev", from, "ingress")
		if !strings.Contains(out, "Egress Redirect to device "+to+")") || !strings.Contains(out, "match 00000000/00000000 at 0") {
			t.Errorf("%s's ingress does not redirect every frame to %s:\n%s", from, to, out)
		}
	}
	if br := c.get(network.KeyBridge); br != "" {
		t.Errorf("Run's state names a bridge %s", br)
	}
}

func TestRunTakesOverEth0(t *testing.T) {
	p := newPod(t, "10.198.1.2/24", "10.198.1.1/24", "10.198.1.1", false)
	origMAC := handleLinkMAC(t, p.ns, "eth0")
	// The tender runs as the workload's user, with no capabilities: the
	// tap must let it attach.
	c := newContainer("takeover", nsPath(p.ns))
	c.in.Process.User = specs.User{UID: 1000, GID: 1001}
	before := openFds(t)
	createAndRunAs(t, c, p)
	if after := openFds(t); after != before {
		t.Errorf("Run left %d file descriptors open", after-before)
	}
	want := map[string]string{
		llif.NetTap: c.get(network.KeyTapName), llif.NetMAC: origMAC,
		llif.NetIPv4Addr: "10.198.1.2", llif.NetIPv4Prefix: "24", llif.NetIPv4Gateway: "10.198.1.1",
		network.KeyLink: "eth0",
	}
	for k, v := range want {
		if got := c.get(k); got != v || v == "" {
			t.Errorf("state %s = %q, want %q", k, got, v)
		}
	}
	checkTakenOver(t, c, p.ns, origMAC)
	tap, _ := handle(t, p.ns).LinkByName(c.get(llif.NetTap))
	if tt, ok := tap.(*netlink.Tuntap); !ok || tt.Owner != 1000 || tt.Group != 1001 {
		t.Errorf("tap %+v, want owner 1000 and group 1001", tap)
	}
}

// A Run that finds the devices of an earlier attempt of the same
// container (a create killed after its takeover, retried in the pod) gives
// the network back and takes it over again.
func TestRunAgainFindsItsLeftovers(t *testing.T) {
	p := newPod(t, "10.198.7.2/24", "10.198.7.1/24", "10.198.7.1", false)
	origMAC := handleLinkMAC(t, p.ns, "eth0")
	c := createAndRun(t, "again", p)
	planned := c.in.NetworkState
	again := newContainer("again", nsPath(p.ns))
	again.in.NetworkState = planned
	if err := again.run(p.ns); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if got := again.get(llif.NetMAC); got != origMAC {
		t.Errorf("the second run recorded MAC %s, want eth0's own %s", got, origMAC)
	}
	checkTakenOver(t, again, p.ns, origMAC)
}

func TestRunSlash32WithOnLinkGateway(t *testing.T) {
	p := newPod(t, "10.198.2.2/32", "10.198.9.1/32", "10.198.9.1", true)
	origMAC := handleLinkMAC(t, p.ns, "eth0")
	c := createAndRun(t, "calico", p)
	if c.get(llif.NetIPv4Addr) != "10.198.2.2" || c.get(llif.NetIPv4Prefix) != "32" || c.get(llif.NetIPv4Gateway) != "10.198.9.1" {
		t.Errorf("state %v, want 10.198.2.2/32 via 10.198.9.1", c.in.NetworkState.Options)
	}
	checkTakenOver(t, c, p.ns, origMAC)
}

func TestRunWithoutGateway(t *testing.T) {
	p := newPod(t, "10.198.4.2/24", "10.198.4.1/24", "", false)
	c := createAndRun(t, "nogw", p)
	if c.get(llif.NetTap) == "" || c.get(llif.NetIPv4Gateway) != "" {
		t.Errorf("state %v, want a tap and no gateway", c.in.NetworkState.Options)
	}
}

func TestRunWithoutIPv4InterfaceGivesNoNIC(t *testing.T) {
	// An interface without an IPv4 address does not count.
	p := newPod(t, "10.198.10.2/24", "10.198.10.1/24", "", false)
	ns := p.ns
	testenv.IP(t, "-n", ns, "addr", "flush", "dev", "eth0")
	c := newContainer("none", nsPath(ns))
	if err := c.create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.destroy() })
	if err := c.run(ns); err != nil {
		t.Fatalf("run: %v", err)
	}
	if c.get(llif.NetTap) != "" {
		t.Errorf("state %v, want no tap", c.in.NetworkState.Options)
	}
	if left := leftDevices(t, c, ns); len(left) != 0 {
		t.Errorf("devices made without an interface to take over: %v", left)
	}
}

func TestSecondContainerOfThePodIsRefused(t *testing.T) {
	p := newPod(t, "10.198.5.2/24", "10.198.5.1/24", "10.198.5.1", false)
	createAndRun(t, "first", p)
	const want = "the pod's network is already used by unikernel container first"
	// The CRI marks a pod's containers; only those are told of the pod
	// annotations. Another container (docker run --network container:X)
	// is told what Docker can do.
	inPod := func(c *container) *container {
		c.in.Annotations["io.kubernetes.cri.container-type"] = "container"
		return c
	}
	second := inPod(newContainer("second", nsPath(p.ns)))
	if err := second.create(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("create of a second container: got %v, want %q", err, want)
	}
	if err := second.destroy(); err != nil {
		t.Errorf("destroy after the refused create: %v", err)
	}
	const wantDocker = "already used by unikernel container first, and a network's address goes to one unikernel: give this container a network of its own (docker run --network bridge"
	if err := newContainer("op-docker", nsPath(p.ns)).create(); err == nil || !strings.Contains(err.Error(), wantDocker) {
		t.Errorf("create of a second container outside a pod: got %v, want %q", err, wantDocker)
	}
	// Run checks again: the first may have taken the pod over after the
	// second's Create.
	late := inPod(newContainer("late", ""))
	if err := late.create(); err != nil {
		t.Fatal(err)
	}
	if err := late.run(p.ns); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("run of a second container: got %v, want %q", err, want)
	}
}

func handleLinkMAC(t *testing.T, ns, name string) string {
	t.Helper()
	l, err := handle(t, ns).LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l.Attrs().HardwareAddr.String()
}

// A Run that fails half way undoes itself: here eth0 has an ingress qdisc
// already, with a filter at the priority of the takeover's own but for
// IPv4 alone, so adding the takeover's filter fails after eth0 has lost
// its address. Giving eth0 back leaves that qdisc and filter.
func TestFailedRunLeavesThePodAsFound(t *testing.T) {
	ns := newNetns(t)
	testenv.IP(t, "-n", ns, "link", "add", "eth0", "type", "ifb")
	testenv.IP(t, "-n", ns, "addr", "add", "10.198.11.2/24", "dev", "eth0")
	testenv.IP(t, "-n", ns, "link", "set", "eth0", "up")
	testenv.IP(t, "-n", ns, "route", "add", "default", "via", "10.198.11.1", "dev", "eth0")
	testenv.IP(t, "netns", "exec", ns, "tc", "qdisc", "add", "dev", "eth0", "ingress")
	// 0x6e61, the handler's priority.
	testenv.IP(t, "netns", "exec", ns, "tc", "filter", "add", "dev", "eth0", "parent", "ffff:", "protocol", "ip", "pref", "28257",
		"u32", "match", "u32", "0", "0", "action", "mirred", "egress", "mirror", "dev", "lo")
	before := podSnapshot(t, ns)
	c := newContainer("fails", nsPath(ns))
	if err := c.create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.destroy() })
	err := c.run(ns)
	if err == nil || !strings.Contains(err.Error(), "redirect eth0 to tap") {
		t.Fatalf("run: got %v, want a failure to redirect eth0", err)
	}
	if after := podSnapshot(t, ns); after != before {
		t.Errorf("failed run changed the pod:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if left := leftDevices(t, c, ns); len(left) != 0 {
		t.Errorf("failed run left devices: %v", left)
	}
}
