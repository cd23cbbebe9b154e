package tender_test

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

// TestGuestPagesAreItsFiles: a guest's code and read-only data are the
// pages of its file, mapped as the kernel maps a program's, so that the
// containers of one image share them instead of each holding a copy (the
// scale bench's PSS per container). Two residents of the SDK's hello: in
// the second, every page of each read-only segment is its file's, and the
// first maps it too.
func TestGuestPagesAreItsFiles(t *testing.T) {
	hello := filepath.Join(testenv.BuildDir(t), "guests", "hello.nabla")
	f, err := elf.Open(hello)
	if err != nil {
		t.Fatalf("%v (make guests builds it)", err)
	}
	defer f.Close()
	var pid int
	for range 2 {
		cmd := command(t, "--mem=16", hello, `{"cmdline":"hello.nabla sleep"}`)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		startResident(t, cmd)
		// The filter goes on just before the jump: the guest has touched
		// its pages only once it has printed its last line and sleeps.
		waitLine(t, out, "mem: ")
		pid = cmd.Process.Pid
	}
	maps := readSmaps(t, pid)
	checked := 0
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 || p.Flags&elf.PF_W != 0 {
			continue
		}
		m, ok := mappingAt(maps, p.Vaddr)
		switch {
		case !ok:
			t.Errorf("no mapping holds the segment at %#x", p.Vaddr)
		case m.path != hello:
			t.Errorf("the segment at %#x is mapped from %q, not from the guest's file", p.Vaddr, m.path)
		case m.kib["Anonymous"] != 0 || m.kib["Rss"] == 0 ||
			m.kib["Rss"] != m.kib["Shared_Clean"]+m.kib["Shared_Dirty"]:
			t.Errorf("the segment at %#x should be only shared file pages: %v", p.Vaddr, m.kib)
		}
		checked++
	}
	if checked == 0 {
		t.Fatalf("%s has no read-only segment with file bytes", hello)
	}
}

// waitLine reads r until a line starting with prefix.
func waitLine(t *testing.T, r io.Reader, prefix string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			return
		}
	}
	t.Fatalf("the guest's output ended before a line starting %q (%v)", prefix, sc.Err())
}

// TestSetupStateReleased: what the tender needs only until the jump (its
// parsed command line, the guest's notes, the filter's rules: main.c's
// setup) is handed back to the kernel before the guest runs, so that a
// resident guest keeps none of it. Read from outside: none of setup's
// pages is present in the resident tender (/proc/PID/pagemap, bit 63).
func TestSetupStateReleased(t *testing.T) {
	bin := tender(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.Symbols()
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v (the tender is built with its symbols)", bin, err)
	}
	i := slices.IndexFunc(syms, func(s elf.Symbol) bool {
		return strings.HasPrefix(s.Name, "setup.") && elf.ST_TYPE(s.Info) == elf.STT_OBJECT
	})
	if i < 0 {
		t.Fatalf("%s has no symbol for main.c's setup", bin)
	}
	setup := syms[i]
	cmd := command(t, probe(t), sleepForever)
	startResident(t, cmd)
	pid := cmd.Process.Pid
	base := uint64(0)
	for _, m := range readSmaps(t, pid) {
		if m.path == bin {
			base = m.start // the first, at file offset 0: the PIE's load address
			break
		}
	}
	if base == 0 {
		t.Fatalf("the resident tender maps no %s", bin)
	}
	pm, err := os.Open(fmt.Sprintf("/proc/%d/pagemap", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	for at := base + setup.Value; at < base+setup.Value+setup.Size; at += pageSize {
		var entry [8]byte
		if _, err := pm.ReadAt(entry[:], int64(at/pageSize*8)); err != nil {
			t.Fatal(err)
		}
		if binary.LittleEndian.Uint64(entry[:])>>63 != 0 {
			t.Errorf("setup's page at %#x (+%#x) is still present in the resident tender", at, at-base-setup.Value)
		}
	}
}

// mapping is one entry of /proc/PID/smaps: its range, its file ("" when
// anonymous) and its sizes in KiB.
type mapping struct {
	start, end uint64
	path       string
	kib        map[string]int64
}

func readSmaps(t *testing.T, pid int) []mapping {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps")
	if err != nil {
		t.Fatal(err)
	}
	var maps []mapping
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 5 && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			m := mapping{kib: map[string]int64{}}
			m.start, _ = strconv.ParseUint(lo, 16, 64)
			m.end, _ = strconv.ParseUint(hi, 16, 64)
			if len(fields) >= 6 {
				m.path = fields[5]
			}
			maps = append(maps, m)
		} else if len(fields) == 3 && fields[2] == "kB" && len(maps) > 0 {
			v, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				t.Fatalf("smaps: %q", line)
			}
			maps[len(maps)-1].kib[strings.TrimSuffix(fields[0], ":")] = v
		}
	}
	return maps
}

func mappingAt(maps []mapping, addr uint64) (mapping, bool) {
	for _, m := range maps {
		if m.start <= addr && addr < m.end {
			return m, true
		}
	}
	return mapping{}, false
}
