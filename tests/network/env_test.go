// Package network_test drives the "tap" network handler the way
// libcontainer does, in network namespaces and veth pairs the tests make:
// Create and Destroy from the test's own (host) thread, Run on a thread
// locked into the container's namespace.
package network_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nabla-containers/runnc/libcontainer/nsthread"
	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Every namespace the tests make is named with this prefix, so TestMain
// can check that none is left.
const nsPrefix = "nbtest-"

var nsSeq atomic.Int32

// newNetns makes a named network namespace, removed at cleanup (which
// also destroys every device left in it).
func newNetns(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	name := fmt.Sprintf("%s%d-%d", nsPrefix, os.Getpid(), nsSeq.Add(1))
	testenv.IP(t, "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	testenv.IP(t, "-n", name, "link", "set", "lo", "up")
	return name
}

func nsPath(name string) string { return "/var/run/netns/" + name }

// pod is a container's network namespace as a CNI plugin or Docker leaves
// it: eth0, one end of a veth pair whose other end, veth0, is in a second
// namespace standing for the host's bridge or router.
type pod struct {
	ns, peer string
}

// newPod makes the pair with eth0 at addr (CIDR) and, if gw is given, a
// default route via gw; with onLink the gateway is reached by an on-link
// route (a /32 address, as Calico does). The peer gets peerAddr (CIDR).
func newPod(t *testing.T, addr, peerAddr, gw string, onLink bool) pod {
	t.Helper()
	p := pod{ns: newNetns(t), peer: newNetns(t)}
	testenv.IP(t, "-n", p.peer, "link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", p.ns)
	testenv.IP(t, "-n", p.peer, "addr", "add", peerAddr, "dev", "veth0")
	testenv.IP(t, "-n", p.peer, "link", "set", "veth0", "up")
	testenv.IP(t, "-n", p.ns, "addr", "add", addr, "dev", "eth0")
	testenv.IP(t, "-n", p.ns, "link", "set", "eth0", "up")
	if onLink {
		testenv.IP(t, "-n", p.ns, "route", "add", gw, "dev", "eth0", "scope", "link")
		ip, _, _ := strings.Cut(addr, "/")
		testenv.IP(t, "-n", p.peer, "route", "add", ip, "dev", "veth0", "scope", "link")
	}
	if gw != "" {
		testenv.IP(t, "-n", p.ns, "route", "add", "default", "via", gw, "dev", "eth0")
	}
	return p
}

// handle returns a netlink handle in the named namespace.
func handle(t *testing.T, ns string) *netlink.Handle {
	t.Helper()
	nsh, err := netns.GetFromName(ns)
	if err != nil {
		t.Fatalf("open namespace %s: %v", ns, err)
	}
	defer nsh.Close()
	h, err := netlink.NewHandleAt(nsh)
	if err != nil {
		t.Fatalf("netlink in %s: %v", ns, err)
	}
	t.Cleanup(h.Close)
	return h
}

// container carries one container's inputs and handler states from phase
// to phase, as libcontainer does.
type container struct {
	in llif.Input
	h  llif.NetworkHandler
}

// newContainer is a container whose config joins the namespace at path,
// or makes a new one if path is "", which a prestart hook fills, as
// Docker's does (without a hook there is nothing to take over: see
// TestCreatePlansNoTapForAnEmptyNamespace).
func newContainer(id, path string) *container {
	cfg := &configs.Config{Namespaces: configs.Namespaces{{Type: configs.NEWNET, Path: path}}}
	if path == "" {
		hook := configs.NewCommandHook(&configs.Command{Path: "/usr/bin/true"})
		cfg.Hooks = configs.Hooks{configs.Prestart: configs.HookList{hook}}
	}
	return &container{h: network.NewTap(), in: llif.Input{
		ContainerID:  id,
		Config:       cfg,
		Process:      &specs.Process{Args: []string{"httpd.nabla"}},
		Annotations:  map[string]string{},
		FsState:      llif.NewLLState(),
		NetworkState: llif.NewLLState(),
		ExecState:    llif.NewLLState(),
	}}
}

func (c *container) keep(st *llif.LLState) {
	if st != nil {
		c.in.NetworkState = st
	}
}

func (c *container) create() error {
	st, err := c.h.NetworkCreateFunc(&llif.NetworkCreateInput{Input: c.in})
	c.keep(st)
	return err
}

// run calls NetworkRun as `runnc create` does: on a thread of its own in
// the namespace ns.
func (c *container) run(ns string) error {
	return nsthread.Do(nsPath(ns), func() error {
		st, err := c.h.NetworkRunFunc(&llif.NetworkRunInput{Input: c.in})
		c.keep(st)
		return err
	})
}

func (c *container) destroy() error {
	_, err := c.h.NetworkDestroyFunc(&llif.NetworkDestroyInput{Input: c.in})
	return err
}

// createAndRun makes a container that joins pod.ns by path and runs its
// Create and Run; it is destroyed at cleanup.
func createAndRun(t *testing.T, id string, p pod) *container {
	t.Helper()
	return createAndRunAs(t, newContainer(id, nsPath(p.ns)), p)
}

func createAndRunAs(t *testing.T, c *container, p pod) *container {
	t.Helper()
	if err := c.create(); err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() {
		if err := c.destroy(); err != nil {
			t.Errorf("destroy at cleanup: %v", err)
		}
	})
	if err := c.run(p.ns); err != nil {
		t.Fatalf("run: %v", err)
	}
	return c
}

func (c *container) get(key string) string { return c.in.NetworkState.Get(key) }
