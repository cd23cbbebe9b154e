package libcontainer

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// An option of the spec that cannot reach a unikernel is refused at create,
// in one sentence, rather than accepted and silently dropped. What every
// engine sends on every run (Docker's default capabilities and sysctls, new
// namespaces, a pod's shared namespaces) is accepted: refusing it would
// refuse every container. README.md, "What runnc does with each option",
// is the table of these decisions.

// defaultCaps is Docker's default capability set, which containerd, the
// CRI and podman send too (podman and runc's spec a subset). The tender
// drops them all before the guest runs, as it drops any capability, so
// only a capability beyond these (--cap-add, --privileged) is a request
// that runnc cannot honour.
var defaultCaps = []string{
	"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
	"CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
}

// AcceptedCapabilities are the capabilities a spec may list (Docker's
// defaults), for `runnc features`.
func AcceptedCapabilities() []string { return slices.Clone(defaultCaps) }

// defaultSysctls are the sysctls dockerd sets on every container with a
// network namespace of its own. The guest has its own network stack, on
// which they already hold (it binds any port and answers any ping).
var defaultSysctls = map[string]string{
	"net.ipv4.ip_unprivileged_port_start": "0",
	"net.ipv4.ping_group_range":           "0 2147483647",
}

// rlimits are the process.rlimits runnc sets on the tender (setRlimits).
var rlimits = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK": unix.RLIMIT_STACK,
}

// checkOptions refuses what the spec asks for that runnc cannot give the
// guest: extra capabilities, host devices, sysctls, a user namespace,
// namespaces of another process than the pod's, rlimits it cannot set, an
// OOM score adjustment out of range, and the newer options of
// refuseUnsupported.
func checkOptions(spec *specs.Spec) error {
	if c := spec.Process.Capabilities; c != nil {
		for _, set := range [][]string{c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient} {
			for _, name := range set {
				if !slices.Contains(defaultCaps, strings.ToUpper(name)) {
					return fmt.Errorf("capability %s (docker run --cap-add or --privileged) cannot be given to a unikernel: the tender drops every capability before the guest runs, and the guest reaches the host only through its syscall allowlist; remove it", name)
				}
			}
		}
	}
	for _, l := range spec.Process.Rlimits {
		if _, ok := rlimits[l.Type]; !ok {
			return fmt.Errorf("process.rlimits: %q is not a Linux resource limit (RLIMIT_NOFILE, RLIMIT_CPU, ...)", l.Type)
		}
		if l.Soft > l.Hard {
			return fmt.Errorf("process.rlimits: %s has a soft limit %d above its hard limit %d", l.Type, l.Soft, l.Hard)
		}
	}
	linux := spec.Linux
	if len(linux.Devices) > 0 {
		return fmt.Errorf("device %s (docker run --device or --privileged) cannot reach a unikernel: the guest gets only its disk and network interface, through the tender; remove it", linux.Devices[0].Path)
	}
	names := make([]string, 0, len(linux.Sysctl))
	for k := range linux.Sysctl {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if v, ok := defaultSysctls[k]; !ok || v != linux.Sysctl[k] {
			return fmt.Errorf("sysctl %s=%s (docker run --sysctl) has no effect on a unikernel, which brings its own kernel and network stack; remove it", k, linux.Sysctl[k])
		}
	}
	if len(linux.UIDMappings) > 0 || len(linux.GIDMappings) > 0 || hasNamespace(linux, specs.UserNamespace) {
		return fmt.Errorf("a user namespace (uid mappings, dockerd --userns-remap) is not supported by runnc: the tender drops to process.user itself; run the container with --user instead")
	}
	if spec.Domainname != "" {
		return fmt.Errorf("domainname %q (docker run --domainname) cannot reach a unikernel, which has no UTS namespace and no NIS domain: remove it, and name the guest with hostname", spec.Domainname)
	}
	if b := spec.Process.ConsoleSize; b != nil && (b.Height > math.MaxUint16 || b.Width > math.MaxUint16) {
		return fmt.Errorf("process.consoleSize %dx%d is larger than a terminal can be (%d rows or columns)", b.Width, b.Height, math.MaxUint16)
	}
	if a := spec.Process.OOMScoreAdj; a != nil && (*a < -1000 || *a > 1000) {
		return fmt.Errorf("process.oomScoreAdj %d is outside the kernel's range, -1000 to 1000", *a)
	}
	if err := refuseUnsupported(spec); err != nil {
		return err
	}
	if _, err := lsmExecLabel(spec.Process.ApparmorProfile, spec.Process.SelinuxLabel); err != nil {
		return err
	}
	return checkJoinedNamespaces(linux)
}

