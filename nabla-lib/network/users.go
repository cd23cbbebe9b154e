package network

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/llif"
	"github.com/vishvananda/netns"
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

// checkNetnsUsers refuses the joined namespace ns, at path, if a process
// other than runnc's own is in it. The namespace is the one inNetns
// opened, not the path looked up again.
func checkNetnsUsers(ns netns.NsHandle, path string, in *llif.Input) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(ns), &st); err != nil {
		return fmt.Errorf("network namespace %s cannot be examined: %w", path, err)
	}
	pids, err := netnsUsers(st.Ino)
	if err != nil {
		return err
	}
	ours := ownExecutables(in.Runtime)
	for _, pid := range pids {
		if exe, ok := ownProcess(pid, ours); !ok {
			return fmt.Errorf("this container would share the network of a container that uses it (process %d, %s, is in its network namespace): a unikernel takes the network's address over, and that container would lose its network; give this container a network of its own (docker run --network bridge or a network of yours), not --network container:X with X a container that is not a unikernel", pid, exe)
		}
	}
	return nil
}

// netnsUsers returns the processes, but this one, in the network namespace
// whose nsfs inode is ino. The kernel lists no namespace's processes, so
// this reads every process's, which costs each create that joins a
// namespace outside a pod (podman's, ns:PATH) in proportion to the
// processes on the host. readlink of /proc/<pid>/ns/net names the
// namespace without resolving the link, and the reads are spread over the
// CPUs: with 2,070 processes on the benchmark machine NetworkCreate takes
// 12.6-16.7 ms, against 22-23 ms with a stat of each link in turn.
func netnsUsers(ino uint64) ([]int, error) {
	d, err := nopoll.Open("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	// Unsorted names, without the lstat of each that ReadDir does.
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	want := fmt.Sprintf("net:[%d]", ino)
	self := strconv.Itoa(os.Getpid())
	workers := min(runtime.GOMAXPROCS(0), 1+len(names)/256)
	found := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// One byte more than the name sought, so that a longer one,
			// cut to fit, cannot match.
			buf := make([]byte, len(want)+1)
			for i := w; i < len(names); i += workers {
				pid, err := strconv.Atoi(names[i])
				if err != nil || names[i] == self {
					continue
				}
				// A process that exits meanwhile has no namespace to compare.
				n, err := unix.Readlink("/proc/"+names[i]+"/ns/net", buf)
				if err == nil && string(buf[:n]) == want {
					found[w] = append(found[w], pid)
				}
			}
		})
	}
	wg.Wait()
	return slices.Concat(found...), nil
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
	comm, _ := nopoll.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
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
