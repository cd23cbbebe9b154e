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

const filterHeader = `# nabla-run seccomp allowlist: x86_64 only, x32 syscalls killed,
# arguments compared as full 64-bit values; anything else kills the process
# (by SIGSYS, after one console line naming the syscall)
write(fd=1)
clock_gettime(clockid=CLOCK_MONOTONIC)
clock_gettime(clockid=CLOCK_REALTIME)
ppoll(nfds<=1, sigmask=NULL)
exit_group(*)
`

// makeDisk makes a disk image of size bytes (not necessarily whole sectors).
func makeDisk(t *testing.T, size int64) string {
	t.Helper()
	p := writeFile(t, "disk.img", nil)
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrintFilter(t *testing.T) {
	disk := makeDisk(t, 1<<20+100) // rounds down to 2048 sectors
	sector := "(fd=4, count=512, offset%512=0, offset<=1048064)\n"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no devices", nil, filterHeader},
		{"net", []string{"--net=tap7"}, filterHeader + "read(fd=3)\nwrite(fd=3)\n"},
		{"disk read-write", []string{"--disk=" + disk}, filterHeader + "pread64" + sector + "pwrite64" + sector},
		{"disk read-only", []string{"--disk=" + disk, "--disk-readonly"}, filterHeader + "pread64" + sector},
		{"everything", []string{"--net=tap7", "--disk=" + disk, "--disk-readonly", "--mem=64", "g.nabla", "{}"},
			filterHeader + "read(fd=3)\nwrite(fd=3)\npread64" + sector},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, append([]string{"--print-filter"}, tc.args...)...)
			if r.code != 0 || r.stderr != "" || r.stdout != tc.want {
				t.Fatalf("want exit 0 and\n%s\ngot %v", tc.want, r)
			}
		})
	}
}

