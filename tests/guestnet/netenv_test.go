// Package guestnet_test runs the network unikernels (httpd, echo) under the
// tender on a tap device and talks to them from another network namespace:
// namespace "guest" holds a bridge joining the tap and one end of a veth
// pair, namespace "client" holds the other end with an address. Nothing
// touches the host's own namespace.
package guestnet_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/vishvananda/netns"
)

const guestMAC = "02:00:0a:c7:00:02"

// netEnv is one guest/client pair of namespaces.
type netEnv struct {
	t        *testing.T
	guestNS  string
	clientNS string
}

func randHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// addNetns makes a network namespace that the test's cleanup deletes,
// and with it every tap, bridge and veth end inside.
func addNetns(t *testing.T, name string) {
	t.Helper()
	testenv.IP(t, "netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
}

// newNetEnv makes both namespaces; clientAddr is the client's CIDR and
// routes are extra destinations the client reaches directly over its link
// (a guest with a /32 address is not inside the client's prefix).
func newNetEnv(t *testing.T, clientAddr string, routes ...string) *netEnv {
	t.Helper()
	testenv.RequireRoot(t)
	sfx := randHex(t, 4)
	e := &netEnv{t: t, guestNS: "rnt-g" + sfx, clientNS: "rnt-c" + sfx}
	addNetns(t, e.guestNS)
	addNetns(t, e.clientNS)
	g, c := e.guestNS, e.clientNS
	testenv.IP(t, "-n", g, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", c)
	testenv.IP(t, "-n", g, "link", "add", "br0", "type", "bridge")
	testenv.IP(t, "-n", g, "tuntap", "add", "dev", "tap0", "mode", "tap")
	testenv.IP(t, "-n", g, "link", "set", "tap0", "master", "br0")
	testenv.IP(t, "-n", g, "link", "set", "veth0", "master", "br0")
	for _, l := range []string{"lo", "br0", "tap0", "veth0"} {
		testenv.IP(t, "-n", g, "link", "set", l, "up")
	}
	testenv.IP(t, "-n", c, "addr", "add", clientAddr, "dev", "veth0")
	testenv.IP(t, "-n", c, "link", "set", "lo", "up")
	testenv.IP(t, "-n", c, "link", "set", "veth0", "up")
	for _, r := range routes {
		testenv.IP(t, "-n", c, "route", "add", r, "dev", "veth0")
	}
	return e
}

// inNetns runs f on an OS thread inside the named namespace; sockets and
// devices opened there stay in that namespace. The thread is never
// unlocked, so it ends with the goroutine instead of carrying the
// namespace back to the scheduler.
func inNetns(name string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		h, err := netns.GetFromName(name)
		if err != nil {
			errc <- fmt.Errorf("open netns %s: %w", name, err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- fmt.Errorf("enter netns %s: %w", name, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// dial opens a connection from the client namespace.
func (e *netEnv) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := inNetns(e.clientNS, func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// clientCmd runs a command in the client namespace and returns its output.
func (e *netEnv) clientCmd(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", e.clientNS}, args...)...).CombinedOutput()
}

// guestConfig is the rumprun CONFIG the exec handler would write.
func guestConfig(cmdline, addr, mask, gw string) string {
	return fmt.Sprintf(`{"cmdline":%q,"net":{"if":"ukvmif0","cloner":"True","type":"inet",`+
		`"method":"static","addr":%q,"mask":%q,"gw":%q},"blk":{"source":"etfs",`+
		`"path":"/dev/ld0a","fstype":"blk","mountpoint":"/"},"cwd":"/"}`, cmdline, addr, mask, gw)
}

// startGuest runs the tender with guest on the tap in the guest namespace
// and waits until the guest prints ready. The tap is the guest's "net0";
// disk, if not empty, its "rootfs" (httpd declares one, echo does not).
func (e *netEnv) startGuest(guest, disk, config, ready string) {
	t := e.t
	t.Helper()
	args := []string{"netns", "exec", e.guestNS, testenv.Binary(t, "nabla-run"),
		"--net:net0=tap0", "--net-mac:net0=" + guestMAC}
	if disk != "" {
		args = append(args, "--block:rootfs="+disk)
	}
	args = append(args, "--", testenv.Binary(t, "guests/"+guest), config)
	cmd := exec.Command("ip", args...)
	out := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", guest, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	// `ip netns exec` execs the tender in place: this pid is the guest.
	t.Cleanup(func() {
		select {
		case <-done:
			t.Errorf("%s exited during the test: %v", guest, cmd.ProcessState)
		default:
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", guest, out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), ready) {
		select {
		case <-done:
			t.Fatalf("%s exited before it was ready: %v\n%s", guest, cmd.ProcessState, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not print %q within 10s:\n%s", guest, ready, out.String())
		}
	}
	waitLinkUp(t, e.guestNS, "tap0")
}

// waitLinkUp waits until the kernel has activated a tap after a process
// attached to it: until then (linkwatch may take a second) the tap's
// queue discards every frame sent into it.
func waitLinkUp(t *testing.T, ns, dev string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := exec.Command("ip", "-n", ns, "-o", "link", "show", dev).CombinedOutput()
		if err != nil {
			t.Fatalf("ip link show %s: %v: %s", dev, err, out)
		}
		if strings.Contains(string(out), " state UP ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up within 10s: %s", dev, out)
		}
	}
}

// makeISO packs files as the iso fs handler does (see testenv.ISO).
func makeISO(t *testing.T, files map[string][]byte) string {
	return testenv.ISO(t, files, nil)
}
