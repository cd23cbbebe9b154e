// Package tender_test drives build/nabla-run, the tender, as a user would:
// hostile guest ELFs, bad command lines, the seccomp allowlist (through a
// probe guest that makes one syscall), guest memory protections and devices.
// Run as root (tap devices in a private netns); build with `make tender`.
package tender_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

var (
	probeMu    sync.Mutex
	probeBuilt = map[string]string{}
	guestFlags []string
	tmpDir     string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tender-test-")
	if err != nil {
		panic(err)
	}
	tmpDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func tender(t *testing.T) string {
	t.Helper()
	return testenv.Binary(t, "nabla-run")
}

// Probe variants (testdata/probe.c): which devices its manifest declares,
// which Solo5 ABI version its note asks for, or no notes at all (a
// Nabla-era guest, run with --nabla-legacy).
const (
	probeNet     = "net"     // network "net0"
	probeDisk    = "disk"    // block device "disk"
	probeVolumes = "volumes" // volume slots "vol0" and "vol1"
	probeABI1    = "abi1"    // ABI version 1 (Solo5 0.6-0.7)
	probeLegacy  = "legacy"  // no notes; the v0.4 boot info
)

// probe returns the probe guest built with the given variants, once per
// set, as the guests are built but for its own linker script (1 MiB, one
// segment per protection, no manifest).
func probe(t *testing.T, variants ...string) string {
	t.Helper()
	key := "probe"
	defs := map[string]string{probeNet: "0", probeDisk: "0", probeVolumes: "0", probeABI1: "2", probeLegacy: "0"}
	for _, v := range variants {
		key += "-" + v
		defs[v] = "1"
	}
	probeMu.Lock()
	defer probeMu.Unlock()
	if p, ok := probeBuilt[key]; ok {
		return p
	}
	if guestFlags == nil {
		// The guests' own flags, from the Makefile that builds them.
		cmd := exec.Command("make", "-s", "--no-print-directory", "print-guest-flags")
		cmd.Dir = testenv.Repo(t)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("make print-guest-flags: %v", err)
		}
		guestFlags = slices.Clip(strings.Fields(string(b)))
	}
	out := filepath.Join(tmpDir, key+".nabla")
	abi := defs[probeABI1]
	cmd := exec.Command("gcc", append(guestFlags,
		"-DPROBE_NET="+defs[probeNet], "-DPROBE_BLOCK="+defs[probeDisk],
		"-DPROBE_VOLUMES="+defs[probeVolumes], "-DPROBE_ABI="+abi,
		"-DPROBE_LEGACY="+defs[probeLegacy], "-fno-builtin",
		"-Wl,-T,tests/tender/testdata/probe.ld", "-o", out, "tests/tender/testdata/probe.c")...)
	cmd.Dir = testenv.Repo(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the probe guest %s: %v: %s", key, err, b)
	}
	probeBuilt[key] = out
	return out
}

type result struct {
	stdout, stderr string
	code           int            // exit status, -1 if killed
	signal         syscall.Signal // the killing signal, 0 if it exited
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, signal %d (%v), stdout %.400q, stderr %.400q",
		r.code, r.signal, r.signal, r.stdout, r.stderr)
}

// runCmd runs cmd (the tender, or a wrapper around it) to completion.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		ws := exit.Sys().(syscall.WaitStatus)
		r.code = ws.ExitStatus()
		if ws.Signaled() {
			r.signal = ws.Signal()
		}
	default:
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return r
}

// command prepares the tender with args; a guest that hangs is killed
// after a minute.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, tender(t), args...)
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	return runCmd(t, command(t, args...))
}

// wantRefusal checks the tender's refusal contract: exit 1, nothing on
// stdout, one line on stderr starting "nabla-run: " that contains want.
func wantRefusal(t *testing.T, r result, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 1 || r.signal != 0 || r.stdout != "" || len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "nabla-run: ") || !strings.Contains(lines[0], want) {
		t.Fatalf("want a one-line refusal containing %q, got %v", want, r)
	}
}

// writeFile writes data into the test's temp dir and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
