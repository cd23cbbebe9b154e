package libcontainer

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzNewConfig feeds arbitrary config.json documents to the OCI spec
// check and conversion: it must never panic, and what it accepts must be
// something a container can be made from.
func FuzzNewConfig(f *testing.F) {
	for _, seed := range []string{
		`{"ociVersion":"1.0.2","process":{"args":["/hello.nabla"],"cwd":"/"},"root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"network"}]}}`,
		`{"ociVersion":"1.2.0","process":{"args":["a.nabla","x"],"env":["A=B"],"cwd":"/srv"},"root":{"path":"/abs/rootfs","readonly":true},"linux":{"resources":{"memory":{"limit":67108864}},"namespaces":[{"type":"network","path":"/var/run/netns/x"}]},"mounts":[{"destination":"/etc/hosts","type":"bind","source":"/etc/hosts","options":["rbind","ro"]}],"hooks":{"prestart":[{"path":"/bin/true"}]},"annotations":{"org.nabla.runnc.fs":"noop"}}`,
		`{"ociVersion":"1.0.0","process":{"args":["/x.nabla"]},"root":{"path":"r"},"linux":{"cgroupsPath":"/a/b","sysctl":{"net.ipv4.ip_forward":"1"},"namespaces":[{"type":"network"},{"type":"pid"},{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}`,
		`{"ociVersion":"1.0.2","process":{"args":["/h.nabla"],"rlimits":[{"type":"RLIMIT_NOFILE","hard":1,"soft":2}],"capabilities":{"bounding":["CAP_BOGUS"]}},"root":{"path":"r"},"linux":{"devices":[{"path":"/dev/x","type":"c","major":1,"minor":3}],"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}`,
		`{"ociVersion":"1.0.2","process":{"args":["/h.nabla","a\u0000b"],"env":["JUSTAKEY","=x","A=\u0000"],"cwd":"rel"},"root":{"path":"r"},"linux":{}}`,
		`{"ociVersion":"2.0","process":null}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec specs.Spec
		if json.Unmarshal(data, &spec) != nil {
			return
		}
		cfg, err := NewConfig("/bundle", &spec)
		if err != nil {
			if cfg != nil {
				t.Fatalf("NewConfig returned a config with error %v", err)
			}
			return
		}
		if !filepath.IsAbs(cfg.Runtime.Rootfs) {
			t.Errorf("accepted config has a relative rootfs %q", cfg.Runtime.Rootfs)
		}
		p := cfg.Spec.Process
		if p == nil || len(p.Args) == 0 || cfg.Runtime.Cgroups == nil {
			t.Fatalf("accepted config lacks process args or cgroups: %s", data)
		}
		// The guest reads these as C strings and NAME=VALUE pairs: what
		// is accepted here must reach it (TestBadConfig found the gap).
		for _, a := range p.Args {
			if strings.ContainsRune(a, 0) {
				t.Errorf("accepted an argument with a NUL: %q", a)
			}
		}
		for _, e := range p.Env {
			if name, _, ok := strings.Cut(e, "="); !ok || name == "" || strings.ContainsRune(e, 0) {
				t.Errorf("accepted an environment entry the guest refuses: %q", e)
			}
		}
		if p.Cwd != "" && !filepath.IsAbs(p.Cwd) {
			t.Errorf("accepted a relative cwd %q", p.Cwd)
		}
	})
}
