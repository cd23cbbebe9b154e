// Package network is the "tap" network handler of runnc: it gives a
// unikernel the IPv4 network that the container's network namespace was
// given (by Docker, a CNI plugin or a prestart hook).
//
// It owns, inside the container's network namespace only, one tap device
// and one bridge per container, and the takeover of the namespace's IPv4
// interface (normally eth0): the interface's address, MAC and default
// route move to the guest, which sits behind the tap on the bridge that
// eth0 is enslaved to. Destroy gives them back when the namespace outlives
// the container (a Kubernetes pod). It never touches the host's own
// interfaces: a container in the host's network namespace is refused.
//
// It must never import libcontainer or llcli; it talks to them only
// through llif.
package network
