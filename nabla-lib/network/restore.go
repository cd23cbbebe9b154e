package network

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
)

// restore undoes a takeover, whole or partial: it gives the interface
// named in our bridge's record back its MAC, address and default route,
// then deletes our tap and bridge. The record goes last (with the bridge),
// so a failed restore can be run again. Nothing of ours present is not an
// error.
func restore(h *netlink.Handle, n names) error {
	br, err := linkByName(h, n.bridge)
	if err != nil {
		return err
	}
	if br != nil {
		if rec, ok := recordOf(br); ok {
			if err := giveBack(h, rec, br.Attrs().Index); err != nil {
				return fmt.Errorf("give %s back: %w", rec.Link, err)
			}
		}
	}
	for _, name := range []string{n.tap, n.bridge} {
		l, err := linkByName(h, name)
		if err != nil {
			return err
		}
		if l != nil {
			if err := h.LinkDel(l); err != nil {
				return fmt.Errorf("delete %s: %w", name, err)
			}
		}
	}
	return nil
}

// giveBack puts rec's interface back as it was before the takeover. Each
// step may already be done.
func giveBack(h *netlink.Handle, rec record, bridgeIndex int) error {
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
	if link.Attrs().MasterIndex == bridgeIndex {
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
