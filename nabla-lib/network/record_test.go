package network

import (
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestRecordAliasRoundTrip(t *testing.T) {
	long := strings.Repeat("x", 1024)
	r := record{Owner: long, Link: "eth0", MAC: "02:42:0a:c6:01:02", Addr: "10.198.1.2/24", Gateway: "10.198.1.1"}
	a := r.alias()
	if len(a) > 255 {
		t.Fatalf("alias is %d bytes, the kernel keeps 255", len(a))
	}
	got, ok := recordOf(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Alias: a}})
	if !ok || got.Link != r.Link || got.MAC != r.MAC || got.Addr != r.Addr || got.Gateway != r.Gateway || !strings.HasPrefix(got.Owner, "xxx") {
		t.Errorf("recordOf(alias) = %+v, %v; want %+v", got, ok, r)
	}
	if _, ok := recordOf(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Alias: "someone else's"}}); ok {
		t.Error("recordOf took a foreign alias for a record")
	}
	if ip, prefix, gw := r.ipv4(); ip != "10.198.1.2" || prefix != "24" || gw != "10.198.1.1" {
		t.Errorf("ipv4() = %s %s %s", ip, prefix, gw)
	}
}
