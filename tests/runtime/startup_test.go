package runtime_test

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// TestRunncStartsLean: what every start of runnc would pay for stays out
// of the binary: package regexp (regexp/syntax and the Unicode tables it
// needs are initialised at start) and Go's crypto packages (crypto/sha256
// brings the FIPS 140 module: fifteen packages initialised at start, 0.2
// ms; runnc's own hashes are internal/sha256). runnc starts three times per
// container.
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
	for _, d := range deps {
		if d == "crypto" || strings.HasPrefix(d, "crypto/") {
			t.Errorf("runnc imports %s, which brings Go's FIPS 140 module and its initialisation to every start: hash with internal/sha256", d)
			break
		}
	}
}

// TestRunncFirstTouches: runnc's start takes its memory in few faults
// (internal/firsttouch, linked with --wrap=mmap by the Makefile): its Go
// heap is advised onto transparent huge pages, its writable segment is
// mapped whole before Go's runtime starts, its first 2 MiB of code and of
// read-only data are copied onto huge pages, and the Go runtime's small
// mappings are carved from one huge page. A live runnc (events, which
// waits between statistics) shows them all in its smaps: an anonymous
// mapping whose flags hold "hg", as madvise(MADV_HUGEPAGE) sets them
// whatever the host's THP mode; the binary's writable mapping (.data) all
// resident; and, where the host's THP mode is not "never", an anonymous
// executable mapping and an anonymous read-only one of 2 MiB, each on a
// huge page, and two writable ones on huge pages: the heap's and the
// carved one's (a `list` faulted in 97 pages before the carving, 45 with
// it, by perf stat).
func TestRunncFirstTouches(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	e := newEnv(t)
	e.create("ft", e.bundle([]string{"/hello.nabla", "sleep"}, nil))
	if err := e.runc.Start(context.Background(), "ft"); err != nil {
		t.Fatalf("start: %v (%s)", err, e.LastLog())
	}
	e.waitStatus("ft", "running")

	events := e.Command("events", "--interval", "1h", "ft")
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
	bin, err := filepath.EvalSymlinks(e.Bin)
	if err != nil {
		t.Fatal(err)
	}
	var hugeHeap, dataMapped, hugeCode, hugeReadOnly bool
	hugeWritable := 0
	for _, m := range parseSmaps(string(smaps)) {
		if m.path == "" && m.perms == "rw-p" && m.anonHuge >= 2048 {
			hugeWritable++
		}
		switch {
		case m.path == "" && m.perms == "r-xp":
			hugeCode = m.anonHuge == 2048
		case m.path == "" && m.perms == "r--p":
			hugeReadOnly = hugeReadOnly || m.anonHuge == 2048
		case m.path == "" && slices.Contains(m.flags, "hg"):
			hugeHeap = true
		case m.path == bin && m.perms == "rw-p":
			dataMapped = m.rss == m.size
		}
	}
	if mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err == nil && !strings.Contains(string(mode), "[never]") {
		if !hugeCode {
			t.Errorf("runnc events has no anonymous executable mapping of 2 MiB on a huge page (its code's copy); its smaps:\n%s", smaps)
		}
		if !hugeReadOnly {
			t.Errorf("runnc events has no anonymous read-only mapping of 2 MiB on a huge page (its read-only data's copy); its smaps:\n%s", smaps)
		}
		if hugeWritable < 2 {
			t.Errorf("runnc events has %d anonymous writable mappings on huge pages, not two (its heap, and the region its runtime's small mappings are carved from); its smaps:\n%s", hugeWritable, smaps)
		}
	}
	if !hugeHeap {
		t.Errorf("no anonymous mapping of runnc events is advised onto huge pages; its smaps:\n%s", smaps)
	}
	if !dataMapped {
		t.Errorf("the writable mapping of %s in runnc events is not all resident; its smaps:\n%s", bin, smaps)
	}
}

// TestRunncRunsWhereExecutableMemoryIsRefused: where the kernel refuses
// to make memory executable (a seccomp filter, as systemd's
// MemoryDenyWriteExecute; SELinux without execmem), runnc's copy of its
// code onto huge pages (internal/firsttouch) gives way to the file's
// mapping, and runnc runs as before.
func TestRunncRunsWhereExecutableMemoryIsRefused(t *testing.T) {
	e := newEnv(t)
	helper := filepath.Join(t.TempDir(), "noexecmem")
	build := exec.Command("gcc", "-Wall", "-Wextra", "-Werror", "-o", helper, "tests/runtime/testdata/noexecmem.c")
	build.Dir = testenv.Repo(t)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the helper: %v: %s", err, b)
	}
	argv := append([]string{e.Bin}, e.GlobalArgs()...)
	out, err := exec.Command(helper, append(argv, "list")...).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ID ") {
		t.Fatalf("runnc list with executable memory refused: %v: %s", err, out)
	}
}

// TestRunncStartUnmapsNothing: a start of runnc gives no memory back to
// the kernel, whose munmap interrupts the other CPUs to flush their TLBs.
// musl's allocator gave back a page for each thread runtime/cgo started;
// internal/firsttouch keeps it. Counted under strace, not timed.
func TestRunncStartUnmapsNothing(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatal("strace is needed (make setup installs it)")
	}
	e := newEnv(t)
	out := filepath.Join(t.TempDir(), "strace")
	argv := append([]string{"-f", "-qq", "-e", "trace=munmap", "-o", out, e.Bin}, e.GlobalArgs()...)
	if b, err := exec.Command("strace", append(argv, "list")...).CombinedOutput(); err != nil {
		t.Fatalf("strace runnc list: %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "munmap("); n != 0 {
		t.Errorf("runnc list unmapped memory %d times:\n%s", n, data)
	}
}

// mapping is what the test reads of one mapping in /proc/PID/smaps.
type mapping struct {
	perms, path         string
	size, rss, anonHuge int // kB
	flags               []string
}

// parseSmaps reads the mappings of an smaps file: a header line (range,
// perms, offset, device, inode and, but for anonymous memory, a path),
// then "Key: value" lines.
func parseSmaps(smaps string) []mapping {
	var ms []mapping
	for _, line := range strings.Split(smaps, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") {
			m := mapping{}
			if len(fields) > 1 {
				m.perms = fields[1]
			}
			if len(fields) > 5 {
				m.path = fields[5]
			}
			ms = append(ms, m)
			continue
		}
		if len(ms) == 0 {
			continue
		}
		m := &ms[len(ms)-1]
		switch fields[0] {
		case "Size:":
			m.size, _ = strconv.Atoi(fields[1])
		case "Rss:":
			m.rss, _ = strconv.Atoi(fields[1])
		case "AnonHugePages:":
			m.anonHuge, _ = strconv.Atoi(fields[1])
		case "VmFlags:":
			m.flags = fields[1:]
		}
	}
	return ms
}
