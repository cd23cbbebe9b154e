package network

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"

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
		testenv.SleepIn(t, "")
	}
	var want []int
	for range 8 {
		want = append(want, testenv.SleepIn(t, ns))
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
