package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gorunc "github.com/containerd/go-runc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

// dockerCaps is the capability set Docker, containerd and the CRI send on
// every run.
var dockerCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

func withCaps(caps ...string) func(*specs.Spec) {
	return func(s *specs.Spec) {
		s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
	}
}

// TestOpOptionsRefused: what cannot reach a unikernel fails create with one
// sentence naming the option, and leaves nothing.
func TestOpOptionsRefused(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		id, want string
		edit     func(*specs.Spec)
	}{
		{"op-capadd", "capability CAP_SYS_ADMIN (docker run --cap-add or --privileged) cannot be given to a unikernel",
			withCaps(append([]string{"CAP_SYS_ADMIN"}, dockerCaps...)...)},
		{"op-ambient", "capability CAP_NET_ADMIN", func(s *specs.Spec) {
			s.Process.Capabilities = &specs.LinuxCapabilities{Ambient: []string{"CAP_NET_ADMIN"}}
		}},
		{"op-device", "device /dev/kvm (docker run --device or --privileged) cannot reach a unikernel", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/kvm", Type: "c", Major: 10, Minor: 232}}
		}},
		{"op-sysctl", "sysctl net.ipv4.ip_forward=1 (docker run --sysctl) has no effect", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "net.ipv4.ip_unprivileged_port_start": "0"}
		}},
		{"op-sysctl-value", "sysctl net.ipv4.ip_unprivileged_port_start=1024", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_unprivileged_port_start": "1024"}
		}},
		{"op-userns", "a user namespace (uid mappings, dockerd --userns-remap) is not supported", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		}},
		// Joined by path, not made: refused all the same, before specconv
		// reads the namespace's maps.
		{"op-userns-path", "a user namespace (uid mappings, dockerd --userns-remap) is not supported", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/1/ns/user"})
		}},
		{"op-rlimit", `"RLIMIT_BOGUS" is not a Linux resource limit`, func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_BOGUS", Soft: 1, Hard: 1}}
		}},
		{"op-pidjoin", "joining the pid namespace /proc/1/ns/pid", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"})
		}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			e.refused(tc.id, tc.want, "create", "--bundle", e.bundle([]string{"/hello.nabla"}, tc.edit), tc.id)
		})
	}
}

// TestOpDefaultsAccepted: what engines send on every run keeps working:
// Docker's capabilities and sysctls, new namespaces of every kind but
// user, and a pod's ipc and uts namespaces joined beside its network's.
func TestOpDefaultsAccepted(t *testing.T) {
	e := newEnv(t)
	holder := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
	e.create("op-holder", holder)
	pid := e.state("op-holder").Pid
	b := e.bundle([]string{"/hello.nabla"}, func(s *specs.Spec) {
		withCaps(dockerCaps...)(s)
		s.Linux.Sysctl = map[string]string{"net.ipv4.ip_unprivileged_port_start": "0", "net.ipv4.ping_group_range": "0 2147483647"}
		s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.CgroupNamespace}}
		for _, typ := range []specs.LinuxNamespaceType{specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace} {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: typ, Path: fmt.Sprintf("/proc/%d/ns/%s", pid, nsFile(typ))})
		}
		// A pod's other containers run without the address.
		s.Annotations = map[string]string{"org.nabla.runnc.network": "none"}
	})
	e.create("op-defaults", b)
	for _, id := range []string{"op-defaults", "op-holder"} {
		if _, stderr, code := e.runnc_("delete", "--force", id); code != 0 {
			t.Fatal(stderr)
		}
	}
}

func nsFile(t specs.LinuxNamespaceType) string {
	if t == specs.NetworkNamespace {
		return "net"
	}
	return string(t)
}

