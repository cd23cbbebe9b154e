package badinput_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// The tender named by --tender is missing, not executable, a directory,
// or relative to nothing sensible.
func TestBadTender(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "nabla-run")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, tender, want string }{
		{"missing", "/nonexistent/nabla-run", "cannot be found"},
		{"not executable", notExec, "is not an executable file"},
		{"a directory", dir, "is not an executable file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			bundle := e.hello()
			e.Extra = []string{"--tender", c.tender}
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: c.want}, bundle, e.id(c.name))
		})
	}
}

// A tender without runnc-init beside it (a partial install): create says
// which file is missing and leaves nothing.
func TestInitMissing(t *testing.T) {
	e := newEnv(t)
	tender := filepath.Join(t.TempDir(), "nabla-run")
	data, err := os.ReadFile(testenv.Binary(t, "nabla-run"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tender, data, 0o755); err != nil {
		t.Fatal(err)
	}
	e.Extra = []string{"--tender", tender}
	e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: "runnc-init does not exist: install runnc-init beside nabla-run"}, e.hello(), e.id("noinit"))
}

// /dev/net/tun is missing or wrong: runnc runs in a private mount
// namespace where something else is mounted over it, so the host's device
// is never touched.
func TestNoTunDevice(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, mount, want string }{
		{"an empty file", `mount --bind ` + empty + ` /dev/net/tun`, "tap"},
		{"dev null", `mount --bind /dev/null /dev/net/tun`, "tap"},
		{"missing", `mount -t tmpfs none /dev/net`, "tap"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			bundle := e.hello()
			id := e.id(c.name)
			// Only a container with an eth0 to take over needs a tap.
			ns := podNetns(t, e.scope.IDPrefix)
			editJSON(t, bundle, func(m map[string]any) {
				obj(m, "linux")["namespaces"] = []any{map[string]any{"type": "network", "path": ns}}
			})
			tried.Add(1)
			before := e.snapshot(t)
			os.Remove(e.Log)
			args := append([]string{"-m", "--propagation", "private", "sh", "-c",
				c.mount + ` && exec "$@"`, "sh", e.Bin},
				append(e.GlobalArgs(), "create", "--bundle", bundle, id)...)
			res := e.RunCmd(exec.Command("unshare", args...))
			e.checkRefusal(t, res, c.want, false)
			before.CheckNone(t, e.snapshot(t), "create without /dev/net/tun")
		})
	}
}

// tmpfs mounts a small tmpfs at dir for the test (the host's own mounts
// are not touched; it is unmounted at the end).
func tmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	mkdir(t, dir)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
}

// fill writes to dir until the file system is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	chunk := make([]byte, 4096)
	for i := 0; ; i++ {
		err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("fill%d", i)), chunk, 0o600)
		if errors.Is(err, syscall.ENOSPC) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The state root or the disk directory is full.
func TestDiskFull(t *testing.T) {
	for _, full := range []struct{ name, id, opts string }{
		{"state root without space", "root-nospace", "size=64k,mode=0700"},
		{"state root without inodes", "root-noinodes", "size=1m,nr_inodes=3,mode=0700"},
	} {
		t.Run(full.name, func(t *testing.T) {
			e := newEnv(t)
			bundle := e.hello()
			tmpfs(t, e.Root, full.opts)
			fill(t, e.Root)
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: "no space left"}, bundle, e.id(full.id))
		})
	}
	t.Run("disk directory without space", func(t *testing.T) {
		e := newEnv(t)
		bundle := e.hello()
		big := make([]byte, 2<<20)
		rand.Read(big)
		if err := os.WriteFile(filepath.Join(bundle, "rootfs", "big.data"), big, 0o644); err != nil {
			t.Fatal(err)
		}
		tmpfs(t, e.DiskDir, "size=512k,mode=0700")
		e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: "no space left"}, bundle, e.id("disk-nospace"))
	})
}

// podNetns makes a network namespace holding eth0 (a veth whose peer is
// in a second namespace), as CNI leaves a pod's, and returns its path.
func podNetns(t *testing.T, prefix string) string {
	t.Helper()
	pod, peer := prefix+"-pod", prefix+"-peer"
	for _, ns := range []string{pod, peer} {
		ip(t, "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	ip(t, "-n", peer, "link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", pod)
	ip(t, "-n", pod, "addr", "add", "10.211.0.2/24", "dev", "eth0")
	ip(t, "-n", pod, "link", "set", "eth0", "up")
	return "/var/run/netns/" + pod
}

func ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// A process.oomScoreAdj that runnc may not set is refused once init exists
// (the kernel decides, as it does for runc): below the lowest value a
// process with CAP_SYS_RESOURCE gave runnc or its parents, only a process
// with it may go. runnc runs without that capability here (setpriv drops
// it), and init, its cgroups and network namespace go with the refusal.
func TestOOMScoreAdjBeyondRunnc(t *testing.T) {
	dropped := []string{"--bounding-set", "-sys_resource", "--"}
	// Where even a process without the capability may go to -1000 (a
	// parent with it set -1000 before), there is nothing to refuse.
	probe := exec.Command("setpriv", append(dropped, "sh", "-c", "echo -1000 > /proc/self/oom_score_adj")...)
	if probe.Run() == nil {
		t.Skip("a process without CAP_SYS_RESOURCE may set oom_score_adj -1000 here: nothing runnc would refuse")
	}
	e := newEnv(t)
	bundle := e.hello()
	editJSON(t, bundle, func(m map[string]any) { obj(m, "process")["oomScoreAdj"] = -1000 })
	tried.Add(1)
	before := e.snapshot(t)
	os.Remove(e.Log)
	cmd := e.Command("create", "--bundle", bundle, e.id("oom"))
	cmd.Args = append(append([]string{"setpriv"}, dropped...), cmd.Args...)
	if cmd.Path, cmd.Err = exec.LookPath("setpriv"); cmd.Err != nil {
		t.Fatal(cmd.Err)
	}
	res := e.RunCmd(cmd)
	e.checkRefusal(t, res, "process.oomScoreAdj -1000 cannot be set: it is below the lowest OOM score adjustment runnc may give without CAP_SYS_RESOURCE", false)
	before.CheckNone(t, e.snapshot(t), "create with an oomScoreAdj beyond runnc's reach")
}
