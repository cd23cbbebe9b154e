package clients_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// podmanCgroup is the cgroup parent of the podman tests' containers.
const podmanCgroup = "/runnc-clients-podman"

// podmanEnv is one private podman installation: storage, run root,
// temporary files, locks, events and networks all under dir.
type podmanEnv struct {
	dir, podman, runnc string
	conf               string // CONTAINERS_CONF
	global             []string
}

// newPodmanEnv writes a containers.conf that names runnc in
// [engine.runtimes] and, if supportsJSON, in runtime_supports_json (so
// conmon passes it --log and --log-format=json). Without it podman only
// learns of runnc by --runtime PATH, and passes no --log.
func newPodmanEnv(t testing.TB, supportsJSON bool) *podmanEnv {
	t.Helper()
	e := &podmanEnv{runnc: runnc(t), dir: shortTempDir(t)}
	e.podman = lookTool(t, "podman", "podman")
	lookTool(t, "conmon", "conmon")
	e.conf = filepath.Join(e.dir, "containers.conf")
	engine := ""
	if supportsJSON {
		engine = fmt.Sprintf("runtime = \"runnc\"\nruntime_supports_json = [\"crun\", \"runc\", \"runnc\"]\n[engine.runtimes]\nrunnc = [%q]\n", e.runnc)
	}
	// Root here lacks CAP_SYS_RESOURCE: podman's default rlimits for root
	// (nofile=1048576, a larger nproc) could not be set (CLIENTS.md).
	// Events go to a file (journald may be absent); file locks keep
	// podman out of /dev/shm. The cgroup manager is podman's default,
	// systemd, when the tests run with that driver, else cgroupfs (systemd
	// is not PID 1 on the hosts make test runs on).
	manager := "cgroup_manager = \"cgroupfs\"\n"
	if testenv.SystemdCgroup() {
		manager = ""
	}
	writeFile(t, e.conf, fmt.Sprintf(`[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[network]
network_config_dir = %q
[engine]
%sevents_logger = "file"
events_logfile_path = %q
tmp_dir = %q
volume_path = %q
lock_type = "file"
%s`, filepath.Join(e.dir, "net"), manager, filepath.Join(e.dir, "events.log"), filepath.Join(e.dir, "tmp"),
		filepath.Join(e.dir, "vol"), engine))
	e.global = []string{"--root", filepath.Join(e.dir, "root"), "--runroot", filepath.Join(e.dir, "runroot"),
		"--storage-driver", "overlay"}
	if !supportsJSON {
		e.global = append(e.global, "--runtime", e.runnc)
	}
	removeParent(t, podmanParent())
	// containers/image keeps its blob cache there whatever the
	// configuration says.
	removeIfNew(t, "/var/lib/containers")
	t.Cleanup(e.removeAll)
	e.must(t, "load", "-i", nablaArchive(t, e.dir))
	return e
}

func (e *podmanEnv) run(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, []string{"CONTAINERS_CONF=" + e.conf}, e.podman, append(e.global, args...)...)
}

func (e *podmanEnv) must(t testing.TB, args ...string) string {
	t.Helper()
	return e.run(t, args...).must(t, "podman "+strings.Join(args, " "))
}

// runArgs are the `podman run` flags every test container gets: no
// network (netavark would make a bridge with a host address) and the
// test's cgroup parent.
func runArgs(extra ...string) []string {
	return append(append([]string{"run", "--network", "none"}, podmanParentArgs()...), extra...)
}

// removeAll removes every container and image of this podman, and its
// overlay mounts with them.
func (e *podmanEnv) removeAll() {
	env := []string{"CONTAINERS_CONF=" + e.conf}
	runQuiet(env, e.podman, append(e.global, "rm", "--all", "--force", "--time", "0")...)
	runQuiet(env, e.podman, append(e.global, "rmi", "--all", "--force")...)
	// The overlay driver mounts its own home privately, once per store.
	unix.Unmount(filepath.Join(e.dir, "root", "overlay"), unix.MNT_DETACH)
}

// step runs podman command on container name, which must then be in
// state want.
func (e *podmanEnv) step(t testing.TB, name, want, command string, flags ...string) {
	t.Helper()
	e.must(t, append(append([]string{command}, flags...), name)...)
	if s := e.state(t, name); s != want {
		t.Errorf("after %s: state %q, want %s", command, s, want)
	}
}

// state is the container's State.Status as podman inspect tells it.
func (e *podmanEnv) state(t testing.TB, name string) string {
	t.Helper()
	return strings.TrimSpace(e.must(t, "inspect", "--format", "{{.State.Status}}", name))
}

