package tender_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// startResident starts cmd (a guest that sleeps), kills it when the test
// ends, and returns /proc/pid/status once its filter is installed.
func startResident(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return testenv.WaitSeccomp(t, cmd.Process.Pid)
}

// residentFds starts cmd and lists the fds its guest holds.
func residentFds(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	startResident(t, cmd)
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []string
	for _, e := range entries {
		fds = append(fds, e.Name())
	}
	sort.Strings(fds)
	return strings.Join(fds, " ")
}

// sleepForever is a probe command that waits in the wait set, unarmed,
// with no timeout (-1 as a 32-bit int: the probe reads no signs).
var sleepForever = sys(sysEpollPwait, 3, "$heap", 1, "0xffffffff", 0, 0)

// TestConfinementVisibleInProc looks at a resident guest from outside:
// no capabilities, no_new_privs, a seccomp filter, no environment.
func TestConfinementVisibleInProc(t *testing.T) {
	cmd := command(t, probe(t), sleepForever)
	cmd.Env = []string{"SECRET=hunter2"}
	status := startResident(t, cmd)
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)
	for _, want := range []string{"CapInh:\t0000000000000000", "CapPrm:\t0000000000000000",
		"CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000",
		"NoNewPrivs:\t1", "Seccomp:\t2", "Threads:\t1"} {
		if !strings.Contains(status, "\n"+want+"\n") {
			t.Errorf("%s/status lacks %q:\n%s", proc, want, status)
		}
	}
	if env, err := os.ReadFile(proc + "/environ"); err != nil || strings.Contains(string(env), "hunter2") {
		t.Errorf("the tender's environment should be scrubbed before the jump, got %q (%v)", env, err)
	}
}

// A SIGTERM ignored by whoever started the tender (exec keeps SIG_IGN) must
// still stop the guest: docker stop sends SIGTERM first.
func TestIgnoredSIGTERMReset(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "sh", "-c", `trap '' TERM; exec "$@"`, "sh",
		tender(t), probe(t), sleepForever)
	startResident(t, cmd)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("the guest should die by SIGTERM, got %v", err)
	}
}

// TestUserCredentialsInProc: with --user the resident guest holds exactly
// the given uid, gid and supplementary groups (listed in any order, as
// Docker's --group-add lists them after the image's), and still no
// capabilities.
func TestUserCredentialsInProc(t *testing.T) {
	status := startResident(t, command(t, "--user=1000:1001:1003,20,1002", probe(t), sleepForever))
	for _, want := range []string{"Uid:\t1000\t1000\t1000\t1000", "Gid:\t1001\t1001\t1001\t1001",
		"Groups:\t20 1002 1003 ", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
		"CapBnd:\t0000000000000000", "NoNewPrivs:\t1"} {
		if !strings.Contains(status, "\n"+want+"\n") {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	// Root with no groups drops the ones it inherited.
	status = startResident(t, command(t, "--user=0:0", probe(t), sleepForever))
	if !strings.Contains(status, "\nUid:\t0\t0\t0\t0\n") || !regexp.MustCompile(`\nGroups:\s*\n`).MatchString(status) {
		t.Errorf("--user=0:0: want uid 0 and no groups:\n%s", status)
	}
}

// TestNoSecondCopyOfTheGuest: the tender reads the image into its heap to
// check and load it; a resident guest must not keep that copy, or every
// container holds its guest twice (the scale bench's PSS per container).
// The SDK's hello, some 30 KiB, is below malloc's mmap threshold, where
// free() alone keeps the pages.
func TestNoSecondCopyOfTheGuest(t *testing.T) {
	hello := filepath.Join(testenv.BuildDir(t), "guests", "hello.nabla")
	fi, err := os.Stat(hello)
	if err != nil {
		t.Fatalf("%v (make guests builds it)", err)
	}
	cmd := command(t, hello, `{"cmdline":"hello.nabla sleep"}`)
	startResident(t, cmd)
	smaps, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/smaps")
	if err != nil {
		t.Fatal(err)
	}
	heap := heapPrivateDirty(t, string(smaps))
	if heap<<10 >= fi.Size() {
		t.Errorf("the resident tender's heap holds %d KiB written, the image is %d KiB: it kept its copy of the image", heap, fi.Size()>>10)
	}
}

// heapPrivateDirty is the Private_Dirty (KiB) of the [heap] mapping in an
// smaps file, 0 without one.
func heapPrivateDirty(t *testing.T, smaps string) int64 {
	t.Helper()
	inHeap := false
	for _, line := range strings.Split(smaps, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			inHeap = fields[len(fields)-1] == "[heap]"
		case inHeap && len(fields) == 3 && fields[0] == "Private_Dirty:":
			kib, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				t.Fatalf("smaps: %q", line)
			}
			return kib
		}
	}
	return 0
}
