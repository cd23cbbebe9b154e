package nabla

import (
	"fmt"

	"github.com/opencontainers/runc/libcontainer/configs"
)

// The tender's bounds (nabla-run --mem=MiB, 2..65536).
const (
	// defaultMemMiB is upstream nabla-run's default guest memory.
	defaultMemMiB = 512
	// minMemMiB is the least the tender boots a guest with, as solo5-spt:
	// the first MiB below the image, the second for a small guest's image,
	// heap and stack (Solo5's own tests run with --mem=2).
	minMemMiB = 2
	// maxMemMiB is the most the tender maps.
	maxMemMiB = 64 << 10
)

// memMiB is the guest memory in MiB for a container's memory limit in
// bytes. No limit (containerd sends 0, upstream runnc then passed --mem=0)
// means the default; a limit is rounded down to whole MiB, and one above
// what the tender maps gives the guest the most it can have: a limit is a
// ceiling, not a request.
func memMiB(c *configs.Config) (int64, error) {
	var limit int64
	if c != nil && c.Cgroups != nil && c.Cgroups.Resources != nil {
		limit = c.Cgroups.Resources.Memory
	}
	if limit <= 0 {
		return defaultMemMiB, nil
	}
	mib := limit >> 20
	if mib < minMemMiB {
		return 0, fmt.Errorf("memory limit %d bytes is below the %d MiB a unikernel needs to boot: raise linux.resources.memory.limit", limit, minMemMiB)
	}
	return min(mib, maxMemMiB), nil
}
