package clients_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// bridgeConflist is a CNI network on a bridge of the test's own that is
// the gateway of its subnet: without isGateway the host has no route to
// the containers, and a request to one would leave the machine by the
// default route. No masquerade, no firewall rules.
func bridgeConflist(name, bridge, subnet, ipamDir string) string {
	return fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": %q,
  "plugins": [{
    "type": "bridge",
    "bridge": %q,
    "isGateway": true,
    "ipMasq": false,
    "ipam": {"type": "host-local", "ranges": [[{"subnet": %q}]], "dataDir": %q}
  }]
}
`, name, bridge, subnet, ipamDir)
}

// removeBridge removes a CNI bridge at the end of the test (the bridge
// plugin never does), and now if a crashed run left it.
func removeBridge(t testing.TB, name string) {
	del := func() {
		if l, err := netlink.LinkByName(name); err == nil {
			netlink.LinkDel(l)
		}
	}
	del()
	t.Cleanup(del)
}

// checkRouteToBridge fails the test unless ip is in the test's subnet and
// the host's route to it goes over the test's bridge: nothing may be
// sent anywhere else.
func checkRouteToBridge(t testing.TB, ip, bridge, subnet string) {
	t.Helper()
	addr := net.ParseIP(ip)
	_, sn, _ := net.ParseCIDR(subnet)
	if addr == nil || !sn.Contains(addr) {
		t.Fatalf("container IP %q is not in the test's subnet %s", ip, subnet)
	}
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		t.Fatalf("bridge %s: %v", bridge, err)
	}
	routes, err := netlink.RouteGet(addr)
	if err != nil || len(routes) == 0 {
		t.Fatalf("ip route get %s: %v", ip, err)
	}
	if routes[0].LinkIndex != br.Attrs().Index {
		t.Fatalf("ip route get %s: goes over link %d, not the test's bridge %s (%d)", ip, routes[0].LinkIndex, bridge, br.Attrs().Index)
	}
}

// checkBridgeEmpty fails the test if a container's veth is still on the
// bridge.
func checkBridgeEmpty(t testing.TB, bridge string) {
	t.Helper()
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		return
	}
	links, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			t.Errorf("%s is still on the bridge %s after its container was removed", l.Attrs().Name, bridge)
		}
	}
}

// checkHTTP fetches /index.html from a unikernel's httpd until it answers
// (it starts asynchronously) and checks it serves the image's file.
func checkHTTP(t testing.TB, ip string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	var lastErr error
	ok := waitFor(30*time.Second, func() bool {
		resp, err := client.Get("http://" + ip + "/index.html")
		if err != nil {
			lastErr = err
			return false
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %s", resp.Status)
		}
		if err == nil && string(body) != indexHTML {
			err = fmt.Errorf("body %q, want %q", body, indexHTML)
		}
		lastErr = err
		return err == nil
	})
	if !ok {
		t.Fatalf("GET http://%s/index.html: %v", ip, lastErr)
	}
}
