package clients_test

import (
	"path/filepath"
	"strings"
	"testing"

	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestCRI(t *testing.T) {
	e := newCRIEnv(t, false)

	t.Run("httpd pod", func(t *testing.T) {
		p := e.runPod(t, "web", "runnc", nil)

		// hello declares no network device in its manifest: it runs in the
		// pod without one. httpd, which declares one, gets the pod's address.
		hello := e.startContainer(t, p, "hello", 0, nablaImage, "/hello.nabla", "exit=7")
		st := e.waitExited(t, hello)
		if out := logOf(t, st); st.ExitCode != 7 || !strings.Contains(out, "Hello, World") || strings.Contains(out, "net:") {
			t.Errorf("hello in the pod: exit %d, output %q; want exit 7, Hello and no NIC", st.ExitCode, out)
		}
		e.removeContainer(t, hello)

		httpd := e.startContainer(t, p, "httpd", 0, nablaImage, "/httpd.nabla")
		checkHTTP(t, p.ip)
		checkTender(t, e.pid(t, httpd))

		_, err := e.rt.ExecSync(ctx(t), &cri.ExecSyncRequest{ContainerId: httpd, Cmd: []string{"/hello.nabla"}, Timeout: 10})
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("ExecSync: want a refusal saying \"not supported\", got %v", err)
		}

		// kubelet's metrics and evictions read these (from the cgroup).
		stats, err := e.rt.ContainerStats(ctx(t), &cri.ContainerStatsRequest{ContainerId: httpd})
		if err != nil || stats.Stats.GetMemory().GetWorkingSetBytes().GetValue() == 0 || stats.Stats.GetCpu() == nil {
			t.Errorf("ContainerStats httpd: want memory and cpu figures, got %v (%v)", stats.GetStats(), err)
		}

		const limit = 256 << 20
		_, err = e.rt.UpdateContainerResources(ctx(t), &cri.UpdateContainerResourcesRequest{
			ContainerId: httpd,
			Linux:       &cri.LinuxContainerResources{MemoryLimitInBytes: limit, CpuShares: 512},
		})
		if err != nil {
			t.Errorf("UpdateContainerResources: %v", err)
		} else {
			checkMemoryLimit(t, criCgroupOf(t, p, httpd), limit)
		}

		// The pod's address belongs to httpd: a second unikernel is refused.
		second, err := e.createContainer(t, p, "second", 0, nablaImage, "/hello.nabla", "sleep")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.rt.StartContainer(ctx(t), &cri.StartContainerRequest{ContainerId: second})
		if err == nil || !strings.Contains(err.Error(), "already used by unikernel container") {
			t.Errorf("StartContainer of a second unikernel in the pod: want a refusal saying the pod's network is already used, got %v", err)
		}
		t.Logf("second unikernel: %v", err)
		e.removeContainer(t, second)

		// kubelet's restart: the exited container stays, a new attempt
		// under the same name takes the pod's network over again.
		if _, err := e.rt.StopContainer(ctx(t), &cri.StopContainerRequest{ContainerId: httpd, Timeout: 2}); err != nil {
			t.Fatalf("StopContainer httpd: %v", err)
		}
		again := e.startContainer(t, p, "httpd", 1, nablaImage, "/httpd.nabla")
		checkHTTP(t, p.ip)
		e.removeContainer(t, again)
		e.removeContainer(t, httpd)

		e.removePod(t, p)
		e.checkPodGone(t, p, hello, httpd, second, again)
	})

	t.Run("annotation network none", func(t *testing.T) {
		p := e.runPod(t, "nonet", "runnc", map[string]string{"org.nabla.runnc.network": "none"})
		id := e.startContainer(t, p, "hello", 0, nablaImage, "/hello.nabla")
		st := e.waitExited(t, id)
		out := logOf(t, st)
		if st.ExitCode != 0 || !strings.Contains(out, "Hello, World") || strings.Contains(out, "net:") {
			t.Errorf("hello with org.nabla.runnc.network=none: exit %d, output %q; want exit 0, Hello and no NIC", st.ExitCode, out)
		}
		e.removeContainer(t, id)
		e.removePod(t, p)
		e.checkPodGone(t, p, id)
	})

	// A forced pod deletion stops the pod while its unikernel runs: the
	// CRI stops the container on the way.
	t.Run("pod stopped first", func(t *testing.T) {
		p := e.runPod(t, "stopped-first", "runnc", nil)
		id := e.startContainer(t, p, "httpd", 0, nablaImage, "/httpd.nabla")
		checkHTTP(t, p.ip)
		e.removePod(t, p)
		e.checkPodGone(t, p, id)
	})
}

// checkPodGone checks that a removed pod left nothing: no runnc state, no
// network namespace, no port on the bridge, no cgroup, no mount.
func (e *criEnv) checkPodGone(t testing.TB, p *pod, ids ...string) {
	t.Helper()
	checkEmptyDir(t, "runnc", filepath.Join(e.runcRoot, criNamespace))
	checkEmptyDir(t, "the CRI plugin's network namespaces", filepath.Join(e.dir, "state", "io.containerd.grpc.v1.cri", "netns"))
	checkNoCgroupsFor(t, criParent(), append(ids, p.id)...)
	checkNoMountsUnder(t, e.dir)
	checkBridgeEmpty(t, criBridge)
}
