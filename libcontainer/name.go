package libcontainer

import "strings"

// Annotations the Kubernetes CRI puts on a container's spec: the names the
// user gave the container and its pod.
const (
	criContainerName = "io.kubernetes.cri.container-name"
	criSandboxName   = "io.kubernetes.cri.sandbox-name"
)

// engineID tells whether id is one of the 64-hex ids Docker, podman and
// containerd make up. Not a regexp: linking package regexp costs every
// start of runnc the initialisation of its Unicode tables.
func engineID(id string) bool {
	return len(id) == 64 && strings.Trim(id, "0123456789abcdef") == ""
}

// displayName is the container as its user knows it, for messages: the
// CRI's container (or pod) name; for the 64-hex ids Docker, podman and
// containerd make up, the 12-character short id their ps commands show;
// otherwise the id as given.
func displayName(id string, annotations map[string]string) string {
	if n := annotations[criContainerName]; n != "" {
		return n
	}
	if n := annotations[criSandboxName]; n != "" {
		return n
	}
	if engineID(id) {
		return id[:12]
	}
	return id
}

// name is displayName for this container.
func (c *nablaContainer) name() string { return displayName(c.id, c.state.Annotations) }
