// Package hostile_test runs a hostile unikernel (build/guests/escape.nabla:
// its actions and probes) in the tender, directly and through runnc, and
// checks that each attack ends the expected way with no effect on the host.
package hostile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// hangGuard only keeps a guest that never ends from hanging the run (a
// broken filter could let `pause` through); no test depends on timing.
const hangGuard = time.Minute

// end is how a guest run ended.
type end struct {
	stdout string
	status int // exit status, -1 if killed by a signal
	signal syscall.Signal
}

func (e end) String() string {
	if e.status < 0 {
		return fmt.Sprintf("killed by %v; stdout %q", e.signal, e.stdout)
	}
	return fmt.Sprintf("exit status %d; stdout %q", e.status, e.stdout)
}

// escape runs the escape guest in the tender with a fresh disk as its
// "rootfs" (its manifest declares one), tender options opts and the guest
// arguments args.
func escape(t *testing.T, opts []string, args ...string) end {
	t.Helper()
	testenv.RequireRoot(t)
	config, err := json.Marshal(map[string]any{"argv": append([]string{"escape"}, args...)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	argv := append([]string{"--block:rootfs=" + disk(t)}, opts...)
	argv = append(argv, "--", testenv.Binary(t, "guests/escape.nabla"), string(config))
	cmd := exec.CommandContext(ctx, testenv.Binary(t, "nabla-run"), argv...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err = cmd.Run()
	e := end{stdout: stdout.String()}
	e.status, e.signal = testenv.Exit(t, err, fmt.Sprint("nabla-run ", argv))
	if ctx.Err() != nil {
		t.Fatalf("escape %v did not end within %v: %v", args, hangGuard, e)
	}
	return e
}

// disk is a small disk image for the guest.
func disk(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(p, bytes.Repeat([]byte{0x5a}, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// exitGroup is the one syscall the filter allows with any argument.
const exitGroup = 231

// The kernel (6.11+ for uretprobe, 6.17+ for uprobe) runs these two
// before any seccomp filter (kernel/seccomp.c, seccomp_uprobe_exception):
// uprobes' trampolines make them. Made by anything else they do nothing:
// uretprobe kills the caller with SIGILL, uprobe fails with ENXIO.
const (
	uretprobe = 335
	uprobe    = 336
)

// verdict is the console line of a guest the filter stops at syscall nr;
// the x32 range (and negative numbers, the same to the filter) is killed
// before the verdict can run.
func verdict(nr int64) string {
	if nr < 0 || nr >= 1<<30 {
		return ""
	}
	return fmt.Sprintf("nabla-run: the unikernel made syscall %d, which the seccomp allowlist forbids: stopped (nabla-run --print-filter lists what it may do)\n", nr)
}

// Every syscall number, allowed or not, is made with every argument -1:
// only exit_group survives the filter (it exits 255); everything else,
// including the allowed write, clock_gettime, epoll_pwait,
// timerfd_settime, arch_prctl, pread64 and pwrite64 on the wrong fd,
// clock, code or count, dies by SIGSYS. Numbers past the table, negative
// ones and the x32 range are tried too.
func TestEverySyscallNumber(t *testing.T) {
	opts := []string{"--mem=8"}
	var nrs []int64
	for nr := int64(0); nr < 512; nr++ {
		nrs = append(nrs, nr)
	}
	nrs = append(nrs, 1023, 4096, 1<<30-1, 1<<30, 1<<30|1, 1<<31-1, -1, -2)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	var mu sync.Mutex
	var bad []string
	for _, nr := range nrs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			e := escape(t, opts, "nr", fmt.Sprint(nr))
			ok := e.status == -1 && e.signal == syscall.SIGSYS && e.stdout == verdict(nr)
			switch nr {
			case exitGroup:
				ok = e.status == 255
			case uretprobe:
				ok = ok || e.status == -1 && e.signal == syscall.SIGILL
			case uprobe:
				ok = ok || e.status == 0 && e.stdout == "escape: nr returned -6\n"
			}
			if !ok {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("syscall %d: %v", nr, e))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("%d of %d syscall numbers did not end as expected:\n%s", len(bad), len(nrs), strings.Join(bad, "\n"))
	}
	t.Logf("%d syscall numbers tried", len(nrs))
}

// Memory outside the guest's (and the read-only or non-executable parts
// of it) cannot be used: every probe dies by SIGSEGV.
func TestMemoryProbes(t *testing.T) {
	for _, probe := range []string{
		"read-null", "read-below", "read-past-end", "read-kernel",
		"read-noncanonical", "write-bootinfo", "write-config", "write-text", "write-rodata",
		"exec-heap", "exec-stack", "exhaust-heap", "stack-overflow",
	} {
		t.Run(probe, func(t *testing.T) {
			e := escape(t, []string{"--mem=16"}, probe)
			if e.status != -1 || e.signal != syscall.SIGSEGV || strings.Contains(e.stdout, "allowed") {
				t.Errorf("escape %s: %v; want death by SIGSEGV", probe, e)
			}
		})
	}
}

// Allowed syscalls with bad pointers and lengths, and a write to the
// read-only disk, fail with an error the guest sees; the tender lives on
// and exits normally.
func TestHostileArguments(t *testing.T) {
	opts := []string{"--disk-readonly", "--mem=16"}
	for _, probe := range []string{
		"efault-write", "efault-write-kernel", "efault-write-neglen", "efault-write-past-end",
		"efault-clock", "efault-epoll", "efault-timerfd", "efault-pread", "pwrite-readonly-disk",
	} {
		t.Run(probe, func(t *testing.T) {
			e := escape(t, opts, probe)
			if e.status != 0 || !strings.Contains(e.stdout, "escape: "+probe+" returned -") {
				t.Errorf("escape %s: %v; want an error returned and exit 0", probe, e)
			}
		})
	}
}

// The probe list is what this package tests, so a new probe is not
// forgotten.
func TestProbeList(t *testing.T) {
	e := escape(t, nil, "probes")
	want := []string{"nr", "read-null", "read-below", "read-past-end", "read-kernel",
		"read-noncanonical", "write-bootinfo", "write-config", "write-text", "write-rodata", "exec-heap",
		"exec-stack", "exhaust-heap", "stack-overflow", "spin", "efault-write", "efault-write-kernel",
		"efault-write-neglen", "efault-write-past-end", "efault-clock", "efault-epoll",
		"efault-timerfd", "efault-pread", "pwrite-readonly-disk"}
	if got := strings.Fields(e.stdout); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("escape probes printed %q, want %q", got, want)
	}
}
