package network_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runncEnv is a private runnc installation: state root, disks and log in
// the test's temporary directory.
type runncEnv struct {
	t           *testing.T
	bin, tender string
	dir         string
}

func newRunncEnv(t *testing.T) *runncEnv {
	t.Helper()
	e := &runncEnv{t: t, bin: testenv.Binary(t, "runnc"), tender: testenv.Binary(t, "nabla-run"), dir: t.TempDir()}
	t.Cleanup(func() {
		ids, _ := os.ReadDir(filepath.Join(e.dir, "root"))
		for _, id := range ids {
			e.runnc("delete", "--force", id.Name())
		}
	})
	return e
}

// runnc runs a subcommand and returns its stderr and whether it
// succeeded. Its stdio are files: a container it starts inherits them.
func (e *runncEnv) runnc(args ...string) (string, bool) {
	e.t.Helper()
	out, err := os.CreateTemp(e.dir, "out")
	if err != nil {
		e.t.Fatal(err)
	}
	defer out.Close()
	global := []string{"--root", filepath.Join(e.dir, "root"), "--disk-dir", filepath.Join(e.dir, "disks"), "--tender", e.tender}
	cmd := exec.Command(e.bin, append(global, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	runErr := cmd.Run()
	data, _ := os.ReadFile(out.Name())
	return string(data), runErr == nil
}

// podBundle is a bundle running the httpd unikernel, serving index.html,
// in the pod's network namespace (joined by path, as Kubernetes does).
func (e *runncEnv) podBundle(p pod, page string) string {
	e.t.Helper()
	dir := e.t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		e.t.Fatal(err)
	}
	copyGuest(e.t, dir, "httpd.nabla")
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "index.html"), []byte(page), 0o644); err != nil {
		e.t.Fatal(err)
	}
	if out, ok := e.runnc("spec", "--bundle", dir); !ok {
		e.t.Fatalf("runnc spec: %s", out)
	}
	editSpec(e.t, dir, func(s *specs.Spec) {
		s.Process.Args = []string{"/httpd.nabla"}
		s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: nsPath(p.ns)}}
	})
	return dir
}

// copyGuest puts a built guest into the bundle's rootfs.
func copyGuest(t *testing.T, bundle, name string) {
	t.Helper()
	data, err := os.ReadFile(testenv.Binary(t, "guests/"+name))
	if err == nil {
		err = os.WriteFile(filepath.Join(bundle, "rootfs", name), data, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// editSpec rewrites the bundle's config.json through edit.
func editSpec(t *testing.T, bundle string, edit func(*specs.Spec)) {
	t.Helper()
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	var spec specs.Spec
	if err == nil {
		err = json.Unmarshal(data, &spec)
	}
	if err != nil {
		t.Fatal(err)
	}
	edit(&spec)
	if data, err = json.Marshal(&spec); err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func (e *runncEnv) mustRun(args ...string) {
	e.t.Helper()
	if out, ok := e.runnc(args...); !ok {
		e.t.Fatalf("runnc %s: %s", strings.Join(args, " "), out)
	}
}

// curlFromPeer fetches index.html from the pod's address.
func curlFromPeer(t *testing.T, p pod, ip string) string {
	t.Helper()
	var got []byte
	if err := retry(nil, nil, func() (err error) {
		got, err = exec.Command("ip", "netns", "exec", p.peer, "curl", "-sS", "--max-time", "5", "http://"+ip+"/index.html").Output()
		return err
	}); err != nil {
		t.Fatalf("curl http://%s/ from the peer: %v", ip, err)
	}
	return string(got)
}

// TestRunncInAPod drives the runnc binary as a Kubernetes pod would: the
// container joins the pod's namespace by path and its guest serves at the
// pod's address; a second unikernel in the pod is refused; delete gives
// eth0 back, and a re-created container (kubelet's restart) takes it over
// again.
func TestRunncInAPod(t *testing.T) {
	e := newRunncEnv(t)
	p := newPod(t, "10.198.15.2/24", "10.198.15.1/24", "10.198.15.1", false)
	before := podSnapshot(t, p.ns)
	const page = "pod page\n"
	bundle := e.podBundle(p, page)

	e.mustRun("run", "--detach", "--bundle", bundle, "web")
	if got := curlFromPeer(t, p, "10.198.15.2"); got != page {
		t.Errorf("GET / = %q, want %q", got, page)
	}
	out, ok := e.runnc("create", "--bundle", bundle, "second")
	if ok || !strings.Contains(out, "already used by unikernel container web") {
		t.Errorf("create of a second unikernel in the pod: ok=%v, output %q; want the refusal naming web", ok, out)
	}
	e.mustRun("delete", "--force", "web")
	if after := podSnapshot(t, p.ns); after != before {
		t.Errorf("delete did not give eth0 back:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	e.mustRun("run", "--detach", "--bundle", bundle, "web-restarted")
	if got := curlFromPeer(t, p, "10.198.15.2"); got != page {
		t.Errorf("after restart, GET / = %q, want %q", got, page)
	}
	e.mustRun("delete", "--force", "web-restarted")
	if after := podSnapshot(t, p.ns); after != before {
		t.Errorf("second delete did not give eth0 back:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
