package tender_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	p := probe(t)
	// Eight arguments of 120 KiB: each under the kernel's 128 KiB for one
	// argument, together over the tender's limit.
	long := []string{p}
	for i := 0; i < 8; i++ {
		long = append(long, strings.Repeat("x", 120<<10))
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", nil, "missing KERNEL"},
		{"only options", []string{"--mem=64"}, "missing KERNEL"},
		{"mem zero", []string{"--mem=0", p}, "--mem=0: want a whole number of MiB"},
		{"mem not a number", []string{"--mem=abc", p}, "--mem=abc: want a whole number of MiB"},
		{"mem negative", []string{"--mem=-5", p}, "--mem=-5"},
		{"mem with unit", []string{"--mem=512M", p}, "--mem=512M"},
		{"mem huge", []string{"--mem=99999999999999999999", p}, "want a whole number of MiB from 2 to 65536"},
		{"mem too small", []string{"--mem=1", p}, "--mem=1"},
		{"unknown option", []string{"--frobnicate", p}, "unknown option --frobnicate"},
		{"option without value", []string{"--mem", p}, "unknown option --mem"},
		{"net without a name", []string{"--net:=tap0", p}, "want --net:NAME=TAP"},
		{"net name with a dash", []string{"--net:a-b=tap0", p}, "want --net:NAME=TAP"},
		{"net name too long", []string{"--net:" + strings.Repeat("n", 68) + "=tap0", p}, "want --net:NAME=TAP"},
		{"net without a tap", []string{"--net:net0", p}, "want --net:NAME=TAP"},
		{"tap name with %", []string{"--net:net0=tap%d", p}, "tap%d is not a valid interface name"},
		{"tap name too long", []string{"--net:net0=abcdefghijklmnopq", p}, "is not a valid interface name"},
		{"tap fd not a number", []string{"--net:net0=@x", p}, "@x is not a valid interface name"},
		{"net given twice", []string{"--net:net0=tap0", "--net:net0=tap1", p}, "--net:net0 given twice"},
		{"bad MAC", []string{"--net:net0=lo", "--net-mac:net0=zz:00:00:00:00:01", p}, "--net-mac:net0=zz"},
		{"multicast MAC", []string{"--net:net0=lo", "--net-mac:net0=01:00:5e:00:00:01", p}, "unicast MAC"},
		{"MAC without net", []string{"--net-mac:net0=02:00:00:00:00:01", p}, "network net0 is not attached: --net:net0=TAP is missing"},
		{"block without a file", []string{"--block:disk=", p}, "want --block:NAME=FILE"},
		{"sector size 256", []string{"--block:disk=/dev/null", "--block-sector-size:disk=256", p},
			"Block size must be a multiple of 2 greater than or equal 512"},
		{"sector size 521", []string{"--block:disk=/dev/null", "--block-sector-size:disk=521", p}, "power of two"},
		{"sector size 65536", []string{"--block:disk=/dev/null", "--block-sector-size:disk=65536", p}, "up to 32768"},
		{"sector size without block", []string{"--block-sector-size:disk=4096", p}, "block device disk is not attached"},
		{"readonly without block", []string{"--block-readonly:disk", p}, "block device disk is not attached"},
		{"too many devices", append(manyBlocks(64), p), "too many devices (at most 63)"},
		{"user without a group", []string{"--user=1000", p}, "--user=1000: want --user=UID:GID"},
		{"user with an empty group list", []string{"--user=1000:1000:", p}, "want --user=UID:GID"},
		{"user by name", []string{"--user=nobody:nogroup", p}, "want --user=UID:GID"},
		{"user -1", []string{"--user=4294967295:0", p}, "want --user=UID:GID"},
		{"user given twice", []string{"--user=1:1", "--user=2:2", p}, "once"},
		{"missing unikernel file", []string{"/nonexistent/guest.nabla"}, "open /nonexistent/guest.nabla"},
		{"unikernel is a directory", []string{"/"}, "/ is not a regular file"},
		{"command line too long", long, "command line is too long"},
		{"mem cannot hold the guest file", []string{"--mem=2", "/proc/self/exe"}, ""},
		{"Nabla-era net without the flag", []string{"--net=tap0", p}, "add --nabla-legacy"},
		{"Nabla-era disk without the flag", []string{"--disk=x.iso", p}, "add --nabla-legacy"},
		{"Solo5 forms with the flag", []string{"--nabla-legacy", "--net:net0=tap0", p}, "--nabla-legacy takes --net=TAP"},
		{"Nabla-era MAC without net", []string{"--nabla-legacy", "--net-mac=02:00:00:00:00:01", p}, "network is not attached: --net=TAP is missing"},
		{"Nabla-era disk twice", []string{"--nabla-legacy", "--disk=a", "--disk=b", p}, "--block given twice"},
		{"missing disk", []string{"--block:disk=/nonexistent/disk.img", probe(t, probeDisk)}, "open disk /nonexistent/disk.img"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, run(t, tc.args...), tc.want)
		})
	}
}

