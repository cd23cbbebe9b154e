package nabla

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	e "github.com/nabla-containers/runnc/nabla-lib/solo5elf/solo5elftest"
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
		Annotations: map[string]string{},
		Runtime:     llif.RuntimeOptions{TenderPath: fakeTender(t, "")},
		FsState:     llif.NewLLState(), NetworkState: llif.NewLLState(), ExecState: llif.NewLLState(),
	}
}

// Unikernels as their ELF notes describe them.
var (
	solo5Hello = e.Unikernel(1, false)
	mirageNet  = e.Unikernel(2, false, e.Entry{Name: "service", Type: e.Net})
	mirageBlk  = e.Unikernel(2, false, e.Entry{Name: "storage", Type: e.Block})
	twoDisks   = e.Unikernel(2, false, e.Entry{Name: "a", Type: e.Block}, e.Entry{Name: "b", Type: e.Block})
	noNotes    = e.ELF(e.Note("GNU", 3, make([]byte, 20)))
	hvtGuest   = e.ELF(e.ABI1(1, 2), e.Manifest())
)

// state is the exec state create should save; unikernel is relative to
// the rootfs.
func state(unikernel, f, net, block, argv0 string, args ...string) map[string]string {
	a, _ := json.Marshal(args)
	if args == nil {
		a = []byte("[]")
	}
	return map[string]string{optUnikernel: unikernel, optMemMiB: "512", optForm: f,
		optNetDevice: net, optBlockDevice: block, optArgv0: argv0, optArgs: string(a), optBlockFile: ""}
}

