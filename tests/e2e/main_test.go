// Package e2e_test drives runnc end to end through Docker 20.10 and
// containerd 1.6 (containerd-shim-runc-v2 calling the runnc binary), the
// way the first users run it: `docker run --runtime=runnc IMAGE`.
//
// The package starts one private containerd and one private dockerd, shared
// by all its tests, and removes everything they made when it is done, also
// on failure. Images are made with `docker import` from the built guests;
// nothing is pulled from a registry.
//
// Run as root after `make` (and scripts/setup.sh, which installs Debian's
// docker.io: dockerd 20.10, containerd 1.6, runc):
//
//	go test ./tests/e2e/ -v -count=1
//	go test ./tests/e2e/ -run '^$' -bench DockerRun -benchtime 20x
//
// The daemon uses the bridge rnce2e0 (10.197.0.1/24), no iptables rules
// and no IP forwarding; published ports go through docker-proxy on
// 127.0.0.1. Containers use cgroupfs under /docker, and runnc's default
// disk directory.
package e2e_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

var (
	daemonOnce sync.Once
	shared     *daemon
	sharedErr  error
)

// TestMain stops the shared daemons after the last test and fails the run
// if anything they or runnc made is left on the host.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e teardown: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// dockerd returns the package's daemon, starting it on first use. A daemon
// that cannot start fails every test with its log.
func dockerd(t testing.TB) *daemon {
	t.Helper()
	testenv.RequireRoot(t)
	runnc := testenv.Binary(t, "runnc")
	testenv.Binary(t, "nabla-run")
	daemonOnce.Do(func() {
		shared = &daemon{}
		sharedErr = shared.start(runnc)
	})
	if sharedErr != nil {
		t.Fatalf("start the private Docker daemon: %v", sharedErr)
	}
	return shared
}
