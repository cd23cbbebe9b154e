package clients_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// serviceAccount makes a Kubernetes service-account directory as kubelet's
// atomic writer lays it out: the files in a timestamped directory,
// "..data" naming it, and each file a symlink through "..data".
func serviceAccount(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	const stamp = "..2026_12_05_19_00_00.123456789"
	for name, content := range files {
		writeFile(t, filepath.Join(dir, stamp, name), content)
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(stamp, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCRIVolumes: a pod container gets its service-account token through
// the CRI as kubelet mounts it, beside kubelet's termination-log file,
// which a unikernel cannot write and which is left out.
func TestCRIVolumes(t *testing.T) {
	e := newCRIEnv(t, false)
	p := e.runPod(t, "volumes", "runnc", nil)
	const saPath = "/var/run/secrets/kubernetes.io/serviceaccount"
	sa := serviceAccount(t, map[string]string{"token": "eyJhbGciOiJSUzI1NiJ9.the-token", "namespace": "runnc-clients"})
	termination := filepath.Join(t.TempDir(), "termination-log")
	writeFile(t, termination, "")
	id, err := e.createWith(t, p, &cri.ContainerConfig{
		Metadata: &cri.ContainerMetadata{Name: "cat"},
		Image:    &cri.ImageSpec{Image: nablaImage},
		Command:  []string{"/cat.nabla", saPath + "/token", saPath + "/namespace"},
		LogPath:  "cat-0.log",
		Mounts: []*cri.Mount{
			{ContainerPath: saPath, HostPath: sa, Readonly: true},
			{ContainerPath: "/dev/termination-log", HostPath: termination},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.StartContainer(ctx(t), &cri.StartContainerRequest{ContainerId: id}); err != nil {
		t.Fatalf("StartContainer: %v", err)
	}
	st := e.waitExited(t, id)
	if out := logOf(t, st); st.ExitCode != 0 || !strings.Contains(out, "eyJhbGciOiJSUzI1NiJ9.the-token") || !strings.Contains(out, "runnc-clients") {
		t.Errorf("cat of the service account: exit %d, output %q; want the token and the namespace", st.ExitCode, out)
	}
	e.removeContainer(t, id)
	e.removePod(t, p)
	e.checkPodGone(t, p, id)
}

// TestCtrVolumes: ctr's --mount reaches the guest or is refused, and the
// annotation org.nabla.runnc.ignore-mounts (which ctr, unlike Docker 20.10,
// can set) leaves a mount out instead.
func TestCtrVolumes(t *testing.T) {
	e := newCtrEnv(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), "from ctr's bind mount\n")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.ctrRun(t, e.runArgs("--rm", "--mount", "type=bind,src="+dir+",dst=/data,options=rbind:ro", nablaImage, "ctr-volume", "/cat.nabla", "/data/file")...)
	if r.code != 0 || !strings.Contains(r.stdout, "from ctr's bind mount") {
		t.Errorf("ctr run cat with a bind mount: want its file\n%s", r)
	}

	tmpfs := []string{"--rm", "--mount", "type=tmpfs,src=tmpfs,dst=/scratch,options=size=1m"}
	r = e.ctrRun(t, e.runArgs(append(tmpfs, nablaImage, "ctr-tmpfs", "/hello.nabla")...)...)
	if want := "the tmpfs mount at /scratch cannot reach the unikernel"; r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("ctr run with a tmpfs: want a refusal with %q\n%s", want, r)
	}
	e.removeAll() // what ctr run --rm leaves of a container that never ran

	r = e.ctrRun(t, e.runArgs(append(tmpfs, "--annotation", "org.nabla.runnc.ignore-mounts=/scratch", nablaImage, "ctr-ignored", "/hello.nabla")...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "Hello, World") {
		t.Errorf("ctr run with a tmpfs the annotation leaves out: want hello's output\n%s", r)
	}
	checkEmptyDir(t, "runnc", filepath.Join(e.runcRoot, ctrNamespace))
	checkNoCgroupsFor(t, ctrNamespace, "ctr-volume", "ctr-tmpfs", "ctr-ignored")
	checkNoMountsUnder(t, e.dir)
}
