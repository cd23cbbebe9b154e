package tender_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// netns makes a network namespace with an up tap device named tap0 in it,
// removed when the test ends, and returns the namespace name.
func netns(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	name := fmt.Sprintf("tendertest%d", os.Getpid())
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	sh("netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	sh("-n", name, "tuntap", "add", "dev", "tap0", "mode", "tap")
	// Without IPv6 the kernel sends nothing on the tap by itself (an up
	// tap with IPv6 sends an MLD report), so "nothing queued" stays true.
	sh("netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.tap0.disable_ipv6=1")
	sh("-n", name, "link", "set", "tap0", "up")
	return name
}

// runIn runs the tender inside the namespace ns.
func runIn(t *testing.T, ns string, args ...string) result {
	t.Helper()
	cmd := command(t, args...)
	cmd.Args = append([]string{"ip", "netns", "exec", ns, cmd.Path}, args...)
	cmd.Path = mustLookPath(t, "ip")
	return runCmd(t, cmd)
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed: %v", name, err)
	}
	return p
}

// netEntry is the probe's network entry (index 2) of a bootinfo run.
func netEntry(t *testing.T, r result) mftEntryOut {
	t.Helper()
	_, entries, _ := decodeBootInfo(t, r)
	if len(entries) != 3 || entries[2].Attached != 1 {
		t.Fatalf("want the network attached as manifest entry 2, got %+v", entries)
	}
	return entries[2]
}

func TestNet(t *testing.T) {
	ns := netns(t)
	p := probe(t, probeNet)

	e := netEntry(t, runIn(t, ns, "--net:net0=tap0", "--net-mac:net0=02:00:0a:0b:0c:0d", p, "bootinfo"))
	if e.B != 5 || [6]byte(e.U[:6]) != [6]byte{2, 0, 0xa, 0xb, 0xc, 0xd} ||
		binary.LittleEndian.Uint16(e.U[6:]) != 1500 {
		t.Errorf("net entry: want fd 5, the given MAC, MTU 1500, got %+v", e)
	}
	e = netEntry(t, runIn(t, ns, "--net:net0=tap0", p, "bootinfo"))
	if e.U[0]&3 != 2 {
		t.Errorf("a generated MAC must be unicast and locally administered, got % x", e.U[:6])
	}

	for _, tc := range []struct{ name, cmd, want string }{
		{"write a frame", sys(sysWrite, 5, "$heap", 60), "ret=60\n"},
		{"read with nothing queued", sys(sysRead, 5, "$heap", 1514), "ret=-11\n"}, // EAGAIN: O_NONBLOCK
		{"pread the tap", sys(sysPread64, 5, "$heap", 512, 0), ""},
		{"tap fd high bits", sys(sysWrite, "0x100000005", "$heap", 60), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, ns, "--net:net0=tap0", p, tc.cmd)
			if tc.want == "" && (r.signal != syscall.SIGSYS || !isVerdict(r.stdout)) || tc.want != "" && r.stdout != tc.want {
				t.Fatalf("%q: want %q (or SIGSYS if empty), got %v", tc.cmd, tc.want, r)
			}
		})
	}
}

// Solo5 0.10 and later take the MTU from the tap.
func TestNetMTUFromTap(t *testing.T) {
	ns := netns(t)
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "tap0", "mtu", "9000").CombinedOutput(); err != nil {
		t.Fatalf("set the MTU: %v: %s", err, out)
	}
	e := netEntry(t, runIn(t, ns, "--net:net0=tap0", probe(t, probeNet), "bootinfo"))
	if mtu := binary.LittleEndian.Uint16(e.U[6:]); mtu != 9000 {
		t.Errorf("want the tap's MTU 9000, got %d", mtu)
	}
}

// The guest's wait set wakes for a frame on its tap: a probe waiting
// forever in epoll_pwait returns one event when the host ARPs on the tap.
func TestNetWakesWaitSet(t *testing.T) {
	ns := netns(t)
	cmd := command(t, "--net:net0=tap0", probe(t, probeNet), sys(sysEpollPwait, 3, "$heap", 2, "0xffffffff", 0, 0))
	cmd.Args = append([]string{"ip", "netns", "exec", ns, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = mustLookPath(t, "ip")
	var out bytes.Buffer
	cmd.Stdout = &out
	startResident(t, cmd)
	for _, args := range [][]string{{"-n", ns, "addr", "add", "10.9.0.1/24", "dev", "tap0"},
		{"netns", "exec", ns, "ping", "-c", "1", "-W", "1", "10.9.0.2"}} {
		exec.Command("ip", args...).Run() // the ping fails: nobody answers, but its ARP goes out
	}
	cmd.Wait()
	if out.String() != "ret=1\n" {
		t.Fatalf("epoll_pwait should report the tap readable, got %q", out.String())
	}
}

func TestNetRefusals(t *testing.T) {
	ns := netns(t)
	p := probe(t, probeNet)
	wantRefusal(t, runIn(t, ns, "--net:net0=lo", p, "exit 0"), "attach to tap lo")
	wantRefusal(t, runIn(t, ns, "--net:net0=nosuchtap", p, "exit 0"), "tap nosuchtap does not exist")
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "tap0", "down").CombinedOutput(); err != nil {
		t.Fatalf("set tap0 down: %v: %s", err, out)
	}
	wantRefusal(t, runIn(t, ns, "--net:net0=tap0", p, "exit 0"), "tap tap0 is down")
	wantRefusal(t, runIn(t, ns, "--net:net0=@0", p, "exit 0"), "@0 is not an open tap device")
}
