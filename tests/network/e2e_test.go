package network_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// guestConfig is the CONFIG the exec handler would build from the state.
func guestConfig(c *container) string {
	type netCfg struct {
		If     string `json:"if"`
		Cloner string `json:"cloner"`
		Type   string `json:"type"`
		Method string `json:"method"`
		Addr   string `json:"addr"`
		Mask   string `json:"mask"`
		Gw     string `json:"gw"`
	}
	type blkCfg struct {
		Source     string `json:"source"`
		Path       string `json:"path"`
		FsType     string `json:"fstype"`
		Mountpoint string `json:"mountpoint"`
	}
	b, _ := json.Marshal(struct {
		Cmdline string `json:"cmdline"`
		Net     netCfg `json:"net"`
		Blk     blkCfg `json:"blk"`
		Cwd     string `json:"cwd"`
	}{
		Cmdline: "httpd.nabla",
		Net: netCfg{If: "ukvmif0", Cloner: "True", Type: "inet", Method: "static",
			Addr: c.get(llif.NetIPv4Addr), Mask: c.get(llif.NetIPv4Prefix), Gw: c.get(llif.NetIPv4Gateway)},
		Blk: blkCfg{Source: "etfs", Path: "/dev/ld0a", FsType: "blk", Mountpoint: "/"},
		Cwd: "/",
	})
	return string(b)
}

// TestGuestAnswersThroughTheTap runs the httpd unikernel on the tap Run
// made, as the exec handler would, and reaches it from the pod's peer
// namespace at the address eth0 had: by ping and by HTTP. The /32 case
// is Calico's: the peer is the gateway, outside the guest's prefix.
func TestGuestAnswersThroughTheTap(t *testing.T) {
	t.Run("prefix 24", func(t *testing.T) {
		serveAndFetch(t, newPod(t, "10.198.12.2/24", "10.198.12.1/24", "10.198.12.1", false))
	})
	t.Run("prefix 32 with on-link gateway", func(t *testing.T) {
		serveAndFetch(t, newPod(t, "10.198.13.2/32", "10.198.14.1/32", "10.198.14.1", true))
	})
}

func serveAndFetch(t *testing.T, p pod) {
	tender := testenv.Binary(t, "nabla-run")
	httpd := testenv.Binary(t, "guests/httpd.nabla")
	c := createAndRun(t, "httpd", p)

	const page = "served by a unikernel behind runnc's tap\n"
	disk := testenv.ISO(t, map[string][]byte{"index.html": []byte(page)}, nil)

	// `ip netns exec` execs the tender in place: killing it kills the tender.
	var output bytes.Buffer
	cmd := exec.Command("ip", "netns", "exec", p.ns, tender,
		"--net:net0="+c.get(llif.NetTap), "--net-mac:net0="+c.get(llif.NetMAC), "--block:rootfs="+disk,
		"--", httpd, guestConfig(c))
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the tender: %v", err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("tender output:\n%s", output.String())
		}
	})

	ip := c.get(llif.NetIPv4Addr)
	if err := retry(exited, &waitErr, func() error {
		return exec.Command("ip", "netns", "exec", p.peer, "ping", "-c", "1", "-W", "1", ip).Run()
	}); err != nil {
		t.Fatalf("ping %s from the peer: %v", ip, err)
	}
	var got []byte
	if err := retry(exited, &waitErr, func() (err error) {
		got, err = exec.Command("ip", "netns", "exec", p.peer, "curl", "-sS", "--max-time", "5", "http://"+ip+"/index.html").Output()
		return err
	}); err != nil {
		t.Fatalf("curl http://%s/ from the peer: %v", ip, err)
	}
	t.Logf("GET http://%s/index.html from the peer: %q", ip, got)
	if !strings.Contains(string(got), page) {
		t.Errorf("GET / = %q, want %q", got, page)
	}
	// The guest answers with the MAC eth0 had, which the peer knew.
	if neigh := testenv.IP(t, "-n", p.peer, "neigh", "show", ip); !strings.Contains(neigh, c.get(llif.NetMAC)) {
		t.Errorf("the peer sees %s at %q, want the MAC eth0 had, %s", ip, neigh, c.get(llif.NetMAC))
	}
}

// retry calls f until it succeeds, the tender exits (if exited is not
// nil), or it has failed for long enough that the guest is not merely
// slow to boot.
func retry(exited <-chan struct{}, waitErr *error, f func() error) error {
	var err error
	for range 30 {
		if err = f(); err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.Join(err, fmt.Errorf("the tender exited: %v", *waitErr))
		case <-time.After(time.Second):
		}
	}
	return err
}