func TestPodman(t *testing.T) {
	e := newPodmanEnv(t, true)

	t.Run("info", func(t *testing.T) {
		// podman info runs `runnc --version` and shows what it printed.
		v := e.must(t, "info", "--format", "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}")
		if !strings.HasPrefix(v, "runnc runnc version ") {
			t.Errorf("podman info: OCI runtime %q, want runnc and its version", v)
		}
	})

	t.Run("output", func(t *testing.T) {
		e.run(t, runArgs("--rm", nablaImage, "/hello.nabla", "from-podman")...).checkHello(t, "podman run hello", "from-podman")
	})

	t.Run("exit code", func(t *testing.T) {
		if r := e.run(t, runArgs("--rm", nablaImage, "/hello.nabla", "exit=7")...); r.code != 7 {
			t.Fatalf("podman run hello exit=7: want exit 7, got %s", r)
		}
	})

	t.Run("tty", func(t *testing.T) {
		r := e.run(t, runArgs("--rm", "--tty", nablaImage, "/hello.nabla", "exit=3")...)
		if r.code != 3 || !strings.Contains(r.stdout, "Hello, World\r\n") {
			t.Fatalf("podman run --tty hello exit=3: want exit 3 and Hello through a terminal, got %s", r)
		}
	})

	t.Run("stop", func(t *testing.T) {
		const name = "podman-stop"
		e.must(t, runArgs("-d", "--name", name, nablaImage, "/hello.nabla", "sleep")...)
		if s := e.state(t, name); s != "running" {
			t.Fatalf("after run -d: state %q, want running", s)
		}
		pid := strings.TrimSpace(e.must(t, "inspect", "--format", "{{.State.Pid}}", name))
		checkTender(t, pid)
		// Where AppArmor is on (the VM suite), podman asks for its default
		// profile, and the tender runs under it; elsewhere it asks for none.
		if profile := strings.TrimSpace(e.must(t, "inspect", "--format", "{{.AppArmorProfile}}", name)); profile != "" {
			label, err := os.ReadFile("/proc/" + pid + "/attr/current")
			if err != nil || !strings.HasPrefix(string(label), profile+" ") {
				t.Errorf("podman asked for AppArmor profile %s; the tender's label is %q (%v)", profile, label, err)
			}
			t.Logf("the tender runs under podman's AppArmor profile: %s", strings.TrimSpace(string(label)))
		}
		// podman calls `state` with no global flags and no PATH.
		id := strings.TrimSpace(e.must(t, "inspect", "--format", "{{.Id}}", name))
		st := run(t, nil, "/usr/bin/env", "-i", "XDG_RUNTIME_DIR=", e.runnc, "state", id)
		if st.code != 0 || !strings.Contains(st.stdout, `"status": "running"`) {
			t.Errorf("runnc state with an empty environment: %s", st)
		}
		r := e.run(t, "exec", name, "/hello.nabla")
		t.Logf("podman exec: %s", r)
		if r.code == 0 || !strings.Contains(r.stderr, "not supported") {
			t.Errorf("podman exec: want a refusal saying \"not supported\", got %s", r)
		}
		e.must(t, "update", "--memory", "64m", name)
		checkMemoryLimit(t, podmanCgroupOf(id), 64<<20)
		e.step(t, name, "paused", "pause")
		e.step(t, name, "running", "unpause")
		e.step(t, name, "exited", "stop", "--time", "2")
		// Starting it again creates it anew in runnc under the same id.
		e.step(t, name, "running", "start")
		e.must(t, "stop", "--time", "2", name)
		e.must(t, "rm", name)
	})

	t.Run("kill", func(t *testing.T) {
		const name = "podman-kill"
		e.must(t, runArgs("-d", "--name", name, nablaImage, "/hello.nabla", "sleep")...)
		e.must(t, "kill", name)
		if code := strings.TrimSpace(e.must(t, "wait", name)); code != "137" {
			t.Errorf("after kill: exit code %s, want 137 (SIGKILL)", code)
		}
		e.must(t, "rm", name)
	})

	t.Run("bridge network", func(t *testing.T) {
		// A network of podman's CNI backend, written by hand: podman's own
		// would masquerade and add firewall rules.
		const network, bridge, subnet = "runnc-clients", "rncpod0", "10.196.0.0/24"
		writeFile(t, filepath.Join(e.dir, "net", network+".conflist"), bridgeConflist(network, bridge, subnet, filepath.Join(e.dir, "cni-ipam")))
		removeBridge(t, bridge)
		restoreIPForward(t)
		removeIfNew(t, "/var/lib/cni") // the CNI library's cache, not configurable
		const name = "podman-httpd"
		ip := func() string {
			ip := strings.TrimSpace(e.must(t, "inspect", "--format", "{{(index .NetworkSettings.Networks \""+network+"\").IPAddress}}", name))
			checkRouteToBridge(t, ip, bridge, subnet)
			return ip
		}
		e.must(t, append(append([]string{"run", "-d", "--name", name, "--network", network}, podmanParentArgs()...), nablaImage, "/httpd.nabla")...)
		checkHTTP(t, ip())
		e.must(t, "stop", "--time", "2", name)
		e.must(t, "start", name)
		checkHTTP(t, ip())
		e.must(t, "rm", "--force", name)
		checkBridgeEmpty(t, bridge)
	})

	t.Run("error with --log", func(t *testing.T) { checkPodmanError(t, e) })
	t.Run("without --log", func(t *testing.T) {
		e := newPodmanEnv(t, false)
		// runnc's stderr is all podman shows of it: nothing when all is well.
		r := e.run(t, runArgs("--rm", nablaImage, "/hello.nabla")...)
		if r.code != 0 || !strings.Contains(r.stdout, "Hello, World") || r.stderr != "" {
			t.Errorf("podman run hello without --log: want Hello and nothing on stderr, got %s", r)
		}
		checkPodmanError(t, e)
	})

	checkNoCgroupsFor(t, podmanParent(), "libpod-")
	checkNoMountsUnder(t, e.dir, filepath.Join(e.dir, "root", "overlay"))
	checkNoStateFor(t, llcli.DefaultRoot, e.dir)
}

// checkPodmanError runs a container whose unikernel is missing: runnc's
// message must reach podman's user, whether it came by the JSON log or by
// runnc's stderr.
func checkPodmanError(t testing.TB, e *podmanEnv) {
	r := e.run(t, runArgs("--rm", nablaImage, "/nosuch.nabla")...)
	t.Logf("podman run /nosuch.nabla: %s", r)
	if r.code == 0 || !strings.Contains(r.stderr, "nosuch.nabla") {
		t.Errorf("podman run of a missing unikernel: want a failure naming it, got %s", r)
	}
}
