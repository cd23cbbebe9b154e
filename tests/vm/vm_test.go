// Package vm_test runs runnc where its users run it: it boots a Debian 12
// virtual machine (QEMU, TCG, Debian's kernel) whose init is systemd and
// whose only cgroup hierarchy is v2, runs the VM suite inside, and reports
// each step's result here. The suite is Go test binaries built on this
// host (tests/runtime, tests/clients and tests/vm/guest, static), shared
// with the machine with runnc's build over 9p; each step's output and exit
// status come back in a second share.
//
// The machine's root is made once by scripts/vm-root.sh (debootstrap from
// this host's apt mirror) and kept below build/vm; QEMU writes to a
// snapshot of it, so every run starts from the same root. The machine has
// no network device: every address the suite uses is inside it.
package vm_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// step is one run of a suite binary inside the machine.
type step struct {
	name string
	bin  string   // below the suite directory
	env  []string // added to the environment
	run  string   // -test.run
}

const systemdDriver = "RUNNC_TEST_CGROUP_DRIVER=systemd"

// lifecycle is the runtime tests the suite runs with each cgroup driver:
// run, create/start/kill/delete, pause/resume, update, events, limits, and
// creates that fail after the cgroup is made (a failing prestart hook).
const lifecycle = "^(TestLifecycle|TestRunReturnsGuestExitCode|TestLimitsPauseUpdateEvents|TestFailingHooks)$"

// The VM suite, in order. Every step runs even if one before it failed,
// and the last one checks what they all left.
var steps = []step{
	{"host", "guest.test", nil, "^TestHost$"},
	{"runtime-cgroupfs", "runtime.test", nil, lifecycle},
	{"runtime-systemd", "runtime.test", []string{systemdDriver}, lifecycle},
	{"create-time", "guest.test", nil, "^TestCreateTime$"},
	{"podman-systemd", "clients.test", []string{systemdDriver}, "^TestPodman$/^(output|stop)$"},
	{"cri-systemd", "clients.test", []string{systemdDriver}, "^TestCRI$/^httpd_pod$"},
	{"apparmor", "guest.test", nil, "^TestAppArmor$"},
	{"nothing-left", "guest.test", nil, "^TestNothingLeft$"},
}

// The machine: two vCPUs as this host has, memory for containerd, podman
// and the suite. The whole run is bounded; it takes a few minutes.
const (
	vmCPUs    = "2"
	vmMemory  = "2048"
	vmTimeout = 20 * time.Minute
)

func TestVM(t *testing.T) {
	testenv.RequireRoot(t)
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		t.Fatal("qemu-system-x86_64 is not installed: run scripts/setup.sh (Debian package qemu-system-x86)")
	}
	build := testenv.BuildDir(t)
	for _, b := range []string{"runnc", "runnc-init", "nabla-run", "guests/hello.nabla", "guests/httpd.nabla"} {
		testenv.Binary(t, b)
	}
	kver, kernel, initrd := debianKernel(t)
	vmDir := filepath.Join(build, "vm")
	root := rootImage(t, vmDir, kver)
	suite := buildSuite(t, vmDir)
	results := filepath.Join(vmDir, "results")
	if err := os.RemoveAll(results); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		t.Fatal(err)
	}
	writeRunner(t, suite)

	console := filepath.Join(results, "console.log")
	ctx, cancel := context.WithTimeout(context.Background(), vmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu,
		"-accel", "tcg", "-cpu", "max", "-smp", vmCPUs, "-m", vmMemory,
		"-display", "none", "-monitor", "none", "-serial", "file:"+console, "-no-reboot", "-nic", "none",
		"-kernel", kernel, "-initrd", initrd,
		// panic=-1 with -no-reboot: a kernel panic ends QEMU at once.
		"-append", "root=/dev/vda rw console=ttyS0 panic=-1 quiet systemd.unified_cgroup_hierarchy=1 systemd.show_status=false",
		"-drive", "file="+root+",format=raw,if=virtio,snapshot=on",
		"-virtfs", "local,path="+build+",mount_tag=build,security_model=none,readonly=on",
		"-virtfs", "local,path="+results+",mount_tag=results,security_model=none")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("the VM did not power off within %v; console:\n%s", vmTimeout, testenv.Tail(console, 60))
	}
	if err != nil {
		t.Fatalf("qemu: %v: %s\nconsole:\n%s", err, out, testenv.Tail(console, 60))
	}
	t.Logf("VM: booted, ran the suite and powered off in %v", elapsed.Round(time.Second))
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { report(t, results, s, console) })
	}
}

// debianKernel is the newest Debian kernel installed on this host, with its
// initrd (linux-image-amd64, installed by scripts/setup.sh).
func debianKernel(t *testing.T) (kver, kernel, initrd string) {
	t.Helper()
	kernels, _ := filepath.Glob("/boot/vmlinuz-*-amd64")
	slices.SortFunc(kernels, func(a, b string) int { return compareVersions(a, b) })
	for i := len(kernels) - 1; i >= 0; i-- {
		kver = strings.TrimPrefix(filepath.Base(kernels[i]), "vmlinuz-")
		initrd = "/boot/initrd.img-" + kver
		if _, err := os.Stat(initrd); err == nil {
			return kver, kernels[i], initrd
		}
	}
	t.Fatal("no Debian kernel with its initrd in /boot: run scripts/setup.sh (Debian package linux-image-amd64)")
	return "", "", ""
}

