package libcontainer

import "regexp"

// Annotations the Kubernetes CRI puts on a container's spec: the names the
// user gave the container and its pod.
const (
	criContainerName = "io.kubernetes.cri.container-name"
	criSandboxName   = "io.kubernetes.cri.sandbox-name"
)

var engineID = regexp.MustCompile(`^[0-9a-f]{64}$`)

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
	if engineID.MatchString(id) {
		return id[:12]
	}
	return id
}

// name is displayName for this container.
func (c *nablaContainer) name() string { return displayName(c.id, c.state.Annotations) }
