package runtime_test

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// TestRunncStartsLean: what every start of runnc would pay for stays out
// of the binary: package regexp (regexp/syntax and the Unicode tables it
// needs are initialised at start). runnc starts three times per container.
func TestRunncStartsLean(t *testing.T) {
	info, err := buildinfo.ReadFile(testenv.Binary(t, "runnc"))
	if err != nil {
		t.Fatalf("runnc: %v", err)
	}
	var tags string
	for _, s := range info.Settings {
		if s.Key == "-tags" {
			tags = s.Value
		}
	}
	cmd := exec.Command("go", "list", "-deps", "-tags", tags, "./runnc")
	cmd.Dir = testenv.Repo(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./runnc: %v", err)
	}
	deps := strings.Fields(string(out))
	if slices.Contains(deps, "regexp") {
		t.Error("runnc imports regexp again, which costs every start its initialisation")
	}
}

// TestRunncHeapOnHugePages: runnc's Go heap is advised onto transparent
// huge pages (internal/hugeheap, linked with --wrap=mmap by the Makefile),
// so a start pays one fault per 2 MiB of heap instead of one per 4 KiB.
// A live runnc (events, which waits between statistics) shows it in its
// smaps: an anonymous mapping whose flags hold "hg", as madvise
// (MADV_HUGEPAGE) sets them whatever the host's THP mode.
func TestRunncHeapOnHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	e := newEnv(t)
	e.create("hp", e.bundle([]string{"/hello.nabla", "sleep"}, nil))
	if err := e.runc.Start(context.Background(), "hp"); err != nil {
		t.Fatalf("start: %v (%s)", err, e.LastLog())
	}
	e.waitStatus("hp", "running")

	events := e.Command("events", "--interval", "1h", "hp")
	stdout, err := events.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Start(); err != nil {
		t.Fatalf("events: %v", err)
	}
	t.Cleanup(func() {
		events.Process.Kill()
		events.Wait()
	})
	// Its first statistics mean its heap is in use.
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		t.Fatalf("events printed nothing: %v (%s)", err, e.LastLog())
	}
	smaps, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", events.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if !hugeAdvisedAnon(string(smaps)) {
		t.Errorf("no anonymous mapping of runnc events is advised onto huge pages; its smaps:\n%s", smaps)
	}
}

// hugeAdvisedAnon tells whether smaps has an anonymous mapping (a header
// line with no path) whose VmFlags hold hg.
func hugeAdvisedAnon(smaps string) bool {
	anon := false
	for _, line := range strings.Split(smaps, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			anon = len(fields) == 5
		case len(fields) > 0 && fields[0] == "VmFlags:":
			if anon && slices.Contains(fields[1:], "hg") {
				return true
			}
		}
	}
	return false
}