// TestOpRlimits: process.rlimits bound the tender as they bound runc's
// process.
func TestOpRlimits(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
		s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_CPU", Soft: 100, Hard: 200}, {Type: "RLIMIT_NOFILE", Soft: 64, Hard: 64}}
	})
	e.create("op-rlimits", b)
	if _, stderr, code := e.runnc_("start", "op-rlimits"); code != 0 {
		t.Fatal(stderr)
	}
	c := e.waitStatus("op-rlimits", "running")
	limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", c.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]string{{"Max cpu time", "100", "200"}, {"Max open files", "64", "64"}} {
		found := false
		for _, l := range strings.Split(string(limits), "\n") {
			if f := strings.Fields(strings.TrimPrefix(l, want[0])); strings.HasPrefix(l, want[0]) && len(f) >= 2 {
				found = f[0] == want[1] && f[1] == want[2]
			}
		}
		if !found {
			t.Errorf("the tender's %s is not %s/%s:\n%s", want[0], want[1], want[2], limits)
		}
	}
}

// TestOpOOMScoreAdj: process.oomScoreAdj is init's, from create on, and
// the tender's, which init's exec becomes, as kubelet's QoS classes need.
func TestOpOOMScoreAdj(t *testing.T) {
	e := newEnv(t)
	adj := 500
	e.create("op-oom", e.bundle([]string{"/hello.nabla", "sleep"}, func(s *specs.Spec) { s.Process.OOMScoreAdj = &adj }))
	check := func(when string, pid int) {
		t.Helper()
		got, err := os.ReadFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(got)) != "500" {
			t.Errorf("%s: oom_score_adj of pid %d is %s, want 500", when, pid, got)
		}
	}
	check("after create", e.state("op-oom").Pid)
	if _, stderr, code := e.runnc_("start", "op-oom"); code != 0 {
		t.Fatal(stderr)
	}
	check("after start", e.waitStatus("op-oom", "running").Pid)
}

// TestOpHostname: an SDK guest reads spec.hostname as its /etc/hostname
// when no engine bind-mounts one.
func TestOpHostname(t *testing.T) {
	e := newEnv(t)
	b := e.Bundle([]string{"cat.nabla"}, []string{"/cat.nabla", "/etc/hostname"}, func(s *specs.Spec) { s.Hostname = "op-host" })
	res := e.Run("run", "--bundle", b, "op-hostname")
	if res.Code != 0 || !strings.Contains(res.Stdout, "op-host\n") {
		t.Errorf("cat /etc/hostname: exit %d, stdout %q, stderr %q; want op-host", res.Code, res.Stdout, res.Stderr)
	}
}

// TestOpConsoleSize: a terminal container's pty has process.consoleSize
// from create on, as Docker's -t sends its own terminal's size.
func TestOpConsoleSize(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
		s.Process.Terminal = true
		s.Process.ConsoleSize = &specs.Box{Height: 33, Width: 111}
	})
	sock, err := gorunc.NewTempConsoleSocket()
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	if err := e.runc.Create(context.Background(), "op-tty", b, &gorunc.CreateOpts{ConsoleSocket: sock}); err != nil {
		t.Fatalf("create: %v (%s)", err, e.LastLog())
	}
	master, err := sock.ReceiveMaster()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	if ws, err := master.Size(); err != nil || ws.Height != 33 || ws.Width != 111 {
		t.Errorf("the terminal is %+v (%v), want 111 columns and 33 rows", ws, err)
	}
	if _, stderr, code := e.runnc_("delete", "--force", "op-tty"); code != 0 {
		t.Fatal(stderr)
	}
}

