package network

import (
	"errors"
	"fmt"
	"maps"
	"os"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Tap is the "tap" NetworkHandler.
type Tap struct{}

// NewTap returns the tap network handler (for llif.Registry.Network).
func NewTap() llif.NetworkHandler { return Tap{} }

// AnnotationAllowHostNone, set to "true", lets a container in the host's
// network namespace run with no NIC instead of being refused.
const AnnotationAllowHostNone = "org.nabla.runnc.network.allow-host-none"

// AnnotationOwner, a pod annotation, names the container of a pod that owns
// the pod's address; the pod's other containers run with no NIC. The CRI
// names each container in annotationCRIName.
const (
	AnnotationOwner   = "org.nabla.runnc.network.owner"
	annotationCRIName = "io.kubernetes.cri.container-name"
)

// This handler's own state keys, beside the llif.Net* ones it sets for the
// exec handler: the tap Create chose (Run makes it, Destroy removes it),
// the bridge a runnc before 2026-12-06 chose beside it (Destroy removes
// it), and the interface Run took over. The tap's name is also the exec
// handler's sign, at create, that a NIC may come.
const (
	KeyTapName = llif.NetTapPlanned
	KeyBridge  = "bridge"
	KeyLink    = "link"
)

var errNotNetns = errors.New("not a network namespace")

var errHostNetwork = errors.New("host networking is not supported by unikernel containers: use a network namespace (for Docker, not --network host)")

// NetworkCreateFunc runs in the host's namespaces and makes nothing: it
// refuses the host's network namespace and a pod network already taken by
// another unikernel, and names the container's tap. Where the guest surely
// gets no NIC it plans none, and Run is skipped (llif.NetSkipRun).
func (Tap) NetworkCreateFunc(in *llif.NetworkCreateInput) (*llif.LLState, error) {
	if owner, ok := in.Annotations[AnnotationOwner]; ok && in.Annotations[annotationCRIName] != owner {
		return noNIC(), nil // another container owns the address
	}
	n := namesFor(in.ContainerID)
	var err error
	switch path, hasNetns := netnsOf(in.Config); {
	case !hasNetns:
		err = errHostNetwork
	case path == "" && !hooksBeforeRun(in.Config.Hooks):
		// The namespace init's clone makes holds lo alone, and no hook
		// runs to add to it before Run would look (as Docker's does):
		// there is nothing to take over.
		return noNIC(), nil
	case path != "":
		err = inNetns(path, func(h *netlink.Handle, ns netns.NsHandle) error {
			links, err := h.LinkList()
			if err != nil {
				return fmt.Errorf("list interfaces in %s: %w", path, err)
			}
			pod := inPod(in.Annotations)
			if err := takenError(ownerOf(links, n), pod); err != nil {
				return err
			}
			// A pod's namespace is its containers' (the engine says so):
			// no need to look for other users.
			if pod {
				return nil
			}
			// With no interface to take over (--network none of an engine
			// that names the namespace) the guest gets no NIC, and no
			// process in the namespace can lose its network.
			if link, _, err := uplink(h, links); err != nil || link == nil {
				return err
			}
			return checkNetnsUsers(ns, path, &in.Input)
		})
	}
	if errors.Is(err, errHostNetwork) && in.Annotations[AnnotationAllowHostNone] == "true" {
		return noNIC(), nil
	}
	if err != nil {
		return nil, err
	}
	st := llif.NewLLState()
	st.Options[KeyTapName] = n.tap
	return st, nil
}

// noNIC is the state of a container that gets no NIC: no tap planned, and
// nothing for Run to do.
func noNIC() *llif.LLState {
	st := llif.NewLLState()
	st.Options[llif.NetSkipRun] = "true"
	return st
}

// hooksBeforeRun tells whether hooks run between init's clone and Run:
// the OCI hooks that may give a new namespace its interfaces.
func hooksBeforeRun(hooks configs.Hooks) bool {
	for _, name := range []configs.HookName{configs.Prestart, configs.CreateRuntime, configs.CreateContainer} {
		if len(hooks[name]) > 0 {
			return true
		}
	}
	return false
}

// takenError is the refusal of a pod network that already belongs to
// another unikernel container, nil if owner is "". Only a pod's
// containers can be given the annotations the pod's refusal advises.
func takenError(owner string, pod bool) error {
	if owner == "" {
		return nil
	}
	if !pod {
		return fmt.Errorf("the network this container would share is already used by unikernel container %s, and a network's address goes to one unikernel: give this container a network of its own (docker run --network bridge or a network of yours), or run it with --network none", owner)
	}
	return fmt.Errorf("the pod's network is already used by unikernel container %s: a pod's IPv4 address goes to one unikernel; name its owner in the pod annotation %s=<container name> (the others run without a NIC), or give this one %s=none", owner, AnnotationOwner, llif.AnnotationNetwork)
}

// NetworkRunFunc runs in `runnc create` on a thread that is in the
// container's network namespace, and must stay on it: it uses no
// goroutines, so every netlink socket and the tap are made in that
// namespace. Its state keeps Create's keys, since it replaces Create's.
func (Tap) NetworkRunFunc(in *llif.NetworkRunInput) (*llif.LLState, error) {
	st := llif.NewLLState()
	maps.Copy(st.Options, in.NetworkState.Options)
	n := names{tap: st.Options[KeyTapName], bridge: st.Options[KeyBridge]}
	if n.tap == "" {
		return st, nil // Create chose no NIC
	}
	if err := refuseHostThread(); err != nil {
		return nil, err
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	defer h.Close()
	var uid, gid uint32
	if in.Process != nil {
		uid, gid = in.Process.User.UID, in.Process.User.GID
	}
	rec, err := takeOver(h, in.ContainerID, n, uid, gid, inPod(in.Annotations))
	if err != nil || rec == nil {
		return st, err
	}
	ip, prefix, gw := rec.ipv4()
	st.Options[llif.NetTap] = n.tap
	st.Options[llif.NetMAC] = rec.MAC
	st.Options[llif.NetIPv4Addr] = ip
	st.Options[llif.NetIPv4Prefix] = prefix
	st.Options[llif.NetIPv4Gateway] = gw
	st.Options[KeyLink] = rec.Link
	return st, nil
}

// refuseHostThread is the last guard before taking an interface over: the
// calling thread must not be in the host's namespace (pid 1's), in that
// of our process's main thread (which never leaves the runtime's) or in
// that of our caller.
func refuseHostThread() error {
	ns, err := netns.Get()
	if err != nil {
		return fmt.Errorf("open this thread's network namespace: %w", err)
	}
	defer ns.Close()
	host, err := sameNetns(ns, hostNetns, selfNetns, fmt.Sprintf("/proc/%d/ns/net", os.Getppid()))
	if err != nil {
		return err
	}
	if host {
		return errHostNetwork
	}
	return nil
}

// NetworkDestroyFunc runs in the host's namespaces. A namespace runnc
// created dies with the container's last process, and our devices with
// it; a joined one (a pod's) outlives the container, so there the
// takeover is undone for the next container of the pod. Without a
// namespace path or a Create state there is nothing of ours to find.
func (Tap) NetworkDestroyFunc(in *llif.NetworkDestroyInput) (*llif.LLState, error) {
	n := names{tap: in.NetworkState.Get(KeyTapName), bridge: in.NetworkState.Get(KeyBridge)}
	path, _ := netnsOf(in.Config)
	if n.tap == "" || path == "" {
		return llif.NewLLState(), nil
	}
	err := inNetns(path, func(h *netlink.Handle, ns netns.NsHandle) error { return restore(h, ns, n) })
	if errors.Is(err, unix.ENOENT) || errors.Is(err, errNotNetns) {
		err = nil // the pod and its namespace are gone already
	}
	return llif.NewLLState(), err
}

// inNetns calls f with a netlink handle whose sockets live in the network
// namespace at path, without moving the calling thread; it refuses the
// host's namespace so nothing here ever changes the host's interfaces.
func inNetns(path string, f func(*netlink.Handle, netns.NsHandle) error) error {
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("network namespace %s cannot be opened: %w", path, err)
	}
	defer ns.Close()
	// A pod's namespace file may outlive its namespace, unmounted.
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(ns), &fs); err != nil || fs.Type != unix.NSFS_MAGIC {
		return fmt.Errorf("%s: %w", path, errNotNetns)
	}
	host, err := sameNetns(ns, hostNetns, selfNetns)
	if err != nil {
		return err
	}
	if host {
		return fmt.Errorf("network namespace %s: %w", path, errHostNetwork)
	}
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("open netlink in %s: %w", path, err)
	}
	defer h.Close()
	return f(h, ns)
}
