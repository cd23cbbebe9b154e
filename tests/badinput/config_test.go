package badinput_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// configCase is a config.json that create must refuse: either a change to
// hello's generated spec (edit) or a whole file (raw).
type configCase struct {
	name string
	edit func(t *testing.T, bundle string, m map[string]any)
	raw  []byte
	want string
}

func setProcess(key string, v any) func(*testing.T, string, map[string]any) {
	return func(_ *testing.T, _ string, m map[string]any) { obj(m, "process")[key] = v }
}

func setLinux(key string, v any) func(*testing.T, string, map[string]any) {
	return func(_ *testing.T, _ string, m map[string]any) { obj(m, "linux")[key] = v }
}

func setTop(key string, v any) func(*testing.T, string, map[string]any) {
	return func(_ *testing.T, _ string, m map[string]any) {
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
	}
}

// setMounts sets the spec's mounts.
func setMounts(mounts ...map[string]any) func(*testing.T, string, map[string]any) {
	return func(_ *testing.T, _ string, m map[string]any) {
		list := make([]any, len(mounts))
		for i, mount := range mounts {
			list[i] = mount
		}
		m["mounts"] = list
	}
}

// runFile puts a file made by content at name in the rootfs, runs it, and
// sets the annotations if any.
func runFile(name string, content func(*testing.T) []byte, annotations map[string]any) func(*testing.T, string, map[string]any) {
	return func(t *testing.T, b string, m map[string]any) {
		path := filepath.Join(b, "rootfs", name)
		mkdir(t, filepath.Dir(path))
		if err := os.WriteFile(path, content(t), 0o755); err != nil {
			t.Fatal(err)
		}
		obj(m, "process")["args"] = []any{"/" + name}
		if annotations != nil {
			m["annotations"] = annotations
		}
	}
}

func script(*testing.T) []byte {
	return []byte("#!/bin/sh\necho not a unikernel\n" + strings.Repeat("#", 64))
}

// built is a file of the build, such as a guest.
func built(rel string) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		data, err := os.ReadFile(testenv.Binary(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
}

func setRootPath(p string) func(*testing.T, string, map[string]any) {
	return func(_ *testing.T, _ string, m map[string]any) { obj(m, "root")["path"] = p }
}

func repeat(n int, s string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = s
	}
	return out
}

