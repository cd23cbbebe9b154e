package network

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
)

// record is what a takeover changed: the interface, its original MAC,
// address (CIDR) and default gateway, whether the takeover added the
// interface's ingress qdisc, and the container that took it. It is kept
// in the alias of the container's tap (of its bridge, for a takeover by a
// runnc before 2026-12-06), inside the namespace itself, so whoever finds
// the tap (a later Destroy, whatever state reached state.json, or a second
// container of the same pod) knows whose it is and how to give the
// interface back.
type record struct {
	Owner string `json:"owner"`
	Link  string `json:"link"`
	MAC   string `json:"mac"`
	Addr  string `json:"addr"`
	// Broadcast is the address's broadcast, "" for none.
	Broadcast string `json:"brd,omitempty"`
	Gateway   string `json:"gw,omitempty"`
	// Qdisc tells that the takeover added the interface's ingress qdisc.
	Qdisc bool `json:"qdisc,omitempty"`
}

const (
	aliasPrefix = "runnc-net "
	// The kernel keeps at most IFALIASZ-1 = 255 bytes of alias; the other
	// fields take about 130, so a very long id is shortened (it only names
	// the owner in messages: the tap's name is what proves ownership).
	maxOwnerLen = 100
)

func (r record) alias() string {
	if len(r.Owner) > maxOwnerLen {
		r.Owner = r.Owner[:maxOwnerLen] + "..."
	}
	b, _ := json.Marshal(r) // a struct of strings always marshals
	return aliasPrefix + string(b)
}

// recordOf returns the takeover record kept in a link's alias, if any.
func recordOf(l netlink.Link) (record, bool) {
	var r record
	s, ok := strings.CutPrefix(l.Attrs().Alias, aliasPrefix)
	if !ok || json.Unmarshal([]byte(s), &r) != nil || r.Link == "" {
		return record{}, false
	}
	return r, true
}

// ownerOf returns the container that holds this namespace's network, ""
// if none: the owner recorded on a tap or bridge other than ours (ours may
// be left from an earlier attempt of this same container).
func ownerOf(links []netlink.Link, n names) string {
	for _, l := range links {
		if t := l.Type(); t != "tuntap" && t != "bridge" || l.Attrs().Name == n.tap || l.Attrs().Name == n.bridge {
			continue
		}
		if r, ok := recordOf(l); ok {
			return r.Owner
		}
	}
	return ""
}

// ipv4 splits the record into the llif.NetIPv4* values.
func (r record) ipv4() (addr, prefix, gw string) {
	ip, ipnet, err := net.ParseCIDR(r.Addr)
	if err != nil {
		return "", "", ""
	}
	ones, _ := ipnet.Mask.Size()
	return ip.String(), strconv.Itoa(ones), r.Gateway
}
