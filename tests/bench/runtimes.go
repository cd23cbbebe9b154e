package main

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// linuxRuntimes are the runtimes that run a plain Linux process, each with
// the global flags it needs on this kind of machine.
var linuxRuntimes = []struct {
	name  string
	flags []string
}{
	{"runc", nil},
	// runsc: the KVM platform hangs in this (nested) VM and the default
	// "sandbox" network refuses a netns the runtime spec asks to create
	// ("cannot run with network enabled in root network namespace"); ptrace
	// with no network (loopback only, like runc's empty netns) works.
	{"runsc", []string{"--platform=ptrace", "--network=none"}},
	{"crun", nil},
}

// baselineName is the column of an earlier runnc build (-baseline), which
// shows what a change gained next to the current one, in the same run.
const baselineName = "runnc-before"

// setUpDrivers makes a driver per runtime with its bundles and runs each
// once; a runtime that is missing or fails that run keeps the reason in
// its status and is skipped by the rows. With a baseline build directory
// the earlier runnc comes second.
func setUpDrivers(ctx context.Context, work, build, baseline string, r *reaper) []*driver {
	drivers := []*driver{setUpRunnc("runnc", work, build, r)}
	if baseline != "" {
		drivers = append(drivers, setUpRunnc(baselineName, work, baseline, r))
	}
	for _, rt := range linuxRuntimes {
		drivers = append(drivers, setUpLinux(work, rt.name, rt.flags, r))
	}
	for _, d := range drivers {
		files := []string{d.rc.Command}
		if i := slices.Index(d.flags, "--tender"); i >= 0 && i+1 < len(d.flags) {
			tender := d.flags[i+1]
			files = append(files, tender, filepath.Join(filepath.Dir(tender), "runnc-init"))
		}
		uncache(files...)
		if d.ok() {
			preflight(ctx, d)
		}
		progress("runtime %s (%s): %s", d.name, d.version, d.status)
	}
	return drivers
}

func setUpRunnc(name, work, build string, r *reaper) *driver {
	dir := filepath.Join(work, name)
	var missing []string
	paths := map[string]string{}
	for _, rel := range []string{"runnc", "nabla-run", "guests/hello.nabla"} {
		p, err := built(build, rel)
		if err != nil {
			missing = append(missing, err.Error())
		}
		paths[rel] = p
	}
	flags := []string{"--disk-dir", filepath.Join(dir, "disks"), "--tender", paths["nabla-run"]}
	d, err := newDriver(name, paths["runnc"], dir, flags, r)
	if err != nil {
		return unavailable(name, err.Error())
	}
	if len(missing) > 0 {
		d.status = "not built: " + strings.Join(missing, "; ")
		return d
	}
	d.version = runtimeVersion(paths["runnc"], "--version")
	d.expect = "Hello, World"
	hello := map[string]string{"hello.nabla": paths["guests/hello.nabla"]}
	d.echo, d.sleep = filepath.Join(dir, "echo"), filepath.Join(dir, "sleep")
	for bundle, args := range map[string][]string{d.echo: {"/hello.nabla"}, d.sleep: {"/hello.nabla", "sleep"}} {
		if err := makeBundle(bundle, paths["runnc"], workload{files: hello, args: args}); err != nil {
			d.status = "cannot make its bundle: " + err.Error()
		}
	}
	return d
}

func setUpLinux(work, name string, flags []string, r *reaper) *driver {
	binary, err := exec.LookPath(name)
	if err != nil {
		return unavailable(name, "not installed: "+err.Error())
	}
	dir := filepath.Join(work, name)
	d, err := newDriver(name, binary, dir, flags, r)
	if err != nil {
		return unavailable(name, err.Error())
	}
	d.version = runtimeVersion(binary, "--version")
	d.expect = "hi"
	if err := busyboxBundles(d, dir); err != nil {
		d.status = "cannot make its bundle: " + err.Error()
	}
	return d
}

// busyboxBundles makes the echo and sleep bundles of a Linux runtime
// around the static busybox, with runc's spec template.
func busyboxBundles(d *driver, dir string) error {
	busybox, err := staticBusybox()
	if err != nil {
		return err
	}
	specTool, err := exec.LookPath("runc")
	if err != nil {
		return fmt.Errorf("runc is needed for its spec template: %w", err)
	}
	files := map[string]string{"bin/busybox": busybox}
	d.echo, d.sleep = filepath.Join(dir, "echo"), filepath.Join(dir, "sleep")
	if err := makeBundle(d.echo, specTool, workload{files: files, args: []string{"/bin/busybox", "echo", "hi"}}); err != nil {
		return err
	}
	return makeBundle(d.sleep, specTool, workload{files: files, args: []string{"/bin/busybox", "sleep", "1000"}})
}

// staticBusybox finds busybox and checks it is static (busybox-static),
// since the bundle's rootfs holds nothing else.
func staticBusybox() (string, error) {
	p, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("busybox is missing: install busybox-static")
	}
	f, err := elf.Open(p)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s is dynamically linked: install busybox-static", p)
		}
	}
	return p, nil
}

// unavailable is a driver that only carries the reason it cannot run.
func unavailable(name, why string) *driver {
	return &driver{name: name, status: why, rc: nil}
}

// preflight runs the echo bundle once and checks its output, so that a
// runtime that cannot run here is reported, not timed.
func preflight(ctx context.Context, d *driver) {
	out, err := os.CreateTemp(d.dir, "preflight")
	if err != nil {
		d.status = err.Error()
		return
	}
	defer out.Close()
	if _, err := d.lifecycle(ctx, d.echo, out); err != nil {
		d.status = "not supported on this machine: its first run failed: " + err.Error()
		return
	}
	data, _ := os.ReadFile(out.Name())
	if !strings.Contains(string(data), d.expect) {
		d.status = fmt.Sprintf("its first run printed %q, not %q", data, d.expect)
	}
}
