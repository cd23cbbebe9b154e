package network

import (
	"errors"
	"fmt"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netnsOf tells how the container gets its network namespace: the path of
// one to join (a pod's, Docker's), or "" when runnc creates a new one.
// Without a NEWNET entry (hasNetns false) it stays in the host's.
func netnsOf(c *configs.Config) (path string, hasNetns bool) {
	if c == nil || !c.Namespaces.Contains(configs.NEWNET) {
		return "", false
	}
	return c.Namespaces.PathOf(configs.NEWNET), true
}

// sameNetns reports whether ns is the namespace at one of the given /proc
// paths, by the identity (device and inode) of the namespace files. A
// path we may not open (pid 1's, where root lacks ptrace rights over it,
// as in some sandboxes) cannot be compared and is skipped; the others
// still are.
func sameNetns(ns netns.NsHandle, paths ...string) (bool, error) {
	for _, p := range paths {
		other, err := netns.GetFromPath(p)
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("open network namespace %s: %w", p, err)
		}
		same := ns.Equal(other)
		other.Close()
		if same {
			return true, nil
		}
	}
	return false, nil
}

// The host's namespace is pid 1's. `runnc create` and `runnc delete` are
// in the host's namespace too (Docker's `--network host` passes a bind
// mount of it, not /proc/1/ns/net); /proc/self is the main thread's, which
// stays there while another thread enters the container's for NetworkRun.
const (
	hostNetns = "/proc/1/ns/net"
	selfNetns = "/proc/self/ns/net"
)
