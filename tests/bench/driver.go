package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	gorunc "github.com/containerd/go-runc"
	"golang.org/x/sys/unix"
)

// driver runs one OCI runtime through the CLI calls containerd's shim
// makes (go-runc), with its own private state root so the bench never
// touches, or sees, anybody else's containers.
type driver struct {
	name   string
	flags  []string // global flags besides --root and --log
	rc     *gorunc.Runc
	dir    string // the driver's private directory: root, log, pid files
	reaper *reaper
	// echo prints expect and exits 0; sleep waits until killed.
	echo, sleep string
	expect      string
	// version and status go into the report.
	version, status string

	devNull *os.File
	stderr  *os.File // the runtime's and containers' stderr, for errors
	seq     atomic.Int64
}

// container is one created container and the channel of its exit.
type container struct {
	id   string
	pid  int
	exit chan gorunc.Exit
}

func newDriver(name, binary, dir string, flags []string, r *reaper) (*driver, error) {
	if err := os.MkdirAll(filepath.Join(dir, "pids"), 0o700); err != nil {
		return nil, fmt.Errorf("make %s's directory: %w", name, err)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	stderr, err := os.OpenFile(filepath.Join(dir, "stderr"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	// Engines keep a runtime's state root on tmpfs: /run on every host
	// with systemd (Docker's /run/docker/runtime-runc, containerd's
	// /run/containerd/runc, podman's and CRI-O's /run/runc). This
	// machine's /run may be on a disk, where each save of a state file
	// allocates an inode and the rename over the old one flushes the new
	// one (ext4's auto_da_alloc), a cost no engine's host has.
	root := filepath.Join(dir, "root")
	if err := mountTmpfs(root); err != nil {
		devNull.Close()
		stderr.Close()
		return nil, fmt.Errorf("%s's state root: %w", name, err)
	}
	d := &driver{name: name, flags: flags, dir: dir, reaper: r, devNull: devNull, stderr: stderr, status: "ok"}
	d.rc = &gorunc.Runc{
		Command:   binary,
		Root:      root,
		Log:       filepath.Join(dir, "log.json"),
		LogFormat: gorunc.JSON,
		ExtraArgs: flags,
	}
	return d, nil
}

// twin is a driver of the same runtime and bundles whose root (and, for
// runnc, disk directory) is its own and empty, in d's directory's name
// with suffix: beside a crowded root it times the same calls at the same
// moment with nothing in its way, and with --debug it leaves the
// lifecycle's log alone.
func (d *driver) twin(suffix string) (*driver, error) {
	dir := d.dir + suffix
	flags := slices.Clone(d.flags)
	if i := slices.Index(flags, "--disk-dir"); i >= 0 && i+1 < len(flags) {
		flags[i+1] = filepath.Join(dir, "disks")
	}
	t, err := newDriver(d.name, d.rc.Command, dir, flags, d.reaper)
	if err != nil {
		return nil, err
	}
	t.echo, t.sleep, t.expect, t.version, t.status = d.echo, d.sleep, d.expect, d.version, d.status
	return t, nil
}

// ok tells whether the driver passed its preflight run.
func (d *driver) ok() bool { return d.status == "ok" }

func (d *driver) newID() string {
	return fmt.Sprintf("bench-%s-%d-%d", d.name, os.Getpid(), d.seq.Add(1))
}

// fileIO gives the runtime (and so the container) plain files as stdio:
// with files, exec.Cmd copies nothing and `create` returns while the
// container still holds them.
type fileIO struct{ in, out, err *os.File }

func (f fileIO) Close() error           { return nil }
func (f fileIO) Stdin() io.WriteCloser  { return nil }
func (f fileIO) Stdout() io.ReadCloser  { return nil }
func (f fileIO) Stderr() io.ReadCloser  { return nil }
func (f fileIO) Set(c *exec.Cmd)        { c.Stdin, c.Stdout, c.Stderr = f.in, f.out, f.err }
func (f fileIO) CloseAfterStart() error { return nil }

// create creates a container from bundle whose stdout goes to out (nil:
// /dev/null) and watches its process.
func (d *driver) create(ctx context.Context, id, bundle string, out *os.File) (*container, error) {
	if out == nil {
		out = d.devNull
	}
	pidFile := filepath.Join(d.dir, "pids", id)
	opts := &gorunc.CreateOpts{IO: fileIO{in: d.devNull, out: out, err: d.stderr}, PidFile: pidFile}
	if err := d.rc.Create(ctx, id, bundle, opts); err != nil {
		return nil, d.fail("create", id, err)
	}
	data, err := os.ReadFile(pidFile)
	os.Remove(pidFile)
	if err != nil {
		return nil, fmt.Errorf("%s create %s: read the pid file: %w", d.name, id, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("%s create %s: pid file holds %q", d.name, id, data)
	}
	return &container{id: id, pid: pid, exit: d.reaper.Watch(pid)}, nil
}

func (d *driver) start(ctx context.Context, c *container) error {
	if err := d.rc.Start(ctx, c.id); err != nil {
		return d.fail("start", c.id, err)
	}
	return nil
}

// state asks for the container's state, as a shim does, and checks it
// says the container runs.
func (d *driver) state(ctx context.Context, c *container) error {
	st, err := d.rc.State(ctx, c.id)
	if err != nil {
		return d.fail("state", c.id, err)
	}
	if st.Status != "running" {
		return fmt.Errorf("%s state %s: status %q, not running", d.name, c.id, st.Status)
	}
	return nil
}

func (d *driver) kill(ctx context.Context, c *container, sig unix.Signal) error {
	if err := d.rc.Kill(ctx, c.id, int(sig), nil); err != nil {
		return d.fail("kill", c.id, err)
	}
	return nil
}

// wait waits for the container's process to exit and returns its status.
func (d *driver) wait(ctx context.Context, c *container) (int, error) {
	select {
	case e := <-c.exit:
		return e.Status, nil
	case <-ctx.Done():
		return -1, fmt.Errorf("%s: container %s (pid %d) did not exit: %w", d.name, c.id, c.pid, ctx.Err())
	}
}

func (d *driver) delete(ctx context.Context, c *container, force bool) error {
	if err := d.rc.Delete(ctx, c.id, &gorunc.DeleteOpts{Force: force}); err != nil {
		return d.fail("delete", c.id, err)
	}
	d.reaper.Forget(c.pid, c.exit)
	return nil
}

// lifecycle is one `run` as a shim does it: create, start, wait for the
// exit, delete. It checks the exit status so a failing container is never
// timed as a fast one.
func (d *driver) lifecycle(ctx context.Context, bundle string, out *os.File) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := d.create(ctx, d.newID(), bundle, out)
	if err != nil {
		return 0, err
	}
	if err := d.start(ctx, c); err != nil {
		d.delete(ctx, c, true)
		return 0, err
	}
	status, err := d.wait(ctx, c)
	if err != nil {
		d.delete(ctx, c, true)
		return 0, err
	}
	if err := d.delete(ctx, c, false); err != nil {
		return 0, err
	}
	elapsed := time.Since(t0)
	if status != 0 {
		return 0, fmt.Errorf("%s: container %s exited with status %d (stderr: %s)", d.name, c.id, status, d.stderrTail())
	}
	return elapsed, nil
}

// fail wraps a runtime error with the last thing the runtime logged
// (containerd shows the last JSON log line's msg; stderr may say more).
func (d *driver) fail(op, id string, err error) error {
	var extra []string
	if msg := d.logTail(); msg != "" && !strings.Contains(err.Error(), msg) {
		extra = append(extra, "log: "+msg)
	}
	if msg := d.stderrTail(); msg != "" && !strings.Contains(err.Error(), msg) && msg != d.logTail() {
		extra = append(extra, "stderr: "+msg)
	}
	if len(extra) == 0 {
		return fmt.Errorf("%s %s %s: %w", d.name, op, id, err)
	}
	return fmt.Errorf("%s %s %s: %w (%s)", d.name, op, id, err, strings.Join(extra, "; "))
}

// logTail is the msg of the last line of the runtime's JSON log.
func (d *driver) logTail() string {
	data, err := os.ReadFile(d.rc.Log)
	if err != nil || len(data) == 0 {
		return ""
	}
	var entry struct {
		Msg string `json:"msg"`
	}
	if json.Unmarshal([]byte(lastLine(string(data))), &entry) != nil {
		return ""
	}
	return entry.Msg
}

func (d *driver) stderrTail() string {
	data, err := os.ReadFile(d.stderr.Name())
	if err != nil || len(data) == 0 {
		return ""
	}
	return lastLine(string(data))
}

// cleanup force-deletes whatever the driver left (after an error or an
// interrupt) and removes its directory.
func (d *driver) cleanup() {
	if d.rc == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if list, err := d.rc.List(ctx); err == nil {
		for _, c := range list {
			d.rc.Delete(ctx, c.ID, &gorunc.DeleteOpts{Force: true})
		}
	}
	d.devNull.Close()
	d.stderr.Close()
	if err := unix.Unmount(d.rc.Root, unix.MNT_DETACH); err != nil {
		progress("cleanup %s: unmount its state root: %v", d.dir, err)
	}
	if err := os.RemoveAll(d.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		progress("cleanup %s: %v", d.dir, err)
	}
}

// mountTmpfs makes dir and mounts a tmpfs on it, for root's eyes only.
func mountTmpfs(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0700"); err != nil {
		return fmt.Errorf("mount a tmpfs on %s: %w", dir, err)
	}
	return nil
}