// compareVersions orders kernel file names by the numbers in them.
func compareVersions(a, b string) int {
	num := regexp.MustCompile(`\d+`)
	na, nb := num.FindAllString(a, -1), num.FindAllString(b, -1)
	for i := 0; i < len(na) && i < len(nb); i++ {
		x, _ := strconv.Atoi(na[i])
		y, _ := strconv.Atoi(nb[i])
		if x != y {
			return x - y
		}
	}
	return len(na) - len(nb)
}

// rootImage is the machine's root for kernel kver, made by
// scripts/vm-root.sh if this version of the script has not made it yet.
// Images of other versions are removed.
func rootImage(t *testing.T, dir, kver string) string {
	t.Helper()
	script := filepath.Join(testenv.Repo(t), "scripts", "vm-root.sh")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append(data, kver...))
	image := filepath.Join(dir, "root-"+hex.EncodeToString(sum[:6])+".ext4")
	if _, err := os.Stat(image); err == nil {
		return image
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "root-*.ext4"))
	for _, o := range old {
		os.Remove(o)
	}
	start := time.Now()
	if out, err := exec.Command(script, image, kver).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	t.Logf("made the VM's root %s in %v", image, time.Since(start).Round(time.Second))
	return image
}

// buildSuite builds the suite's test binaries below dir/suite, linked
// statically as make builds runnc (runc's specconv needs cgo): they run on
// the machine's libc, whatever its version.
func buildSuite(t *testing.T, dir string) string {
	t.Helper()
	suite := filepath.Join(dir, "suite")
	if err := os.RemoveAll(suite); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(suite, 0o755); err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go is not in PATH: the VM suite's binaries are built on this host")
	}
	cmd := exec.Command(goBin, "test", "-c", "-tags", "netgo,osusergo,vmguest",
		"-ldflags", "-s -w -linkmode external -extldflags -static", "-o", suite+"/",
		"./tests/runtime", "./tests/clients", "./tests/vm/guest")
	cmd.Dir = testenv.Repo(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the VM suite: %v\n%s", err, out)
	}
	return suite
}

// writeRunner writes the script the machine's runnc-vm-suite unit runs,
// with runnc's build mounted at /mnt/build: it copies the suite and the
// binaries the tests drive to the machine's disk (over 9p every exec
// reads its file anew; /run, where the initrd mounted it, is noexec), then
// runs every step in order, each one's output, exit status and time to
// the results share, a line on the console for each.
func writeRunner(t *testing.T, suite string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`#!/bin/sh
# Written by tests/vm for one run of the VM suite.
set -e
mkdir -p /var/lib/runnc-vm/build/guests
cp -R /mnt/build/vm/suite /var/lib/runnc-vm/suite
cp /mnt/build/runnc /mnt/build/runnc-init /mnt/build/nabla-run /var/lib/runnc-vm/build/
cp /mnt/build/guests/*.nabla /var/lib/runnc-vm/build/guests/
set +e
export RUNNC_BUILD=/var/lib/runnc-vm/build HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd /tmp
step() {
	name=$1; shift
	start=$(date +%s.%N)
	env "$@" -test.v -test.timeout 8m >/mnt/results/$name.out 2>&1
	code=$?
	end=$(date +%s.%N)
	awk "BEGIN { printf \"%.1f\", $end - $start }" >/mnt/results/$name.time
	echo $code >/mnt/results/$name.code
	echo "runnc-vm: $name: exit $code"
}
`)
	for _, s := range steps {
		fmt.Fprintf(&b, "step %s %s /var/lib/runnc-vm/suite/%s -test.run '%s'\n", s.name, strings.Join(s.env, " "), s.bin, s.run)
	}
	b.WriteString("sync\n")
	if err := os.WriteFile(filepath.Join(suite, "run"), []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
}

// report turns one step's result into this subtest's: its failures, or
// the tests it passed.
func report(t *testing.T, results string, s step, console string) {
	code, err := os.ReadFile(filepath.Join(results, s.name+".code"))
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("step %s did not finish inside the VM; console:\n%s", s.name, testenv.Tail(console, 60))
	}
	out, _ := os.ReadFile(filepath.Join(results, s.name+".out"))
	secs, _ := os.ReadFile(filepath.Join(results, s.name+".time"))
	var passed, failed []string
	for _, line := range strings.Split(string(out), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "--- PASS"):
			passed = append(passed, trimmed)
		case strings.HasPrefix(trimmed, "--- FAIL"):
			failed = append(failed, trimmed)
		}
	}
	t.Logf("%s %s in the VM, %ss: %d passed", s.bin, s.run, strings.TrimSpace(string(secs)), len(passed))
	if strings.TrimSpace(string(code)) != "0" || len(failed) > 0 {
		t.Errorf("%s -test.run '%s' (%s) failed inside the VM, exit %s: %s\noutput:\n%s",
			s.bin, s.run, strings.Join(s.env, " "), strings.TrimSpace(string(code)), strings.Join(failed, "; "), out)
		return
	}
	if s.bin == "guest.test" {
		t.Logf("output:\n%s", out) // what the machine is, the create times
	}
}