// A disk its user may only read is opened read-only: no pwrite64 rule.
func TestPrintFilterReadOnlyFallback(t *testing.T) {
	dir, err := os.MkdirTemp("", "tender-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin, disk := filepath.Join(dir, "nabla-run"), filepath.Join(dir, "disk.img")
	data, err := os.ReadFile(tender(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(disk, make([]byte, 4096), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--print-filter", "--disk="+disk)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	r := runCmd(t, cmd)
	if r.code != 0 || strings.Contains(r.stdout, "pwrite64") || !strings.Contains(r.stdout, "pread64") {
		t.Fatalf("a disk that cannot be opened for writing should get no pwrite64 rule, got %v", r)
	}
}

// sys formats a probe command making syscall nr with up to six arguments.
func sys(nr int, args ...any) string {
	s := fmt.Sprintf("sys %d", nr)
	for i := 0; i < 6; i++ {
		if i < len(args) {
			s += fmt.Sprint(" ", args[i])
		} else {
			s += " 0"
		}
	}
	return s
}

const (
	sysRead         = 0
	sysWrite        = 1
	sysClose        = 3
	sysMmap         = 9
	sysMprotect     = 10
	sysPread64      = 17
	sysPwrite64     = 18
	sysGetpid       = 39
	sysExit         = 60
	sysKill         = 62
	sysClockGettime = 228
	sysExitGroup    = 231
	sysPpoll        = 271
	x32Bit          = 0x40000000
)

// TestFilter has the probe guest make one syscall each: allowed ones return
// (the probe prints "ret=N"), the rest must kill it with SIGSYS.
func TestFilter(t *testing.T) {
	disk := makeDisk(t, 1<<20) // 2048 sectors, the last at 1048064
	ro := []string{"--disk=" + disk, "--disk-readonly"}
	rw := []string{"--disk=" + disk}
	tests := []struct {
		name  string
		flags []string
		cmd   string
		want  string // "ret=..." printed, or "" for SIGSYS
	}{
		{"write console", nil, sys(sysWrite, 1, "$heap", 0), "ret=0"},
		{"write console, fd high bits set", nil, sys(sysWrite, "0x100000001", "$heap", 0), ""},
		{"write stderr", nil, sys(sysWrite, 2, "$heap", 0), ""},
		{"write stdin", nil, sys(sysWrite, 0, "$heap", 0), ""},
		{"read console", nil, sys(sysRead, 1, "$heap", 1), ""},
		{"read stdin", nil, sys(sysRead, 0, "$heap", 1), ""},
		{"write x32", nil, sys(x32Bit|sysWrite, 1, "$heap", 0), ""},
		{"getpid x32", nil, sys(x32Bit | sysGetpid), ""},
		{"i386 write through int 0x80", nil, "int80 4 1 0x100000 1", ""},
		{"getpid", nil, sys(sysGetpid), ""},
		{"mmap", nil, sys(sysMmap, 0, 4096, 7, 0x22, -1, 0), ""},
		{"mprotect", nil, sys(sysMprotect, "0x100000", 4096, 7), ""},
		{"close", nil, sys(sysClose, 1), ""},
		{"kill", nil, sys(sysKill, 1, 9), ""},
		{"exit (thread)", nil, sys(sysExit, 0), ""},
		{"clock monotonic", nil, sys(sysClockGettime, 1, "$heap"), "ret=0"},
		{"clock realtime", nil, sys(sysClockGettime, 0, "$heap"), "ret=0"},
		{"clock boottime", nil, sys(sysClockGettime, 7, "$heap"), ""},
		{"clock high bits", nil, sys(sysClockGettime, "0x100000001", "$heap"), ""},
		{"ppoll sleep", nil, sys(sysPpoll, 0, 0, "$heap"), "ret=0"},
		{"ppoll one fd", nil, sys(sysPpoll, "$heap", 1, "$heap"), "ret=1"}, // fd 0: POLLNVAL
		{"ppoll two fds", nil, sys(sysPpoll, "$heap", 2, "$heap"), ""},
		{"ppoll nfds high bits", nil, sys(sysPpoll, "$heap", "0x100000000", "$heap"), ""},
		{"ppoll with sigmask", nil, sys(sysPpoll, 0, 0, "$heap", "$heap", 8), ""},
		{"pread first sector", ro, sys(sysPread64, 4, "$heap", 512, 0), "ret=512"},
		{"pread last sector", ro, sys(sysPread64, 4, "$heap", 512, 1048064), "ret=512"},
		{"pread past the end", ro, sys(sysPread64, 4, "$heap", 512, 1048576), ""},
		{"pread far past the end", ro, sys(sysPread64, 4, "$heap", 512, "0x100000000000"), ""},
		{"pread negative offset", ro, sys(sysPread64, 4, "$heap", 512, "0xfffffffffffffe00"), ""},
		{"pread unaligned", ro, sys(sysPread64, 4, "$heap", 512, 1), ""},
		{"pread two sectors", ro, sys(sysPread64, 4, "$heap", 1024, 0), ""},
		{"pread short", ro, sys(sysPread64, 4, "$heap", 256, 0), ""},
		{"pread count high bits", ro, sys(sysPread64, 4, "$heap", "0x100000200", 0), ""},
		{"pread fd high bits", ro, sys(sysPread64, "0x100000004", "$heap", 512, 0), ""},
		{"pread console", ro, sys(sysPread64, 1, "$heap", 512, 0), ""},
		{"pread without disk", nil, sys(sysPread64, 4, "$heap", 512, 0), ""},
		{"pwrite read-only disk", ro, sys(sysPwrite64, 4, "$heap", 512, 0), ""},
		{"pwrite writable disk", rw, sys(sysPwrite64, 4, "$heap", 512, 1048064), "ret=512"},
		{"pwrite past the end", rw, sys(sysPwrite64, 4, "$heap", 512, 1048576), ""},
		{"read disk", rw, sys(sysRead, 4, "$heap", 512), ""},
		{"write disk", rw, sys(sysWrite, 4, "$heap", 512), ""},
		{"exit_group", nil, sys(sysExitGroup, 7), "exit 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, append(tc.flags, probe(t), tc.cmd)...)
			switch {
			case tc.want == "":
				if r.signal != syscall.SIGSYS || !isVerdict(r.stdout) {
					t.Fatalf("%q should die by SIGSYS, got %v", tc.cmd, r)
				}
			case strings.HasPrefix(tc.want, "exit "):
				if fmt.Sprintf("exit %d", r.code) != tc.want || r.signal != 0 {
					t.Fatalf("%q: want %s, got %v", tc.cmd, tc.want, r)
				}
			default:
				if r.code != 0 || r.signal != 0 || r.stdout != tc.want+"\n" {
					t.Fatalf("%q should be allowed and print %s, got %v", tc.cmd, tc.want, r)
				}
			}
		})
	}
}

// Only fd 1 and the devices reach the guest: ppoll could name any other.
func TestOnlyDeviceFdsStayOpen(t *testing.T) {
	disk := makeDisk(t, 4096)
	extra, err := os.Open(disk)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	for fd, want := range map[int]string{0: "32", 1: "0", 2: "32", 3: "32", 4: "0", 5: "32", 6: "32", 7: "32"} {
		cmd := command(t, "--disk="+disk, probe(t), fmt.Sprintf("pollfd %d", fd))
		cmd.ExtraFiles = []*os.File{extra, extra, extra, extra, extra} // fds 3 to 7
		r := runCmd(t, cmd)
		if r.code != 0 || r.stdout != "revents="+want+"\n" {
			t.Errorf("fd %d: want revents=%s (32 is POLLNVAL: closed), got %v", fd, want, r)
		}
	}
}

// isVerdict tells whether out is what the console shows of a guest killed
// by the filter: one line naming the syscall, or nothing for the syscalls
// killed before the verdict can run (a foreign arch, the x32 bit).
func isVerdict(out string) bool {
	const prefix = "nabla-run: the unikernel made syscall "
	return out == "" || strings.HasPrefix(out, prefix) && strings.Count(out, "\n") == 1 &&
		strings.Contains(out, "which the seccomp allowlist forbids")
}