var configCases = []configCase{
	{name: "empty file", raw: []byte{}, want: "not valid OCI JSON"},
	{name: "truncated JSON", raw: []byte(`{"ociVersion": "1.0.2", "process": {`), want: "not valid OCI JSON"},
	{name: "JSON array", raw: []byte(`[1,2,3]`), want: "not valid OCI JSON"},
	{name: "JSON null", raw: []byte(`null`), want: "ociVersion is missing"},
	{name: "binary garbage", raw: []byte("\x7fELF\x02\x01\x01\x00\xff\xfe"), want: "not valid OCI JSON"},
	{name: "deeply nested", raw: []byte(`{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`), want: "not valid OCI JSON"},
	{name: "ociVersion number", edit: setTop("ociVersion", 1), want: "not valid OCI JSON"},
	{name: "ociVersion missing", edit: setTop("ociVersion", nil), want: "ociVersion is missing"},
	{name: "ociVersion 2.0.0", edit: setTop("ociVersion", "2.0.0"), want: `ociVersion "2.0.0" is not supported`},
	{name: "ociVersion 0.5", edit: setTop("ociVersion", "0.5.0"), want: "is not supported"},
	{name: "process missing", edit: setTop("process", nil), want: "process is missing"},
	{name: "process a string", edit: setTop("process", "/hello.nabla"), want: "not valid OCI JSON"},
	{name: "args missing", edit: setProcess("args", nil), want: "process.args is empty"},
	{name: "args empty", edit: setProcess("args", []any{}), want: "process.args is empty"},
	{name: "args a string", edit: setProcess("args", "/hello.nabla"), want: "not valid OCI JSON"},
	{name: "args of numbers", edit: setProcess("args", []any{1, 2}), want: "not valid OCI JSON"},
	{name: "args[0] empty", edit: setProcess("args", []any{""}), want: "process.args is empty"},
	{name: "args[0] not a unikernel", edit: runFile("bin/sh", script, nil), want: "entrypoint /bin/sh is not a unikernel runnc can run: not an ELF file"},
	{name: "args[0] an ELF without notes", edit: runFile("prog", built("nabla-run"), nil),
		want: "entrypoint /prog has no Solo5 notes, so it is not a Solo5 spt unikernel: if it is a Nabla-era (Solo5 v0.4) one, set the annotation org.nabla.runnc.legacy=true"},
	{name: "Nabla-era opt-in for a Solo5 guest", edit: runFile("h", built("guests/hello.nabla"), map[string]any{"org.nabla.runnc.legacy": "true"}),
		want: "entrypoint /h is a runnc SDK unikernel, not a Nabla-era one: remove the annotation org.nabla.runnc.legacy"},
	{name: "a NIC under the none network handler", edit: runFile("echo.spt", built("guests/echo.nabla"), map[string]any{"org.nabla.runnc.network": "none"}),
		want: "has no network interface for it: give it a network with an IPv4 interface"},
	// As under Docker's --network none: the namespace runnc makes has no
	// interface to take over, and no hook runs to add one, so create
	// refuses before it makes anything.
	{name: "a NIC in a namespace without one", edit: runFile("echo.spt", built("guests/echo.nabla"), nil),
		want: "has no network interface for it: give it a network with an IPv4 interface"},
	{name: "a disk under the noop fs handler", edit: runFile("cat", built("guests/cat.nabla"), map[string]any{"org.nabla.runnc.fs": "noop"}),
		want: "has no disk for it: give it the rootfs disk of the iso fs handler"},
	{name: "args[0] missing", edit: setProcess("args", []any{"/missing.nabla"}), want: "does not exist in rootfs"},
	{name: "args[0] escapes the rootfs", edit: setProcess("args", []any{"../../../../../../usr/bin/x.nabla"}), want: "does not exist in rootfs"},
	{name: "args[0] a directory", edit: func(t *testing.T, b string, m map[string]any) {
		mkdir(t, filepath.Join(b, "rootfs", "dir.nabla"))
		obj(m, "process")["args"] = []any{"/dir.nabla"}
	}, want: "is not a regular file"},
	{name: "args[0] with NUL", edit: setProcess("args", []any{"/hello.nabla\x00.nabla"}), want: "contains a NUL byte"},
	{name: "NUL in an argument", edit: setProcess("args", []any{"/hello.nabla", "a\x00b"}), want: "contains a NUL byte"},
	{name: "NUL in the environment", edit: setProcess("env", []any{"A=x\x00y"}), want: "contains a NUL byte"},
	{name: "NUL in cwd", edit: setProcess("cwd", "/a\x00b"), want: "contains a NUL byte"},
	{name: "env without =", edit: setProcess("env", []any{"JUSTAKEY"}), want: "is not NAME=VALUE"},
	{name: "env with empty name", edit: setProcess("env", []any{"=x"}), want: "is not NAME=VALUE"},
	{name: "env an object", edit: setProcess("env", map[string]any{"A": "B"}), want: "not valid OCI JSON"},
	{name: "cwd a number", edit: setProcess("cwd", 7), want: "not valid OCI JSON"},
	{name: "cwd relative", edit: setProcess("cwd", "relative/dir"), want: "not an absolute path"},
	{name: "terminal without console socket", edit: setProcess("terminal", true), want: "no --console-socket"},
	{name: "user a string", edit: setProcess("user", "root"), want: "not valid OCI JSON"},
	{name: "root missing", edit: setTop("root", nil), want: "root.path is missing"},
	{name: "root.path empty", edit: setRootPath(""), want: "root.path is missing"},
	{name: "root.path relative missing", edit: setRootPath("nowhere"), want: "nowhere does not exist"},
	{name: "root.path absolute missing", edit: setRootPath("/nonexistent/runnc-rootfs"), want: "does not exist"},
	{name: "root.path a file", edit: func(t *testing.T, b string, m map[string]any) {
		obj(m, "root")["path"] = "config.json"
	}, want: "is not a directory"},
	{name: "root.path with NUL", edit: setRootPath("rootfs\x00/etc"), want: "contains a NUL byte"},
	{name: "root.path escaping to a host directory", edit: func(t *testing.T, b string, m map[string]any) {
		// A rootfs outside the bundle is allowed (runc allows it), but
		// this one lacks the unikernel: refused, and its image removed.
		host := filepath.Join(b, "..", "elsewhere")
		mkdir(t, host)
		obj(m, "root")["path"] = "../" + filepath.Base(host)
	}, want: "does not exist in rootfs"},
	{name: "linux missing", edit: setTop("linux", nil), want: "linux section is missing"},
	{name: "linux a list", edit: setTop("linux", []any{}), want: "not valid OCI JSON"},
	{name: "netns path missing", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "linux")["namespaces"] = []any{map[string]any{"type": "network", "path": "/nonexistent/netns"}}
	}, want: "/nonexistent/netns"},
	{name: "netns path not a namespace", edit: func(_ *testing.T, b string, m map[string]any) {
		obj(m, "linux")["namespaces"] = []any{map[string]any{"type": "network", "path": filepath.Join(b, "config.json")}}
	}, want: "not a network namespace"},
	{name: "unknown namespace type", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "linux")["namespaces"] = []any{map[string]any{"type": "network"}, map[string]any{"type": "warp"}}
	}, want: "warp"},
	{name: "host network", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "linux")["namespaces"] = []any{}
	}, want: "host networking is not supported"},
	{name: "memory limit too small", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(obj(obj(m, "linux"), "resources"), "memory")["limit"] = 1 << 20
	}, want: "below the 2 MiB"},
	{name: "memory limit a string", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(obj(obj(m, "linux"), "resources"), "memory")["limit"] = "lots"
	}, want: "not valid OCI JSON"},
	{name: "unknown fs handler", edit: setTop("annotations", map[string]any{"org.nabla.runnc.fs": "zfs-of-dreams"}), want: "zfs-of-dreams"},
	{name: "unknown exec handler", edit: setTop("annotations", map[string]any{"org.nabla.runnc.exec": "qemu"}), want: "qemu"},
	{name: "annotations a list", edit: setTop("annotations", []any{"a"}), want: "not valid OCI JSON"},
	{name: "bind mount of a missing /etc/hosts", edit: func(_ *testing.T, _ string, m map[string]any) {
		m["mounts"] = []any{map[string]any{"destination": "/etc/hosts", "type": "bind", "source": "/nonexistent/hosts", "options": []any{"rbind", "ro"}}}
	}, want: "/nonexistent/hosts"},
	{name: "bind mount of a directory on /etc/resolv.conf", edit: func(_ *testing.T, _ string, m map[string]any) {
		m["mounts"] = []any{map[string]any{"destination": "/etc/resolv.conf", "type": "bind", "source": "/etc", "options": []any{"rbind"}}}
	}, want: "is not a regular file"},
	{name: "bind mount with relative source", edit: func(_ *testing.T, _ string, m map[string]any) {
		m["mounts"] = []any{map[string]any{"destination": "/etc/hostname", "type": "bind", "source": "hostname", "options": []any{"bind"}}}
	}, want: "hostname"},
	{name: "mounts a map", edit: setTop("mounts", map[string]any{"a": "b"}), want: "not valid OCI JSON"},
	// What cannot reach the unikernel is refused, never silently dropped.
	{name: "a tmpfs at /tmp", edit: setMounts(map[string]any{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []any{"size=1k"}}),
		want: "the tmpfs mount at /tmp cannot reach the unikernel, which sees only disks"},
	{name: "a tmpfs at a relative destination", edit: setMounts(map[string]any{"destination": "../../escape", "type": "tmpfs", "source": "tmpfs"}),
		want: "the tmpfs mount at ../../escape cannot reach the unikernel"},
	{name: "an nfs4 mount", edit: setMounts(map[string]any{"destination": "/weird", "type": "nfs4", "source": "10.255.255.1:/export"}),
		want: "the nfs4 mount at /weird cannot reach the unikernel"},
	{name: "a bind mount of a device", edit: setMounts(map[string]any{"destination": "/dev/sda", "type": "bind", "source": "/dev/null"}),
		want: "the source /dev/null of the bind mount at /dev/sda is a character device, which cannot reach the unikernel"},
	{name: "a bind mount at /", edit: setMounts(map[string]any{"destination": "/", "type": "bind", "source": "/etc", "options": []any{"rbind"}}),
		want: "its destination must be an absolute path other than /"},
	{name: "a volume for a guest without volume slots", edit: func(t *testing.T, b string, m map[string]any) {
		mkdir(t, filepath.Join(b, "data"))
		m["mounts"] = []any{map[string]any{"destination": "/data", "type": "bind", "source": filepath.Join(b, "data"), "options": []any{"rbind", "ro"}}}
	}, want: "the bind mount at /data cannot reach the unikernel: the unikernel declares no volume slots; build it with NB_VOLUMES"},
	{name: "an annotation that leaves out a relative path", edit: func(t *testing.T, b string, m map[string]any) {
		m["annotations"] = map[string]any{"org.nabla.runnc.ignore-mounts": "/tmp,tmp"}
	}, want: `names "tmp", which is not a mount destination`},
	{name: "a domain name", edit: setTop("domainname", "example.org"), want: `domainname "example.org" (docker run --domainname) cannot reach a unikernel`},
	{name: "a console wider than a terminal", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "process")["consoleSize"] = map[string]any{"height": 24, "width": 70000}
	}, want: "process.consoleSize 70000x24 is larger than a terminal can be"},
	{name: "oomScoreAdj out of range", edit: setProcess("oomScoreAdj", 1001), want: "process.oomScoreAdj 1001 is outside the kernel's range, -1000 to 1000"},
	// Options of runtime spec 1.2 and 1.3 that runnc does not honour.
	{name: "a scheduling policy", edit: setProcess("scheduler", map[string]any{"policy": "SCHED_FIFO", "priority": 1}),
		want: "process.scheduler (a scheduling policy for the container's process) is not supported by runnc"},
	{name: "an I/O priority", edit: setProcess("ioPriority", map[string]any{"class": "IOPRIO_CLASS_IDLE"}),
		want: "process.ioPriority (an I/O priority for the container's process) is not supported by runnc"},
	{name: "an exec CPU affinity", edit: setProcess("execCPUAffinity", map[string]any{"final": "0"}),
		want: "process.execCPUAffinity (the CPUs of the container's process) is not supported by runnc"},
	{name: "a host interface moved in", edit: setLinux("netDevices", map[string]any{"eth9": map[string]any{"name": "eth1"}}),
		want: "linux.netDevices (host network interfaces moved into the container) is not supported by runnc"},
	{name: "an RDT class", edit: setLinux("intelRdt", map[string]any{"closID": "gold"}),
		want: "linux.intelRdt (an Intel RDT class for cache and memory bandwidth) is not supported by runnc"},
	{name: "a NUMA memory policy", edit: setLinux("memoryPolicy", map[string]any{"mode": "MPOL_BIND", "nodes": "0"}),
		want: "linux.memoryPolicy (a NUMA memory policy) is not supported by runnc"},
	{name: "a personality", edit: setLinux("personality", map[string]any{"domain": "LINUX32"}),
		want: "linux.personality (an execution domain, podman run --personality) has no effect on a unikernel"},
	{name: "time offsets", edit: setLinux("timeOffsets", map[string]any{"monotonic": map[string]any{"secs": 1}}),
		want: "linux.timeOffsets (the clocks of a time namespace) is not supported by runnc"},
	{name: "both security labels", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "process")["apparmorProfile"] = "docker-default"
		obj(m, "process")["selinuxLabel"] = "system_u:system_r:container_t:s0"
	}, want: "runnc applies one security module's label"},
	{name: "prestart hook missing", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "hooks")["prestart"] = []any{map[string]any{"path": "/nonexistent/hook"}}
	}, want: "hook"},
	{name: "prestart hook failing", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "hooks")["prestart"] = []any{map[string]any{"path": "/bin/false"}}
	}, want: "hook"},
	{name: "createRuntime hook failing", edit: func(_ *testing.T, _ string, m map[string]any) {
		obj(m, "hooks")["createRuntime"] = []any{map[string]any{"path": "/bin/sh", "args": []any{"sh", "-c", "exit 3"}}}
	}, want: "hook"},
}

