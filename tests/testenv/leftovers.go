package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Scope says what belongs to one test: everything below Dir (its state
// root, disk directory and bundles) and every container id starting with
// IDPrefix. Tests of other packages run at the same time on the same host,
// so a snapshot looks only at what is in scope.
type Scope struct {
	Dir      string
	IDPrefix string
}

// NewScope is the scope of r's containers: ids start with kind and a
// random suffix, so concurrent tests never share one.
func NewScope(t testing.TB, r *Runnc, kind string) Scope {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return Scope{Dir: r.Dir, IDPrefix: kind + hex.EncodeToString(b)}
}

// ID is a container id in scope.
func (s Scope) ID(name string) string { return s.IDPrefix + "-" + name }

// Leftovers is what a container may leave on the host, as text lines.
type Leftovers struct {
	Links   []string // host network interfaces named like runnc's (nbt*, nbb*) or for an id
	Netns   []string // named netns (ip netns) for an id, and netns of processes in scope
	Procs   []string // processes whose cwd or command line is below Dir
	Cgroups []string // cgroup directories named for an id
	Mounts  []string // mounts below Dir or named for an id
	Files   []string // anything below the state root and the disk directory
}

// Snapshot lists what of r's containers is in scope now.
func (r *Runnc) Snapshot(t testing.TB, s Scope) Leftovers {
	t.Helper()
	return Snapshot(t, s, r.Root, r.DiskDir)
}

// Snapshot lists what is in scope now. root and diskDir are the runnc
// installation's directories (their content is listed).
func Snapshot(t testing.TB, s Scope, root, diskDir string) Leftovers {
	t.Helper()
	var l Leftovers
	l.Links = s.links(t)
	l.Procs, l.Netns = s.procs()
	l.Netns = append(l.Netns, s.namedNetns(t)...)
	l.Cgroups = s.cgroups()
	l.Mounts = s.mounts(t)
	for _, d := range []string{root, diskDir} {
		filepath.WalkDir(d, func(p string, _ os.DirEntry, err error) error {
			if err == nil && p != d {
				l.Files = append(l.Files, p)
			}
			return nil
		})
	}
	return l
}

// New returns, one line each, what after holds and l (taken before) did not.
func (l Leftovers) New(after Leftovers) []string {
	var out []string
	diff := func(kind string, before, after []string) {
		for _, a := range after {
			if !slices.Contains(before, a) {
				out = append(out, kind+": "+a)
			}
		}
	}
	diff("link", l.Links, after.Links)
	diff("netns", l.Netns, after.Netns)
	diff("process", l.Procs, after.Procs)
	diff("cgroup", l.Cgroups, after.Cgroups)
	diff("mount", l.Mounts, after.Mounts)
	diff("file", l.Files, after.Files)
	return out
}

// CheckNone fails the test if after holds anything l did not.
func (l Leftovers) CheckNone(t testing.TB, after Leftovers, what string) {
	t.Helper()
	if left := l.New(after); len(left) > 0 {
		t.Errorf("%s left behind:\n  %s", what, strings.Join(left, "\n  "))
	}
}

func (s Scope) mentions(text string) bool {
	return (s.Dir != "" && strings.Contains(text, s.Dir)) ||
		(s.IDPrefix != "" && strings.Contains(text, s.IDPrefix))
}

func (s Scope) links(t testing.TB) []string {
	out, err := exec.Command("ip", "-o", "link", "show").Output()
	if err != nil {
		t.Fatalf("ip -o link: %v", err)
	}
	var links []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if strings.HasPrefix(name, "nbt") || strings.HasPrefix(name, "nbb") || s.mentions(name) {
			links = append(links, name)
		}
	}
	return links
}

// procs lists the processes in scope and the network namespaces they hold.
func (s Scope) procs() (procs, netns []string) {
	self := fmt.Sprint(os.Getpid())
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' || pid == self {
			continue
		}
		cwd, _ := os.Readlink("/proc/" + pid + "/cwd")
		cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
		cmd := strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ")
		if !s.mentions(cwd) && !s.mentions(cmd) {
			continue
		}
		procs = append(procs, pid+" "+cmd)
		if ns, err := os.Readlink("/proc/" + pid + "/ns/net"); err == nil {
			netns = append(netns, ns+" (held by pid "+pid+")")
		}
	}
	return procs, netns
}

func (s Scope) namedNetns(t testing.TB) []string {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && s.mentions(f[0]) {
			names = append(names, f[0])
		}
	}
	return names
}

// cgroups walks the first levels of every hierarchy (v1 controllers or the
// v2 tree) for directories named for an id.
func (s Scope) cgroups() []string {
	if s.IDPrefix == "" {
		return nil
	}
	return Cgroups(s.IDPrefix)
}

// Cgroups are the cgroup directories, in any hierarchy and at any depth a
// container's cgroup may take (below the runtime's own cgroup, in a
// systemd scope), whose name contains name.
func Cgroups(name string) []string {
	var found []string
	const maxDepth = 4
	filepath.WalkDir("/sys/fs/cgroup", func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if strings.Count(strings.TrimPrefix(p, "/sys/fs/cgroup"), "/") > maxDepth {
			return filepath.SkipDir
		}
		if strings.Contains(d.Name(), name) {
			found = append(found, p)
		}
		return nil
	})
	return found
}

func (s Scope) mounts(t testing.TB) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && s.mentions(f[4]) {
			mounts = append(mounts, f[4])
		}
	}
	return mounts
}
