package llcli

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/urfave/cli"
)

var featuresCommand = cli.Command{
	Name:  "features",
	Usage: "print what this runtime supports, as OCI features JSON",
	Description: `Features prints the OCI runtime features document. Note what differs
from runc: linux.seccomp in a bundle is accepted but replaced by the
tender's own allowlist, which is far stricter than any profile an engine
sends; only the network namespace is used (created or joined). Cgroups are
made through cgroupfs, or as systemd scopes with --systemd-cgroup; device
rules are not applied (the tender opens its devices before its filter
forbids open).`,
	Action: func(ctx *cli.Context) error {
		if err := CheckArgs(ctx, 0); err != nil {
			return err
		}
		yes, no := true, false
		return PrintJSON(&features.Features{
			OCIVersionMin: "1.0.0",
			OCIVersionMax: specs.Version,
			Hooks:         []string{"prestart", "createRuntime", "poststart", "poststop"},
			MountOptions:  []string{},
			Linux: &features.Linux{
				Namespaces: []string{"network"},
				Seccomp:    &features.Seccomp{Enabled: &yes},
				Cgroup:     &features.Cgroup{V1: &yes, V2: &yes, Systemd: &yes, SystemdUser: &no, Rdma: &no},
			},
			Annotations: map[string]string{
				"org.nabla.runnc.seccomp":         "the tender's allowlist replaces linux.seccomp (see nabla-run --print-filter)",
				"org.nabla.runnc.handlers":        "org.nabla.runnc.fs, org.nabla.runnc.network, org.nabla.runnc.exec choose handlers per bundle",
				"org.nabla.runnc.cgroups":         "cgroupfs, or systemd scopes with --systemd-cgroup (cgroupsPath slice:prefix:name); tested: cgroupfs on a hybrid v1 host (make test), both drivers, podman and containerd's CRI on pure v2 with systemd as PID 1 (make test-vm, a Debian 12 VM)",
				"org.opencontainers.runtime-spec": specs.Version,
			},
		})
	},
}
