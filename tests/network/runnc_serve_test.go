package network_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// bigFile writes n random bytes into the bundle's rootfs and returns their
// sha256.
func bigFile(t *testing.T, bundle, name string, n int) string {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(bundle, "rootfs", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func peerSha256(t *testing.T, p pod, url string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", fmt.Sprintf("ip netns exec %s curl -sS --max-time 60 %s | sha256sum", p.peer, url)).Output()
	if err != nil {
		t.Fatalf("curl %s: %v", url, err)
	}
	return strings.Fields(string(out))[0]
}

// TestRunncServesAPod is the Kubernetes case through runnc run -d: ping,
// exact bytes of a small and a 5 MB file, and 20 requests at once.
func TestRunncServesAPod(t *testing.T) {
	for _, tc := range []struct {
		name, addr, peer, gw string
		onLink               bool
	}{
		{"prefix 24", "10.198.16.2/24", "10.198.16.1/24", "10.198.16.1", false},
		{"prefix 32 with on-link gateway", "10.198.17.2/32", "10.198.18.1/32", "10.198.18.1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRunncEnv(t)
			p := newPod(t, tc.addr, tc.peer, tc.gw, tc.onLink)
			bundle := e.podBundle(p, "hello pod\n")
			sum := bigFile(t, bundle, "big.bin", 5<<20)
			e.mustRun("run", "--detach", "--bundle", bundle, "srv")
			ip, _, _ := strings.Cut(tc.addr, "/")
			if got := curlFromPeer(t, p, ip); got != "hello pod\n" {
				t.Fatalf("GET /index.html = %q", got)
			}
			if out, err := exec.Command("ip", "netns", "exec", p.peer, "ping", "-c", "3", "-W", "2", ip).CombinedOutput(); err != nil {
				t.Errorf("ping %s: %v\n%s", ip, err, out)
			}
			if got := peerSha256(t, p, "http://"+ip+"/big.bin"); got != sum {
				t.Errorf("5 MB file: sha256 %s, want %s", got, sum)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out, err := exec.Command("ip", "netns", "exec", p.peer, "curl", "-sS", "--max-time", "30", "http://"+ip+"/index.html").Output()
					if err != nil || string(out) != "hello pod\n" {
						errs <- fmt.Errorf("parallel GET: %q %v", out, err)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			e.mustRun("delete", "--force", "srv")
		})
	}
}

// TestRunncDockerLikeHook: runnc makes the namespace and a prestart hook,
// as Docker's is, moves a veth end with an address into it; the guest then
// answers on that address with that MAC.
func TestRunncDockerLikeHook(t *testing.T) {
	e := newRunncEnv(t)
	peer := newNetns(t)
	// The veth starts in the peer namespace; the hook moves its other end
	// into the container's namespace (found from the pid on stdin).
	testenv.IP(t, "-n", peer, "link", "add", "veth0", "type", "veth", "peer", "name", "dkr0")
	testenv.IP(t, "-n", peer, "addr", "add", "10.198.19.1/24", "dev", "veth0")
	testenv.IP(t, "-n", peer, "link", "set", "veth0", "up")
	const mac = "02:42:0a:c6:13:02"
	hook := filepath.Join(t.TempDir(), "hook.sh")
	script := `#!/bin/sh
set -e
pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
ip -n ` + peer + ` link set dkr0 netns "$pid"
nsenter -t "$pid" -n ip link set dkr0 name eth0 address ` + mac + `
nsenter -t "$pid" -n ip addr add 10.198.19.2/24 dev eth0
nsenter -t "$pid" -n ip link set eth0 up
nsenter -t "$pid" -n ip route add default via 10.198.19.1
`
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	p := pod{peer: peer}
	bundle := e.podBundle(p, "docker page\n")
	editSpec(t, bundle, func(s *specs.Spec) {
		s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}
		s.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: hook, Args: []string{"hook.sh"}, Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}}}}
	})
	e.mustRun("run", "--detach", "--bundle", bundle, "dkr")
	if got := curlFromPeer(t, p, "10.198.19.2"); got != "docker page\n" {
		t.Fatalf("GET / = %q", got)
	}
	if neigh := testenv.IP(t, "-n", peer, "neigh", "show", "10.198.19.2"); !strings.Contains(neigh, mac) {
		t.Errorf("the guest answers with %q, want the MAC Docker gave eth0, %s", neigh, mac)
	}
	e.mustRun("delete", "--force", "dkr")
}

// TestRunncWithoutNetwork: a fresh namespace with no interface (docker
// --network none) runs the guest with no NIC.
func TestRunncWithoutNetwork(t *testing.T) {
	e := newRunncEnv(t)
	bundle := e.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla"}, nil)
	out, ok := e.runnc("run", "--bundle", bundle, "nonet")
	if !ok || !strings.Contains(out, "Hello, World") || strings.Contains(out, "net:") {
		t.Fatalf("hello without a NIC: ok=%v output:\n%s", ok, out)
	}
}