// TestOpContainerHooks: createContainer hooks run at create in init's
// network namespace, startContainer hooks at start in it too, while init
// has not yet become the tender; both get the state on stdin.
func TestOpContainerHooks(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	// The hook records the state, its own network namespace, and what the
	// container's process is at that moment.
	record := func(name string) specs.Hook {
		return specs.Hook{Path: writeHook(t, out, name+".sh", `cat > `+out+`/`+name+`.json
readlink /proc/self/ns/net > `+out+`/`+name+`.ns
pid=$(sed 's/.*"pid":\([0-9]*\).*/\1/' `+out+`/`+name+`.json)
cat /proc/$pid/comm > `+out+`/`+name+`.comm
`)}
	}
	b := e.bundle([]string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{CreateContainer: []specs.Hook{record("createContainer")}, StartContainer: []specs.Hook{record("startContainer")}}
	})
	e.create("op-hooks", b)
	c := e.state("op-hooks")
	initNs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", c.Pid))
	if err != nil {
		t.Fatal(err)
	}
	hostNs, _ := os.Readlink("/proc/self/ns/net")
	check := func(name, status string) {
		t.Helper()
		read := func(ext string) string {
			data, err := os.ReadFile(filepath.Join(out, name+ext))
			if err != nil {
				t.Fatalf("%s hook did not run: %v", name, err)
			}
			return strings.TrimSpace(string(data))
		}
		if st := read(".json"); !strings.Contains(st, `"status":"`+status+`"`) || !strings.Contains(st, fmt.Sprintf(`"pid":%d`, c.Pid)) {
			t.Errorf("%s hook got state %s, want %s with pid %d", name, st, status, c.Pid)
		}
		if ns := read(".ns"); ns != initNs || ns == hostNs {
			t.Errorf("%s hook ran in network namespace %s, want init's %s", name, ns, initNs)
		}
		if comm := read(".comm"); comm != "runnc-init" {
			t.Errorf("%s hook saw the container's process as %q, want runnc-init (before the tender)", name, comm)
		}
	}
	check("createContainer", "creating")
	if _, err := os.Stat(filepath.Join(out, "startContainer.json")); err == nil {
		t.Error("startContainer ran at create")
	}
	if err := e.runc.Start(context.Background(), "op-hooks"); err != nil {
		t.Fatal(err)
	}
	check("startContainer", "created")
	e.waitStatus("op-hooks", "running")
}

// TestOpFeatures: `runnc features` lists what runnc does: every hook
// kind, the namespaces it accepts (not user), the capabilities it
// accepts, cgroupfs only, and what replaces linux.seccomp.
func TestOpFeatures(t *testing.T) {
	e := newEnv(t)
	stdout, stderr, code := e.runnc_("features")
	if code != 0 {
		t.Fatal(stderr)
	}
	var f features.Features
	if err := json.Unmarshal([]byte(stdout), &f); err != nil {
		t.Fatalf("features is not JSON: %v\n%s", err, stdout)
	}
	for _, h := range []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"} {
		if !slices.Contains(f.Hooks, h) {
			t.Errorf("features lacks hook %s: %v", h, f.Hooks)
		}
	}
	if f.Linux == nil || slices.Contains(f.Linux.Namespaces, "user") || !slices.Contains(f.Linux.Namespaces, "network") ||
		slices.Contains(f.Linux.Capabilities, "CAP_SYS_ADMIN") || f.Linux.Cgroup == nil || !*f.Linux.Cgroup.Systemd ||
		f.Linux.NetDevices == nil || *f.Linux.NetDevices.Enabled || f.Linux.IntelRdt == nil || *f.Linux.IntelRdt.Enabled {
		t.Errorf("features: %+v", f.Linux)
	}
	if !strings.Contains(f.Annotations["org.nabla.runnc.process"], "process.oomScoreAdj are honoured") {
		t.Errorf("features does not say what becomes of process.oomScoreAdj: %v", f.Annotations)
	}
	if !strings.Contains(f.Annotations["org.nabla.runnc.seccomp"], "replaced by the tender's allowlist") {
		t.Errorf("features does not say what replaces linux.seccomp: %v", f.Annotations)
	}
	if !slices.Contains(f.MountOptions, "ro") || !strings.Contains(f.Annotations["org.nabla.runnc.mounts"], "a bind mount of a directory becomes a read-only disk image") {
		t.Errorf("features does not say what a volume becomes: %v, %q", f.MountOptions, f.Annotations["org.nabla.runnc.mounts"])
	}
}
