package llcli

import (
	"github.com/nabla-containers/runnc/libcontainer"
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
sends; only the network namespace is made or joined (the others are
accepted and give the guest nothing to see); capabilities beyond Docker's
defaults are refused, and the tender drops even those; cgroups are made
through cgroupfs, v1 or v2, or as systemd scopes with --systemd-cgroup.
The annotations say more.`,
	Action: func(ctx *cli.Context) error {
		if err := CheckArgs(ctx, 0); err != nil {
			return err
		}
		yes, no := true, false
		return PrintJSON(&features.Features{
			OCIVersionMin: "1.0.0",
			OCIVersionMax: specs.Version,
			Hooks:         []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"},
			// No mount is made (see org.nabla.runnc.mounts): these are the
			// options that change what a volume becomes.
			MountOptions: []string{"bind", "rbind", "ro", "rro", "rw"},
			Linux: &features.Linux{
				Namespaces:   []string{"network", "pid", "ipc", "uts", "mount", "cgroup"},
				Capabilities: libcontainer.AcceptedCapabilities(),
				Cgroup:       &features.Cgroup{V1: &yes, V2: &yes, Systemd: &yes, SystemdUser: &no},
				Seccomp:      &features.Seccomp{Enabled: &yes},
				Apparmor:     &features.Apparmor{Enabled: &yes},
				Selinux:      &features.Selinux{Enabled: &yes},
				IntelRdt:     &features.IntelRdt{Enabled: &no},
				NetDevices:   &features.NetDevices{Enabled: &no},
			},
			Annotations: map[string]string{
				"org.nabla.runnc.seccomp":         "linux.seccomp is accepted and replaced by the tender's allowlist (see nabla-run --print-filter): about ten syscalls, each bound to one fd or argument",
				"org.nabla.runnc.namespaces":      "the network namespace is made or joined; new pid, ipc, uts, mount and cgroup namespaces are accepted and not made (the guest sees none of what they hide); a pod's namespaces may be joined; user namespaces are refused",
				"org.nabla.runnc.capabilities":    "the tender drops every capability before the guest runs; capabilities beyond the listed defaults are refused",
				"org.nabla.runnc.cgroups":         "cgroupfs, v1 or v2, or with --systemd-cgroup systemd scopes (cgroupsPath slice:prefix:name): memory, cpu and pids limits apply, device rules are moot (the guest opens nothing); tested: cgroupfs on a hybrid v1 host (make test), both drivers, podman and containerd's CRI on pure v2 with systemd as PID 1 (make test-vm, a Debian 12 VM)",
				"org.nabla.runnc.mounts":          "no mount is made: the guest sees its rootfs as a read-only disk; a bind mount of a directory becomes a read-only disk image of it, of a regular file a block device (read-only with ro), given to the BLOCK_BASIC device the destination names or to a runnc SDK guest's volume slots; bind mounts of /etc/hosts, /etc/hostname and /etc/resolv.conf reach it through its CONFIG; the kernel filesystems engines mount are left out; any other mount is refused unless org.nabla.runnc.ignore-mounts lists it",
				"org.nabla.runnc.user":            "process.user is honoured: the tender drops to its uid, gid and additional gids before the guest runs",
				"org.nabla.runnc.process":         "process.rlimits and process.oomScoreAdj are honoured, on init and so on the tender; process.scheduler, ioPriority and execCPUAffinity are refused",
				"org.nabla.runnc.lsm":             "process.apparmorProfile and process.selinuxLabel confine the tender from its exec on, where the host runs that security module; elsewhere they are refused (apparmorProfile unconfined is accepted)",
				"org.nabla.runnc.handlers":        "org.nabla.runnc.fs, org.nabla.runnc.network, org.nabla.runnc.exec choose handlers per bundle",
				"org.opencontainers.runtime-spec": specs.Version,
			},
		})
	},
}
