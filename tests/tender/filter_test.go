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
clock_gettime(clockid=CLOCK_MONOTONIC)
clock_gettime(clockid=CLOCK_REALTIME)
epoll_pwait(epfd=3, sigmask=NULL)
timerfd_settime(fd=4, old_value=NULL)
arch_prctl(code=ARCH_SET_FS)
write(fd=1)
exit_group(*)
`

const legacyFilterHeader = `# nabla-run seccomp allowlist: x86_64 only, x32 syscalls killed,
# arguments compared as full 64-bit values; anything else kills the process
# (by SIGSYS, after one console line naming the syscall)
clock_gettime(clockid=CLOCK_MONOTONIC)
clock_gettime(clockid=CLOCK_REALTIME)
ppoll(nfds<=1, sigmask=NULL)
write(fd=1)
exit_group(*)
`

// makeDisk makes a disk image of size bytes.
func makeDisk(t *testing.T, size int64) string {
	t.Helper()
	p := writeFile(t, "disk.img", nil)
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrintFilter(t *testing.T) {
	disk := makeDisk(t, 1<<20)
	blocks := func(fd, size int) string {
		return fmt.Sprintf("(fd=%d, count=%d, offset%%%d=0, offset<=%d)\n", fd, size, size, 1<<20-size)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no devices", nil, filterHeader},
		{"net", []string{"--net:net0=tap7"}, filterHeader + "read(fd=5)\nwrite(fd=5)\n"},
		{"two nets", []string{"--net:a=tap7", "--net:b=tap8"},
			filterHeader + "read(fd=5)\nwrite(fd=5)\nread(fd=6)\nwrite(fd=6)\n"},
		{"disk read-write", []string{"--block:disk=" + disk},
			filterHeader + "pread64" + blocks(5, 512) + "pwrite64" + blocks(5, 512)},
		{"disk with 4096-byte blocks", []string{"--block:disk=" + disk, "--block-sector-size:disk=4096"},
			filterHeader + "pread64" + blocks(5, 4096) + "pwrite64" + blocks(5, 4096)},
		{"disk read-only", []string{"--block:disk=" + disk, "--block-readonly:disk"},
			filterHeader + "pread64" + blocks(5, 512) + "pwrite64(fd=5) -> fails with EROFS\n"},
		{"every disk read-only", []string{"--disk-readonly", "--block:a=" + disk, "--block:b=" + disk},
			filterHeader + "pread64" + blocks(5, 512) + "pwrite64(fd=5) -> fails with EROFS\n" +
				"pread64" + blocks(6, 512) + "pwrite64(fd=6) -> fails with EROFS\n"},
		{"everything, with the guest", []string{"--net:net0=tap7", "--block:disk=" + disk, "--disk-readonly",
			"--mem=64", probe(t, probeNet, probeDisk), "{}"},
			filterHeader + "read(fd=5)\nwrite(fd=5)\npread64" + blocks(6, 512) + "pwrite64(fd=6) -> fails with EROFS\n"},
		{"Nabla era", []string{"--nabla-legacy", "--net=tap7", "--disk=" + disk},
			legacyFilterHeader + "read(fd=3)\nwrite(fd=3)\npread64" + blocks(4, 512) + "pwrite64" + blocks(4, 512)},
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

// A disk nobody may write (mode 0444) is opened read-only even by root
// (solo5-spt rewrote such files as root), and so is one its user may only
// read.
func TestReadOnlyByMode(t *testing.T) {
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
	const readOnly = "pwrite64(fd=5) -> fails with EROFS"
	if r := runCmd(t, exec.Command(bin, "--print-filter", "--block:disk="+disk)); r.code != 0 ||
		!strings.Contains(r.stdout, readOnly) {
		t.Errorf("mode 0444 as root: the disk should be read-only, got %v", r)
	}
	if err := os.Chmod(disk, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--print-filter", "--block:disk="+disk)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if r := runCmd(t, cmd); r.code != 0 || !strings.Contains(r.stdout, readOnly) {
		t.Errorf("mode 0644 as nobody: the disk should be read-only, got %v", r)
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
	sysArchPrctl    = 158
	sysPpoll        = 271
	sysEpollPwait   = 281
	sysTimerfdSet   = 286
	sysEpollCtl     = 233
	archSetFS       = 0x1002
	archGetFS       = 0x1003
	archSetGS       = 0x1001
	x32Bit          = 0x40000000
)

// TestFilter has the probe guest make one syscall each: allowed ones return
// (the probe prints "ret=N"), the rest must kill it with SIGSYS. The disk
// is the probe's only device, so it sits at fd 5.
func TestFilter(t *testing.T) {
	disk := makeDisk(t, 1<<20) // 2048 blocks, the last at 1048064
	ro := []string{"--block:disk=" + disk, "--block-readonly:disk"}
	rw := []string{"--block:disk=" + disk}
	big := []string{"--block:disk=" + disk, "--block-sector-size:disk=4096"}
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
		{"i386 write through int 0x80", nil, "int80 4 1 0x100000 1", noIA32},
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
		{"arch_prctl set fs", nil, sys(sysArchPrctl, archSetFS, 0), "ret=0"},
		{"arch_prctl get fs", nil, sys(sysArchPrctl, archGetFS, "$heap"), ""},
		{"arch_prctl set gs", nil, sys(sysArchPrctl, archSetGS, 0), ""},
		{"arch_prctl code high bits", nil, sys(sysArchPrctl, "0x100001002", 0), ""},
		{"epoll_pwait the timer", nil, sys(sysEpollPwait, 3, "$heap", 1, 0, 0, 0), "ret=0"},
		{"epoll_pwait another fd", nil, sys(sysEpollPwait, 4, "$heap", 1, 0, 0, 0), ""},
		{"epoll_pwait with a sigmask", nil, sys(sysEpollPwait, 3, "$heap", 1, 0, "$heap", 8), ""},
		{"epoll_ctl", nil, sys(sysEpollCtl, 3, 2, 4, 0), ""},
		{"timerfd_settime", nil, sys(sysTimerfdSet, 4, 1, "$heap", 0), "ret=0"},
		{"timerfd_settime another fd", nil, sys(sysTimerfdSet, 3, 1, "$heap", 0), ""},
		{"timerfd_settime old value", nil, sys(sysTimerfdSet, 4, 1, "$heap", "$heap"), ""},
		{"ppoll", nil, sys(sysPpoll, 0, 0, "$heap"), ""},
		{"pread first block", ro, sys(sysPread64, 5, "$heap", 512, 0), "ret=512"},
		{"pread last block", ro, sys(sysPread64, 5, "$heap", 512, 1048064), "ret=512"},
		{"pread past the end", ro, sys(sysPread64, 5, "$heap", 512, 1048576), ""},
		{"pread far past the end", ro, sys(sysPread64, 5, "$heap", 512, "0x100000000000"), ""},
		{"pread negative offset", ro, sys(sysPread64, 5, "$heap", 512, "0xfffffffffffffe00"), ""},
		{"pread unaligned", ro, sys(sysPread64, 5, "$heap", 512, 1), ""},
		{"pread two blocks", ro, sys(sysPread64, 5, "$heap", 1024, 0), ""},
		{"pread short", ro, sys(sysPread64, 5, "$heap", 256, 0), ""},
		{"pread count high bits", ro, sys(sysPread64, 5, "$heap", "0x100000200", 0), ""},
		{"pread fd high bits", ro, sys(sysPread64, "0x100000005", "$heap", 512, 0), ""},
		{"pread console", ro, sys(sysPread64, 1, "$heap", 512, 0), ""},
		{"pread 4096-byte block", big, sys(sysPread64, 5, "$heap", 4096, 1<<20-4096), "ret=4096"},
		{"pread 512 bytes of a 4096-byte disk", big, sys(sysPread64, 5, "$heap", 512, 0), ""},
		{"pread 4096-byte block unaligned", big, sys(sysPread64, 5, "$heap", 4096, 512), ""},
		{"pwrite read-only disk fails", ro, sys(sysPwrite64, 5, "$heap", 512, 0), "ret=-30"}, // EROFS
		{"pwrite read-only disk, anywhere", ro, sys(sysPwrite64, 5, "$heap", 1, 3), "ret=-30"},
		{"pwrite writable disk", rw, sys(sysPwrite64, 5, "$heap", 512, 1048064), "ret=512"},
		{"pwrite past the end", rw, sys(sysPwrite64, 5, "$heap", 512, 1048576), ""},
		{"read disk", rw, sys(sysRead, 5, "$heap", 512), ""},
		{"write disk", rw, sys(sysWrite, 5, "$heap", 512), ""},
		{"exit_group", nil, sys(sysExitGroup, 7), "exit 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := probe(t)
			if tc.flags != nil {
				p = probe(t, probeDisk)
			}
			checkProbe(t, run(t, append(tc.flags, p, tc.cmd)...), tc.cmd, tc.want)
		})
	}
}

// noIA32 wants death by SIGSYS, or by SIGSEGV where the kernel has no
// i386 emulation and refuses int $0x80 itself with a fault.
const noIA32 = "SIGSYS or SIGSEGV"

// checkProbe checks one probe run: want is "ret=..." printed, "exit N",
// noIA32, or "" for death by SIGSYS after the verdict line.
func checkProbe(t *testing.T, r result, cmd, want string) {
	t.Helper()
	switch {
	case want == noIA32:
		if r.signal != syscall.SIGSEGV && (r.signal != syscall.SIGSYS || !isVerdict(r.stdout)) {
			t.Fatalf("%q should die by SIGSYS or SIGSEGV, got %v", cmd, r)
		}
	case want == "":
		if r.signal != syscall.SIGSYS || !isVerdict(r.stdout) {
			t.Fatalf("%q should die by SIGSYS, got %v", cmd, r)
		}
	case strings.HasPrefix(want, "exit "):
		if fmt.Sprintf("exit %d", r.code) != want || r.signal != 0 {
			t.Fatalf("%q: want %s, got %v", cmd, want, r)
		}
	default:
		if r.code != 0 || r.signal != 0 || r.stdout != want+"\n" {
			t.Fatalf("%q should be allowed and print %s, got %v", cmd, want, r)
		}
	}
}

// TestLegacyFilter: a Nabla-era guest waits in ppoll and may not touch
// arch_prctl or the Solo5 wait set; its tap is fd 3 and its disk fd 4.
func TestLegacyFilter(t *testing.T) {
	disk := makeDisk(t, 1<<20)
	legacy := []string{"--nabla-legacy", "--disk=" + disk}
	for _, tc := range []struct{ name, cmd, want string }{
		{"ppoll sleep", sys(sysPpoll, 0, 0, "$heap"), "ret=0"},
		{"ppoll two fds", sys(sysPpoll, "$heap", 2, "$heap"), ""},
		{"ppoll with sigmask", sys(sysPpoll, 0, 0, "$heap", "$heap", 8), ""},
		{"epoll_pwait", sys(sysEpollPwait, 3, "$heap", 1, 0, 0, 0), ""},
		{"arch_prctl", sys(sysArchPrctl, archSetFS, 0), ""},
		{"pread", sys(sysPread64, 4, "$heap", 512, 0), "ret=512"},
		{"pwrite", sys(sysPwrite64, 4, "$heap", 512, 0), "ret=512"},
		{"exit", "exit 3", "exit 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProbe(t, run(t, append(legacy, probe(t, probeLegacy), tc.cmd)...), tc.cmd, tc.want)
		})
	}
}

// Only the console, the wait set and the devices reach the guest: the wait
// set reports on fds seccomp cannot see.
func TestOnlyDeviceFdsStayOpen(t *testing.T) {
	disk := makeDisk(t, 4096)
	extra, err := os.Open(disk)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	cmd := command(t, "--block:disk="+disk, probe(t, probeDisk), sleepForever)
	cmd.ExtraFiles = []*os.File{extra, extra, extra, extra, extra} // fds 3 to 7
	if fds := residentFds(t, cmd); fds != "1 3 4 5" {
		t.Fatalf("the guest should hold only fds 1 (console), 3 (epoll), 4 (timer) and 5 (disk), has %s", fds)
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
