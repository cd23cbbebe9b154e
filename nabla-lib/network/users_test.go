package network

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// TestNetnsUsersFindsEveryProcess: with processes enough for the scan to be
// spread over more than one reader, netnsUsers finds every process in the
// namespace and none outside it.
func TestNetnsUsersFindsEveryProcess(t *testing.T) {
	testenv.RequireRoot(t)
	ns := fmt.Sprintf("nbusers-%d", os.Getpid())
	testenv.IP(t, "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	var st unix.Stat_t
	if err := unix.Stat("/var/run/netns/"+ns, &st); err != nil {
		t.Fatal(err)
	}
	// netnsUsers reads with one worker per 256 processes, up to GOMAXPROCS.
	for range 300 {
		sleepFor(t, "sleep", "60")
	}
	var want []int
	for range 8 {
		want = append(want, sleepFor(t, "ip", "netns", "exec", ns, "sleep", "60"))
	}
	// ip netns exec is in the namespace once it has become sleep.
	for _, pid := range want {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "sleep" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("process %d never became sleep", pid)
			}
		}
	}
	slices.Sort(want)
	got, err := netnsUsers(st.Ino)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("netnsUsers = %v, want %v", got, want)
	}
}

// sleepFor starts argv and returns its pid; the test's cleanup stops it.
func sleepFor(t *testing.T, argv ...string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}
