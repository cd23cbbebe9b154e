package tender_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// The guest SDK's own tests (tests/guest) cover its guests in depth; this
// only checks that the tender boots a real SDK guest, when one is built.
func TestSDKHello(t *testing.T) {
	hello := filepath.Join(testenv.BuildDir(t), "guests", "hello.nabla")
	if _, err := os.Stat(hello); err != nil {
		t.Skipf("%s not built (make guests): the SDK's tests cover it", hello)
	}
	r := run(t, hello, `{"cmdline":"hello.nabla"}`)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Hello, World\n") {
		t.Fatalf("hello.nabla should print Hello, World and exit 0, got %v", r)
	}
	r = run(t, hello, `{"cmdline":"hello.nabla exit=3"}`)
	if r.code != 3 || r.signal != 0 {
		t.Fatalf("hello.nabla exit=3 should exit with status 3, got %v", r)
	}
}

// The exit status is the guest's, solo5_abort's 255 included, under both
// Solo5 ABI versions.
func TestExitStatus(t *testing.T) {
	for _, p := range []string{probe(t), probe(t, probeABI1)} {
		for _, status := range []string{"0", "7", "255"} {
			if r := run(t, p, "exit "+status); fmt.Sprint(r.code) != status || r.signal != 0 {
				t.Errorf("%s exit %s: got %v", filepath.Base(p), status, r)
			}
		}
	}
}

// A Solo5 guest starts with %fs = 0 (it sets its own with arch_prctl), so
// nothing of the tender's TLS is in reach by accident.
func TestGuestStartsWithoutFS(t *testing.T) {
	r := run(t, probe(t), "fs")
	if r.signal == syscall.SIGILL {
		t.Skip("this CPU or kernel has no FSGSBASE: rdfsbase faults")
	}
	if r.code != 0 || r.stdout != "fs=0\n" {
		t.Fatalf("the guest's %%fs base at entry: want 0, got %v", r)
	}
}

// Several devices of each kind, as Solo5's test_mft_maxdevices declares:
// each attached at its own fd, in command-line order, whatever the
// manifest's order.
func TestSeveralDevices(t *testing.T) {
	e := newCraftedELF()
	var entries []mftEntry
	var args []string
	for i := 0; i < 62; i++ {
		name := fmt.Sprintf("disk%d", i)
		entries = append(entries, mftEntry{name: name, typ: mftBlock})
		args = append([]string{"--block:" + name + "=" + makeDisk(t, 4096)}, args...)
	}
	e.notes = solo5Notes(entries...)
	guest := writeFile(t, "many.nabla", e.bytes())
	r := run(t, append(args, guest)...)
	if r.code != 0 || r.stdout != string(craftedMsg) || r.stderr != "" {
		t.Fatalf("a guest with 62 disks should run with all attached, got %v", r)
	}
	r = run(t, append(args[1:], guest)...)
	wantRefusal(t, r, "device 'disk61' of type BLOCK_BASIC is declared by the unikernel but not attached")
}
