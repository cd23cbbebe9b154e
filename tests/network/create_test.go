package network_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

func TestCreateNamesDevicesPerContainer(t *testing.T) {
	prefix := strings.Repeat("0123456789abcdef", 4)
	seen := map[string]string{}
	for _, id := range []string{prefix, prefix + "a", prefix + "b", "web"} {
		c := newContainer(id, "")
		if err := c.create(); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
		name := c.get(network.KeyTapName)
		if name == "" || len(name) > unix.IFNAMSIZ-1 {
			t.Errorf("container %s: %s = %q, want 1 to 15 characters", id, network.KeyTapName, name)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("containers %s and %s share the device name %s", other, id, name)
		}
		seen[name] = id
		if br := c.get(network.KeyBridge); br != "" {
			t.Errorf("container %s: Create planned a bridge %s", id, br)
		}
		if c.get(llif.NetTap) != "" {
			t.Errorf("Create set %s before any tap exists", llif.NetTap)
		}
	}
}

// A namespace runnc makes that no hook fills holds lo alone: Create plans
// no tap, and tells the runtime to skip Run. A hook that runs before Run,
// of any of the three kinds, may add an interface: a tap is planned.
func TestCreatePlansNoTapForAnEmptyNamespace(t *testing.T) {
	c := newContainer("empty", "")
	c.in.Config.Hooks = nil
	if err := c.create(); err != nil {
		t.Fatal(err)
	}
	if c.get(network.KeyTapName) != "" || c.get(llif.NetSkipRun) != "true" {
		t.Errorf("Create in an empty new namespace: %v, want no tap and %s=true", c.in.NetworkState.Options, llif.NetSkipRun)
	}
	for _, name := range []configs.HookName{configs.Prestart, configs.CreateRuntime, configs.CreateContainer} {
		c := newContainer("hooked", "")
		c.in.Config.Hooks = configs.Hooks{name: configs.HookList{configs.NewCommandHook(&configs.Command{Path: "/usr/bin/true"})}}
		if err := c.create(); err != nil {
			t.Fatal(err)
		}
		if c.get(network.KeyTapName) == "" || c.get(llif.NetSkipRun) != "" {
			t.Errorf("Create in a new namespace with a %s hook: %v, want a tap planned and Run", name, c.in.NetworkState.Options)
		}
	}
}

// hostNetnsBindMount makes what Docker passes for --network host: a bind
// mount of the host's namespace file (/var/run/docker/netns/default).
func hostNetnsBindMount(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "default")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("/proc/self/ns/net", p, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount the host's namespace: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(p, unix.MNT_DETACH) })
	return p
}

// hostNetworkSnapshot is what a takeover of the host's network would
// change: the MAC, master and IPv4 addresses of the links that carry the
// host's default routes, and any device of the handler's naming. (Other
// tests may change the host's other links meanwhile.)
func hostNetworkSnapshot(t *testing.T) string {
	t.Helper()
	ns, err := netns.GetFromPath("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	routes, err := h.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range routes {
		if r.Gw == nil || r.Dst.String() != "0.0.0.0/0" {
			continue
		}
		l, err := h.LinkByIndex(r.LinkIndex)
		if err != nil {
			t.Fatal(err)
		}
		addrs, _ := h.AddrList(l, netlink.FAMILY_V4)
		fmt.Fprintf(&b, "%s via %s: mac %s master %d addrs %v\n", l.Attrs().Name, r.Gw, l.Attrs().HardwareAddr, l.Attrs().MasterIndex, addrs)
	}
	links, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if name := l.Attrs().Name; strings.HasPrefix(name, "nbt") || strings.HasPrefix(name, "nbb") {
			fmt.Fprintf(&b, "device %s\n", name)
		}
	}
	return b.String()
}

