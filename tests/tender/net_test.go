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

func TestNet(t *testing.T) {
	ns := netns(t)
	p := probe(t)

	r := runIn(t, ns, "--net=tap0", "--net-mac=02:00:0a:0b:0c:0d", p, "bootinfo")
	var bi bootInfo
	if r.code != 0 || len(r.stdout) < binary.Size(bi) {
		t.Fatalf("bootinfo with a tap failed: %v", r)
	}
	binary.Read(bytes.NewReader([]byte(r.stdout)), binary.LittleEndian, &bi)
	if bi.NetFD != 3 || bi.NetMAC != [6]byte{2, 0, 0xa, 0xb, 0xc, 0xd} || bi.NetMTU != 1500 {
		t.Errorf("net boot info: want fd 3, the given MAC, MTU 1500, got %+v", bi)
	}

	r = runIn(t, ns, "--net=tap0", p, "bootinfo")
	binary.Read(bytes.NewReader([]byte(r.stdout)), binary.LittleEndian, &bi)
	if bi.NetMAC[0]&3 != 2 {
		t.Errorf("a generated MAC must be unicast and locally administered, got % x", bi.NetMAC)
	}

	for _, tc := range []struct{ name, cmd, want string }{
		{"write a frame", sys(sysWrite, 3, "$heap", 60), "ret=60\n"},
		{"read with nothing queued", sys(sysRead, 3, "$heap", 1514), "ret=-11\n"}, // EAGAIN: O_NONBLOCK
		{"poll the tap", "pollfd 3", "revents=0\n"},
		{"pread the tap", sys(sysPread64, 3, "$heap", 512, 0), ""},
		{"tap fd high bits", sys(sysWrite, "0x100000003", "$heap", 60), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, ns, "--net=tap0", p, tc.cmd)
			if tc.want == "" && (r.signal != syscall.SIGSYS || !isVerdict(r.stdout)) || tc.want != "" && r.stdout != tc.want {
				t.Fatalf("%q: want %q (or SIGSYS if empty), got %v", tc.cmd, tc.want, r)
			}
		})
	}
}

func TestNetRefusesNonTap(t *testing.T) {
	ns := netns(t)
	wantRefusal(t, runIn(t, ns, "--net=lo", probe(t), "exit 0"), "attach to tap lo")
}
