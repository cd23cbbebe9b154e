package nabla

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// fakeTender is an executable the handler accepts as nabla-run.
func fakeTender(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "nabla-run")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func input(t *testing.T, args ...string) llif.Input {
	return llif.Input{
		ContainerID: "c1",
		Config:      withMemory(0),
		Process:     &specs.Process{Args: args, Env: []string{"PATH=/bin", "A=b c"}, Cwd: "/"},
		Runtime:     llif.RuntimeOptions{TenderPath: fakeTender(t, "")},
		FsState:     llif.NewLLState(), NetworkState: llif.NewLLState(), ExecState: llif.NewLLState(),
	}
}

func TestExecCreateSavesUnikernelAndMemory(t *testing.T) {
	root, _ := rootfs(t)
	in := input(t, "hello.nabla", "x")
	in.Config.Rootfs = root
	in.Process.Cwd = "/bin"
	in.Config.Cgroups.Resources.Memory = 100 << 20
	st, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{optUnikernel: filepath.Join(root, "bin/hello.nabla"), optMemMiB: "100"}
	if !reflect.DeepEqual(st.Options, want) {
		t.Fatalf("state %v, want %v", st.Options, want)
	}
}

func TestExecCreateRefusesAMissingTender(t *testing.T) {
	root, _ := rootfs(t)
	in := input(t, "/bin/hello.nabla")
	in.Config.Rootfs = root
	in.Runtime.TenderPath = "/nonexistent/nabla-run"
	_, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
	if err == nil || !strings.Contains(err.Error(), "cannot be found") {
		t.Fatalf("got %v, want a missing tender error", err)
	}
}

// created is the input of a run after the create phases: a disk, a tap and
// per-container files.
func created(t *testing.T) llif.Input {
	in := input(t, "hello.nabla", "a b")
	in.ExecState.Options[optUnikernel] = "/rootfs/hello.nabla"
	in.ExecState.Options[optMemMiB] = "64"
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("10.0.0.2 c1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := json.Marshal(map[string]string{"/etc/hosts": hosts})
	in.FsState.Options = map[string]string{
		llif.FsDisk: "/disks/k.iso", llif.FsDiskReadOnly: "true", llif.FsFiles: string(files),
	}
	in.NetworkState.Options = map[string]string{
		llif.NetTap: "tap0", llif.NetMAC: "02:00:0a:00:00:02",
		llif.NetIPv4Addr: "10.0.0.2", llif.NetIPv4Prefix: "24", llif.NetIPv4Gateway: "10.0.0.1",
	}
	return in
}

func TestTenderCommand(t *testing.T) {
	in := created(t)
	got, err := tenderCommand(&in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{in.Runtime.TenderPath, "--mem=64", "--net=tap0", "--net-mac=02:00:0a:00:00:02",
		"--disk=/disks/k.iso", "--disk-readonly", "/rootfs/hello.nabla",
		`{"cmdline":"hello.nabla a b","env":"PATH=/bin","env":"A=b c",` +
			`"net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static","addr":"10.0.0.2","mask":"24","gw":"10.0.0.1"},` +
			`"blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk","mountpoint":"/"},` +
			`"cwd":"/","argv":["hello.nabla","a b"],"files":{"/etc/hosts":"10.0.0.2 c1\n"}}`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestTenderCommandWithoutDevices(t *testing.T) {
	in := created(t)
	in.FsState = llif.NewLLState()
	in.NetworkState = llif.NewLLState()
	got, err := tenderCommand(&in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{in.Runtime.TenderPath, "--mem=64", "/rootfs/hello.nabla",
		`{"cmdline":"hello.nabla a b","env":"PATH=/bin","env":"A=b c","cwd":"/","argv":["hello.nabla","a b"]}`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestTenderCommandRefuses(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, maxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(*llif.Input)
		want string
	}{
		"no create": {func(in *llif.Input) { in.ExecState = llif.NewLLState() }, "lacks the unikernel"},
		"tap without address": {func(in *llif.Input) {
			delete(in.NetworkState.Options, llif.NetIPv4Addr)
		}, "no IPv4 address"},
		"file over the cap": {func(in *llif.Input) {
			in.FsState.Options[llif.FsFiles] = fmt.Sprintf(`{"/etc/hosts":%q}`, big)
		}, "bigger than the 64 KiB"},
		"missing file": {func(in *llif.Input) {
			in.FsState.Options[llif.FsFiles] = `{"/etc/hosts":"/nonexistent/hosts"}`
		}, "no such file"},
		"config over an argument's size": {func(in *llif.Input) {
			in.Process.Env = append(in.Process.Env, "BIG="+strings.Repeat("x", maxConfigBytes))
		}, "over the 131071"},
	} {
		t.Run(name, func(t *testing.T) {
			in := created(t)
			tc.edit(&in)
			if _, err := tenderCommand(&in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// ExecRunFunc hands init the tender with an empty environment and the
// command line built above.
func TestExecRunGivesTheTenderWithoutEnvironment(t *testing.T) {
	in := llif.Input{
		ContainerID: "c1",
		Process:     &specs.Process{Args: []string{"hello.nabla", "a b"}, Env: []string{"K=V"}, Cwd: "/"},
		Runtime:     llif.RuntimeOptions{TenderPath: "/opt/runnc/bin/nabla-run"},
		FsState:     llif.NewLLState(), NetworkState: llif.NewLLState(),
		ExecState: &llif.LLState{Options: map[string]string{optUnikernel: "/u.nabla", optMemMiB: "32"}},
	}
	w, err := NewNabla().ExecRunFunc(&llif.ExecRunInput{Input: in})
	if err != nil {
		t.Fatal(err)
	}
	want := &llif.Workload{
		Path: "/opt/runnc/bin/nabla-run",
		Args: []string{"/opt/runnc/bin/nabla-run", "--mem=32", "/u.nabla",
			`{"cmdline":"hello.nabla a b","env":"K=V","cwd":"/","argv":["hello.nabla","a b"]}`},
		Env: []string{},
	}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("workload:\n got %#v\nwant %#v", w, want)
	}
}