func TestCreateRefusesHostNetwork(t *testing.T) {
	testenv.RequireRoot(t)
	cases := map[string]func() *container{
		"pid 1's namespace":          func() *container { return newContainer("h1", "/proc/1/ns/net") },
		"bind mount of the host's":   func() *container { return newContainer("h2", hostNetnsBindMount(t)) },
		"our own namespace":          func() *container { return newContainer("h4", "/proc/self/ns/net") },
		"no network namespace entry": func() *container { c := newContainer("h3", ""); c.in.Config = &configs.Config{}; return c },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "pid 1's namespace" {
				if f, err := os.Open("/proc/1/ns/net"); err != nil {
					t.Skipf("this machine lets no one open pid 1's namespace (%v); the other cases still run", err)
				} else {
					f.Close()
				}
			}
			c := mk()
			before := hostNetworkSnapshot(t)
			t.Logf("the host's network: %s", before)
			err := c.create()
			if err == nil || !strings.Contains(err.Error(), "host networking is not supported by unikernel containers") {
				t.Fatalf("create in the host's namespace: got %v, want the host networking refusal", err)
			}
			if err := c.destroy(); err != nil {
				t.Errorf("destroy after the refused create: %v", err)
			}
			c.in.Annotations[network.AnnotationAllowHostNone] = "true"
			if err := c.create(); err != nil {
				t.Fatalf("create with %s=true: %v", network.AnnotationAllowHostNone, err)
			}
			if c.get(network.KeyTapName) != "" || c.get(llif.NetTap) != "" {
				t.Errorf("create with %s=true planned a tap: %v", network.AnnotationAllowHostNone, c.in.NetworkState.Options)
			}
			if err := c.destroy(); err != nil {
				t.Errorf("destroy: %v", err)
			}
			if after := hostNetworkSnapshot(t); after != before {
				t.Errorf("the host's network changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// Run of a container allowed to use the host's namespace without a NIC
// touches nothing, wherever its thread is (here a test namespace with an
// eth0, so that a mistake cannot harm the host).
func TestRunWithoutPlannedTapTouchesNothing(t *testing.T) {
	p := newPod(t, "10.198.3.2/24", "10.198.3.1/24", "10.198.3.1", false)
	c := newContainer("hostnone", hostNetnsBindMount(t))
	c.in.Annotations[network.AnnotationAllowHostNone] = "true"
	checkNoNIC(t, createAndRunAs(t, c, p), p, "10.198.3.2/24")
}

// checkNoNIC checks that c got no tap and that eth0 of pod p kept its
// address addr.
func checkNoNIC(t *testing.T, c *container, p pod, addr string) {
	t.Helper()
	if c.get(llif.NetTap) != "" {
		t.Errorf("container %s got a tap: %v", c.in.ContainerID, c.in.NetworkState.Options)
	}
	if out := testenv.IP(t, "-n", p.ns, "-o", "-4", "addr", "show", "eth0"); !strings.Contains(out, addr) {
		t.Errorf("eth0 lost its address to container %s, which does not own it: %s", c.in.ContainerID, out)
	}
}

// A pod annotation names the container that owns the pod's address; the
// pod's other containers get no NIC and leave eth0 alone.
func TestOwnerAnnotationLeavesOthersWithoutNIC(t *testing.T) {
	p := newPod(t, "10.198.4.2/24", "10.198.4.1/24", "10.198.4.1", false)
	sidecar := newContainer("sidecar", nsPath(p.ns))
	sidecar.in.Annotations[network.AnnotationOwner] = "web"
	sidecar.in.Annotations["io.kubernetes.cri.container-name"] = "sidecar"
	checkNoNIC(t, createAndRunAs(t, sidecar, p), p, "10.198.4.2/24")
	web := newContainer("web", nsPath(p.ns))
	web.in.Annotations[network.AnnotationOwner] = "web"
	web.in.Annotations["io.kubernetes.cri.container-name"] = "web"
	createAndRunAs(t, web, p)
	if web.get(llif.NetTap) == "" || web.get(llif.NetIPv4Addr) != "10.198.4.2" {
		t.Errorf("the owner did not take the address over: %v", web.in.NetworkState.Options)
	}
}

// TestNamespaceInUseIsRefused: a namespace that a process other than
// runnc's is in (docker run --network container:X, X under runc) is not
// taken over, and its interface keeps its address; a pod's container
// (marked by the CRI) still may take it.
func TestNamespaceInUseIsRefused(t *testing.T) {
	p := newPod(t, "10.198.21.2/24", "10.198.21.1/24", "10.198.21.1", false)
	sleeper := testenv.SleepIn(t, p.ns)
	before := testenv.IP(t, "-n", p.ns, "-o", "addr", "show", "dev", "eth0")
	c := newContainer("op-inuse", nsPath(p.ns))
	want := fmt.Sprintf("this container would share the network of a container that uses it (process %d, sleep,", sleeper)
	if err := c.create(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("create in a namespace in use: got %v, want %q", err, want)
	}
	if after := testenv.IP(t, "-n", p.ns, "-o", "addr", "show", "dev", "eth0"); after != before {
		t.Errorf("eth0 changed:\nbefore %s\nafter %s", before, after)
	}
	pod := newContainer("op-pod", nsPath(p.ns))
	pod.in.Annotations["io.kubernetes.cri.container-type"] = "container"
	if err := pod.create(); err != nil {
		t.Errorf("create of a pod's container: %v", err)
	}
	if err := pod.destroy(); err != nil {
		t.Error(err)
	}
}

// TestNamespaceInUseWithNothingToTake: a namespace that another runtime's
// process is in but that has no interface to take over (X run with
// --network none) is joined: the guest gets no NIC, and X loses nothing.
func TestNamespaceInUseWithNothingToTake(t *testing.T) {
	ns := newNetns(t)
	testenv.SleepIn(t, ns)
	c := newContainer("op-nothing", nsPath(ns))
	if err := c.create(); err != nil {
		t.Fatalf("create in a namespace in use with no interface to take: %v", err)
	}
	if err := c.run(ns); err != nil {
		t.Errorf("run: %v", err)
	}
	if tap := c.get(llif.NetTap); tap != "" {
		t.Errorf("a tap (%s) was made with no interface to take over", tap)
	}
	if err := c.destroy(); err != nil {
		t.Error(err)
	}
}
