// Package network is the "tap" network handler of runnc: it gives a
// unikernel the IPv4 network that the container's network namespace was
// given (by Docker, a CNI plugin or a prestart hook).
//
// It owns, inside the container's network namespace only, one tap device
// per container, and the takeover of the namespace's IPv4 interface
// (normally eth0): the interface's address, MAC and default route move to
// the guest, which sits behind the tap, and tc redirects every frame
// between eth0 and the tap. Destroy gives them back when the namespace
// outlives the container (a Kubernetes pod, or any engine's namespace).
// It never touches the host's own interfaces: a container in the host's
// network namespace is refused.
//
// It must never import libcontainer or llcli; it talks to them only
// through llif.
package network
