package e2e_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The daemon's bridge and subnet are private, so nothing collides with a
// real docker0 or with another package's namespaces.
const (
	bridgeName = "rnce2e0"
	bridgeAddr = "10.197.0.1/24"
	namespace  = "runnc-e2e"
)

// daemon is one private containerd plus one private dockerd, everything
// they keep under dir.
type daemon struct {
	dir         string
	sock        string // dockerd's API socket
	cli         string // the docker CLI that came with dockerd
	ctrdSock    string
	runtimeRoot string // where the shim tells runnc to keep its state
	runsc       string // gVisor's runtime, for the benchmark; "" if absent
	bridgeMade  bool
	up          bool // dockerd answers on sock
	procs       []*daemonProc
	host        hostSnapshot
}

// daemonProc is a daemon started in its own session; done closes when it
// has exited and been reaped.
type daemonProc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func (d *daemon) start(runnc string) error {
	dockerdBin, err := exec.LookPath("dockerd")
	if err != nil {
		return errors.New("dockerd is not installed: run scripts/setup.sh (it installs Debian's docker.io)")
	}
	ctrdBin, err := exec.LookPath("containerd")
	if err != nil {
		return errors.New("containerd is not installed: run scripts/setup.sh (it installs Debian's docker.io)")
	}
	d.cli = filepath.Join(filepath.Dir(dockerdBin), "docker")
	if _, err := os.Stat(d.cli); err != nil {
		if d.cli, err = exec.LookPath("docker"); err != nil {
			return errors.New("the docker CLI is not installed: run scripts/setup.sh")
		}
	}
	if d.dir, err = os.MkdirTemp("", "runnc-e2e-"); err != nil {
		return err
	}
	d.host = takeSnapshot()
	d.sock = filepath.Join(d.dir, "docker.sock")
	d.ctrdSock = filepath.Join(d.dir, "containerd", "containerd.sock")
	execRoot := filepath.Join(d.dir, "exec")
	// The shim's runc options name one root for every runtime: the
	// default runtime's, plus the containerd namespace.
	d.runtimeRoot = filepath.Join(execRoot, "runtime-runc", namespace)

	// Daemons must not inherit this process's descriptors: through
	// containerd and the shim they would reach runnc and the tender.
	testenv.CloseExtraFdsOnExec()
	if err := d.makeBridge(); err != nil {
		return err
	}
	cfg, err := testenv.WriteContainerdConfig(filepath.Join(d.dir, "containerd"), d.ctrdSock)
	if err != nil {
		return err
	}
	ctrd, err := d.spawn("containerd", ctrdBin, "--config", cfg)
	if err != nil {
		return err
	}
	if err := waitSocket(ctrd, d.ctrdSock); err != nil {
		return err
	}
	daemonJSON, err := d.writeDaemonJSON()
	if err != nil {
		return err
	}
	args := []string{"--config-file", daemonJSON,
		"--data-root", filepath.Join(d.dir, "data"),
		"--exec-root", execRoot,
		"--pidfile", filepath.Join(d.dir, "docker.pid"),
		"-H", "unix://" + d.sock,
		"--containerd", d.ctrdSock,
		"--containerd-namespace", namespace,
		"--containerd-plugins-namespace", namespace + "-plugins",
		"--bridge", bridgeName,
		// Published ports on 127.0.0.1 go through docker-proxy, so the
		// daemon needs no iptables rules and no IP forwarding, and
		// nothing on this host routes anywhere new.
		"--iptables=false", "--ip-forward=false", "--ip-masq=false",
		"--storage-driver", "overlay2",
		"--exec-opt", "native.cgroupdriver=cgroupfs",
		"--add-runtime", "runnc=" + runnc,
	}
	dk, err := d.spawn("dockerd", dockerdBin, args...)
	if err != nil {
		return err
	}
	if err := waitSocket(dk, d.sock); err != nil {
		return err
	}
	d.up = true
	return nil
}

// makeBridge creates the daemon's bridge: dockerd only creates docker0 by
// itself, and takes a named bridge's address as the network's gateway.
func (d *daemon) makeBridge() error {
	if _, err := netlink.LinkByName(bridgeName); err == nil {
		return fmt.Errorf("bridge %s already exists (a stale e2e run?): remove it with `ip link del %s`", bridgeName, bridgeName)
	}
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: bridgeName}}
	if err := netlink.LinkAdd(br); err != nil {
		return fmt.Errorf("create bridge %s: %w", bridgeName, err)
	}
	d.bridgeMade = true
	addr, err := netlink.ParseAddr(bridgeAddr)
	if err != nil {
		return err
	}
	if err := netlink.AddrAdd(br, addr); err != nil {
		return fmt.Errorf("address bridge %s: %w", bridgeName, err)
	}
	if err := netlink.LinkSetUp(br); err != nil {
		return fmt.Errorf("bring up bridge %s: %w", bridgeName, err)
	}
	return nil
}