// manyBlocks is n --block options naming distinct devices.
func manyBlocks(n int) []string {
	var args []string
	for i := 0; i < n; i++ {
		args = append(args, fmt.Sprintf("--block:d%d=/dev/null", i))
	}
	return args
}

// A KERNEL that is a FIFO is refused at once, not waited on.
func TestFIFOKernelRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, run(t, fifo), "is not a regular file")
}

func TestBlockRefusals(t *testing.T) {
	p := probe(t, probeDisk)
	wantRefusal(t, run(t, "--block:disk="+makeDisk(t, 511), p), "not a whole number of 512-byte blocks")
	wantRefusal(t, run(t, "--block:disk="+makeDisk(t, 0), p), "smaller than one 512-byte block")
	wantRefusal(t, run(t, "--block:disk="+makeDisk(t, 6144), "--block-sector-size:disk=4096", p),
		"Backing storage size must be block aligned")
	dir := t.TempDir()
	wantRefusal(t, run(t, "--block:disk="+dir, p), "open disk "+dir)
	wantRefusal(t, run(t, "--block:disk="+dir, "--disk-readonly", p), "not a regular file or a block device")
}

func TestHelpAndVersion(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		r := run(t, flag)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: nabla-run ") || r.stderr != "" {
			t.Fatalf("%s should print the usage and exit 0, got %v", flag, r)
		}
		for _, opt := range []string{"--mem=", "--net:NAME=", "--net-mac:NAME=", "--block:NAME=",
			"--block-sector-size:NAME=", "--block-readonly:NAME", "--disk-readonly", "--x-exec-heap",
			"--print-filter", "--nabla-legacy", "--version"} {
			if !strings.Contains(r.stdout, opt) {
				t.Errorf("usage does not mention %s", opt)
			}
		}
	}
	if r := run(t, "--version"); r.code != 0 || !strings.Contains(r.stdout, "Solo5 spt ABI 1 to 2") {
		t.Fatalf("--version should name the ABIs, got %v", r)
	}
}

// A tender started with fd 1 closed must not hand the console to a device.
func TestClosedStdioReopened(t *testing.T) {
	disk := makeDisk(t, 4096)
	script := `exec "$0" --block:disk="$1" "$2" 'exit 0' 1>&- 2>"$3"`
	errPath := filepath.Join(t.TempDir(), "stderr")
	r := runCmd(t, exec.Command("sh", "-c", script, tender(t), disk, probe(t, probeDisk), errPath))
	if r.code != 0 || r.signal != 0 {
		stderr, _ := os.ReadFile(errPath)
		t.Fatalf("with fd 1 closed at start the guest should still run, got %v, stderr %q", r, stderr)
	}
}

// Guest memory the kernel will not map is refused, not half-used.
func TestUnmappableMemRefused(t *testing.T) {
	r := runCmd(t, exec.Command("sh", "-c", `ulimit -v 1000000 && exec "$@"`, "sh",
		tender(t), "--mem=4096", probe(t), "exit 0"))
	wantRefusal(t, r, "cannot map 4096 MiB of guest memory")
}