func TestBadConfig(t *testing.T) {
	e := newEnv(t)
	for _, c := range configCases {
		t.Run(c.name, func(t *testing.T) {
			bundle := e.hello()
			if c.raw != nil {
				if err := os.WriteFile(filepath.Join(bundle, "config.json"), c.raw, 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				editJSON(t, bundle, func(m map[string]any) { c.edit(t, bundle, m) })
			}
			id := e.id(c.name)
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: c.want}, bundle, id)
		})
	}
}

// Confinement a spec asks for and the host cannot give is refused, not
// dropped: a security module the host does not run, or a label its module
// does not know, which init finds out when it asks for it at create. The
// VM suite applies a profile where AppArmor is on.
func TestSecurityLabelsRefused(t *testing.T) {
	e := newEnv(t)
	aa, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	_, fsErr := os.Stat("/sys/kernel/security/apparmor")
	apparmor := err == nil && fsErr == nil && strings.HasPrefix(string(aa), "Y")
	_, err = os.Stat("/sys/fs/selinux/enforce")
	selinux := err == nil
	for _, c := range []struct {
		name, key, value string
		on               bool
		off              string
	}{
		{"an AppArmor profile", "apparmorProfile", "runnc-test-no-such-profile", apparmor, "AppArmor is not enabled on this host"},
		{"an SELinux label", "selinuxLabel", "system_u:system_r:runnc_test_no_such_t:s0", selinux, "SELinux is not enabled on this host"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := e.hello()
			editJSON(t, bundle, func(m map[string]any) { obj(m, "process")[c.key] = c.value })
			want := fmt.Sprintf("process.%s %q cannot be applied: %s", c.key, c.value, c.off)
			if c.on {
				want = "set the workload's security label"
			}
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: want}, bundle, e.id(c.name))
		})
	}
}

