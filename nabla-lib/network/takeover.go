package network

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// takeOver moves the namespace's IPv4 interface (normally eth0) to the
// guest: it records the interface's address, default gateway and MAC,
// removes the address, gives the interface a fresh MAC (the bridge treats
// its ports' MACs as its own, and the guest keeps the original one, which
// the peer already knows), and bridges it with a new persistent tap that
// the tender opens by name later. It returns nil when there is no such
// interface (`--network none`): the guest runs with no NIC.
//
// On failure it undoes what it did, so a failed Run leaves the namespace
// as it found it. pod tells a pod's container (see takenError).
func takeOver(h *netlink.Handle, id string, n names, uid, gid uint32, pod bool) (*record, error) {
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	// Ours may be left from an earlier attempt of this same container.
	if slices.ContainsFunc(links, func(l netlink.Link) bool { return l.Attrs().Name == n.tap || l.Attrs().Name == n.bridge }) {
		if err := restore(h, netns.None(), n); err != nil {
			return nil, err
		}
		if links, err = h.LinkList(); err != nil {
			return nil, fmt.Errorf("list interfaces: %w", err)
		}
	}
	if err := takenError(ownerOf(links, n), pod); err != nil {
		return nil, err
	}
	link, addr, err := uplink(h, links)
	if err != nil || link == nil {
		return nil, err
	}
	gw, err := defaultGateway(h, link)
	if err != nil {
		return nil, err
	}
	rec := &record{Owner: id, Link: link.Attrs().Name, MAC: link.Attrs().HardwareAddr.String(), Addr: addr.IPNet.String()}
	if gw != nil {
		rec.Gateway = gw.String()
	}
	if addr.Broadcast != nil && !addr.Broadcast.IsUnspecified() {
		rec.Broadcast = addr.Broadcast.String()
	}
	if err := bridgeIt(h, link, addr, rec, n, uid, gid); err != nil {
		if uerr := restore(h, netns.None(), n); uerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", uerr))
		}
		return nil, fmt.Errorf("take over %s: %w", rec.Link, err)
	}
	return rec, nil
}

// uplink picks the interface to take over: eth0 if it qualifies, else the
// first one that is not loopback, not a bridge or tap, not enslaved, and
// has an IPv4 address. Its first IPv4 address is the one that moves.
func uplink(h *netlink.Handle, links []netlink.Link) (netlink.Link, *netlink.Addr, error) {
	var link netlink.Link
	var addr *netlink.Addr
	for _, l := range links {
		a := l.Attrs()
		if a.Flags&net.FlagLoopback != 0 || a.MasterIndex != 0 || l.Type() == "bridge" || l.Type() == "tuntap" {
			continue
		}
		addrs, err := h.AddrList(l, netlink.FAMILY_V4)
		if err != nil {
			return nil, nil, fmt.Errorf("list addresses of %s: %w", a.Name, err)
		}
		if len(addrs) == 0 || (link != nil && a.Name != "eth0") {
			continue
		}
		link, addr = l, &addrs[0]
		if a.Name == "eth0" {
			break
		}
	}
	return link, addr, nil
}

// defaultGateway returns the gateway of link's IPv4 default route, nil if
// it has none. The gateway may be outside the address's prefix (a /32
// with an on-link route to the gateway, as Calico does).
func defaultGateway(h *netlink.Handle, link netlink.Link) (net.IP, error) {
	routes, err := h.RouteList(link, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list routes of %s: %w", link.Attrs().Name, err)
	}
	for _, r := range routes {
		if r.Gw != nil && (r.Dst == nil || r.Dst.String() == "0.0.0.0/0") {
			return r.Gw, nil
		}
	}
	return nil, nil
}

// bridgeIt makes the bridge (carrying the record first, so an undo always
// finds it) and the tap, then moves link from the address to the bridge.
func bridgeIt(h *netlink.Handle, link netlink.Link, addr *netlink.Addr, rec *record, n names, uid, gid uint32) error {
	mtu := link.Attrs().MTU
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.bridge, MTU: mtu}}
	if err := h.LinkAdd(br); err != nil {
		return fmt.Errorf("create bridge %s: %w", n.bridge, err)
	}
	if err := h.LinkSetAlias(br, rec.alias()); err != nil {
		return fmt.Errorf("label bridge %s: %w", n.bridge, err)
	}
	// Persistent (so it outlives the fds netlink opens and closes here,
	// until the tender opens it by name), one queue, no packet info, owned
	// by the workload's user so the tender needs no capability to open it.
	tap := &netlink.Tuntap{
		LinkAttrs: netlink.LinkAttrs{Name: n.tap},
		Mode:      netlink.TUNTAP_MODE_TAP,
		Flags:     netlink.TUNTAP_NO_PI | netlink.TUNTAP_TUN_EXCL,
		Owner:     uid,
		Group:     gid,
	}
	if err := h.LinkAdd(tap); err != nil {
		return fmt.Errorf("create tap %s through /dev/net/tun (is it the tun device, and the tun module loaded?): %w", n.tap, err)
	}
	if err := h.LinkSetMTU(tap, mtu); err != nil {
		return fmt.Errorf("set MTU of tap %s: %w", n.tap, err)
	}
	mac, err := randomMAC()
	if err != nil {
		return err
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"remove address " + rec.Addr + " from " + rec.Link, func() error { return h.AddrDel(link, addr) }},
		{"take " + rec.Link + " down", func() error { return h.LinkSetDown(link) }},
		{"give " + rec.Link + " a new MAC", func() error { return h.LinkSetHardwareAddr(link, mac) }},
		{"add " + rec.Link + " to bridge " + n.bridge, func() error { return h.LinkSetMaster(link, br) }},
		{"add tap " + n.tap + " to bridge " + n.bridge, func() error { return h.LinkSetMaster(tap, br) }},
		{"bring " + rec.Link + " up", func() error { return h.LinkSetUp(link) }},
		{"bring tap " + n.tap + " up", func() error { return h.LinkSetUp(tap) }},
		{"bring bridge " + n.bridge + " up", func() error { return h.LinkSetUp(br) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

// randomMAC returns a random unicast, locally administered MAC.
func randomMAC() (net.HardwareAddr, error) {
	mac := make(net.HardwareAddr, 6)
	if _, err := rand.Read(mac); err != nil {
		return nil, fmt.Errorf("random MAC: %w", err)
	}
	mac[0] = mac[0]&^0x01 | 0x02
	return mac, nil
}