// writeDaemonJSON writes dockerd's config file: the trust key goes to
// d.dir instead of /etc/docker/key.json, and gVisor's runsc, when
// installed, is a runtime for the benchmark. runsc (Debian's 2022 build)
// refuses Docker's network namespaces here, so it runs without a network.
func (d *daemon) writeDaemonJSON() (string, error) {
	cfg := map[string]any{"deprecated-key-path": filepath.Join(d.dir, "key.json")}
	if runsc, err := exec.LookPath("runsc"); err == nil {
		d.runsc = runsc
		cfg["runtimes"] = map[string]any{"runsc": map[string]any{"path": runsc, "runtimeArgs": []string{"--network=none"}}}
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	p := filepath.Join(d.dir, "daemon.json")
	return p, os.WriteFile(p, data, 0o600)
}

// spawn starts a daemon in its own session with stdin from /dev/null and
// its output in a log file under d.dir.
func (d *daemon) spawn(name, bin string, args ...string) (*daemonProc, error) {
	log := filepath.Join(d.dir, name+".log")
	out, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &daemonProc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	d.procs = append(d.procs, p)
	return p, nil
}

// waitSocket waits until the daemon accepts connections on sock; if it
// exits or takes more than a minute, the error carries its log.
func waitSocket(p *daemonProc, sock string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited during start-up (%v); its log:\n%s", p.name, p.cmd.ProcessState, testenv.Tail(p.log, 40))
		default:
		}
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not listen on %s within a minute; its log:\n%s", p.name, sock, testenv.Tail(p.log, 40))
}

// stop removes every container, stops the daemons (dockerd first), kills
// shims they left, unmounts and removes d.dir, deletes the bridge, and then
// reports anything the run left on the host.
func (d *daemon) stop() error {
	var errs []error
	if d.up {
		errs = append(errs, d.removeAllContainers()...)
	}
	for i := len(d.procs) - 1; i >= 0; i-- {
		if err := d.procs[i].stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if d.dir != "" {
		killStragglers(d.dir)
		unmountUnder(d.dir)
		if err := os.RemoveAll(d.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if d.bridgeMade {
		if l, err := netlink.LinkByName(bridgeName); err == nil {
			if err := netlink.LinkDel(l); err != nil {
				errs = append(errs, fmt.Errorf("delete bridge %s: %w", bridgeName, err))
			}
		}
	}
	errs = append(errs, d.host.restore()...)
	return errors.Join(errs...)
}

// removeAllContainers force-removes what tests left and checks that runnc
// kept no state for any container.
func (d *daemon) removeAllContainers() []error {
	var errs []error
	out, err := d.command("ps", "-aq").Output()
	if err != nil {
		return []error{fmt.Errorf("docker ps -aq: %w", err)}
	}
	for _, id := range strings.Fields(string(out)) {
		if msg, err := d.command("rm", "-f", id).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("docker rm -f %s: %v: %s", id, err, msg))
		}
	}
	if left := waitGone(func() []string { return listDir(d.runtimeRoot) }); len(left) > 0 {
		errs = append(errs, fmt.Errorf("runnc state left in %s after every container was removed: %v", d.runtimeRoot, left))
	}
	if left := diskUsers(d.runtimeRoot); len(left) > 0 {
		errs = append(errs, fmt.Errorf("disk images still count removed containers as users: %v", left))
	}
	return errs
}

// stop sends SIGTERM, then SIGKILL after 30 s.
func (p *daemonProc) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	p.cmd.Process.Signal(unix.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(30 * time.Second):
	}
	p.cmd.Process.Kill()
	<-p.done
	return fmt.Errorf("%s ignored SIGTERM for 30 s and was killed; its log:\n%s", p.name, testenv.Tail(p.log, 20))
}

// killStragglers kills what outlived the daemons: every process whose
// command line names our private directory (shims, and whatever a runtime
// left behind them) was started by them, and was reparented away from us.
func killStragglers(dir string) {
	pids := pidsWithArgs(dir + "/")
	for _, pid := range pids {
		unix.Kill(pid, unix.SIGKILL)
	}
	waitGone(func() []string {
		var alive []string
		for _, pid := range pids {
			if unix.Kill(pid, 0) == nil && !zombie(pid) {
				alive = append(alive, strconv.Itoa(pid))
			}
		}
		return alive
	})
}

// zombie tells whether pid has exited and waits for a parent that is not
// us to reap it (PID 1 here is not a reaping init).
func zombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}

// pidsWithArgs lists the processes whose command line holds every one of
// the given strings.
func pidsWithArgs(want ...string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(data) == 0 {
			continue
		}
		cmdline := string(data)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(cmdline, w)
		}
		if ok {
			pids = append(pids, pid)
		}
	}
	return pids
}
