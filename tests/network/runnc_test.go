package network_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runncEnv is a private runnc installation (testenv.Runnc) whose pod
// bundles serve files with the httpd unikernel.
type runncEnv struct {
	*testenv.Runnc
	t *testing.T
}

func newRunncEnv(t *testing.T) *runncEnv {
	t.Helper()
	return &runncEnv{Runnc: testenv.NewRunnc(t), t: t}
}

// runnc runs a subcommand and returns its stdout and stderr together, and
// whether it succeeded.
func (e *runncEnv) runnc(args ...string) (string, bool) {
	e.t.Helper()
	res := e.Run(args...)
	return res.Stdout + res.Stderr, res.Code == 0
}

// podBundle is a bundle running the httpd unikernel, serving index.html,
// in the pod's network namespace (joined by path, as Kubernetes does).
func (e *runncEnv) podBundle(p pod, page string) string {
	e.t.Helper()
	dir := e.Bundle([]string{"httpd.nabla"}, []string{"/httpd.nabla"}, func(s *specs.Spec) {
		s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: nsPath(p.ns)}}
	})
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "index.html"), []byte(page), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return dir
}

// editSpec rewrites the bundle's config.json through edit.
func editSpec(t *testing.T, bundle string, edit func(*specs.Spec)) {
	t.Helper()
	s := testenv.ReadSpec(t, bundle)
	edit(s)
	testenv.WriteSpec(t, bundle, s)
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
