package network

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// Taking over a joined namespace's interface takes its address away from
// whatever else uses the namespace. That is right for a pod, whose
// namespace exists for its containers, and wrong for another container's
// (docker run --network container:X with X under runc): X would lose its
// network. So a joined namespace is taken over only when no process is in
// it (a namespace file that an engine or CNI made), when its processes
// are runnc's own (a pod sandbox's holder, a unikernel's tender), or when
// the engine says the container belongs to a pod.

// criPodAnnotations mark a container an engine made for a pod: containerd's
// CRI plugin and CRI-O set them on every container of a pod sandbox.
var criPodAnnotations = map[string]string{
	"io.kubernetes.cri.container-type":  "container",
	"io.kubernetes.cri-o.ContainerType": "container",
}

func inPod(annotations map[string]string) bool {
	for k, v := range criPodAnnotations {
		if annotations[k] == v {
			return true
		}
	}
	return false
}

// checkNetnsUsers refuses a joined namespace at path that a process other
// than runnc's own is in.
func checkNetnsUsers(path string, in *llif.Input) error {
	if inPod(in.Annotations) {
		return nil
	}
	var ns unix.Stat_t
	if err := unix.Stat(path, &ns); err != nil {
		return fmt.Errorf("network namespace %s cannot be examined: %w", path, err)
	}
	ours := ownExecutables(in.Runtime)
	pids, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	self := os.Getpid()
	for _, e := range pids {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		var st unix.Stat_t
		// A process that exits meanwhile, or a kernel thread, has no
		// namespace to compare.
		if unix.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st) != nil || st.Dev != ns.Dev || st.Ino != ns.Ino {
			continue
		}
		if exe, ok := ownProcess(pid, ours); !ok {
			return fmt.Errorf("this container would share the network of a container that uses it (process %d, %s, is in its network namespace): a unikernel takes the network's address over, and that container would lose its network; give this container a network of its own (docker run --network bridge or a network of yours), not --network container:X with X a container that is not a unikernel", pid, exe)
		}
	}
	return nil
}

// ownExecutables are the files whose processes are runnc's: the tender,
// the container init (which a pod sandbox's holder stays), and this
// binary (an embedding program's init is a re-execution of it).
func ownExecutables(rt llif.RuntimeOptions) []unix.Stat_t {
	var files []unix.Stat_t
	for _, p := range []string{rt.TenderPath, rt.InitPath, "/proc/self/exe"} {
		var st unix.Stat_t
		if p != "" && unix.Stat(p, &st) == nil {
			files = append(files, st)
		}
	}
	return files
}

// ownProcess tells whether pid runs one of ours, by the identity of the
// file it executes: a name or a path inside a container proves nothing,
// since any image may hold a file called runnc-init. It returns the
// process's command name for a refusal.
func ownProcess(pid int, ours []unix.Stat_t) (string, bool) {
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	name := strings.TrimSpace(string(comm))
	var st unix.Stat_t
	if unix.Stat(fmt.Sprintf("/proc/%d/exe", pid), &st) != nil {
		// Gone meanwhile is fine; unreadable is not ours to judge as ours.
		_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
		return name, os.IsNotExist(err)
	}
	for _, o := range ours {
		if st.Dev == o.Dev && st.Ino == o.Ino {
			return name, true
		}
	}
	return name, false
}
