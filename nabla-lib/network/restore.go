package network

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// restore undoes a takeover, whole or partial: it gives the interface
// named in our tap's record (our bridge's, for a takeover by a runnc
// before 2026-12-06) back its address and default route, and its MAC and
// master if the takeover changed them, then deletes our tap and bridge.
// The record goes last (with its link), so a failed restore can be run
// again. Nothing of ours present is not an error. ns is the namespace of
// h, netns.None() for the thread's own.
func restore(h *netlink.Handle, ns netns.NsHandle, n names) error {
	all, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("list interfaces: %w", err)
	}
	var ours []netlink.Link // the tap first: a bridge's record goes last
	groupTaken := false     // another link is in delGroup
	for _, l := range all {
		switch l.Attrs().Name {
		case n.tap:
			ours = append([]netlink.Link{l}, ours...)
		case n.bridge:
			ours = append(ours, l)
		default:
			groupTaken = groupTaken || l.Attrs().Group == delGroup
		}
	}
	for _, l := range ours {
		if rec, ok := recordOf(l); ok {
			if err := giveBack(h, rec, l); err != nil {
				return fmt.Errorf("give %s back: %w", rec.Link, err)
			}
		}
	}
	return deleteLinks(h, ns, ours, len(ours) > 1 && !groupTaken)
}

// delGroup is the link group (IFLA_GROUP) our tap and bridge are put in
// to be deleted together; "nabl".
const delGroup = 0x6e61626c

// deleteLinks deletes ours, together if asked (see restore). Each deletion
// waits in the kernel for an RCU barrier (netdev_run_todo), 14-20 ms on
// the benchmark machine, so a pair goes in one request, which names a link
// group and deletes all of its links behind one barrier: NetworkDestroy of
// a pod's container went from 56 to 37 ms (medians of 12, interleaved).
// The bridge waits for one more (br_multicast_dev_del). Should another
// link be in that group (restore then does not ask for together), or the
// kernel refuse the group's deletion (it deletes all or none), they go one
// by one.
func deleteLinks(h *netlink.Handle, ns netns.NsHandle, ours []netlink.Link, together bool) error {
	var groupErr error
	if together {
		for _, l := range ours {
			if err := h.LinkSetGroup(l, delGroup); err != nil {
				return fmt.Errorf("put %s in link group %d: %w", l.Attrs().Name, delGroup, err)
			}
		}
		err := deleteGroup(ns, delGroup)
		if err == nil {
			return nil
		}
		groupErr = fmt.Errorf("delete link group %#x: %w", delGroup, err)
	}
	for _, l := range ours {
		if err := h.LinkDel(l); err != nil {
			return errors.Join(groupErr, fmt.Errorf("delete %s: %w", l.Attrs().Name, err))
		}
	}
	return nil
}

// deleteGroup deletes every link of group in the namespace ns (the
// thread's own if none): the request netlink's Handle has no method for.
func deleteGroup(ns netns.NsHandle, group uint32) error {
	s, err := nl.GetNetlinkSocketAt(ns, netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer s.Close()
	req := nl.NewNetlinkRequest(unix.RTM_DELLINK, unix.NLM_F_ACK)
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}
	req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
	req.AddData(nl.NewRtAttr(unix.IFLA_GROUP, nl.Uint32Attr(group)))
	_, err = req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

// giveBack puts rec's interface back as it was before the takeover that
// holder (our tap, or the bridge of an older takeover) records. Each step
// may already be done.
func giveBack(h *netlink.Handle, rec record, holder netlink.Link) error {
	link, err := linkByName(h, rec.Link)
	if err != nil || link == nil {
		return err // gone with its owner (the CNI plugin): nothing to give back
	}
	mac, err := net.ParseMAC(rec.MAC)
	if err != nil {
		return fmt.Errorf("recorded MAC %q: %w", rec.MAC, err)
	}
	addr, err := netlink.ParseAddr(rec.Addr)
	if err != nil {
		return fmt.Errorf("recorded address %q: %w", rec.Addr, err)
	}
	// netlink makes up a broadcast address when given none; zero is none.
	addr.Broadcast = net.IPv4zero
	if rec.Broadcast != "" {
		addr.Broadcast = net.ParseIP(rec.Broadcast)
	}
	if holder.Type() == "tuntap" {
		if err := unredirect(h, link, rec.Qdisc); err != nil {
			return err
		}
	}
	if link.Attrs().MasterIndex == holder.Attrs().Index {
		if err := h.LinkSetNoMaster(link); err != nil {
			return fmt.Errorf("release from bridge: %w", err)
		}
	}
	if link.Attrs().HardwareAddr.String() != mac.String() {
		if err := h.LinkSetDown(link); err != nil {
			return fmt.Errorf("take down: %w", err)
		}
		if err := h.LinkSetHardwareAddr(link, mac); err != nil {
			return fmt.Errorf("restore MAC %s: %w", mac, err)
		}
	}
	// Up before the address, so the kernel adds the prefix route with it.
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("bring up: %w", err)
	}
	if err := h.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("restore address %s: %w", rec.Addr, err)
	}
	if rec.Gateway == "" {
		return nil
	}
	gw := net.ParseIP(rec.Gateway)
	if gw == nil {
		return fmt.Errorf("recorded gateway %q is not an IP address", rec.Gateway)
	}
	idx := link.Attrs().Index
	if !addr.IPNet.Contains(gw) {
		onLink := &netlink.Route{LinkIndex: idx, Dst: &net.IPNet{IP: gw, Mask: net.CIDRMask(32, 32)}, Scope: netlink.SCOPE_LINK}
		if err := h.RouteReplace(onLink); err != nil {
			return fmt.Errorf("restore on-link route to gateway %s: %w", gw, err)
		}
	}
	if err := h.RouteReplace(&netlink.Route{LinkIndex: idx, Gw: gw}); err != nil {
		return fmt.Errorf("restore default route via %s: %w", gw, err)
	}
	return nil
}

// linkByName returns the link, or nil if there is none of that name.
func linkByName(h *netlink.Handle, name string) (netlink.Link, error) {
	l, err := h.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", name, err)
	}
	return l, nil
}
