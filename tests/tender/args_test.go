package tender_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	p := probe(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no arguments", nil, "missing UNIKERNEL"},
		{"only options", []string{"--mem=64"}, "missing UNIKERNEL"},
		{"mem zero", []string{"--mem=0", p}, "--mem=0: want a whole number of MiB"},
		{"mem not a number", []string{"--mem=abc", p}, "--mem=abc: want a whole number of MiB"},
		{"mem negative", []string{"--mem=-5", p}, "--mem=-5"},
		{"mem with unit", []string{"--mem=512M", p}, "--mem=512M"},
		{"mem huge", []string{"--mem=99999999999999999999", p}, "want a whole number of MiB from 4 to 65536"},
		{"mem too small", []string{"--mem=3", p}, "--mem=3"},
		{"unknown option", []string{"--frobnicate", p}, "unknown option --frobnicate"},
		{"option without value", []string{"--mem", p}, "unknown option --mem"},
		{"tap name with %", []string{"--net=tap%d", p}, "--net=tap%d: not a valid interface name"},
		{"tap name too long", []string{"--net=abcdefghijklmnopq", p}, "not a valid interface name"},
		{"tap that does not exist", []string{"--net=nosuchtap9", p}, "tap nosuchtap9 does not exist"},
		{"bad MAC", []string{"--net=lo", "--net-mac=zz:00:00:00:00:01", p}, "--net-mac=zz:00:00:00:00:01"},
		{"multicast MAC", []string{"--net=lo", "--net-mac=01:00:5e:00:00:01", p}, "unicast MAC"},
		{"MAC without net", []string{"--net-mac=02:00:00:00:00:01", p}, "--net-mac needs --net"},
		{"missing disk", []string{"--disk=/nonexistent/disk.img", p}, "open disk /nonexistent/disk.img"},
		{"readonly without disk", []string{"--disk-readonly", p}, "--disk-readonly needs --disk"},
		{"missing unikernel file", []string{"/nonexistent/guest.nabla"}, "open /nonexistent/guest.nabla"},
		{"unikernel is a directory", []string{"/"}, "/ is not a regular file"},
		{"extra argument", []string{p, "{}", "more"}, "unexpected argument more"},
		{"mem cannot hold the guest file", []string{"--mem=4", "/proc/self/exe"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, run(t, tc.args...), tc.want)
		})
	}
}

func TestTinyDiskRefused(t *testing.T) {
	disk := writeFile(t, "tiny.img", make([]byte, 511))
	wantRefusal(t, run(t, "--disk="+disk, probe(t)), "smaller than one 512-byte sector")
}

func TestDirectoryDiskRefused(t *testing.T) {
	dir := t.TempDir()
	wantRefusal(t, run(t, "--disk="+dir, probe(t)), "open disk "+dir)
	wantRefusal(t, run(t, "--disk="+dir, "--disk-readonly", probe(t)), "not a regular file or a block device")
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		r := run(t, flag)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: nabla-run ") || r.stderr != "" {
			t.Fatalf("%s should print the usage and exit 0, got %v", flag, r)
		}
		for _, opt := range []string{"--mem=", "--net=", "--net-mac=", "--disk=", "--disk-readonly",
			"--x-exec-heap", "--print-filter"} {
			if !strings.Contains(r.stdout, opt) {
				t.Errorf("usage does not mention %s", opt)
			}
		}
	}
}

// A tender started with fd 1 closed must not hand the console to a device.
func TestClosedStdioReopened(t *testing.T) {
	disk := writeFile(t, "disk.img", make([]byte, 4096))
	script := `exec "$0" --disk="$1" "$2" 'pollfd 1' 1>&- 2>"$3"`
	errPath := filepath.Join(t.TempDir(), "stderr")
	r := runCmd(t, exec.Command("sh", "-c", script, tender(t), disk, probe(t), errPath))
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
