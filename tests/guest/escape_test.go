package guest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Every action the escape guest knows; `escape list` must print exactly
// these, so an action cannot be dropped from the guest unnoticed.
var escapeActions = []string{
	"open", "openat", "execve", "socket", "fork", "clone", "ptrace", "kill",
	"mmap-exec", "mprotect", "write-fd2", "write-fd0", "read-console",
	"write-disk", "pread-unaligned", "pread-past-end",
	"clock-bad", "epoll-sigmask", "arch_prctl-get", "arch_prctl-gs",
	"timerfd-create", "epoll-ctl", "x32", "int80", "high-fd",
}

// escapeDisk is the tender option giving escape the disk its manifest
// declares ("rootfs"): every run of it needs one.
func escapeDisk(path string) string {
	return "--block:rootfs=" + path
}

func TestEscapeList(t *testing.T) {
	d, _ := disk(t)
	r := runGuest(t, "escape", []string{escapeDisk(d)}, configJSON(t, "argv", []string{"escape", "list"}))
	if r.status != 0 {
		t.Fatalf("escape list: %v", r)
	}
	if got := strings.Fields(r.stdout); !slices.Equal(got, escapeActions) {
		t.Fatalf("escape list printed %q, want %q", got, escapeActions)
	}
}

// The guest runs at all, and tells a wrong action from a forbidden one.
func TestEscapeUnknownAction(t *testing.T) {
	d, _ := disk(t)
	r := runGuest(t, "escape", []string{escapeDisk(d)}, configJSON(t, "argv", []string{"escape", "no-such-action"}))
	if r.status != 2 {
		t.Fatalf("escape no-such-action should exit 2: %v", r)
	}
}

// disk is a writable disk image with a known pattern.
func disk(t *testing.T) (path string, content []byte) {
	t.Helper()
	content = bytes.Repeat([]byte("nabla disk sector\n"), 64<<10/18)
	content = content[:len(content)/512*512]
	path = filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, content
}

// sleeper is a process the kill action aims at; it must survive.
func sleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// alive reports whether cmd has not exited; unlike signal 0, it does not
// take an unreaped zombie for a live process.
func alive(cmd *exec.Cmd) bool {
	var ws syscall.WaitStatus
	pid, err := syscall.Wait4(cmd.Process.Pid, &ws, syscall.WNOHANG, nil)
	return err == nil && pid == 0
}

// Each action dies by SIGSYS, and none of its effects happened.
func TestEscapeDiesBySIGSYS(t *testing.T) {
	for _, action := range escapeActions {
		t.Run(action, func(t *testing.T) {
			diskPath, content := disk(t)
			created := filepath.Join(t.TempDir(), "created-by-"+action)
			arg := created
			var target *exec.Cmd

			if action == "kill" {
				target = sleeper(t)
				arg = strconv.Itoa(target.Process.Pid)
			}
			r := runGuest(t, "escape", []string{escapeDisk(diskPath)}, configJSON(t, "argv", []string{"escape", action, arg}))

			// A kernel without i386 emulation faults int $0x80 before
			// seccomp sees it: the call never runs either way.
			int80Fault := action == "int80" && r.status == -1 && r.signal == syscall.SIGSEGV
			if (r.status != -1 || r.signal != syscall.SIGSYS) && !int80Fault {
				t.Errorf("escape %s should die by SIGSYS: %v", action, r)
			}
			if strings.Contains(r.stdout, "allowed") || strings.Contains(r.stdout, "reached the console") {
				t.Errorf("escape %s got through: %v", action, r)
			}
			if _, err := os.Stat(created); !os.IsNotExist(err) {
				t.Errorf("escape %s created %s (stat: %v)", action, created, err)
			}
			if got, err := os.ReadFile(diskPath); err != nil || !bytes.Equal(got, content) {
				t.Errorf("escape %s changed the disk (read: %v)", action, err)
			}
			if target != nil && !alive(target) {
				t.Errorf("escape %s killed pid %d", action, target.Process.Pid)
			}
		})
	}
}

// A write to a read-only disk (either way nabla-run makes one) fails for
// the guest with EROFS, which lives on, and never reaches the file.
func TestReadOnlyDiskRefusesWrites(t *testing.T) {
	for _, readonly := range []string{"--disk-readonly", "--block-readonly:rootfs"} {
		diskPath, content := disk(t)
		r := runGuest(t, "escape", []string{escapeDisk(diskPath), readonly},
			configJSON(t, "argv", []string{"escape", "pwrite-readonly-disk"}))
		if r.status != 0 || r.stdout != "escape: pwrite-readonly-disk returned -30\n" {
			t.Errorf("escape pwrite-readonly-disk with %s: %v; want -30 (EROFS) returned", readonly, r)
		}
		if got, err := os.ReadFile(diskPath); err != nil || !bytes.Equal(got, content) {
			t.Errorf("escape pwrite-readonly-disk with %s changed the disk (read: %v)", readonly, err)
		}
	}
}