// refuseUnsupported refuses the options of runtime spec 1.2 and 1.3 that
// runnc does not honour: no engine sends them unasked, and each asks for
// something of the container's process or namespaces that the unikernel
// would not get.
func refuseUnsupported(spec *specs.Spec) error {
	p, l := spec.Process, spec.Linux
	for _, o := range []struct {
		set     bool
		refusal string
	}{
		{p.Scheduler != nil, "process.scheduler (a scheduling policy for the container's process) is not supported by runnc: remove it, and bound the container's CPU with linux.resources.cpu (docker run --cpus, --cpu-shares) instead"},
		{p.IOPriority != nil, "process.ioPriority (an I/O priority for the container's process) is not supported by runnc: remove it, and weigh the container's disk I/O with linux.resources.blockIO (docker run --blkio-weight) instead"},
		{p.ExecCPUAffinity != nil, "process.execCPUAffinity (the CPUs of the container's process) is not supported by runnc: remove it, and pin the container with linux.resources.cpu.cpus (docker run --cpuset-cpus) instead"},
		{len(l.NetDevices) > 0, "linux.netDevices (host network interfaces moved into the container) is not supported by runnc: a unikernel gets one NIC, through its tender, from the interface of its network namespace; remove them"},
		{l.IntelRdt != nil, "linux.intelRdt (an Intel RDT class for cache and memory bandwidth) is not supported by runnc: remove it"},
		{l.MemoryPolicy != nil, "linux.memoryPolicy (a NUMA memory policy) is not supported by runnc: remove it, and pin the container's memory nodes with linux.resources.cpu.mems (docker run --cpuset-mems) instead"},
		{l.Personality != nil, "linux.personality (an execution domain, podman run --personality) has no effect on a unikernel, which brings its own kernel: remove it"},
		{len(l.TimeOffsets) > 0, "linux.timeOffsets (the clocks of a time namespace) is not supported by runnc, which makes no time namespace: remove them"},
	} {
		if o.set {
			return errors.New(o.refusal)
		}
	}
	return nil
}

func hasNamespace(linux *specs.Linux, typ specs.LinuxNamespaceType) bool {
	for _, ns := range linux.Namespaces {
		if ns.Type == typ {
			return true
		}
	}
	return false
}

// checkJoinedNamespaces accepts a namespace joined by path only when it is
// the pod's: /proc/PID/ns/TYPE of the process whose network namespace the
// container joins too, as the CRI joins the sandbox's ipc and uts. Joining
// another container's pid, ipc or uts namespace alone (docker run --pid
// container:X) would give the guest nothing: it makes no syscall that sees
// processes, IPC objects or a host name. New namespaces are accepted: the
// guest sees none of them either, and engines ask for them on every run.
func checkJoinedNamespaces(linux *specs.Linux) error {
	var netPid string
	for _, ns := range linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			netPid = procPidOf(ns.Path)
		}
	}
	for _, ns := range linux.Namespaces {
		if ns.Path == "" || ns.Type == specs.NetworkNamespace {
			continue
		}
		if pid := procPidOf(ns.Path); pid == "" || pid != netPid {
			return fmt.Errorf("joining the %s namespace %s (docker run --pid, --ipc or --uts container:X) has no effect on a unikernel, which sees no processes, IPC objects, host name, mounts or cgroups of its own; remove it (only a pod's shared namespaces are accepted)", ns.Type, ns.Path)
		}
	}
	return nil
}

// procPidOf is PID of a /proc/PID/ns/* path, "" for any other path.
func procPidOf(path string) string {
	parts := strings.Split(filepath.Clean(path), "/")
	if len(parts) != 5 || parts[1] != "proc" || parts[3] != "ns" {
		return ""
	}
	return parts[2]
}