// A missing or unreadable config.json and a bundle that is not a
// directory.
func TestBadBundle(t *testing.T) {
	e := newEnv(t)
	noConfig := t.TempDir()
	unreadable := e.hello()
	cfg := filepath.Join(unreadable, "config.json")
	if err := os.Remove(cfg); err != nil {
		t.Fatal(err)
	}
	mkdir(t, cfg) // a directory where the file should be
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, bundle, want string }{
		{"no config.json", noConfig, "has no config.json"},
		{"config.json a directory", unreadable, "cannot read config.json"},
		{"bundle missing", "/nonexistent/bundle", "cannot be entered"},
		{"bundle a file", file, "cannot be entered"},
		{"bundle with newline", noConfig + "\nx", `\nx cannot be entered`},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: c.want}, c.bundle, e.id(c.name))
		})
	}
}

// A huge config.json (50 MB of annotations) is read, not choked on; the
// container fails for the reason planted in it.
func TestHugeConfig(t *testing.T) {
	e := newEnv(t)
	bundle := e.hello()
	editJSON(t, bundle, func(m map[string]any) {
		ann := map[string]any{}
		v := strings.Repeat("v", 1<<20)
		for i := 0; i < 50; i++ {
			ann["k"+strings.Repeat("x", i)] = v
		}
		m["annotations"] = ann
		obj(m, "process")["args"] = []any{"/absent.nabla"}
	})
	data, _ := os.ReadFile(filepath.Join(bundle, "config.json"))
	if !bytes.Contains(data, []byte("absent")) || len(data) < 50<<20 {
		t.Fatalf("config.json is %d bytes", len(data))
	}
	e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: "does not exist in rootfs"}, bundle, e.id("huge"))
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// Arguments or an environment too big for the tender's command line are
// known at create and must be refused there, not when init execs the
// tender after `runnc start` has already reported success.
func TestOversizeConfigRefusedAtCreate(t *testing.T) {
	e := newEnv(t)
	for _, c := range []configCase{
		{name: "huge args", edit: setProcess("args", append([]any{"/hello.nabla"}, repeat(2000, strings.Repeat("a", 100))...))},
		{name: "one huge arg", edit: setProcess("args", []any{"/hello.nabla", strings.Repeat("x", 200<<10)})},
		{name: "huge env", edit: setProcess("env", repeat(3000, "K="+strings.Repeat("v", 100)))},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := e.hello()
			editJSON(t, bundle, func(m map[string]any) { c.edit(t, bundle, m) })
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: "over the"}, bundle, e.id(c.name))
		})
	}
}
