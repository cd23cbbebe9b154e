package clients_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The CRI tests' pod network: a bridge of their own with the gateway
// address on the host, so the host reaches pod IPs over it and nowhere
// else. The cgroup parent of their pods is theirs too.
const (
	criBridge    = "rnccri0"
	criSubnet    = "10.195.0.0/24"
	criCgroup    = "/runnc-clients-kubepods"
	criNamespace = "k8s.io"
)

// criEnv is a private containerd with its CRI plugin, the runtime
// handler "runnc" (and "runc", for comparisons), and a CNI bridge
// network, plus a CRI client connected to it.
type criEnv struct {
	dir, sock, runcRoot string
	rt                  cri.RuntimeServiceClient
	img                 cri.ImageServiceClient
}

func newCRIEnv(t testing.TB, forRunc bool) *criEnv {
	t.Helper()
	e := &criEnv{dir: shortTempDir(t)}
	runncBin := runnc(t)
	containerd := lookTool(t, "containerd", "containerd")
	ctr := lookTool(t, "ctr", "containerd")
	if _, err := os.Stat("/usr/lib/cni/bridge"); err != nil {
		t.Fatal("the CNI bridge plugin is not installed: run scripts/setup.sh (Debian package containernetworking-plugins)")
	}
	e.sock = filepath.Join(e.dir, "containerd.sock")
	e.runcRoot = filepath.Join(e.dir, "runc-root")
	cfg := filepath.Join(e.dir, "config.toml")
	writeFile(t, cfg, e.config(runncBin))
	writeFile(t, filepath.Join(e.dir, "net.d", "10-runnc-clients.conflist"),
		bridgeConflist("runnc-clients", criBridge, criSubnet, filepath.Join(e.dir, "cni-ipam")))
	removeBridge(t, criBridge)
	restoreIPForward(t)
	removeIfNew(t, "/var/lib/cni") // the CNI library's cache, not configurable
	removeEmptyDirsIfNew(t, "/run/containerd", "/run/containerd/s")
	removeParent(t, criParent())
	d := startDaemon(t, e.dir, "containerd", containerd, "--config", cfg)
	d.waitSocket(t, e.sock)

	conn, err := grpc.NewClient("unix://"+e.sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("CRI client: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	e.rt, e.img = cri.NewRuntimeServiceClient(conn), cri.NewImageServiceClient(conn)
	// Runs before the daemon stops: pods a failed test left go away, and
	// with them their containers, mounts and network namespaces.
	t.Cleanup(e.removePods)

	v, err := e.rt.Version(ctx(t), &cri.VersionRequest{})
	if err != nil {
		t.Fatalf("CRI Version: %v (containerd log: %s)", err, testenv.Tail(d.log, 10))
	}
	t.Logf("CRI: %s %s, API %s", v.RuntimeName, v.RuntimeVersion, v.RuntimeApiVersion)
	for _, archive := range e.archives(t, forRunc) {
		if r := run(t, nil, ctr, "--address", e.sock, "--namespace", criNamespace, "images", "import", archive); r.code != 0 {
			t.Fatalf("ctr images import %s: %s", archive, r)
		}
	}
	// kubelet asks before it creates a container; the image must be there.
	st, err := e.img.ImageStatus(ctx(t), &cri.ImageStatusRequest{Image: &cri.ImageSpec{Image: nablaImage}})
	if err != nil || st.Image == nil {
		t.Fatalf("ImageStatus %s: %v (image %v): the imported image is not visible through the CRI", nablaImage, err, st.GetImage())
	}
	return e
}

// archives are the images of the tests, and for benchmarks (forRunc)
// those that runc can run too.
func (e *criEnv) archives(t testing.TB, forRunc bool) []string {
	if forRunc {
		return []string{pauseArchive(t, e.dir, true), nablaArchive(t, e.dir), busyboxArchive(t, e.dir)}
	}
	return []string{pauseArchive(t, e.dir, false), nablaArchive(t, e.dir)}
}

// config is containerd's configuration: everything under e.dir, no
// AppArmor (absent here), oomScoreAdj clamped (root here lacks
// CAP_SYS_RESOURCE, see CLIENTS.md), pod annotations org.nabla.runnc.*
// passed to runnc.
func (e *criEnv) config(runncBin string) string {
	return fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
[grpc]
  address = %[3]q
[ttrpc]
  address = "%[3]s.ttrpc"
[debug]
  address = %[4]q
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = %[5]q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[6]q
  disable_apparmor = true
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = %[7]q
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runnc]
      runtime_type = "io.containerd.runc.v2"
      pod_annotations = ["org.nabla.runnc.*"]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runnc.options]
        BinaryName = %[8]q
        Root = %[9]q
        SystemdCgroup = %[11]t
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %[10]q
    max_conf_num = 1
`, filepath.Join(e.dir, "root"), filepath.Join(e.dir, "state"), e.sock, filepath.Join(e.dir, "debug.sock"),
		filepath.Join(e.dir, "opt"), pauseImage, filepath.Join(e.dir, "runc-root-runc"), runncBin, e.runcRoot,
		filepath.Join(e.dir, "net.d"), testenv.SystemdCgroup())
}

// removePods stops and removes every pod sandbox, with its containers.
func (e *criEnv) removePods() {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pods, err := e.rt.ListPodSandbox(c, &cri.ListPodSandboxRequest{})
	if err != nil {
		return
	}
	for _, p := range pods.Items {
		e.rt.StopPodSandbox(c, &cri.StopPodSandboxRequest{PodSandboxId: p.Id})
		e.rt.RemovePodSandbox(c, &cri.RemovePodSandboxRequest{PodSandboxId: p.Id})
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// pod is one running pod sandbox.
type pod struct {
	id  string
	ip  string
	cfg *cri.PodSandboxConfig
}

// runPod runs a pod sandbox with the runtime handler ("runnc" or "runc")
// and the annotations, and checks that the host reaches its IP over the
// test's bridge.
func (e *criEnv) runPod(t testing.TB, name, handler string, annotations map[string]string) *pod {
	t.Helper()
	uid := "uid-" + name
	cfg := &cri.PodSandboxConfig{
		Metadata:     &cri.PodSandboxMetadata{Name: name, Uid: uid, Namespace: "runnc-clients"},
		Hostname:     name,
		LogDirectory: filepath.Join(e.dir, "logs", name),
		Annotations:  annotations,
		Linux:        &cri.LinuxPodSandboxConfig{CgroupParent: criPodParent(uid)},
	}
	r, err := e.rt.RunPodSandbox(ctx(t), &cri.RunPodSandboxRequest{Config: cfg, RuntimeHandler: handler})
	if err != nil {
		t.Fatalf("RunPodSandbox %s: %v", name, err)
	}
	p := &pod{id: r.PodSandboxId, cfg: cfg}
	st, err := e.rt.PodSandboxStatus(ctx(t), &cri.PodSandboxStatusRequest{PodSandboxId: p.id})
	if err != nil {
		t.Fatalf("PodSandboxStatus %s: %v", name, err)
	}
	if st.Status.State != cri.PodSandboxState_SANDBOX_READY {
		t.Fatalf("pod %s: state %s, want SANDBOX_READY", name, st.Status.State)
	}
	p.ip = st.Status.GetNetwork().GetIp()
	checkRouteToBridge(t, p.ip, criBridge, criSubnet)
	return p
}

// startContainer creates and starts a container of image in p, and
// returns its id.
func (e *criEnv) startContainer(t testing.TB, p *pod, name string, attempt uint32, image string, args ...string) string {
	t.Helper()
	id, err := e.createContainer(t, p, name, attempt, image, args...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.StartContainer(ctx(t), &cri.StartContainerRequest{ContainerId: id}); err != nil {
		t.Fatalf("StartContainer %s: %v", name, err)
	}
	return id
}

func (e *criEnv) createContainer(t testing.TB, p *pod, name string, attempt uint32, image string, args ...string) (string, error) {
	return e.createWith(t, p, &cri.ContainerConfig{
		Metadata: &cri.ContainerMetadata{Name: name, Attempt: attempt},
		Image:    &cri.ImageSpec{Image: image},
		Command:  args,
		LogPath:  fmt.Sprintf("%s-%d.log", name, attempt),
	})
}

// createWith creates the container cfg describes in p, as kubelet does.
func (e *criEnv) createWith(t testing.TB, p *pod, cfg *cri.ContainerConfig) (string, error) {
	r, err := e.rt.CreateContainer(ctx(t), &cri.CreateContainerRequest{PodSandboxId: p.id, Config: cfg, SandboxConfig: p.cfg})
	if err != nil {
		return "", fmt.Errorf("CreateContainer %s: %w", cfg.GetMetadata().GetName(), err)
	}
	return r.ContainerId, nil
}

// waitExited waits until the container has exited and returns its
// status.
func (e *criEnv) waitExited(t testing.TB, id string) *cri.ContainerStatus {
	t.Helper()
	var st *cri.ContainerStatus
	ok := waitFor(30*time.Second, func() bool {
		r, err := e.rt.ContainerStatus(ctx(t), &cri.ContainerStatusRequest{ContainerId: id})
		if err != nil {
			t.Fatalf("ContainerStatus %s: %v", id, err)
		}
		st = r.Status
		return st.State == cri.ContainerState_CONTAINER_EXITED
	})
	if !ok {
		t.Fatalf("container %s: state %s after 30s, want CONTAINER_EXITED", st.GetMetadata().GetName(), st.GetState())
	}
	return st
}

// removeContainer stops (2 s grace, as kubelet's terminationGracePeriod
// would be) and removes a container.
func (e *criEnv) removeContainer(t testing.TB, id string) {
	t.Helper()
	if _, err := e.rt.StopContainer(ctx(t), &cri.StopContainerRequest{ContainerId: id, Timeout: 2}); err != nil {
		t.Errorf("StopContainer: %v", err)
	}
	if _, err := e.rt.RemoveContainer(ctx(t), &cri.RemoveContainerRequest{ContainerId: id}); err != nil {
		t.Errorf("RemoveContainer: %v", err)
	}
}

// removePod stops and removes a pod sandbox.
func (e *criEnv) removePod(t testing.TB, p *pod) {
	t.Helper()
	if _, err := e.rt.StopPodSandbox(ctx(t), &cri.StopPodSandboxRequest{PodSandboxId: p.id}); err != nil {
		t.Errorf("StopPodSandbox: %v", err)
	}
	if _, err := e.rt.RemovePodSandbox(ctx(t), &cri.RemovePodSandboxRequest{PodSandboxId: p.id}); err != nil {
		t.Errorf("RemovePodSandbox: %v", err)
	}
}

// logOf returns the container's output from its CRI log (lines of
// "<time> <stream> <tag> <text>").
func logOf(t testing.TB, st *cri.ContainerStatus) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(string(testenv.ReadFile(t, st.LogPath)), "\n") {
		if f := strings.SplitN(line, " ", 4); len(f) == 4 {
			out = append(out, f[3])
		}
	}
	return strings.Join(out, "\n")
}

// pid is the host pid of a running container, from the verbose status
// (containerd's "info" JSON).
func (e *criEnv) pid(t testing.TB, id string) string {
	t.Helper()
	r, err := e.rt.ContainerStatus(ctx(t), &cri.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		t.Fatalf("ContainerStatus %s: %v", id, err)
	}
	var info struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(r.Info["info"]), &info); err != nil || info.Pid == 0 {
		t.Fatalf("ContainerStatus %s: no pid in the verbose info (%v): %q", id, err, r.Info["info"])
	}
	return strconv.Itoa(info.Pid)
}
