package llif

// Options that handlers leave in their LLState for the other handlers. They
// are the whole contract between the fs, network and exec handlers: any fs
// or network handler that sets them works with any exec handler that reads
// them.
const (
	// FsState: absolute host path of the disk image for the workload ("" or
	// absent: no disk), and "true" when it must be opened read-only (shared
	// among containers).
	FsDisk         = "disk"
	FsDiskReadOnly = "disk.readonly"
	// FsState: per-container files the workload sees in place of the
	// image's (/etc/hosts, /etc/hostname, /etc/resolv.conf), as a JSON object
	// of guest path -> absolute host path. The exec handler passes their
	// contents to the guest in CONFIG so the shared disk image stays shared.
	FsFiles = "files"
	// FsState: the container's volumes, the bind mounts that reach the
	// workload as disks, as a JSON list of Volume in the order of the
	// config's mounts ("" or absent: none). The exec handler maps each to a
	// device of the guest or refuses the container at create.
	FsVolumes = "volumes"

	// NetworkState after Create: the tap Run will make if the namespace
	// has an IPv4 interface to take over ("" or absent: the workload surely
	// gets no NIC). It lets the exec handler refuse at create a workload
	// that needs a NIC when none can come; Run alone knows whether one does.
	NetTapPlanned = "tap.name"

	// NetworkState after Create: "true" when the network handler's Run
	// phase has nothing to do for this container (it planned no device),
	// so that the runtime skips Run and the thread inside the container's
	// network namespace that Run needs: half a millisecond of a create.
	// Absent: Run runs, on that thread.
	NetSkipRun = "run.skip"

	// NetworkState: the tap device inside the container's network namespace
	// ("" or absent: no NIC), the MAC the guest answers with, and the IPv4
	// address, prefix length and gateway ("" when there is no default route).
	NetTap         = "tap"
	NetMAC         = "mac"
	NetIPv4Addr    = "ipv4.addr"
	NetIPv4Prefix  = "ipv4.prefix"
	NetIPv4Gateway = "ipv4.gateway"
)
