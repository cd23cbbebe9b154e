package network

import (
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// takeOver moves the namespace's IPv4 interface (normally eth0) to the
// guest: it records the interface's address, default gateway and MAC on a
// new persistent tap that the tender opens by name later, removes the
// address, and redirects every frame eth0 receives to the tap and every
// frame the guest sends out of eth0 (tc's mirred action, see redirect).
// The guest answers with eth0's MAC, which the peer already knows; eth0
// keeps it, and stays up. It returns nil when there is no such interface
// (`--network none`): the guest runs with no NIC.
//
// Until 2026-12-06 a bridge joined eth0 and the tap and held the record.
// Deleting a bridge waits in the kernel for RCU twice more than a tap
// alone (br_multicast_dev_del, netdev_run_todo): a delete of an engine's
// container (Docker's, podman's and the CRI's name their namespace) gave
// eth0 back in 35 ms, and in 22 ms without the bridge (medians of 15 on
// the benchmark machine). restore still undoes such a takeover.
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
	if err := redirectIt(h, link, addr, rec, n, uid, gid); err != nil {
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

// redirectIt makes the tap (carrying the record first, so an undo always
// finds it), then moves link from the address to the tap.
func redirectIt(h *netlink.Handle, link netlink.Link, addr *netlink.Addr, rec *record, n names, uid, gid uint32) error {
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
	had, err := hasIngress(h, link)
	if err != nil {
		return err
	}
	rec.Qdisc = !had
	if err := h.LinkSetAlias(tap, rec.alias()); err != nil {
		return fmt.Errorf("label tap %s: %w", n.tap, err)
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"set MTU of tap " + n.tap, func() error { return h.LinkSetMTU(tap, link.Attrs().MTU) }},
		{"remove address " + rec.Addr + " from " + rec.Link, func() error { return h.AddrDel(link, addr) }},
		{"redirect " + rec.Link + " to tap " + n.tap, func() error { return redirect(h, link, tap, rec.Qdisc) }},
		{"redirect tap " + n.tap + " to " + rec.Link, func() error { return redirect(h, tap, link, true) }},
		{"bring " + rec.Link + " up", func() error { return h.LinkSetUp(link) }},
		{"bring tap " + n.tap + " up", func() error { return h.LinkSetUp(tap) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

// redirectPrio is the priority of our filter on an ingress qdisc ("na"):
// a number no one else is likely to use, since giving the link back
// deletes the filters of that priority, and after the filters of an
// ingress qdisc the link may have already, which saw its frames before the
// takeover too.
const redirectPrio = 0x6e61

// ingressQdisc is the ingress qdisc of the link at idx.
func ingressQdisc(idx int) *netlink.Ingress {
	return &netlink.Ingress{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_INGRESS}}
}

// redirectFilter is our filter on the ingress hook of the link at idx:
// its parent is ffff:fff2, which an ingress and a clsact qdisc both take
// (clsact refuses ffff:0).
func redirectFilter(idx int) *netlink.U32 {
	return &netlink.U32{FilterAttrs: netlink.FilterAttrs{LinkIndex: idx, Parent: netlink.HANDLE_MIN_INGRESS, Priority: redirectPrio, Protocol: unix.ETH_P_ALL}}
}

// hasIngress tells whether link has a qdisc on its ingress hook already
// (ingress, or clsact): a takeover then adds its filter to it, and leaves
// it when giving the link back.
func hasIngress(h *netlink.Handle, link netlink.Link) (bool, error) {
	qdiscs, err := h.QdiscList(link)
	if err != nil {
		return false, fmt.Errorf("list qdiscs of %s: %w", link.Attrs().Name, err)
	}
	for _, q := range qdiscs {
		if t := q.Type(); t == "ingress" || t == "clsact" {
			return true, nil
		}
	}
	return false, nil
}

// redirect sends every frame from's ingress receives out of to (tc's
// mirred egress redirect, matched by u32 with no key: every frame), after
// adding the ingress qdisc if withQdisc.
func redirect(h *netlink.Handle, from, to netlink.Link, withQdisc bool) error {
	idx := from.Attrs().Index
	if withQdisc {
		if err := h.QdiscAdd(ingressQdisc(idx)); err != nil {
			return fmt.Errorf("add ingress qdisc (is the sch_ingress module there?): %w", err)
		}
	}
	f := redirectFilter(idx)
	f.Actions = []netlink.Action{netlink.NewMirredAction(to.Attrs().Index)}
	if err := h.FilterAdd(f); err != nil {
		return fmt.Errorf("add redirecting filter (are the cls_u32 and act_mirred modules there?): %w", err)
	}
	return nil
}

// unredirect ends redirect on link: it removes the qdisc if the takeover
// added it (and our filter with it), else our filter alone. Either may be
// gone already.
func unredirect(h *netlink.Handle, link netlink.Link, withQdisc bool) error {
	idx := link.Attrs().Index
	var err error
	if withQdisc {
		err = h.QdiscDel(ingressQdisc(idx))
	} else {
		err = h.FilterDel(redirectFilter(idx))
	}
	if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("end the redirect of %s: %w", link.Attrs().Name, err)
	}
	return nil
}
