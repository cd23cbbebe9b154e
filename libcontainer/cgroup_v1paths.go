package libcontainer

import (
	"path/filepath"

	"github.com/opencontainers/cgroups"
)

// v1Subsystems are the hierarchies opencontainers/cgroups' fs manager
// knows, by name, in its order (fs.subsystems, unexported), and "" for the
// cgroup v2 hierarchy of a hybrid host, which it adds then.
// TestRelativeV1PathsAreTheManagers holds relativeV1Paths to what the
// manager finds, so a version of the library that knows another
// hierarchy fails it on a host that mounts that one.
var v1Subsystems = []string{
	"cpuset", "devices", "memory", "cpu", "cpuacct", "pids", "blkio", "hugetlb",
	"net_cls", "net_prio", "perf_event", "freezer", "rdma", "name=systemd", "misc",
}

// relativeV1Paths are the directories fs.NewManager finds for cg when its
// path is relative (a bundle without linux.cgroupsPath: runc, and so
// runnc, puts the container in <id> below the creator's own cgroup in
// each hierarchy, which may differ from one hierarchy to the next). The
// manager reads /proc/self/cgroup once per hierarchy it knows, fifteen
// times, 0.4 ms of a create here; this reads it once, and mountinfo once,
// as the manager does. It returns nil, for the manager to find them
// itself, where cg's path is absolute (engines give one; the manager then
// reads neither) or where anything is not as the manager expects, so that
// the manager's own error reaches the user.
func relativeV1Paths(cg *cgroups.Cgroup) map[string]string {
	inner, ok := relativeInner(cg)
	if !ok || cg.Resources == nil {
		return nil
	}
	own, err := cgroups.ParseCgroupFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	names := v1Subsystems
	if cgroups.IsCgroup2HybridMode() {
		names = append(names[:len(names):len(names)], "")
	}
	paths := make(map[string]string, len(names))
	for _, name := range names {
		parent, err := ownV1Cgroup(own, name)
		switch {
		case cgroups.IsNotFound(err) && (cg.SkipDevices || name != "devices"):
			continue // the manager skips a hierarchy the host lacks
		case err != nil:
			return nil
		}
		paths[name] = filepath.Join(parent, inner)
	}
	return paths
}

// relativeInner is cg's path below the hierarchies' roots if it is the
// one a bundle without linux.cgroupsPath gets, the container's id alone
// (see NablaFactory.Create), which the manager's path.Inner leaves as it
// is. Any other path is left to the manager.
func relativeInner(cg *cgroups.Cgroup) (string, bool) {
	name := cg.Name
	ok := cg.Path == "" && cg.Parent == "" && filepath.IsLocal(name) && name == filepath.Base(name) && name != "."
	return name, ok
}

// ownV1Cgroup is the directory of the creator's own cgroup in the
// hierarchy name, as cgroups.GetOwnCgroupPath finds it from the parsed
// /proc/self/cgroup own: the hierarchy's mount point and the cgroup's path
// below the mount's root (a container's cgroup mounts show only its
// part).
func ownV1Cgroup(own map[string]string, name string) (string, error) {
	cgroup, ok := own[name]
	if !ok {
		cgroup, ok = own[cgroups.CgroupNamePrefix+name]
	}
	if !ok {
		return "", cgroups.NewNotFoundError(name)
	}
	if name == "" {
		return cgroups.FindCgroupMountpoint("", "") // the v2 mount point
	}
	mnt, root, err := cgroups.FindCgroupMountpointAndRoot("", name)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, cgroup)
	if err != nil {
		return "", err
	}
	return filepath.Join(mnt, rel), nil
}
