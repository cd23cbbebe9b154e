package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
)

// Test handlers that make real resources: a file for fs, a bridge in
// the host's network namespace for network, and an exec handler that
// fails in Create when asked to.

type fileFs struct{ llif.NoopFs }

func (fileFs) FsCreateFunc(in *llif.FsCreateInput) (*llif.LLState, error) {
	p := filepath.Join(in.Runtime.DiskDir, in.ContainerID+".img")
	st := llif.NewLLState()
	st.Options["file"] = p
	return st, os.WriteFile(p, []byte("disk"), 0o600)
}

func (fileFs) FsDestroyFunc(in *llif.FsDestroyInput) (*llif.LLState, error) {
	if p := in.FsState.Get("file"); p != "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return in.FsState, nil
}

// dummyNet makes a bridge link and, if the annotation says so, fails right
// after: its Destroy must still remove the link.
type dummyNet struct{ llif.NoneNetwork }

func linkName(id string) string { return "rnctest-" + id }

func (dummyNet) NetworkCreateFunc(in *llif.NetworkCreateInput) (*llif.LLState, error) {
	st := llif.NewLLState()
	name := linkName(in.ContainerID)
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}); err != nil {
		return st, err
	}
	st.Options["link"] = name
	if in.Annotations["fail"] == "network" {
		return st, errors.New("network failed on purpose")
	}
	return st, nil
}

func (dummyNet) NetworkDestroyFunc(in *llif.NetworkDestroyInput) (*llif.LLState, error) {
	if name := in.NetworkState.Get("link"); name != "" {
		if l, err := netlink.LinkByName(name); err == nil {
			return in.NetworkState, netlink.LinkDel(l)
		}
	}
	return in.NetworkState, nil
}

type failingExec struct{}

func (failingExec) ExecCreateFunc(in *llif.ExecCreateInput) (*llif.LLState, error) {
	if in.Annotations["fail"] == "exec" {
		return llif.NewLLState(), errors.New("exec failed on purpose")
	}
	if in.Annotations["await"] == "cgroup" {
		// Create makes the cgroup beside its phases: it comes while this
		// one waits.
		for deadline := time.Now().Add(10 * time.Second); len(cgroupsNamed(in.ContainerID)) == 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				return llif.NewLLState(), errors.New("the cgroup was not made while ExecCreate ran")
			}
		}
	}
	return llif.NewLLState(), nil
}

// cgroupsNamed are the cgroup directories named id, in every hierarchy,
// where a bundle without linux.cgroupsPath has them.
func cgroupsNamed(id string) []string {
	var dirs []string
	for _, p := range testenv.Cgroups(id) {
		if filepath.Base(p) == id {
			dirs = append(dirs, p)
		}
	}
	return dirs
}

func (failingExec) ExecRunFunc(*llif.ExecRunInput) (*llif.Workload, error) {
	return nil, errors.New("not runnable")
}
func (failingExec) ExecDestroyFunc(in *llif.ExecDestroyInput) (*llif.LLState, error) {
	return in.ExecState, nil
}

func testFactory(t *testing.T) (*NablaFactory, string) {
	t.Helper()
	testenv.RequireRoot(t) // to make network links
	disks := t.TempDir()
	reg := &llif.Registry{
		Fs:             map[string]func() llif.FsHandler{"file": func() llif.FsHandler { return fileFs{} }},
		Network:        map[string]func() llif.NetworkHandler{"dummy": func() llif.NetworkHandler { return dummyNet{} }},
		Exec:           map[string]func() llif.ExecHandler{"fail": func() llif.ExecHandler { return failingExec{} }},
		DefaultFs:      "file",
		DefaultNetwork: "dummy",
		DefaultExec:    "fail",
	}
	f, err := New(filepath.Join(t.TempDir(), "root"), reg, WithRuntimeOptions(llif.RuntimeOptions{DiskDir: disks}))
	if err != nil {
		t.Fatal(err)
	}
	return f, disks
}

func testConfig(t *testing.T, annotations map[string]string) *Config {
	t.Helper()
	bundle := t.TempDir()
	os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755)
	cfg, err := NewConfig(bundle, &specs.Spec{
		Version:     specs.Version,
		Root:        &specs.Root{Path: "rootfs"},
		Process:     &specs.Process{Args: []string{"/x.nabla"}, Cwd: "/"},
		Linux:       &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}},
		Annotations: annotations,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestFailedCreateUndoesEarlierPhases(t *testing.T) {
	for _, phase := range []string{"network", "exec"} {
		t.Run(phase, func(t *testing.T) {
			f, disks := testFactory(t)
			// Short: the link name must fit in IFNAMSIZ.
			id := "u" + phase[:3]
			t.Cleanup(func() {
				if l, err := netlink.LinkByName(linkName(id)); err == nil {
					netlink.LinkDel(l)
				}
			})
			_, err := f.Create(id, testConfig(t, map[string]string{"fail": phase}))
			if err == nil {
				t.Fatal("create succeeded although a phase failed")
			}
			if !errors.Is(err, &PhaseError{Phase: map[string]string{"network": "NetworkCreate", "exec": "ExecCreate"}[phase]}) {
				t.Errorf("error %v names no failed phase", err)
			}
			if _, err := os.Stat(filepath.Join(disks, id+".img")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the fs phase's file is left: %v", err)
			}
			if _, err := netlink.LinkByName(linkName(id)); err == nil {
				t.Errorf("the network phase's link %s is left", linkName(id))
			}
			if _, err := os.Stat(filepath.Join(f.Root(), id)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the state directory is left: %v", err)
			}
			if left := cgroupsNamed(id); len(left) > 0 {
				t.Errorf("the cgroup, made beside the phases, is left: %v", left)
			}
		})
	}
}

func TestCreateThenDestroyLeavesNothing(t *testing.T) {
	f, disks := testFactory(t)
	c, err := f.Create("cd", testConfig(t, map[string]string{"await": "cgroup"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if l, err := netlink.LinkByName(linkName("cd")); err == nil {
			netlink.LinkDel(l)
		}
	})
	if _, err := f.Create("cd", testConfig(t, nil)); !errors.Is(err, ErrExist) {
		t.Fatalf("second create of cd: %v, want ErrExist", err)
	}
	if s, _ := c.Status(); s != Stopped {
		t.Errorf("a container never started is %s", s)
	}
	if err := c.Destroy(false); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(disks)
	if len(entries) != 0 {
		t.Errorf("disk dir holds %v", entries)
	}
	if _, err := netlink.LinkByName(linkName("cd")); err == nil {
		t.Error("link left")
	}
	if _, err := f.Load("cd"); !errors.Is(err, ErrNotExist) {
		t.Errorf("load after destroy: %v", err)
	}
	if left := cgroupsNamed("cd"); len(left) > 0 {
		t.Errorf("cgroup left: %v", left)
	}
}
