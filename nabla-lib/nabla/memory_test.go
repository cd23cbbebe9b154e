package nabla

import (
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer/configs"
)

func withMemory(bytes int64) *configs.Config {
	return &configs.Config{Cgroups: &cgroups.Cgroup{Resources: &cgroups.Resources{Memory: bytes}}}
}

func TestMemMiB(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *configs.Config
		want int64
	}{
		{"no cgroups", &configs.Config{}, defaultMemMiB},
		{"no resources", &configs.Config{Cgroups: &cgroups.Cgroup{}}, defaultMemMiB},
		{"containerd's 0 is no limit, not --mem=0", withMemory(0), defaultMemMiB},
		{"negative is no limit", withMemory(-1), defaultMemMiB},
		{"whole MiB", withMemory(256 << 20), 256},
		{"rounded down", withMemory(64<<20 + 1<<19), 64},
		{"the minimum", withMemory(minMemMiB << 20), minMemMiB},
		{"above what the tender maps", withMemory(1 << 40), maxMemMiB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := memMiB(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	for _, bytes := range []int64{1, 1 << 20, minMemMiB<<20 - 1} {
		_, err := memMiB(withMemory(bytes))
		if err == nil || !strings.Contains(err.Error(), "below") {
			t.Errorf("limit %d bytes: got %v, want a too-small error", bytes, err)
		}
	}
}