func TestExecCreate(t *testing.T) {
	uruncMirage := map[string]string{uruncType: b64("mirage"), uruncHypervisor: b64("spt"), uruncBinary: b64("/unikernel/net.spt"), uruncCmdline: b64("")}
	for _, tc := range []struct {
		name        string
		files       map[string][]byte
		args        []string
		annotations map[string]string
		disk, nic   bool // the fs state has a disk; the network state plans a tap
		want        map[string]string
	}{
		{"runnc SDK guest", map[string][]byte{"bin/hello.nabla": sdkGuest}, []string{"/bin/hello.nabla", "x"}, nil, true, true,
			state("bin/hello.nabla", "runnc", "net0", "rootfs", "/bin/hello.nabla", "x")},
		{"Solo5 ABI 1 guest of any name, no devices, none offered", map[string][]byte{"test_hello.spt": solo5Hello}, []string{"test_hello.spt", "Hello_Solo5"}, nil, false, false,
			state("test_hello.spt", "solo5", "", "", "test_hello.spt", "Hello_Solo5")},
		{"devices offered but not declared are left out", map[string][]byte{"hello": solo5Hello}, []string{"/hello"}, nil, true, true,
			state("hello", "solo5", "", "", "/hello")},
		{"MirageOS by runnc's annotation", map[string][]byte{"net.spt": mirageNet}, []string{"/net.spt"}, map[string]string{AnnotationUnikernelType: "mirage"}, true, true,
			state("net.spt", "mirage", "service", "", "/net.spt")},
		{"rumprun by runnc's annotation", map[string][]byte{"r.spt": mirageBlk}, []string{"/r.spt", "-v"}, map[string]string{AnnotationUnikernelType: "rumprun"}, true, false,
			state("r.spt", "rumprun", "", "storage", "/r.spt", "-v")},
		{"urunc's spt image as ctr runs it", map[string][]byte{"unikernel/net.spt": mirageNet}, []string{"--hello=Holahola"}, uruncMirage, false, true,
			state("unikernel/net.spt", "mirage", "service", "", "", "--hello=Holahola")},
		{"urunc's image from urunc.json, as Docker runs it", map[string][]byte{"unikernel/b.spt": mirageBlk,
			uruncJSON: fmt.Appendf(nil, `{%q:%q,%q:%q,%q:%q}`, uruncType, b64("mirage"), uruncBinary, b64("/unikernel/b.spt"), uruncCmdline, b64("-v --x=1"))},
			[]string{"/unikernel/b.spt"}, nil, true, true,
			state("unikernel/b.spt", "mirage", "", "storage", "", "-v", "--x=1")},
		{"runnc's type annotation wins over urunc's", map[string][]byte{"unikernel/net.spt": mirageNet}, nil,
			map[string]string{uruncBinary: b64("/unikernel/net.spt"), uruncType: b64("mirage"), AnnotationUnikernelType: "rumprun"}, false, true,
			state("unikernel/net.spt", "rumprun", "service", "", "")},
		{"urunc's other types are plain Solo5", map[string][]byte{"k": solo5Hello}, []string{"/k"}, map[string]string{uruncType: b64("unikraft")}, false, false,
			state("k", "solo5", "", "", "/k")},
		{"Nabla-era guest by opt-in", map[string][]byte{"node.nabla": noNotes}, []string{"node.nabla", "/app.js"}, map[string]string{AnnotationLegacy: "true"}, true, true,
			state("node.nabla", "legacy", "", "", "node.nabla", "/app.js")},
		{"urunc's block image is the disk, even without the fs handler's", map[string][]byte{"u": mirageBlk, "data/disk.img": make([]byte, 4096)}, []string{"x"},
			map[string]string{uruncBinary: b64("/u"), uruncBlock: b64("/data/disk.img")}, false, false,
			func() map[string]string {
				st := state("u", "solo5", "", "storage", "", "x")
				st[optBlockFile] = "data/disk.img"
				return st
			}()},
		{"the chosen of several devices", map[string][]byte{"n.spt": e.Unikernel(2, false, e.Entry{Name: "n", Type: e.Net})}, []string{"/n.spt"},
			map[string]string{AnnotationNetDevice: "n", AnnotationLegacy: "false"}, false, true,
			state("n.spt", "solo5", "n", "", "/n.spt")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tc.files {
				writeFile(t, root, name, content)
			}
			in := input(t, tc.args...)
			in.Config.Rootfs = root
			maps.Copy(in.Annotations, tc.annotations)
			if tc.disk {
				in.FsState.Options[llif.FsDisk] = "/disks/k.iso"
			}
			if tc.nic {
				in.NetworkState.Options[llif.NetTapPlanned] = "nbt1"
			}
			st, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
			if err != nil {
				t.Fatal(err)
			}
			tc.want[optUnikernel] = filepath.Join(root, tc.want[optUnikernel])
			if tc.want[optBlockFile] != "" {
				tc.want[optBlockFile] = filepath.Join(root, tc.want[optBlockFile])
			}
			if !reflect.DeepEqual(st.Options, tc.want) {
				t.Fatalf("state\n%v\nwant\n%v", st.Options, tc.want)
			}
		})
	}
}

func TestExecCreateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name        string
		unikernel   []byte // at /u
		args        []string
		annotations map[string]string
		edit        func(*llif.Input)
		want        string
	}{
		{"no process", sdkGuest, []string{"/u"}, nil, func(in *llif.Input) { in.Process = nil }, "config.json has no process: set process.args to a unikernel"},
		{"no args", sdkGuest, nil, nil, nil, "process.args is empty"},
		{"a script", []byte("#!/bin/sh\necho hi\n" + strings.Repeat("#", 64)), []string{"/u"}, nil, nil, "entrypoint /u is not a unikernel runnc can run: not an ELF file"},
		{"a short file", []byte("\x7fELF"), []string{"/u"}, nil, nil, "too short to be an ELF file"},
		{"a note-less ELF", noNotes, []string{"/u"}, nil, nil,
			"entrypoint /u has no Solo5 notes, so it is not a Solo5 spt unikernel: if it is a Nabla-era (Solo5 v0.4) one, set the annotation org.nabla.runnc.legacy=true"},
		{"legacy opt-in on a Solo5 guest", solo5Hello, []string{"/u"}, map[string]string{AnnotationLegacy: "true"}, nil,
			"entrypoint /u is a Solo5 spt ABI 1 unikernel, not a Nabla-era one: remove the annotation org.nabla.runnc.legacy"},
		{"legacy neither true nor false", noNotes, []string{"/u"}, map[string]string{AnnotationLegacy: "yes"}, nil, `org.nabla.runnc.legacy="yes" is neither true nor false`},
		{"an hvt guest", hvtGuest, []string{"/u"}, nil, nil, "built for Solo5's hvt target, not spt"},
		{"hostile manifest", e.ELF(e.ABI1(2, 2), e.Manifest(e.Entry{Name: "x", Type: 7})), []string{"/u"}, nil, nil, "unknown device type 7"},
		{"a NIC under --network none", mirageNet, []string{"/u"}, nil, func(in *llif.Input) { delete(in.NetworkState.Options, llif.NetTapPlanned) },
			`the unikernel declares NET_BASIC device "service" but container c1 has no network interface for it`},
		{"a disk under the noop fs handler", mirageBlk, []string{"/u"}, nil, func(in *llif.Input) { delete(in.FsState.Options, llif.FsDisk) },
			`declares BLOCK_BASIC device "storage" but container c1 has no disk for it`},
		{"a second disk", twoDisks, []string{"/u"}, map[string]string{AnnotationBlockDevice: "a"}, nil, `declares BLOCK_BASIC device "b", but container c1 has only one disk`},
		{"unknown unikernel type", solo5Hello, []string{"/u"}, map[string]string{AnnotationUnikernelType: "unikraft"}, nil, "is not a unikernel type runnc knows"},
		{"urunc image for qemu", solo5Hello, []string{"/u"}, map[string]string{uruncHypervisor: b64("qemu")}, nil, "packaged for urunc's qemu monitor"},
		{"urunc block image missing", mirageBlk, []string{"/u"}, map[string]string{uruncBlock: b64("/nope.img")}, nil,
			"block image /nope.img does not exist in rootfs"},
		{"urunc binary missing", solo5Hello, []string{"x"}, map[string]string{uruncBinary: b64("/nope")}, nil, "entrypoint /nope does not exist in rootfs"},
		{"memory below the minimum", solo5Hello, []string{"/u"}, nil, func(in *llif.Input) { in.Config.Cgroups.Resources.Memory = 1 << 20 }, "below the 2 MiB"},
		{"no tender", solo5Hello, []string{"/u"}, nil, func(in *llif.Input) { in.Runtime.TenderPath = "/nonexistent/nabla-run" }, "cannot be found"},
		{"an argument over execve's bound", solo5Hello, []string{"/u", strings.Repeat("x", maxArgBytes+1)}, nil, nil, "an argument of the unikernel is 131072 bytes, over the 131071"},
		{"a command line over the tender's bound", solo5Hello, append([]string{"/u"}, slicesRepeat(strings.Repeat("x", 100<<10), 10)...), nil, nil, "over the 921600 its boot ABI carries"},
		{"a Nabla-era CONFIG over 8 KiB", noNotes, []string{"/u", strings.Repeat("x", 8<<10)}, map[string]string{AnnotationLegacy: "true"}, nil, "over the 8191 its boot ABI carries"},
		{"more groups than the tender takes", solo5Hello, []string{"/u"}, nil, func(in *llif.Input) {
			in.Process.User.AdditionalGids = make([]uint32, maxGroups+1)
		}, "process.user.additionalGids lists 257 groups, more than the 256"},
		{"an SDK CONFIG over execve's bound", sdkGuest, []string{"/u"}, nil, func(in *llif.Input) {
			in.Process.Env = append(in.Process.Env, "BIG="+strings.Repeat("x", maxArgBytes))
		}, "the unikernel's CONFIG is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, "u", tc.unikernel)
			in := input(t, tc.args...)
			in.Config.Rootfs = root
			maps.Copy(in.Annotations, tc.annotations)
			in.FsState.Options[llif.FsDisk] = "/disks/k.iso"
			in.NetworkState.Options[llif.NetTapPlanned] = "nbt1"
			if tc.edit != nil {
				tc.edit(&in)
			}
			st, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), ".nabla unikernel") {
				t.Fatalf("got %v, %v; want an error with %q", st, err, tc.want)
			}
		})
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// created is the input of a run after the create phases: a disk, a tap and
// per-container files, for a guest of form f with these devices.
func created(t *testing.T, f form, net, block, argv0 string, args ...string) llif.Input {
	in := input(t)
	in.Process.Args = append([]string{"hello.nabla"}, args...)
	a, _ := json.Marshal(args)
	in.ExecState.Options = map[string]string{optUnikernel: "/rootfs/hello.nabla", optMemMiB: "64", optForm: string(f),
		optNetDevice: net, optBlockDevice: block, optArgv0: argv0, optArgs: string(a)}
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("10.0.0.2 c1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := json.Marshal(map[string]string{"/etc/hosts": hosts})
	in.FsState.Options = map[string]string{
		llif.FsDisk: "/disks/k.iso", llif.FsDiskReadOnly: "true", llif.FsFiles: string(files),
	}
	in.NetworkState.Options = map[string]string{
		llif.NetTapPlanned: "tap0", llif.NetTap: "tap0", llif.NetMAC: "02:00:0a:00:00:02",
		llif.NetIPv4Addr: "10.0.0.2", llif.NetIPv4Prefix: "24", llif.NetIPv4Gateway: "10.0.0.1",
	}
	return in
}

func TestTenderCommand(t *testing.T) {
	const (
		env    = `"env":"PATH=/bin","env":"A=b c"`
		netCfg = `"net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static","addr":"10.0.0.2","mask":"24","gw":"10.0.0.1"}`
		blkCfg = `"blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk","mountpoint":"/"}`
		mac    = "02:00:0a:00:00:02"
	)
	noDevices := func(in *llif.Input) { in.FsState, in.NetworkState = llif.NewLLState(), llif.NewLLState() }
	for _, tc := range []struct {
		name string
		in   func(t *testing.T) llif.Input
		edit func(*llif.Input)
		want []string
	}{
		{"runnc SDK guest with NIC, disk and files", func(t *testing.T) llif.Input { return created(t, formRunnc, "net0", "rootfs", "hello.nabla", "a b") }, nil,
			[]string{"--mem=64", "--net:net0=tap0", "--net-mac:net0=" + mac, "--block:rootfs=/disks/k.iso", "--block-readonly:rootfs", "--", "/rootfs/hello.nabla",
				`{"cmdline":"hello.nabla a b",` + env + `,` + netCfg + `,` + blkCfg + `,"cwd":"/","argv":["hello.nabla","a b"],"files":{"/etc/hosts":"10.0.0.2 c1\n"}}`}},
		{"runnc SDK guest without devices", func(t *testing.T) llif.Input { return created(t, formRunnc, "", "", "hello.nabla", "a b") }, noDevices,
			[]string{"--mem=64", "--", "/rootfs/hello.nabla", `{"cmdline":"hello.nabla a b",` + env + `,"cwd":"/","argv":["hello.nabla","a b"]}`}},
		{"runnc SDK guest named by spec.hostname", func(t *testing.T) llif.Input { return created(t, formRunnc, "", "", "hello.nabla") },
			func(in *llif.Input) { noDevices(in); in.Config.Hostname = "h1" },
			[]string{"--mem=64", "--", "/rootfs/hello.nabla", `{"cmdline":"hello.nabla",` + env + `,"cwd":"/","argv":["hello.nabla"],"files":{"/etc/hostname":"h1\n"}}`}},
		{"runnc SDK guest: an engine's /etc/hostname wins over spec.hostname", func(t *testing.T) llif.Input { return created(t, formRunnc, "", "rootfs", "hello.nabla") },
			func(in *llif.Input) {
				hostname := filepath.Join(t.TempDir(), "hostname")
				if err := os.WriteFile(hostname, []byte("engine\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				in.FsState.Options[llif.FsFiles] = fmt.Sprintf(`{"/etc/hostname":%q}`, hostname)
				in.Config.Hostname = "h1"
			},
			[]string{"--mem=64", "--block:rootfs=/disks/k.iso", "--block-readonly:rootfs", "--", "/rootfs/hello.nabla",
				`{"cmdline":"hello.nabla",` + env + `,` + blkCfg + `,"cwd":"/","argv":["hello.nabla"],"files":{"/etc/hostname":"engine\n"}}`}},
		{"runnc SDK guest that declares no NIC gets none", func(t *testing.T) llif.Input { return created(t, formRunnc, "", "rootfs", "hello.nabla") }, nil,
			[]string{"--mem=64", "--block:rootfs=/disks/k.iso", "--block-readonly:rootfs", "--", "/rootfs/hello.nabla",
				`{"cmdline":"hello.nabla",` + env + `,` + blkCfg + `,"cwd":"/","argv":["hello.nabla"],"files":{"/etc/hosts":"10.0.0.2 c1\n"}}`}},
		{"Solo5 guest: args[1:] are its command line", func(t *testing.T) llif.Input { return created(t, formSolo5, "", "storage", "hello.nabla", "a b", "c") }, nil,
			[]string{"--mem=64", "--block:storage=/disks/k.iso", "--block-readonly:storage", "--", "/rootfs/hello.nabla", "a b", "c"}},
		{"Solo5 guest with a writable disk and no arguments", func(t *testing.T) llif.Input { return created(t, formSolo5, "", "storage", "hello.nabla") },
			func(in *llif.Input) { delete(in.FsState.Options, llif.FsDiskReadOnly) },
			[]string{"--mem=64", "--block:storage=/disks/k.iso", "--", "/rootfs/hello.nabla"}},
		{"urunc's block image, read-only", func(t *testing.T) llif.Input {
			in := created(t, formSolo5, "", "storage", "")
			in.ExecState.Options[optBlockFile] = "/rootfs/data/disk.img"
			return in
		}, func(in *llif.Input) { delete(in.FsState.Options, llif.FsDiskReadOnly) },
			[]string{"--mem=64", "--block:storage=/rootfs/data/disk.img", "--block-readonly:storage", "--", "/rootfs/hello.nabla"}},
		{"MirageOS guest learns its address", func(t *testing.T) llif.Input { return created(t, formMirage, "service", "", "", "--hello=x") }, nil,
			[]string{"--mem=64", "--net:service=tap0", "--net-mac:service=" + mac, "--", "/rootfs/hello.nabla", "--ipv4=10.0.0.2/24", "--ipv4-gateway=10.0.0.1", "--hello=x"}},
		{"MirageOS guest without a gateway", func(t *testing.T) llif.Input { return created(t, formMirage, "service", "", "hello.nabla") },
			func(in *llif.Input) { delete(in.NetworkState.Options, llif.NetIPv4Gateway) },
			[]string{"--mem=64", "--net:service=tap0", "--net-mac:service=" + mac, "--", "/rootfs/hello.nabla", "--ipv4=10.0.0.2/24"}},
		{"MirageOS guest without a NIC has no address", func(t *testing.T) llif.Input { return created(t, formMirage, "", "", "hello.nabla", "-v") }, nil,
			[]string{"--mem=64", "--", "/rootfs/hello.nabla", "-v"}},
		{"rumprun on Solo5: only rumprun's keys", func(t *testing.T) llif.Input {
			return created(t, formRumprun, "tap", "rootfs", "", "redis-server", "/data/redis.conf")
		}, nil,
			[]string{"--mem=64", "--net:tap=tap0", "--net-mac:tap=" + mac, "--block:rootfs=/disks/k.iso", "--block-readonly:rootfs", "--", "/rootfs/hello.nabla",
				`{"cmdline":"redis-server /data/redis.conf",` + env + `,` + netCfg + `,` + blkCfg + `,"cwd":"/"}`}},
		{"Nabla-era guest: upstream's argv and rumprun's keys", func(t *testing.T) llif.Input { return created(t, formLegacy, "", "", "node.nabla", "/app.js") }, nil,
			[]string{"--nabla-legacy", "--mem=64", "--net=tap0", "--net-mac=" + mac, "--disk=/disks/k.iso", "--disk-readonly", "/rootfs/hello.nabla",
				`{"cmdline":"node.nabla /app.js",` + env + `,` + netCfg + `,` + blkCfg + `,"cwd":"/"}`}},
		{"process.user: the tender drops to it", func(t *testing.T) llif.Input { return created(t, formSolo5, "", "", "hello.nabla") },
			func(in *llif.Input) {
				noDevices(in)
				in.Process.User = specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{10, 20}}
			},
			[]string{"--mem=64", "--user=1000:1001:10,20", "--", "/rootfs/hello.nabla"}},
		{"Nabla-era guest as a user without groups", func(t *testing.T) llif.Input { return created(t, formLegacy, "", "", "node.nabla") },
			func(in *llif.Input) { noDevices(in); in.Process.User = specs.User{UID: 1000} },
			[]string{"--nabla-legacy", "--mem=64", "--user=1000:0", "/rootfs/hello.nabla", `{"cmdline":"node.nabla",` + env + `,"cwd":"/"}`}},
		{"Nabla-era guest without devices", func(t *testing.T) llif.Input { return created(t, formLegacy, "", "", "node.nabla") }, noDevices,
			[]string{"--nabla-legacy", "--mem=64", "/rootfs/hello.nabla", `{"cmdline":"node.nabla",` + env + `,"cwd":"/"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in(t)
			if tc.edit != nil {
				tc.edit(&in)
			}
			got, err := tenderCommand(&in)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{in.Runtime.TenderPath}, tc.want...)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got\n%q\nwant\n%q", got, want)
			}
		})
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
		"no create":  {func(in *llif.Input) { in.ExecState = llif.NewLLState() }, "lacks the unikernel"},
		"no process": {func(in *llif.Input) { in.Process = nil }, "has no process to run"},
		// Docker's --network none: a namespace with no interface to take over.
		"no NIC came": {func(in *llif.Input) { in.NetworkState = llif.NewLLState() },
			`the unikernel declares NET_BASIC device "net0" but container c1 has no network interface for it: give it a network`},
		"the disk is gone": {func(in *llif.Input) { in.FsState = llif.NewLLState() }, `BLOCK_BASIC device "rootfs" but container c1 has no disk`},
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
			in.Process.Env = append(in.Process.Env, "BIG="+strings.Repeat("x", maxArgBytes))
		}, "over the 131071"},
	} {
		t.Run(name, func(t *testing.T) {
			in := created(t, formRunnc, "net0", "rootfs", "hello.nabla")
			tc.edit(&in)
			if _, err := tenderCommand(&in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// Create and run agree: what create saves, run turns into the tender's
// command, and the guest's environment stays out of the tender's.
func TestExecCreateThenRun(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "k.spt", mirageNet)
	in := input(t, "/k.spt", "--hello=x")
	in.Config.Rootfs = root
	in.Annotations[AnnotationUnikernelType] = "mirage"
	in.NetworkState.Options[llif.NetTapPlanned] = "tap0"
	st, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
	if err != nil {
		t.Fatal(err)
	}
	in.ExecState = st
	in.NetworkState.Options = map[string]string{llif.NetTap: "tap0", llif.NetMAC: "02:00:00:00:00:01", llif.NetIPv4Addr: "172.17.0.2", llif.NetIPv4Prefix: "16"}
	w, err := NewNabla().ExecRunFunc(&llif.ExecRunInput{Input: in})
	if err != nil {
		t.Fatal(err)
	}
	tender := in.Runtime.TenderPath
	want := &llif.Workload{Path: tender, Env: []string{}, Args: []string{tender, "--mem=512", "--net:service=tap0", "--net-mac:service=02:00:00:00:00:01",
		"--", filepath.Join(root, "k.spt"), "--ipv4=172.17.0.2/16", "--hello=x"}}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("workload:\n got %#v\nwant %#v", w, want)
	}
}

// A container's volumes reach the guest: create maps them to devices,
// run attaches each (read-only as the fs handler says) and tells an SDK
// guest where each is mounted.
func TestVolumesCreateThenRun(t *testing.T) {
	slots := []e.Entry{{Name: "rootfs", Type: e.Block}}
	for i := range 8 {
		slots = append(slots, e.Entry{Name: fmt.Sprintf("vol%d", i), Type: e.RunncVolume})
	}
	volumes, _ := llif.EncodeVolumes([]llif.Volume{
		{Destination: "/data", Disk: "/disks/d.iso", Type: llif.VolumeISO9660, ReadOnly: true},
		{Destination: "/storage", Disk: "/srv/disk.img", Type: llif.VolumeRaw},
	})
	for _, tc := range []struct {
		name      string
		unikernel []byte
		flags     []string // the tender's, before --
		config    string   // the guest's command line ("" for none)
	}{
		{"runnc SDK guest with slots", e.Unikernel(2, true, slots...), []string{"--mem=512", "--block:rootfs=/disks/k.iso", "--block-readonly:rootfs",
			"--block:vol0=/disks/d.iso", "--block-readonly:vol0", "--block:vol1=/srv/disk.img"},
			`{"cmdline":"/u","env":"PATH=/bin","env":"A=b c","blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk","mountpoint":"/"},"cwd":"/","argv":["/u"],` +
				`"mounts":[{"device":"vol0","path":"/data","type":"iso9660"},{"device":"vol1","path":"/storage","type":"raw"}]}`},
		{"Solo5 guest whose devices the mounts name", e.Unikernel(2, false, e.Entry{Name: "data", Type: e.Block}, e.Entry{Name: "storage", Type: e.Block}),
			[]string{"--mem=512", "--block:data=/disks/d.iso", "--block-readonly:data", "--block:storage=/srv/disk.img"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, "u", tc.unikernel)
			in := input(t, "/u")
			in.Config.Rootfs = root
			in.FsState.Options = map[string]string{llif.FsDisk: "/disks/k.iso", llif.FsDiskReadOnly: "true", llif.FsVolumes: volumes}
			st, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
			if err != nil {
				t.Fatal(err)
			}
			in.ExecState = st
			argv, err := tenderCommand(&in)
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]string{in.Runtime.TenderPath}, tc.flags...), "--", filepath.Join(root, "u"))
			if tc.config != "" {
				want = append(want, tc.config)
			}
			if !reflect.DeepEqual(argv, want) {
				t.Fatalf("got\n%q\nwant\n%q", argv, want)
			}
		})
	}
}

// Volumes that cannot reach the guest refuse the container at create.
func TestVolumesRefused(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "hello.nabla", e.Unikernel(2, true))
	in := input(t, "/hello.nabla")
	in.Config.Rootfs = root
	in.FsState.Options[llif.FsVolumes], _ = llif.EncodeVolumes([]llif.Volume{{Destination: "/data", Disk: "/disks/d.iso", Type: llif.VolumeISO9660, ReadOnly: true}})
	_, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in})
	if !errors.Is(err, llif.ErrMountUnreachable) || !strings.Contains(err.Error(), "declares no volume slots; build it with NB_VOLUMES") {
		t.Errorf("hello with a volume: got %v", err)
	}
	in.FsState.Options[llif.FsVolumes] = `[{"destination":"/data"}]`
	if _, err := NewNabla().ExecCreateFunc(&llif.ExecCreateInput{Input: in}); err == nil || !strings.Contains(err.Error(), "holds a volume without a destination, a disk or a known type") {
		t.Errorf("a damaged fs state: got %v", err)
	}
}
